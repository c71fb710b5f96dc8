"""`egov documents_daily`: the documents module's daily duties, run once a day by cron or a
systemd timer (idempotent: running it twice sends nothing twice).

- Warn each creator of a closed case file whose transfer to the agency archive is due within
  30 days (NĐ 30/2020 Phụ lục VI §III.5.b), once per file (recorded in the audit trail).
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import translation

from egov.documents.selectors.casefiles import WARN_DAYS
from egov.documents.services.casefiles import casefiles_warn_due


class Command(BaseCommand):
    help = "Daily duties of the documents module (case files due for transfer to the archive)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--today", help="Run as if today were this date (yyyy-mm-dd).")
        parser.add_argument("--within-days", type=int, default=WARN_DAYS,
                            help="Warn this many days before the transfer is due (default 30).")

    def handle(self, *args, **options) -> None:
        today = None
        if options.get("today"):
            try:
                today = dt.date.fromisoformat(options["today"])
            except ValueError:
                raise CommandError("--today must be a date like 2026-01-31") from None
        if options["within_days"] < 0:
            raise CommandError("--within-days must not be negative")
        with translation.override(settings.LANGUAGE_CODE):
            sent = casefiles_warn_due(today=today, within_days=options["within_days"])
        self.stdout.write(f"case files due for transfer: {sent} warning(s) sent")
