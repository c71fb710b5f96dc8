"""`egov signing_daily`: the signing module's daily duties, run once a day by cron or a systemd
timer (idempotent: running it twice sends nothing twice).

- Warn the holders of signing certificates that expire within 30 days, once per certificate
  (recorded in the audit trail): an expired certificate may not be used to sign (Luật Giao dịch
  điện tử 2023).
"""

from __future__ import annotations

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import translation

from egov.signing.services import certificates_warn_expiring


class Command(BaseCommand):
    help = "Daily duties of the signing module (certificates about to expire)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--within-days", type=int, default=30,
                            help="Warn this many days before a certificate expires (default 30).")

    def handle(self, *args, **options) -> None:
        if options["within_days"] < 0:
            raise CommandError("--within-days must not be negative")
        with translation.override(settings.LANGUAGE_CODE):
            sent = certificates_warn_expiring(within_days=options["within_days"])
        self.stdout.write(f"signing certificates about to expire: {sent} warning(s) sent")
