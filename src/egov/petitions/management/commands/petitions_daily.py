"""`egov petitions_daily`: remind the handlers of petition deadlines due within two days and of
overdue ones, in the inbox and by e-mail (idempotent: a second run sends nothing twice)."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import translation

from egov.core.calendar import LOCAL_TZ
from egov.petitions.services.deadlines import remind_due


class Command(BaseCommand):
    help = "Petition deadline reminders (due soon and overdue), once each."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--now", help="Run as if it were this time (yyyy-mm-ddTHH:MM).")

    def handle(self, *args, **options) -> None:
        now = None
        if options.get("now"):
            try:
                now = dt.datetime.fromisoformat(options["now"])
            except ValueError:
                raise CommandError("--now must look like 2026-12-31T09:00") from None
            if now.tzinfo is None:
                now = now.replace(tzinfo=LOCAL_TZ)
        with translation.override(settings.LANGUAGE_CODE):
            sent = remind_due(now=now)
        self.stdout.write(f"petition reminders: {sent['soon']} due soon, "
                          f"{sent['overdue']} overdue")
