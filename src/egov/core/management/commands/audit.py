"""`egov audit verify` walks the hash chain; `egov audit tail [-n 20]` shows the last events."""

import sys

from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from egov.core.audit import audit_verify
from egov.core.models import AuditEvent


class Command(BaseCommand):
    help = "Audit trail: verify the hash chain, or show the last events."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="subcommand", required=True)
        verify = sub.add_parser("verify", help="Recompute the chain; exit 1 if it is broken.")
        verify.add_argument("--chunk-size", type=int, default=2000)
        tail = sub.add_parser("tail", help="Show the last events.")
        tail.add_argument("-n", "--lines", type=int, default=20)

    def handle(self, *args, subcommand: str, **options) -> None:
        if subcommand == "verify":
            self._verify(options["chunk_size"])
        else:
            self._tail(options["lines"])

    def _verify(self, chunk_size: int) -> None:
        result = audit_verify(chunk_size=max(1, chunk_size))
        if result.ok:
            self.stdout.write(
                f"Audit chain intact: {result.checked} events checked "
                f"(last seq {result.last_seq}, hash {result.last_hash})."
            )
            return
        self.stderr.write(
            f"Audit chain BROKEN after {result.checked} intact events: "
            f"first bad seq {result.first_bad_seq}, id {result.first_bad_id}: {result.reason}"
        )
        sys.exit(1)

    def _tail(self, lines: int) -> None:
        events = list(AuditEvent.objects.order_by("-seq")[: max(0, lines)])
        for event in reversed(events):
            target = f"{event.object_type}:{event.object_id}" if event.object_type else "-"
            self.stdout.write(
                f"{event.seq:>8}  {timezone.localtime(event.at):%Y-%m-%d %H:%M:%S}  "
                f"{event.actor_name or '-':<20}  {event.action:<28}  {target}  {event.hash[:12]}"
            )
