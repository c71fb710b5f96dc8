"""Certificates (issue 13): the birth and marriage certificates, extracts and certified copies as
PDFs in the legal layout — the fields with their diacritics (pdftotext), the commune's
organisation signature accepted by pdfsig and pyHanko, the QR code decoding to the public
verification address —; one original per registration (Luật Hộ tịch Điều 62–64), copies any
time; the public facts and nothing else; revocation; commune isolation; bad input writes
nothing; the API."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.utils import timezone

from egov.civil import certificate_pdf
from egov.civil.models import Certificate
from egov.civil.services import certificates as certs
from egov.core import tokens
from egov.core.errors import AppError, NotFound, PermissionDenied
from egov.core.files import file_open
from egov.core.models import AuditEvent, StoredFile
from tests.signing.conftest import nssdb, pdfsig, test_pki, validate_with_pyhanko  # noqa: F401

from .certificates_support import (
    birth,
    death,
    marriage,
    pdf_text,
    qr_codes,
    signed_civ_fixture,  # noqa: F401
)

pytestmark = pytest.mark.django_db


def read(cert) -> bytes:
    with file_open(cert.file) as fh:
        return fh.read()


def flat(text: str) -> str:
    return " ".join(text.split())


@pytest.mark.parametrize("n, words", [
    (1, "một"), (10, "mười"), (15, "mười lăm"), (21, "hai mươi mốt"), (24, "hai mươi tư"),
    (25, "hai mươi lăm"), (30, "ba mươi"), (105, "một trăm linh năm"), (1000, "một nghìn"),
    (1995, "một nghìn chín trăm chín mươi lăm"), (2000, "hai nghìn"),
    (2005, "hai nghìn không trăm linh năm"), (2010, "hai nghìn không trăm mười"),
    (2026, "hai nghìn không trăm hai mươi sáu"), (2111, "hai nghìn một trăm mười một")])
def test_numbers_in_vietnamese_words(n, words):
    assert certificate_pdf.number_words(n) == words


def test_dates_in_words():
    assert certificate_pdf.date_words(dt.date(2026, 4, 15)) == (
        "Ngày mười lăm, tháng tư, năm hai nghìn không trăm hai mươi sáu")
    assert certificate_pdf.date_words(dt.date(2001, 1, 1)) == (
        "Ngày một, tháng một, năm hai nghìn không trăm linh một")


def test_birth_certificate_fields_signature_and_qr(signed_civ, test_pki, nssdb,  # noqa: F811
                                                   tmp_path):
    civ = signed_civ
    event = birth(civ)
    cert = certs.issue_certificate(civ["registrar"], event.pk, "birth_certificate")
    assert cert.type == "birth_certificate" and cert.commune == civ["commune"]
    year = event.book.year
    assert cert.number == f"01/{year}, quyển số 01"
    assert len(cert.code) == 10 and cert.issued_on == timezone.localdate()
    pdf = read(cert)
    raw = pdf_text(pdf, tmp_path)
    assert "\f" not in raw.rstrip("\f")  # one A4 page
    text = flat(raw)
    born = event.event_date
    for expected in (
            "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc",
            "ỦY BAN NHÂN DÂN XÃ AN BÌNH", "GIẤY KHAI SINH", f"Số: 01/{year}", "Quyển số: 01",
            "Họ, chữ đệm, tên: NGUYỄN THỊ ÁNH TUYẾT", f"Ngày, tháng, năm sinh: {born:%d/%m/%Y}",
            f"Ghi bằng chữ: {certificate_pdf.date_words(born)}", "Giới tính: Nữ",
            "Dân tộc: Kinh", "Quốc tịch: Việt Nam",
            "Nơi sinh: Trạm y tế xã An Bình, tỉnh Thử Nghiệm",
            "Quê quán: Xã Đông Hưng, tỉnh Thái Bình", "Số định danh cá nhân: 036326004321",
            "Họ, chữ đệm, tên người mẹ: TRẦN THỊ BÍCH NGỌC",
            f"Năm sinh: {event.parties.get(role='mother').person.birth_date.year}",
            "Dân tộc: Tày", "Nơi cư trú: Thôn Đồng Lạc, xã An Bình",
            "Họ, chữ đệm, tên người cha: NGUYỄN VĂN ĐỨC",
            "Nơi đăng ký: Ủy ban nhân dân xã An Bình",
            f"Ngày, tháng, năm đăng ký: {event.registered_on:%d/%m/%Y}",
            f"An Bình, ngày {timezone.localdate():%d}",
            f"Mã xác thực: {cert.code[:5]}-{cert.code[5:]}"):
        assert expected in text, expected
    # The organisation signature: pyHanko and poppler accept it, the signer is the commune.
    (status,) = validate_with_pyhanko(pdf, test_pki.root)
    assert status.intact and status.valid and status.trusted
    assert "An Bình" in status.signing_cert.subject.human_friendly
    report = pdfsig(pdf, nssdb, tmp_path)
    assert "Signature is Valid" in report and "Certificate is Trusted" in report
    # The QR code opens the public verification page.
    url = certificate_pdf.verify_url(cert.code)
    assert url.endswith(f"/verify/civil/{cert.code}/")
    assert qr_codes(pdf, tmp_path) == [url]


def test_marriage_certificate_and_death_extract(signed_civ, tmp_path):
    civ = signed_civ
    wed = marriage(civ)
    cert = certs.issue_certificate(civ["registrar"], wed.pk, "marriage_certificate")
    text = flat(pdf_text(read(cert), tmp_path))
    for expected in ("GIẤY CHỨNG NHẬN KẾT HÔN", "Thông tin về người chồng",
                     "Họ, chữ đệm, tên: LÊ QUANG HƯNG", "Số định danh cá nhân: 036098001234",
                     "Họ, chữ đệm, tên: PHẠM THỊ THÙY DƯƠNG", "Nơi cư trú: Xóm Đình, xã An Bình",
                     f"Ngày, tháng, năm đăng ký: {wed.registered_on:%d/%m/%Y}",
                     "CHỒNG", "VỢ", "(Ký, ghi rõ họ, chữ đệm, tên)"):
        assert expected in text, expected
    assert "\f" not in pdf_text(read(cert), tmp_path).rstrip("\f")  # one A4 page
    gone = death(civ)
    extract = certs.issue_certificate(civ["registrar"], gone.pk, "extract")
    text = flat(pdf_text(read(extract), tmp_path))
    for expected in ("TRÍCH LỤC KHAI TỬ", "Họ, chữ đệm, tên người đã chết: HOÀNG VĂN CƯỜNG",
                     f"Đã chết vào ngày: {gone.event_date:%d/%m/%Y} "
                     f"({certificate_pdf.date_words(gone.event_date)})",
                     "Nơi chết: Tại nhà riêng", "Nguyên nhân chết: Già yếu"):
        assert expected in text, expected


def test_one_original_per_registration_copies_any_time(signed_civ, tmp_path):
    civ = signed_civ
    event = birth(civ)
    with pytest.raises(AppError) as err:  # a birth gets a birth certificate, not an extract
        certs.issue_certificate(civ["registrar"], event.pk, "extract")
    assert err.value.status == 422 and err.value.code == "wrong_type"
    first = certs.issue_certificate(civ["registrar"], event.pk, "birth_certificate")
    with pytest.raises(AppError) as err:
        certs.issue_certificate(civ["registrar"], event.pk, "birth_certificate")
    assert err.value.status == 409 and err.value.code == "original_issued"
    copies = [certs.certified_copy(civ["registrar"], event.pk) for _ in range(2)]
    copies.append(certs.issue_certificate(civ["registrar"], event.pk, "certified_copy"))
    assert {c.type for c in copies} == {"certified_copy"}
    assert len({first.code, *(c.code for c in copies)}) == 4
    text = flat(pdf_text(read(copies[0]), tmp_path))
    assert "TRÍCH LỤC KHAI SINH" in text and "(BẢN SAO)" in text
    assert "NGUYỄN THỊ ÁNH TUYẾT" in text
    # A revoked original may be issued again.
    certs.revoke_certificate(civ["registrar"], first.pk, "Cấp nhầm")
    again = certs.issue_certificate(civ["registrar"], event.pk, "birth_certificate")
    assert again.pk != first.pk


def test_verify_answers_the_five_facts_only(signed_civ):
    civ = signed_civ
    event = birth(civ)
    cert = certs.issue_certificate(civ["registrar"], event.pk, "birth_certificate")
    facts = certs.verify_certificate(cert.code)
    assert facts == {"valid": True, "type": "birth_certificate", "number": cert.number,
                     "date": timezone.localdate(), "issuer": "Ủy ban nhân dân xã An Bình"}
    shown = json.dumps(facts, default=str)
    for private in ("Ánh", "ÁNH", "036326004321", "Bích", "Đức", str(event.event_date)):
        assert private not in shown
    # What people type: lower case, a dash, O for 0.
    typed = f"{cert.code[:5]}-{cert.code[5:]}".lower()
    assert certs.verify_certificate(typed)["valid"] is True
    for unknown in ("ABCDEFGHJK", "", "x" * 41, None, "Δ" * 10):
        with pytest.raises(NotFound):
            certs.verify_certificate(unknown)
    certs.revoke_certificate(civ["registrar"], cert.pk, "Cấp nhầm số định danh")
    assert certs.verify_certificate(cert.code)["valid"] is False


def test_other_commune_is_refused_and_nothing_is_written(signed_civ):
    civ = signed_civ
    event = birth(civ)
    files, audits = StoredFile.objects.count(), AuditEvent.objects.count()
    for actor in (civ["other_registrar"], civ["supervisor"], civ["leader"]):
        with pytest.raises(PermissionDenied):
            certs.issue_certificate(actor, event.pk, "birth_certificate")
        with pytest.raises(PermissionDenied):
            certs.certified_copy(actor, event.pk)
    cert = certs.issue_certificate(civ["registrar"], event.pk, "birth_certificate")
    with pytest.raises(PermissionDenied):
        certs.certificate_get(civ["other_registrar"], cert.pk)
    with pytest.raises(PermissionDenied):
        certs.revoke_certificate(civ["other_registrar"], cert.pk, "x")
    assert Certificate.objects.count() == 1 and not Certificate.objects.get().revoked
    assert StoredFile.objects.count() == files + 1
    # The supervisor reads every commune: the download is allowed and audited (ids only).
    got = certs.certificate_get(civ["supervisor"], cert.pk)
    assert got.pk == cert.pk
    audit = AuditEvent.objects.filter(action="civil.certificate.download").get()
    assert audit.details == {"event": event.pk, "file": cert.file_id}
    issued = AuditEvent.objects.filter(action="civil.certificate.issue").get()
    assert issued.details == {"event": event.pk, "type": "birth_certificate",
                              "file": cert.file_id}
    assert AuditEvent.objects.count() > audits


@pytest.mark.parametrize("event_id, type_", [
    ("1", "birth_certificate"), (-1, "birth_certificate"), (True, "birth_certificate"),
    (2**63, "birth_certificate"), (None, "extract"), ("EVENT", "certified_copy"),
    ("ok", "passport"), ("ok", ""), ("ok", None), ("ok", ["extract"])])
def test_bad_input_is_4xx_and_writes_nothing(signed_civ, event_id, type_):
    civ = signed_civ
    event = birth(civ)
    files = StoredFile.objects.count()
    with pytest.raises(AppError) as err:
        certs.issue_certificate(civ["registrar"], event.pk if event_id == "ok" else event_id,
                                type_)
    assert 400 <= err.value.status < 500 and err.value.fields
    with pytest.raises(NotFound):
        certs.issue_certificate(civ["registrar"], event.pk + 1000, "birth_certificate")
    assert not Certificate.objects.exists() and StoredFile.objects.count() == files


def test_without_an_organisation_certificate_nothing_is_issued(civ):
    event = birth(civ)
    with pytest.raises(AppError) as err:
        certs.issue_certificate(civ["registrar"], event.pk, "birth_certificate")
    assert err.value.status == 422 and err.value.code == "no_certificate"
    assert not Certificate.objects.exists() and not StoredFile.objects.exists()


def test_revoke_needs_a_reason(signed_civ):
    civ = signed_civ
    cert = certs.issue_certificate(civ["registrar"], birth(civ).pk, "birth_certificate")
    for reason in ("", "   ", None, "x" * 501):
        with pytest.raises(AppError) as err:
            certs.revoke_certificate(civ["registrar"], cert.pk, reason)
        assert err.value.status == 422
    cert.refresh_from_db()
    assert not cert.revoked
    certs.revoke_certificate(civ["registrar"], cert.pk, "Cấp nhầm")
    with pytest.raises(AppError) as err:
        certs.revoke_certificate(civ["registrar"], cert.pk, "Lần nữa")
    assert err.value.status == 409


# --- the API ------------------------------------------------------------------------------------

def auth(user) -> dict:
    _token, raw = tokens.token_create(actor=user, name="test")
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


def test_api_issue_and_download(client, signed_civ):
    civ = signed_civ
    event = birth(civ)
    url = f"/api/v1/civil/events/{event.pk}/certificates"
    r = client.post(url, json.dumps({"type": "birth_certificate"}),
                    content_type="application/json", **auth(civ["registrar"]))
    assert r.status_code == 201, r.content
    body = r.json()
    assert set(body) == {"id", "code", "type", "number", "verify_url", "copy_number", "fee"}
    assert body["copy_number"] is None and body["fee"] is None  # an original: no copies book
    assert body["type"] == "birth_certificate" and body["verify_url"].endswith(
        f"/verify/civil/{body['code']}/")
    r = client.post(url, json.dumps({"type": "birth_certificate"}),
                    content_type="application/json", **auth(civ["registrar"]))
    assert r.status_code == 409 and r.json()["code"] == "original_issued"
    r = client.get(f"/api/v1/civil/certificates/{body['id']}/pdf", **auth(civ["registrar"]))
    assert r.status_code == 200 and r["Content-Type"] == "application/pdf"
    assert b"".join(r.streaming_content).startswith(b"%PDF")
    r = client.get(f"/api/v1/civil/certificates/{body['id']}/pdf",
                   **auth(civ["other_registrar"]))
    assert r.status_code == 403
    r = client.get(f"/api/v1/civil/certificates/{body['id'] + 99}/pdf", **auth(civ["registrar"]))
    assert r.status_code == 404
    r = client.post(url, json.dumps({"type": "certified_copy"}),
                    content_type="application/json", **auth(civ["other_registrar"]))
    assert r.status_code == 403
    for bad in ({"type": "passport"}, {}, {"type": 5}, []):
        r = client.post(url, json.dumps(bad), content_type="application/json",
                        **auth(civ["registrar"]))
        assert r.status_code in (400, 422), (bad, r.status_code)
    r = client.post(f"/api/v1/civil/events/{2**63}/certificates",
                    json.dumps({"type": "extract"}), content_type="application/json",
                    **auth(civ["registrar"]))
    assert r.status_code == 422
    r = client.post(url, json.dumps({"type": "extract"}), content_type="application/json")
    assert r.status_code == 401
    assert Certificate.objects.count() == 1


# --- the registrar's pages -------------------------------------------------------------------

def test_pages_issue_download_and_revoke(client, signed_civ):
    civ = signed_civ
    event = birth(civ)
    client.force_login(civ["registrar"])
    r = client.get(f"/civil/certificates/new/?event={event.pk}")
    assert r.status_code == 200
    html = r.content.decode()
    assert "Nguyễn Thị Ánh Tuyết" in html and 'value="birth_certificate"' in html
    read_audit = AuditEvent.objects.filter(action="civil.person.read").last()
    assert read_audit.details["event"] == event.pk and "Ánh" not in json.dumps(
        read_audit.details, ensure_ascii=False)
    # A type the event does not get: the message by the buttons, 422, nothing written.
    r = client.post("/civil/certificates/new/", {"event": event.pk, "type": "extract"})
    assert r.status_code == 422 and "Giấy khai sinh" in r.content.decode()
    assert not Certificate.objects.exists()
    r = client.post("/civil/certificates/new/", {"event": event.pk, "type": "birth_certificate"})
    cert = Certificate.objects.get()
    assert r.status_code == 302 and r["Location"] == f"/civil/certificates/{cert.pk}/"
    html = client.get(r["Location"]).content.decode()
    assert cert.number in html and f"/verify/civil/{cert.code}/" in html
    # The original is issued: only the copy is offered now.
    html = client.get(f"/civil/certificates/new/?event={event.pk}").content.decode()
    assert 'value="birth_certificate"' not in html and 'value="certified_copy"' in html
    r = client.get(f"/civil/certificates/{cert.pk}/pdf")
    assert r.status_code == 200 and b"".join(r.streaming_content).startswith(b"%PDF")
    assert AuditEvent.objects.filter(action="civil.certificate.download").exists()
    r = client.post(f"/civil/certificates/{cert.pk}/revoke/", {"reason": " "})
    assert r.status_code == 422 and 'id="id_reason_error"' in r.content.decode()
    r = client.post(f"/civil/certificates/{cert.pk}/revoke/", {"reason": "Cấp nhầm"})
    assert r.status_code == 302
    cert.refresh_from_db()
    assert cert.revoked and cert.revoked_reason == "Cấp nhầm"


def test_pages_other_commune_403_unknown_404(client, signed_civ):
    civ = signed_civ
    event = birth(civ)
    cert = certs.issue_certificate(civ["registrar"], event.pk, "birth_certificate")
    client.force_login(civ["other_registrar"])
    assert client.get(f"/civil/certificates/new/?event={event.pk}").status_code == 403
    r = client.post("/civil/certificates/new/", {"event": event.pk, "type": "certified_copy"})
    assert r.status_code == 403
    assert client.get(f"/civil/certificates/{cert.pk}/").status_code == 403
    assert client.get(f"/civil/certificates/{cert.pk}/pdf").status_code == 403
    assert client.post(f"/civil/certificates/{cert.pk}/revoke/",
                       {"reason": "x"}).status_code == 403
    for url in ("/civil/certificates/new/?event=abc", "/civil/certificates/new/?event=" + "9" * 30,
                f"/civil/certificates/{cert.pk + 50}/", f"/civil/certificates/{2**64}/pdf"):
        assert client.get(url).status_code == 404, url
    assert client.post("/civil/certificates/new/", {"type": "extract"}).status_code == 404
    assert Certificate.objects.count() == 1 and not Certificate.objects.get().revoked


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_originals_one_is_issued(transactional_db, signed_civ):
    """Four registrars' clicks at the same moment: one original, the others 409 (the event row
    is locked while the original is written)."""
    from tests.concurrency import run_threads

    civ = signed_civ
    event = birth(civ)

    def one(_i: int) -> None:
        certs.issue_certificate(civ["registrar"], event.pk, "birth_certificate")

    errors = run_threads(one, 4)
    assert len(errors) == 3 and all(getattr(e, "code", "") == "original_issued"
                                    for e in errors), errors
    assert Certificate.objects.filter(event=event).count() == 1

