"""The desk intake page (/petitions/intake/), the staff receipt (the petitioner's copy only to
those who may read the identity; a redacted copy otherwise), and the public pages (form,
confirmation with code + check + receipt + QR, look-up)."""

from __future__ import annotations

import pytest
from django.utils import translation

from egov.core.models import AuditEvent
from egov.petitions.models import Petition, PetitionIdentityFile
from egov.petitions.services import intake

from .conftest import IDENTITY
from .intake_support import PNG, VALID, pdf_text, portal_agency_fixture, qr_codes, upload  # noqa: F401

pytestmark = pytest.mark.django_db


def _body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def test_desk_page_receives(client, pet):
    client.force_login(pet["reception"])
    page = client.get("/petitions/intake/")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'name="csrfmiddlewaretoken"' in html and "<script" not in html.split("<main")[-1]
    assert 'for="id_full_name"' in html and 'for="id_content"' in html
    r = client.post("/petitions/intake/", {
        **{k: IDENTITY[k] for k in ("full_name", "personal_id", "phone", "email", "address")},
        "channel": "reception", "content": "Tôi tố cáo …", "kind": "denunciation",
        "oral": "on", "others": "Phạm Văn Đức; 001088000111; thôn Tây; đại diện\n",
        "letter_scan": upload("scan.png", PNG, "image/png"), "attachment": upload()})
    assert r.status_code == 302, r.content.decode()[:3000]
    p = Petition.objects.get()
    assert r["Location"] == f"/petitions/{p.pk}/"
    assert p.received_by == pet["reception"] and p.signers == 2
    assert PetitionIdentityFile.objects.filter(petition=p).count() == 1
    detail = client.get(r["Location"]).content.decode()
    assert f"/petitions/{p.pk}/receipt.pdf" in detail


def test_desk_page_errors_by_the_field(client, pet):
    client.force_login(pet["reception"])
    with translation.override("en"):
        r = client.post("/petitions/intake/", {"personal_id": "123", "email": "x@",
                                               "phone": "1", "content": "",
                                               "others": "; 12"},
                        HTTP_ACCEPT_LANGUAGE="en")
    assert r.status_code == 422
    html = r.content.decode()
    for field in ("personal_id", "email", "phone", "content", "others"):
        assert f'id="id_{field}_error"' in html, field
    assert not Petition.objects.exists()


def test_desk_page_bad_file(client, pet):
    client.force_login(pet["reception"])
    r = client.post("/petitions/intake/", {"content": "Nội dung", "full_name": "A",
                                           "attachment": upload("x.txt", b"hi", "text/plain")})
    assert r.status_code == 422 and 'id="id_attachment_error"' in r.content.decode()
    assert not Petition.objects.exists()


@pytest.mark.parametrize("name", ["handler", "nobody", "admin"])
def test_desk_page_forbidden_without_receive(client, pet, name):
    client.force_login(pet[name])
    assert client.get("/petitions/intake/").status_code == 403


def test_onestop_officer_sees_the_menu_entry(client, pet):
    client.force_login(pet["onestop"])
    html = client.get("/petitions/intake/").content.decode()
    assert 'href="/petitions/intake/"' in html
    client.force_login(pet["handler"])
    assert 'href="/petitions/intake/"' not in client.get("/").content.decode()


def test_staff_receipt_full_only_for_identity_readers(client, pet, tmp_path):
    p = intake.receive_at_desk(actor=pet["reception"], agency=pet["commune"],
                               identity=IDENTITY, content="Kiến nghị")
    client.force_login(pet["reception"])
    before = AuditEvent.objects.filter(action="petition.identity.read").count()
    r = client.get(f"/petitions/{p.pk}/receipt.pdf")
    assert r.status_code == 200
    text = " ".join(pdf_text(_body(r), tmp_path).split())
    assert IDENTITY["full_name"] in text and IDENTITY["personal_id"] in text
    assert p.code in text and p.lookup_check in text
    assert AuditEvent.objects.filter(action="petition.identity.read").count() > before
    # a colleague who may see the petition (view_all) but not the identity: redacted copy
    client.force_login(pet["admin"])
    assert client.get(f"/petitions/{p.pk}/receipt.pdf").status_code == 404  # cannot see it
    viewer = pet["unit_head"]
    p.handling_unit = pet["division"]
    p.save()
    client.force_login(viewer)
    r = client.get(f"/petitions/{p.pk}/receipt.pdf")
    assert r.status_code == 200
    text = " ".join(pdf_text(_body(r), tmp_path).split())
    assert IDENTITY["full_name"] not in text and IDENTITY["personal_id"] not in text
    assert "đã ẩn" in text and p.code in text


def test_public_form_sends_and_confirms(client, portal_agency, tmp_path):
    page = client.get("/public/petitions/new/")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'name="csrfmiddlewaretoken"' in html and 'enctype="multipart/form-data"' in html
    assert "Gửi đơn" in html  # Vietnamese by default
    r = client.post("/public/petitions/new/", {
        **{k: VALID[k] for k in ("full_name", "personal_id", "phone", "email", "address",
                                 "content", "kind")},
        "agency": str(portal_agency.pk), "attachment_1": upload()})
    assert r.status_code == 302 and r["Location"] == "/public/petitions/sent/"
    p = Petition.objects.get()
    sent = client.get("/public/petitions/sent/").content.decode()
    assert p.code in sent and p.lookup_check in sent and "data:image/png;base64," in sent
    assert f"/public/petitions/{p.code}/receipt.pdf?check={p.lookup_check}" in sent
    assert VALID["full_name"] not in sent


def test_public_form_errors_by_the_field(client, portal_agency):
    r = client.post("/public/petitions/new/", {"personal_id": "12", "email": "a@",
                                               "content": "", "full_name": ""})
    assert r.status_code == 422
    html = r.content.decode()
    for field in ("personal_id", "email", "content", "full_name"):
        assert f'id="id_{field}_error"' in html, field
    r = client.post("/public/petitions/new/", {
        "full_name": "Nguyễn Văn An", "content": "Phản ánh", "attachment_1": upload(),
        "attachment_2": upload("a.txt", b"x", "text/plain")})
    assert r.status_code == 422 and 'id="id_attachment_2_error"' in r.content.decode()
    assert not Petition.objects.exists()


def test_public_form_english(client, portal_agency):
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    html = client.get("/public/petitions/new/").content.decode()
    assert '<html lang="en">' in html and "Send a petition" in html
    assert "Personal identification number" in html


def test_sent_page_without_a_petition_redirects(client):
    r = client.get("/public/petitions/sent/")
    assert r.status_code == 302 and r["Location"] == "/public/petitions/new/"


def test_public_lookup_page(client, portal_agency):
    p = intake.submit_online(**VALID)
    r = client.get("/public/petitions/lookup/", {"code": p.code, "check": p.lookup_check})
    assert r.status_code == 200
    html = r.content.decode()
    assert 'data-testid="petition-status"' in html and p.code in html
    assert VALID["full_name"] not in html and VALID["content"][:15] not in html
    wrong = client.post("/public/petitions/lookup/", {"code": p.code, "check": "ZZZZZZZZ"})
    unknown = client.post("/public/petitions/lookup/", {"code": "NOPE", "check": "ZZZZZZZZ"})
    assert wrong.status_code == unknown.status_code == 404
    assert 'data-testid="not-found"' in wrong.content.decode()
    assert client.get("/public/petitions/lookup/").status_code == 200


def test_public_lookup_page_rate_limited(client, portal_agency, settings):
    from egov.core import throttle

    settings.EGOV_PETITIONS_LOOKUP_RATE = "2/600"
    throttle.reset()
    p = intake.submit_online(**VALID)
    codes = [client.get("/public/petitions/lookup/", {"code": p.code,
                                                      "check": p.lookup_check}).status_code
             for _ in range(3)]
    assert codes == [200, 200, 429]


def test_confirmation_qr_decodes_to_the_lookup(client, portal_agency, tmp_path):
    """The QR of the receipt opens the look-up page with the code and check."""
    p = intake.submit_online(**VALID)
    slip = p.slips.get()
    from egov.petitions import pdf_receipt

    (qr,) = qr_codes(pdf_receipt.render(slip), tmp_path)
    path = qr.split("://", 1)[1].split("/", 1)[1]
    r = client.get("/" + path)
    assert r.status_code == 200 and p.code in r.content.decode()
