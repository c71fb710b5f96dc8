"""Time PAdES signing and validation on one core (no database).

    uv run python bench/bench_signing.py [--signatures 200] [--verifications 400]

A one-page PDF (WeasyPrint) signed with a server-side RSA-2048 key (PKCS#12, cached signer):
invisible (budget ≥ 40/s), with the visible Vietnamese stamp (≥ 15/s); validating one signature
with pyHanko, chain to the trusted root included (≥ 80/s). Exit code 1 when under budget.
"""

from __future__ import annotations

import argparse
import io
import sys
import time

BUDGETS = {"sign_invisible": 40.0, "sign_visible": 15.0, "verify": 80.0}


def _rate(fn, n: int) -> float:
    fn()  # warm-up (font subsetting caches, key cache)
    start = time.perf_counter()
    for _ in range(n):
        fn()
    return n / (time.perf_counter() - start)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--signatures", type=int, default=200)
    parser.add_argument("--verifications", type=int, default=400)
    args = parser.parse_args()

    from asn1crypto import x509 as asn1_x509
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko_certvalidator import ValidationContext
    from weasyprint import HTML

    from egov.signing import pades, pki
    from egov.signing.signers import get_signer

    root = pki.create_root_ca("Bench Root CA")
    leader = pki.issue_certificate(root, "Trần Văn Lãnh", organization="UBND tỉnh Minh Phong",
                                   locality="Minh Phong")
    p12 = pki.export_pkcs12(leader, "pw", chain=[root.certificate])
    pdf = HTML(string="<html lang='vi'><body style=\"font-family:'Liberation Serif'\">"
                      "<h1>QUYẾT ĐỊNH</h1><p>Về việc phê duyệt kế hoạch năm 2026.</p>"
                      "</body></html>").write_pdf()
    stamp = pades.StampSpec(name="Trần Văn Lãnh", title="Chủ tịch Ủy ban nhân dân tỉnh")

    def sign_invisible():
        signer = get_signer("key_file", pkcs12=p12, password="pw")
        return pades.sign_pdf(pdf, signer, field_name="ChuKy")

    def sign_visible():
        signer = get_signer("key_file", pkcs12=p12, password="pw")
        return pades.sign_pdf(pdf, signer, field_name="ChuKy", appearance=stamp)

    signed = sign_invisible()
    root_asn1 = asn1_x509.Certificate.load(root.der)

    def verify():
        vc = ValidationContext(trust_roots=[root_asn1], allow_fetching=False,
                               revocation_mode="soft-fail")
        sig = PdfFileReader(io.BytesIO(signed)).embedded_signatures[0]
        status = validate_pdf_signature(sig, vc)
        assert status.bottom_line and status.trusted

    results = {
        "sign_invisible": _rate(sign_invisible, args.signatures),
        "sign_visible": _rate(sign_visible, args.signatures),
        "verify": _rate(verify, args.verifications),
    }
    failed = False
    for name, rate in results.items():
        budget = BUDGETS[name]
        ok = rate >= budget
        failed |= not ok
        print(f"{'PASS' if ok else 'FAIL'} {name}: {rate:.1f}/s per core "
              f"({1000 / rate:.1f} ms each; budget ≥ {budget:.0f}/s)")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
