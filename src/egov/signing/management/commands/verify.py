"""`egov verify FILE.pdf [--json]`: verify every digital signature of a PDF.

Exit status: 0 when the document is valid, 1 when it is not (or has no signature), 2 when the
file cannot be read or is not a PDF."""

from __future__ import annotations

import json
import logging
import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandParser
from django.utils.translation import gettext as _

from egov.signing.verify import MODIFICATION_LABELS, NotAPdf, verify_pdf

EXIT_VALID, EXIT_INVALID, EXIT_UNREADABLE = 0, 1, 2


def _yes_no(value: bool) -> str:
    return _("yes") if value else _("no")


class Command(BaseCommand):
    help = "Verify the digital signatures of a PDF file (exit 0 valid, 1 invalid, 2 unreadable)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="The PDF file to verify.")
        parser.add_argument("--json", action="store_true", help="Print the report as JSON.")

    def handle(self, *args, file: str, **options) -> None:
        # pyHanko logs each failed check with a traceback; the report says it all.
        logging.getLogger("pyhanko").setLevel(logging.CRITICAL)
        logging.getLogger("pyhanko_certvalidator").setLevel(logging.CRITICAL)
        as_json = options["json"]
        try:
            data = Path(file).read_bytes()
            report = verify_pdf(data)
        except Exception as exc:  # noqa: BLE001 - OSError, NotAPdf, anything unforeseen: no traceback
            if as_json:
                self.stdout.write(json.dumps({"valid": False, "error": "not_pdf" if isinstance(
                    exc, NotAPdf) else "unreadable", "message": str(exc)}, ensure_ascii=False))
            else:
                self.stderr.write(_("Cannot verify %(file)s: %(error)s") % {
                    "file": file, "error": exc})
            sys.exit(EXIT_UNREADABLE)

        if as_json:
            self.stdout.write(json.dumps(report.as_dict(), ensure_ascii=False, indent=2))
        else:
            self._print(file, report)
        sys.exit(EXIT_VALID if report.valid else EXIT_INVALID)

    def _print(self, file: str, report) -> None:
        write = self.stdout.write
        write(_("File: %(file)s") % {"file": file})
        write(_("Signatures: %(count)d (revisions: %(revisions)d)") % {
            "count": len(report.signatures), "revisions": report.revisions})
        for number, sig in enumerate(report.signatures, start=1):
            write("")
            write(_("Signature %(number)d — field %(field)s") % {"number": number,
                                                                 "field": sig.field})
            write("  " + _("Signer: %(signer)s (%(organisation)s)") % {
                "signer": sig.signer, "organisation": sig.organisation})
            write("  " + _("Certificate subject: %(subject)s") % {"subject": sig.subject})
            write("  " + _("Issued by: %(issuer)s") % {"issuer": sig.issuer})
            write("  " + _("Signing time (claimed by the signer): %(time)s") % {
                "time": sig.signed_at or "-"})
            if sig.timestamp:
                write("  " + _("Timestamp: %(time)s by %(tsa)s") % {
                    "time": sig.timestamp.time, "tsa": sig.timestamp.tsa})
            write("  " + _("Content intact: %(value)s") % {"value": _yes_no(sig.intact)})
            write("  " + _("Certificate trusted: %(value)s") % {"value": _yes_no(sig.trusted)})
            if sig.validated_at_timestamp:
                write("  " + _("The certificate is no longer valid today; it was valid at the "
                               "time of the signature's timestamp."))
            write("  " + _("Changes after signing: %(level)s; covers the whole file: %(whole)s")
                  % {"level": MODIFICATION_LABELS.get(sig.modification, sig.modification),
                     "whole": _yes_no(sig.whole_file)})
            for reason in sig.reasons:
                write("  - " + reason)
            for warning in sig.warnings:
                write("  ! " + warning)
            write("  " + (_("Signature VALID") if sig.valid else _("Signature INVALID")))
        write("")
        for warning in report.warnings:
            write("! " + warning)
        for reason in report.reasons:
            write("- " + reason)
        if report.valid:
            write(self.style.SUCCESS(_("RESULT: the document is valid.")))
        else:
            write(self.style.ERROR(_("RESULT: the document is NOT valid.")))
