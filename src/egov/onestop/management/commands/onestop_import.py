"""`egov onestop-import FILE`: import procedures from a CSV or XLSX file (egov.onestop.importing;
layout in docs/onestop.md). Every problem is printed with its row and column and nothing is
imported when any row is bad (exit code 1)."""

from __future__ import annotations

from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from egov.core.errors import PermissionDenied
from egov.core.importers import ImportFailed
from egov.onestop.importing import procedures_import


class Command(BaseCommand):
    help = ("Import administrative procedures from a CSV or XLSX file (see docs/onestop.md). "
            "A known code adds a new version. Nothing is imported if any row is bad.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="a .csv (UTF-8) or .xlsx file")
        parser.add_argument("--actor", default="",
                            help="username recorded in the audit trail; must hold "
                                 "onestop.manage_catalogue (default: system)")

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
            result = procedures_import(actor=user, data=data, name=path.name,
                                       check_permission=user is not None)
        except PermissionDenied as exc:
            raise CommandError(exc.message) from None
        except ImportFailed as exc:
            for error in exc.errors:
                self.stderr.write(f"{path.name}: {error}")
            raise CommandError(
                _("%(count)d problem(s) found in %(file)s; nothing was imported.")
                % {"count": len(exc.errors), "file": path.name}) from None
        self.stdout.write(self.style.SUCCESS(
            _("Imported %(versions)d procedure version(s) from %(file)s (%(created)d new "
              "procedure(s)).")
            % {"versions": result.versions, "file": path.name, "created": result.created}))
