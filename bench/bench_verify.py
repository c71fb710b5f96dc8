"""Verification speed: egov's verify_pdf against pyHanko's own validation, side by side.

    uv run python bench/bench_verify.py [--rounds 60]

Both run in this process with the same fast hex reader (egov.signing.pdfspeed, installed when
egov.signing is imported) on the same files: one signature with a signature timestamp; a
certifying signature plus a second signature in a prepared field; a long-term file (signature,
DSS, document timestamp, DSS). The baseline is what pyHanko does for the same job:
``PdfFileReader`` → its embedded signatures → ``validate_pdf_signature`` /
``validate_pdf_timestamp`` with a ValidationContext over the trust roots and the file's DSS.
Ours is ``verify_pdf(data)`` with the trust anchors read from the database (TrustAnchor), the
report built, the change analysis done. Budget: ours ≥ 0.9 × pyHanko (issue 9 §4). Exit code 1
when under budget.

Runs on PostgreSQL (EGOV_DATABASE_URL, default a bench database on 127.0.0.1).
"""

from __future__ import annotations

import argparse
import io
import statistics
import sys
import time
from pathlib import Path

import common

ROOT = Path(__file__).resolve().parent.parent
BUDGET = 0.9


def _files(pki):
    from tests.signing._foreign_pdfs import add_dss
    from tests.signing._verify_fixtures import blank_pdf, document_timestamp, sign, to_asn1

    single = sign(blank_pdf(), pki, timestamp=True)
    first = sign(blank_pdf(), pki, field="ChuKyLanhDao", certify=True, empty_field="ChuKyCoQuan")
    two = sign(first, pki, field="ChuKyCoQuan", org=True)
    lta = add_dss(single, [to_asn1(pki.signer_cert), pki.root_asn1])
    lta = add_dss(document_timestamp(lta, pki), [to_asn1(pki.tsa_cert)])
    return {"one signature + timestamp": single, "certified + second signature": two,
            "B-LTA (DSS, doc timestamp, DSS)": lta}


def pyhanko_validate(data: bytes, roots) -> bool:
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature, validate_pdf_timestamp
    from pyhanko.sign.validation.dss import DocumentSecurityStore, NoDSSFoundError
    from pyhanko_certvalidator import ValidationContext

    reader = PdfFileReader(io.BytesIO(data))
    try:
        dss = DocumentSecurityStore.read_dss(reader)
    except NoDSSFoundError:
        dss = None
    kwargs = {"trust_roots": roots, "allow_fetching": False, "revocation_mode": "soft-fail"}

    def context():
        return dss.as_validation_context(kwargs) if dss is not None else ValidationContext(
            **kwargs)

    ok = True
    for sig in reader.embedded_signatures:
        if sig.sig_object_type == "/DocTimeStamp":
            status = validate_pdf_timestamp(sig, validation_context=context())
            ok &= bool(status.valid and status.intact and status.trusted)
            continue
        else:
            status = validate_pdf_signature(sig, signer_validation_context=context(),
                                            ts_validation_context=context())
        ok &= bool(status.bottom_line)
    return ok


def _paired(theirs, ours, rounds: int) -> tuple[float, float]:
    """Per second (median) of each, measured alternately so that the load of the shared
    machine falls on both alike."""
    theirs(), ours()
    samples: tuple[list[float], list[float]] = ([], [])
    for _ in range(rounds):
        for fn, bucket in ((theirs, samples[0]), (ours, samples[1])):
            start = time.perf_counter()
            fn()
            bucket.append(time.perf_counter() - start)
    return 1 / statistics.median(samples[0]), 1 / statistics.median(samples[1])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=60)
    args = parser.parse_args()
    url = "postgres://postgres@127.0.0.1:5432/egov_bench_verify"
    import os

    common.ensure_database(os.environ.get("EGOV_DATABASE_URL", url))
    common.setup_django(url)
    sys.path.insert(0, str(ROOT))
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    import logging

    logging.getLogger("pyhanko").setLevel(logging.CRITICAL)
    logging.getLogger("pyhanko_certvalidator").setLevel(logging.CRITICAL)

    from tests.signing._verify_fixtures import make_pki

    from egov.signing.models import TrustAnchor
    from egov.signing.verify import verify_pdf

    pki = make_pki("Bench Root CA eGov")
    root = pki.root_asn1
    TrustAnchor.objects.filter(name="bench-verify").delete()
    TrustAnchor.objects.create(name="bench-verify", certificate_der=root.dump(),
                               fingerprint_sha256=root.sha256.hex())
    try:
        failed = False
        print(f"{'file':34} {'pyHanko /s':>11} {'egov /s':>9} {'ratio':>6}")
        for label, data in _files(pki).items():
            assert verify_pdf(data).valid, label
            assert pyhanko_validate(data, [root]), label
            theirs, ours = _paired(lambda d=data: pyhanko_validate(d, [root]),
                                   lambda d=data: verify_pdf(d), args.rounds)
            ratio = ours / theirs
            failed |= ratio < BUDGET
            print(f"{label:34} {theirs:11.1f} {ours:9.1f} {ratio:6.2f} "
                  f"{'PASS' if ratio >= BUDGET else 'FAIL'} (budget ≥ {BUDGET} ×)")
    finally:
        TrustAnchor.objects.filter(name="bench-verify").delete()
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
