"""`egov directives_daily [--date YYYY-MM-DD]`: the reminders of directive deadlines (7, 3, 1
working days before and daily when overdue), their escalation and the daily digest e-mails, as
the workers' periodic pass runs them (idempotent: a second run sends nothing twice)."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import translation

from egov.directives.services.reminders import remind_day


class Command(BaseCommand):
    help = "Directive reminders, escalations and the daily digest e-mails, once each."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--date", help="Run for this day (YYYY-MM-DD; today by default).")

    def handle(self, *args, **options) -> None:
        day = None
        if options.get("date"):
            try:
                day = dt.date.fromisoformat(options["date"])
            except ValueError:
                raise CommandError("--date must look like 2026-12-31") from None
        with translation.override(settings.LANGUAGE_CODE):
            counts = remind_day(day)
        if counts["day_off"]:
            self.stdout.write("directive reminders: a day off, nothing to send")
            return
        self.stdout.write(f"directive reminders: {counts['reminders']} reminders, "
                          f"{counts['escalations']} escalations, {counts['digests']} digests")
