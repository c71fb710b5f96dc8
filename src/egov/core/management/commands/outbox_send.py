"""`egov outbox_send`: send the outbox's due messages now (e-mail, SMS), e.g. from cron when no
worker runs; idempotent (a message is never sent twice). Workers do the same on their own."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from egov.core.outbox import outbox_send_due


class Command(BaseCommand):
    help = "Send the due outbox messages (e-mail, SMS) now."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--limit", type=int, default=1000)

    def handle(self, *args, limit: int, **options) -> None:
        if limit < 1:
            raise CommandError("--limit must be at least 1")
        counts = outbox_send_due(limit=limit)
        self.stdout.write(f"outbox: {counts['sent']} sent, {counts['retry']} to retry, "
                          f"{counts['failed']} failed")
