"""`egov audit verify` checks the keyed hash chain and every checkpoint; `egov audit checkpoint`
writes a checkpoint of the chain's head outside the database now (run it from the daily cron
job; `--if-due` only when the newest is older than EGOV_AUDIT_CHECKPOINT_SECONDS);
`egov audit tail [-n 20]` shows the last events."""

import sys

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from egov.core import audit_checkpoints
from egov.core.audit import audit_verify
from egov.core.audit_keys import KeyMissing
from egov.core.models import AuditEvent


class Command(BaseCommand):
    help = "Audit trail: verify the chain and its checkpoints, write a checkpoint, or show the " \
           "last events."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="subcommand", required=True)
        verify = sub.add_parser(
            "verify", help="Recompute the chain and check it against every checkpoint; exit 1 "
                           "if anything is wrong.")
        verify.add_argument("--chunk-size", type=int, default=2000)
        verify.add_argument("--skip-timestamps", action="store_true",
                            help="Do not re-check the checkpoints' RFC 3161 tokens.")
        checkpoint = sub.add_parser(
            "checkpoint", help="Write a checkpoint of the chain's head outside the database.")
        checkpoint.add_argument(
            "--if-due", action="store_true",
            help="Only if the newest checkpoint is older than EGOV_AUDIT_CHECKPOINT_SECONDS.")
        tail = sub.add_parser("tail", help="Show the last events.")
        tail.add_argument("-n", "--lines", type=int, default=20)

    def handle(self, *args, subcommand: str, **options) -> None:
        if subcommand == "verify":
            self._verify(options["chunk_size"], not options["skip_timestamps"])
        elif subcommand == "checkpoint":
            self._checkpoint(options["if_due"])
        else:
            self._tail(options["lines"])

    def _verify(self, chunk_size: int, check_tokens: bool) -> None:
        try:
            result = audit_verify(chunk_size=max(1, chunk_size), check_tokens=check_tokens)
        except KeyMissing as exc:
            raise CommandError(str(exc)) from exc
        if result.ok:
            self.stdout.write(
                f"Audit chain intact: {result.checked} events checked "
                f"(last seq {result.last_seq}, hash {result.last_hash})."
            )
            newest = result.newest_checkpoint
            if newest is None:
                self.stdout.write("No checkpoints yet: run `egov audit checkpoint`.")
            else:
                self.stdout.write(
                    f"{result.checkpoints} checkpoints intact ({result.timestamped} with an "
                    f"RFC 3161 timestamp); newest: seq {newest.seq} at {newest.at}."
                )
            return
        seq = "-" if result.first_bad_seq is None else result.first_bad_seq
        self.stderr.write(
            f"Audit chain BROKEN after {result.checked} intact events: "
            f"first bad seq {seq}, id {result.first_bad_id}: {result.reason}"
        )
        sys.exit(1)

    def _checkpoint(self, if_due: bool) -> None:
        interval = getattr(settings, "EGOV_AUDIT_CHECKPOINT_SECONDS", 0)
        if if_due and interval > 0:
            age = audit_checkpoints.newest_age_seconds()
            if age is not None and 0 <= age < interval:
                self.stdout.write(f"Newest checkpoint is {int(age)} s old: none due.")
                return
        try:
            cp = audit_checkpoints.write_checkpoint()
        except audit_checkpoints.CheckpointError as exc:
            raise CommandError(str(exc)) from exc
        stamp = "with an RFC 3161 timestamp" if cp.tst else "without a timestamp"
        self.stdout.write(f"Checkpoint {cp.n} written {stamp}: seq {cp.seq}, hash {cp.hash}.")

    def _tail(self, lines: int) -> None:
        events = list(AuditEvent.objects.order_by("-seq")[: max(0, lines)])
        for event in reversed(events):
            target = f"{event.object_type}:{event.object_id}" if event.object_type else "-"
            self.stdout.write(
                f"{event.seq:>8}  {timezone.localtime(event.at):%Y-%m-%d %H:%M:%S}  "
                f"{event.actor_name or '-':<20}  {event.action:<28}  {target}  {event.hash[:12]}"
            )
