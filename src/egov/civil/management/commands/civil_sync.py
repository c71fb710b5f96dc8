"""`egov civil_sync`: push the due civil-status events to the national databases now (e.g. from
cron when no worker runs); `--failures` lists the events refused or waiting for a retry
(egov.civil.sync). Workers push on their own."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from egov.civil import sync


class Command(BaseCommand):
    help = "Push the due civil-status events to the national databases, or list the failures."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--limit", type=int, default=5000)
        parser.add_argument("--failures", action="store_true",
                            help="List the events refused or waiting for a retry.")

    def handle(self, *args, limit: int, failures: bool, **options) -> None:
        if limit < 1:
            raise CommandError("--limit must be at least 1")
        if failures:
            rows = list(sync.failures()[:limit])
            for row in rows:
                self.stdout.write(f"{row.key}\t{row.event.kind}\t{row.state}\t"
                                  f"attempts={row.attempts}\t{row.last_error[:200]}")
            self.stdout.write(f"{len(rows)} event(s) failed or waiting for a retry")
            return
        counts = sync.push_due(limit=limit)
        self.stdout.write(f"national databases: {counts['sent']} sent, {counts['retry']} to "
                          f"retry, {counts['failed']} refused")
        if counts["retry"]:
            raise CommandError("the national database is not reachable; the events stay queued")
