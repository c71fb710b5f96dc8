"""Cross-check the verifier against a public corpus of signed PDFs made elsewhere.

    uv run python bench/verify_corpus.py DIR [DIR …] [--verbose]

Every *.pdf under the directories goes through egov.signing.verify.verify_pdf (as the public
API and `egov verify` do) and through two references:

- pyHanko's own validation (``validate_pdf_signature`` / ``validate_pdf_timestamp`` per
  embedded signature, strict read, and pyHanko's lenient read when the strict one refuses the
  file): is every signature intact (digest and signature value) and every later change
  permitted (DocMDP / difference analysis)?
- poppler's ``pdfsig -nocert`` (an independent implementation, bytes only): does any signature
  report "Digest Mismatch"?

Trust is left out on both sides (the corpora come with their own test CAs): the question is
integrity and permitted changes. It prints: files, signed files, server errors (an exception
other than NotAPdf — the API would answer 500; must be 0), tampered files accepted (we judge
intact and permitted while a reference finds a broken digest or signature; must be 0),
illegally changed files accepted (the reference's change analysis refuses, we accept; must be
0), and the share of the files the reference deems intact and permitted that we judge so —
by signature only, and with the suite's own rule (after the last signature only validation data
may follow), which is stricter than pyHanko's (budget ≥ 90 %). Exit code 1 when a budget fails.

The corpora are not in the repository (licences, size). The figures in docs/signing.md come from
the test files of the EU DSS library (github.com/esig/dss, dss-pades/src/test/resources) and of
pyHanko (github.com/MatthiasValvekens/pyHanko, internal/common-test-utils/…/data/pdf).
"""

from __future__ import annotations

import argparse
import io
import logging
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import common

BUDGET = 0.90


@dataclass
class Reference:
    signed: bool = False
    intact: bool = False
    permitted: bool = False
    error: str = ""
    notes: list[str] = field(default_factory=list)


def pyhanko_reference(data: bytes) -> Reference:
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.diff_analysis import ModificationLevel
    from pyhanko.sign.fields import enumerate_sig_fields
    from pyhanko.sign.validation import validate_pdf_signature, validate_pdf_timestamp
    from pyhanko.sign.validation.status import SignatureCoverageLevel
    from pyhanko_certvalidator import ValidationContext

    ref = Reference()
    reader = None
    for strict in (True, False):
        try:
            reader = PdfFileReader(io.BytesIO(data), strict=strict)
            if strict and reader.xrefs.hybrid_xrefs_present:
                # pyHanko validates hybrid-reference files only in its lenient mode
                # (``pyhanko sign validate --no-strict-syntax``)
                raise ValueError("hybrid-reference file")
            if reader.encrypted:
                reader.decrypt("")
            signatures = reader.embedded_signatures
            filled = len(list(enumerate_sig_fields(reader, filled_status=True)))
            if filled > len(signatures):
                # pyHanko skips signatures it does not support (adbe.pkcs7.sha1…): it cannot
                # vouch for such a file
                ref.notes.append(f"{filled - len(signatures)} signature(s) not supported")
            break
        except Exception as exc:  # noqa: BLE001
            ref.error = f"{type(exc).__name__}: {exc}"[:160]
    else:
        return ref
    ref.error = ""
    ref.signed = bool(signatures)
    ref.intact = ref.permitted = bool(signatures) and not ref.notes
    context = {"trust_roots": [], "allow_fetching": False, "revocation_mode": "soft-fail"}
    for sig in signatures:
        try:
            if sig.sig_object_type == "/DocTimeStamp":
                status = validate_pdf_timestamp(sig, ValidationContext(**context))
                level = status.modification_level
                permitted = status.coverage == SignatureCoverageLevel.ENTIRE_FILE or (
                    status.coverage == SignatureCoverageLevel.ENTIRE_REVISION
                    and level is not None and level <= ModificationLevel.FORM_FILLING)
            else:
                status = validate_pdf_signature(sig, ValidationContext(**context))
                permitted = bool(status.docmdp_ok)
        except Exception as exc:  # noqa: BLE001 - pyHanko cannot validate it: not "intact"
            ref.intact = ref.permitted = False
            ref.notes.append(f"{sig.field_name}: {type(exc).__name__}: {exc}"[:160])
            continue
        ref.intact &= bool(status.intact and status.valid)
        ref.permitted &= permitted
    return ref


def pdfsig_digest_mismatch(path: Path) -> bool:
    try:
        result = subprocess.run(["pdfsig", "-nocert", str(path)], capture_output=True,
                                text=True, timeout=60, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return False
    return "Digest Mismatch" in result.stdout


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("dirs", nargs="+", type=Path)
    parser.add_argument("--verbose", action="store_true")
    args = parser.parse_args()
    common.setup_django(None, DJANGO_SETTINGS_MODULE="egov.settings_test")
    logging.disable(logging.CRITICAL)

    from egov.signing.api import VerificationOut
    from egov.signing.verify import NotAPdf, verify_pdf

    files = sorted(p for d in args.dirs for p in d.rglob("*") if p.suffix.lower() == ".pdf")
    counts = dict(files=len(files), signed=0, not_pdf=0, server_errors=0, tampered_accepted=0,
                  illegal_accepted=0, reference_ok=0, ours_ok_sig=0, ours_ok_rule=0,
                  warnings=0)
    for path in files:
        data = path.read_bytes()
        ref = pyhanko_reference(data)
        mismatch = pdfsig_digest_mismatch(path)
        try:
            report = verify_pdf(data, roots=[])
            VerificationOut.model_validate(report.as_dict())  # the API's contract
        except NotAPdf as exc:
            counts["not_pdf"] += 1
            if args.verbose and ref.signed:
                print(f"NOT READ  {path.name}: {exc}")
            continue
        except Exception as exc:  # noqa: BLE001 - what would be a 500
            counts["server_errors"] += 1
            print(f"SERVER ERROR {path.name}: {type(exc).__name__}: {exc}")
            continue
        if not report.signatures:
            continue
        counts["signed"] += 1
        counts["warnings"] += bool(getattr(report, "warnings", None) or any(
            getattr(s, "warnings", None) for s in report.signatures))
        ours_sig = all(s.intact and s.docmdp_ok for s in report.signatures)
        ours_rule = ours_sig and report.signatures[-1].whole_file
        if ours_sig and (mismatch or (ref.signed and not ref.intact and not ref.notes)):
            counts["tampered_accepted"] += 1
            print(f"TAMPERED ACCEPTED {path.name} (pdfsig mismatch={mismatch})")
        if ours_sig and ref.signed and ref.intact and not ref.permitted:
            counts["illegal_accepted"] += 1
            print(f"ILLEGAL CHANGE ACCEPTED {path.name}")
        if ref.signed and ref.intact and ref.permitted:
            counts["reference_ok"] += 1
            counts["ours_ok_sig"] += ours_sig
            counts["ours_ok_rule"] += ours_rule
            if args.verbose and not ours_rule:
                print(f"DIFFERS   {path.name}: {report.reasons[:2]} "
                      f"{[s.reasons for s in report.signatures][:2]}")
        elif args.verbose and ours_sig:
            print(f"WE ACCEPT {path.name}: reference {ref}")

    share_sig = counts["ours_ok_sig"] / counts["reference_ok"] if counts["reference_ok"] else 1
    share_rule = counts["ours_ok_rule"] / counts["reference_ok"] if counts["reference_ok"] else 1
    print(f"files: {counts['files']}, signed (read by us): {counts['signed']}, "
          f"not a readable PDF: {counts['not_pdf']}, with a structure/algorithm warning: "
          f"{counts['warnings']}")
    print(f"server errors: {counts['server_errors']} (must be 0)")
    print(f"tampered accepted: {counts['tampered_accepted']} (must be 0)")
    print(f"illegally changed accepted: {counts['illegal_accepted']} (must be 0)")
    print(f"reference deems intact and permitted: {counts['reference_ok']}; we judge so: "
          f"{counts['ours_ok_sig']} = {share_sig:.1%} by signature, {counts['ours_ok_rule']} = "
          f"{share_rule:.1%} with the suite's rule (budget ≥ {BUDGET:.0%})")
    failed = (counts["server_errors"] or counts["tampered_accepted"]
              or counts["illegal_accepted"] or share_sig < BUDGET)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
