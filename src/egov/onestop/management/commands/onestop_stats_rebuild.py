"""`egov onestop_stats_rebuild`: recompute the statistics summary of ended dossiers from the
dossiers (services/stats_summary.py; docs/onestop.md "Statistics"). Idempotent: running it again
gives the same rows. Needed after data was loaded or corrected outside the dossier services
(bulk imports, SQL), and after a past day of the working-day calendar changed (indicator 2.2's
working days are kept per dossier)."""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand

from egov.onestop.services.stats_summary import rebuild


class Command(BaseCommand):
    help = "Recompute the one-stop statistics summary of ended dossiers (idempotent)."

    def handle(self, *args, **options) -> None:
        started = time.perf_counter()
        counts = rebuild(stdout=self.stdout if options.get("verbosity", 1) > 1 else None)
        self.stdout.write(f"one-stop statistics summary: {counts['dossiers']:,} ended dossiers "
                          f"in {counts['rows']:,} rows ({time.perf_counter() - started:.1f} s)")
