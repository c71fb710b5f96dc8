"""`egov national_push`: push the due dossier changes to the national portal now, in order per
dossier and never twice (egov.onestop.national), e.g. from cron when no worker runs. Workers do
the same on their own."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from egov.onestop.national import national_push_due


class Command(BaseCommand):
    help = "Push the due dossier changes to the national public-service portal now."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--limit", type=int, default=5000)

    def handle(self, *args, limit: int, **options) -> None:
        if limit < 1:
            raise CommandError("--limit must be at least 1")
        counts = national_push_due(limit=limit)
        self.stdout.write(f"national portal: {counts['sent']} sent, {counts['retry']} to retry, "
                          f"{counts['failed']} rejected")
        if counts["retry"]:
            raise CommandError("the national portal is not reachable; the changes stay queued")
