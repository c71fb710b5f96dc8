"""`egov calendar_seed --from 2020 --to 2035`: add the missing CalendarDay rows for those years
from the `holidays` package (Vietnam). Idempotent; existing rows are never overwritten, so an
administrator's edits stay."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.translation import gettext as _

from egov.core.calendar import seed_from_holidays
from egov.core.calendar_announced import seed_announced
from egov.core.models import CalendarAnnouncement, CalendarDay


class Command(BaseCommand):
    help = _("Seed the working-day calendar from the holidays package (existing days are kept).")

    def add_arguments(self, parser):
        this_year = timezone.localdate().year
        parser.add_argument("--from", dest="year_from", type=int, default=this_year,
                            help=_("First year (default: this year)."))
        parser.add_argument("--to", dest="year_to", type=int, default=None,
                            help=_("Last year (default: the first year)."))

    def handle(self, *args, year_from: int, year_to: int | None, **options):
        year_to = year_from if year_to is None else year_to
        if not (1901 <= year_from <= year_to <= 2100):
            raise CommandError(_("Years must satisfy 1901 <= --from <= --to <= 2100."))
        created = seed_from_holidays(CalendarDay, range(year_from, year_to + 1))
        # The announced schedules (swaps the package does not know; services.md §4.3).
        created += seed_announced(CalendarDay, CalendarAnnouncement)
        self.stdout.write(_("%(created)d calendar days created for %(first)d–%(last)d.") % {
            "created": created, "first": year_from, "last": year_to})
