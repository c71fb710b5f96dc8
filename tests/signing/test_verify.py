"""Verification of signed PDFs (egov.signing.verify / trust, `egov verify`), with real signatures
made by pyHanko over a test PKI, and a cross-check with poppler's pdfsig."""

from __future__ import annotations

import json
import subprocess

import pytest
from django.core.management import call_command

from egov.signing.models import TrustAnchor
from egov.signing.trust import trust_roots, validation_context
from egov.signing.verify import NotAPdf, verify_pdf

from ._verify_fixtures import (
    append_annotation,
    append_empty_signature_field,
    blank_pdf,
    corrupt_cms,
    document_timestamp,
    make_pki,
    replace_page_content,
    sign,
)


@pytest.fixture(scope="module")
def pki():
    return make_pki()


@pytest.fixture(scope="module")
def signed(pki):
    return sign(blank_pdf(), pki, timestamp=True)


@pytest.fixture(scope="module")
def two_signatures(pki):
    """Leader certifies (DocMDP FILL_FORMS) and prepares an empty field; the organisation signs it
    (the workflow of components.md §1.2)."""
    first = sign(blank_pdf(), pki, field="ChuKyLanhDao", certify=True, empty_field="ChuKyCoQuan")
    return sign(first, pki, field="ChuKyCoQuan", org=True)


def _anchor(pki, *, active=True):
    der = pki.root_asn1.dump()
    return TrustAnchor.objects.create(name="Test Root", certificate_der=der, is_active=active,
                                      fingerprint_sha256=pki.root_asn1.sha256.hex())


def test_valid_signed_pdf(pki, signed):
    report = verify_pdf(signed, roots=[pki.root_asn1])
    assert report.valid is True
    assert report.reasons == []
    [sig] = report.signatures
    assert (sig.field, sig.valid, sig.trusted, sig.intact) == ("ChuKy1", True, True, True)
    assert (sig.modification, sig.coverage, sig.whole_file) == ("NONE", "ENTIRE_FILE", True)
    assert sig.signer == "Nguyễn Văn An"
    assert sig.organisation == "UBND tỉnh Thử nghiệm"
    assert sig.subject == "CN=Nguyễn Văn An,O=UBND tỉnh Thử nghiệm,C=VN"
    assert sig.issuer == "CN=Test Root CA eGov,O=UBND tỉnh Thử nghiệm,C=VN"
    assert sig.signed_at
    assert sig.timestamp is not None and sig.timestamp.trusted and sig.timestamp.intact
    assert sig.timestamp.tsa.startswith("CN=Test TSA eGov")
    data = report.as_dict()
    assert data["valid"] is True
    assert set(data["signatures"][0]) >= {"field", "signer", "valid", "trusted", "intact",
                                          "modification", "signed_at", "timestamp"}
    json.dumps(data)  # the contract is JSON-serialisable


def test_untrusted_ca(signed):
    other = make_pki("Another Root CA")
    report = verify_pdf(signed, roots=[other.root_asn1])
    [sig] = report.signatures
    assert sig.intact is True
    assert sig.trusted is False
    assert sig.valid is False
    assert report.valid is False
    assert sig.reasons


def test_changed_byte_in_signed_range(pki, signed):
    offset = signed.index(b"Quyet dinh")
    tampered = signed[:offset] + b"Q" + signed[offset + 1:].replace(b"uyet", b"uyEt", 1)
    assert len(tampered) == len(signed)
    report = verify_pdf(tampered, roots=[pki.root_asn1])
    [sig] = report.signatures
    assert sig.intact is False
    assert sig.valid is False
    assert report.valid is False


def test_any_flipped_byte_in_the_signed_range_is_caught(pki, signed):
    """Flip one byte at 60 places across the file (outside the /Contents hole): the result is
    either unreadable (NotAPdf) or invalid, never valid and never another exception."""
    hole_start = signed.rindex(b"/Contents <") + len(b"/Contents ")
    hole_end = signed.index(b">", hole_start) + 1
    offsets = [o for o in range(0, len(signed), max(1, len(signed) // 60))
               if not hole_start <= o < hole_end]
    for offset in offsets:
        tampered = signed[:offset] + bytes([signed[offset] ^ 0x01]) + signed[offset + 1:]
        try:
            report = verify_pdf(tampered, roots=[pki.root_asn1])
        except NotAPdf:
            continue
        assert report.valid is False, offset


def test_unsigned_revision_appended_after_last_signature(pki, signed):
    report = verify_pdf(append_annotation(signed), roots=[pki.root_asn1])
    [sig] = report.signatures
    assert sig.intact is True and sig.trusted is True
    assert sig.coverage == "ENTIRE_REVISION"
    assert sig.whole_file is False
    assert sig.modification not in {"NONE", "LTA_UPDATES"}
    assert report.valid is False
    assert report.revisions == 3
    assert any(sig.modification in reason for reason in report.reasons)


def test_replaced_page_content(pki, signed):
    report = verify_pdf(replace_page_content(signed), roots=[pki.root_asn1])
    [sig] = report.signatures
    assert sig.intact is True
    assert sig.modification == "OTHER"
    assert sig.docmdp_ok is False
    assert sig.valid is False
    assert report.valid is False


def test_second_signature_in_prepared_field_under_certification(pki, two_signatures):
    report = verify_pdf(two_signatures, roots=[pki.root_asn1])
    assert report.valid is True, report.reasons
    leader, organisation = report.signatures
    assert (leader.field, leader.certifying, leader.modification) == (
        "ChuKyLanhDao", True, "FORM_FILLING")
    assert leader.valid and leader.coverage == "ENTIRE_REVISION" and not leader.whole_file
    assert (organisation.field, organisation.signer) == ("ChuKyCoQuan", "UBND tỉnh Thử nghiệm")
    assert organisation.valid and organisation.whole_file


def test_tampering_after_two_signatures(pki, two_signatures):
    report = verify_pdf(replace_page_content(two_signatures), roots=[pki.root_asn1])
    assert report.valid is False
    assert [sig.valid for sig in report.signatures] == [False, False]


def test_any_unsigned_change_after_the_last_signature_is_reported(pki, signed):
    """Even a change the signature itself tolerates (an approval signature without DocMDP accepts
    form filling) makes the document invalid when no later signature covers it."""
    report = verify_pdf(append_empty_signature_field(signed), roots=[pki.root_asn1])
    [sig] = report.signatures
    assert sig.valid is True and sig.modification == "FORM_FILLING" and not sig.whole_file
    assert report.valid is False
    assert report.reasons and "FORM_FILLING" in report.reasons[0]


def test_document_timestamp_after_signature(pki, signed):
    report = verify_pdf(document_timestamp(signed, pki), roots=[pki.root_asn1])
    assert report.valid is True, report.reasons
    sig, doc_ts = report.signatures
    assert (sig.modification, sig.whole_file, sig.valid) == ("LTA_UPDATES", True, True)
    assert doc_ts.kind == "document_timestamp" and doc_ts.valid and doc_ts.whole_file
    assert doc_ts.signer == "Test TSA eGov" and doc_ts.timestamp is not None


def test_broken_signature_value_is_reported_not_raised(pki, signed):
    report = verify_pdf(corrupt_cms(signed), roots=[pki.root_asn1])
    [sig] = report.signatures
    assert sig.valid is False and sig.intact is False
    assert sig.reasons
    assert report.valid is False


def test_no_signature():
    report = verify_pdf(blank_pdf(), roots=[])
    assert report.valid is False
    assert report.signatures == []
    assert report.reasons and report.as_dict()["reasons"]


@pytest.mark.parametrize("data", [b"", b"hello, not a pdf", b"\x89PNG\r\n\x1a\n" + b"0" * 64,
                                  b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog"])
def test_not_a_pdf(data):
    with pytest.raises(NotAPdf):
        verify_pdf(data, roots=[])
    assert issubclass(NotAPdf, ValueError)


def test_truncated_signed_pdf(pki, signed):
    with pytest.raises(NotAPdf):
        verify_pdf(signed[: len(signed) // 2], roots=[pki.root_asn1])


# --- trust anchors ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_trust_anchors_from_database(pki, signed):
    anchor = _anchor(pki)
    assert [root.sha256 for root in trust_roots()] == [pki.root_asn1.sha256]
    assert verify_pdf(signed).valid is True
    anchor.is_active = False
    anchor.save()
    assert trust_roots() == []
    report = verify_pdf(signed)
    assert report.valid is False and report.signatures[0].trusted is False


@pytest.mark.django_db
def test_trust_anchors_directory(pki, signed, settings, tmp_path):
    (tmp_path / "root.pem").write_bytes(pki.root_pem())
    (tmp_path / "notes.txt").write_text("ignored")
    settings.EGOV_TRUST_ANCHORS_DIR = str(tmp_path)
    _anchor(pki)  # the same root twice: listed once
    assert len(trust_roots()) == 1
    TrustAnchor.objects.all().delete()
    assert len(trust_roots()) == 1
    assert verify_pdf(signed).valid is True


def test_validation_context_is_offline(pki):
    context = validation_context(roots=[pki.root_asn1])
    assert context.fetching_allowed is False


# --- egov verify --------------------------------------------------------------------------------


def _run(*args):
    import io

    out, err = io.StringIO(), io.StringIO()
    with pytest.raises(SystemExit) as exit_info:
        call_command("verify", *args, stdout=out, stderr=err)
    return exit_info.value.code, out.getvalue(), err.getvalue()


@pytest.mark.django_db
def test_cli_json_valid_and_invalid(pki, signed, tmp_path):
    _anchor(pki)
    good = tmp_path / "good.pdf"
    good.write_bytes(signed)
    code, out, _err = _run(str(good), "--json")
    assert code == 0
    data = json.loads(out)
    assert data["valid"] is True and data["signatures"][0]["field"] == "ChuKy1"

    bad = tmp_path / "bad.pdf"
    bad.write_bytes(replace_page_content(signed))
    code, out, _err = _run(str(bad), "--json")
    assert code == 1
    assert json.loads(out)["valid"] is False

    unsigned = tmp_path / "unsigned.pdf"
    unsigned.write_bytes(blank_pdf())
    assert _run(str(unsigned), "--json")[0] == 1


@pytest.mark.django_db
def test_cli_human_report(pki, signed, tmp_path):
    _anchor(pki)
    good = tmp_path / "good.pdf"
    good.write_bytes(signed)
    code, out, _err = _run(str(good))
    assert code == 0
    assert "Nguyễn Văn An" in out and "ChuKy1" in out and "Test TSA eGov" in out

    bad = tmp_path / "bad.pdf"
    bad.write_bytes(append_annotation(signed))
    code, out, _err = _run(str(bad))
    assert code == 1


@pytest.mark.django_db
def test_cli_unreadable(tmp_path):
    text = tmp_path / "note.pdf"
    text.write_text("not a pdf")
    code, out, err = _run(str(text))
    assert code == 2 and err
    code, out, _err = _run(str(text), "--json")
    assert code == 2 and json.loads(out)["error"] == "not_pdf"
    assert _run(str(tmp_path / "missing.pdf"))[0] == 2


# --- cross-check with poppler -------------------------------------------------------------------


def test_pdfsig_agrees_on_a_valid_file(pki, signed, tmp_path):
    nssdb = tmp_path / "nssdb"
    nssdb.mkdir()
    root = tmp_path / "root.crt"
    root.write_bytes(pki.root_pem())
    subprocess.run(["certutil", "-N", "-d", f"sql:{nssdb}", "--empty-password"], check=True)
    subprocess.run(["certutil", "-A", "-d", f"sql:{nssdb}", "-n", "Test Root CA", "-t",
                    "CT,C,C", "-i", str(root)], check=True)
    pdf = tmp_path / "signed.pdf"
    pdf.write_bytes(signed)
    result = subprocess.run(["pdfsig", "-nssdir", f"sql:{nssdb}", str(pdf)], capture_output=True,
                            text=True, check=False)
    assert "Signature is Valid" in result.stdout, result.stdout + result.stderr
    assert "Certificate is Trusted" in result.stdout
    assert "Total document signed" in result.stdout
    assert verify_pdf(signed, roots=[pki.root_asn1]).valid is True

    # pdfsig accepts an unsigned revision appended after the signature; verify_pdf does not.
    appended = tmp_path / "appended.pdf"
    appended.write_bytes(append_annotation(signed))
    result = subprocess.run(["pdfsig", "-nssdir", f"sql:{nssdb}", str(appended)],
                            capture_output=True, text=True, check=False)
    assert "Signature is Valid" in result.stdout
    assert "Not total document signed" in result.stdout
    assert verify_pdf(appended.read_bytes(), roots=[pki.root_asn1]).valid is False
