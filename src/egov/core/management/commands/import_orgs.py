"""`egov import-orgs FILE`: import organisation units from CSV or JSON (see egov.core.importers).

Every row is checked first; if any is bad, each problem is printed with its line number and
nothing is imported (exit code 1).
"""

from __future__ import annotations

from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from egov.core.importers import ImportFailed, import_orgs


class Command(BaseCommand):
    help = ("Import organisation units from a CSV or JSON file (columns: electronic_id, name, "
            "kind, parent_electronic_id, abbreviation, place_name, valid_from, valid_to). "
            "An existing electronic_id updates that unit. Nothing is imported if any row is bad.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="a .csv or .json file, UTF-8")
        parser.add_argument("--actor", default="",
                            help="username recorded in the audit trail (default: system)")

    def handle(self, *args, file: str, actor: str, **options) -> None:
        path = Path(file)
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise CommandError(_("Cannot read %(file)s: %(error)s")
                               % {"file": file, "error": exc.strerror or exc}) from None
        user = None
        if actor:
            user = get_user_model()._default_manager.filter(username=actor).first()
            if user is None:
                raise CommandError(_("No user named %(name)s.") % {"name": actor})
        try:
            result = import_orgs(data, name=path.name, actor=user)
        except ImportFailed as exc:
            for error in exc.errors:
                self.stderr.write(f"{path.name}: {error}")
            raise CommandError(
                _("%(count)d problem(s) found in %(file)s; nothing was imported.")
                % {"count": len(exc.errors), "file": path.name}
            ) from None
        self.stdout.write(self.style.SUCCESS(
            _("Imported %(total)d unit(s) from %(file)s: %(created)d created, %(updated)d "
              "updated (%(renamed)d renamed), %(unchanged)d unchanged.")
            % {"total": result.total, "file": path.name, "created": result.created,
               "updated": result.updated, "renamed": result.renamed,
               "unchanged": result.unchanged}
        ))
