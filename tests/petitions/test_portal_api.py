"""The portal petition API (issue 11 Contract): POST /api/v1/portal/petitions (JSON and
multipart) → 201 {"code", "check", "receipt_url"}; GET /api/v1/portal/petitions/{code}?check=
→ status and dates only; a wrong or missing check is the same 404 as an unknown code; rate
limits with 429 + Retry-After; the receipt PDF (code, check, Vietnamese text, QR to the look-up
page)."""

from __future__ import annotations

import json

import pytest
from django.db import transaction
from django.utils import timezone

from egov.core import throttle
from egov.petitions.models import Petition, PetitionIdentity, PetitionIdentityFile
from egov.petitions.services.records import event_write

from .intake_support import PNG, VALID, pdf_text, portal_agency_fixture, qr_codes, upload  # noqa: F401

pytestmark = pytest.mark.django_db
URL = "/api/v1/portal/petitions"


def _post(client, body, **extra):
    return client.post(URL, json.dumps(body), content_type="application/json", **extra)


def test_submit_json_contract(client, portal_agency):
    r = _post(client, VALID)
    assert r.status_code == 201, r.content
    body = r.json()
    assert set(body) == {"code", "check", "receipt_url"}
    p = Petition.objects.get(code=body["code"])
    assert body["check"] == p.lookup_check and p.state == "draft" and p.channel == "portal"
    assert body["receipt_url"] == f"/public/petitions/{p.code}/receipt.pdf?check={p.lookup_check}"
    assert VALID["full_name"] not in r.content.decode()


def test_kind_is_optional(client, portal_agency):
    body = {k: v for k, v in VALID.items() if k != "kind"}
    r = _post(client, body)
    assert r.status_code == 201
    assert Petition.objects.get(code=r.json()["code"]).kind_by_petitioner == ""


@pytest.mark.parametrize("field,value", [
    ("personal_id", "1234"), ("email", "x@"), ("phone", "abc"), ("content", ""),
    ("full_name", ""), ("kind", "other"), ("personal_id", 12345678901),
])
def test_bad_input_422_with_fields_nothing_written(client, portal_agency, field, value):
    r = _post(client, {**VALID, field: value})
    assert r.status_code == 422, r.content
    body = r.json()
    assert body["code"] == "invalid" and field in body["fields"] and body["message"]
    assert not Petition.objects.exists()


def test_unknown_field_not_object_broken_json(client, portal_agency):
    r = _post(client, {**VALID, "handler": 1})
    assert r.status_code == 422 and "handler" in r.json()["fields"]
    assert _post(client, [VALID]).status_code == 422
    r = client.post(URL, "{not json", content_type="application/json")
    assert r.status_code == 400 and r.json()["code"] == "malformed_body"
    assert not Petition.objects.exists()


def test_json_depth_and_size_guard(client, portal_agency, settings):
    r = client.post(URL, "[" * 5000 + "]" * 5000, content_type="application/json")
    assert r.status_code == 400 and r.json()["code"] == "too_deep"
    settings.EGOV_API_MAX_JSON_BYTES = 200
    r = _post(client, {**VALID, "content": "x" * 500})
    assert r.status_code == 413 and r.json()["code"] == "too_large"


def test_multipart_with_files(client, portal_agency, tmp_path):
    r = client.post(URL, {"data": json.dumps(VALID),
                          "files": [upload("don.pdf"), upload("anh.png", PNG, "image/png")]})
    assert r.status_code == 201, r.content
    p = Petition.objects.get(code=r.json()["code"])
    names = sorted(f.file.original_name for f in PetitionIdentityFile.objects.filter(petition=p)
                   .select_related("file"))
    # Stored under neutral names: a citizen's file is often named after them.
    assert sorted(n.rsplit(".", 1)[1] for n in names) == ["pdf", "png"]
    assert all(n.startswith("giay-to-") for n in names)


@pytest.mark.parametrize("data,field", [
    (None, "data"), ("not json", "data"), ("[1]", "data"),
    (json.dumps({**VALID, "email": "bad"}), "email"),
])
def test_multipart_bad_data(client, portal_agency, data, field):
    form = {"files": [upload()]}
    if data is not None:
        form["data"] = data
    r = client.post(URL, form)
    assert r.status_code == 422 and field in r.json()["fields"], r.content
    assert not Petition.objects.exists()


def test_multipart_bad_file(client, portal_agency):
    r = client.post(URL, {"data": json.dumps(VALID),
                          "files": [upload("a.exe", b"MZ\x90\x00binary\x00", "application/x")]})
    assert r.status_code == 422 and "files.0" in r.json()["fields"]
    r = client.post(URL, {"data": json.dumps(VALID), "attachment": [upload()]})
    assert r.status_code == 422 and "attachment" in r.json()["fields"]
    assert not Petition.objects.exists()


def _submit(client):
    return _post(client, VALID).json()


def test_lookup_status_and_dates_only(client, portal_agency):
    s = _submit(client)
    p = Petition.objects.get(code=s["code"])
    with transaction.atomic():
        event_write(petition=p, kind="classify", note="Ghi chú nội bộ của cán bộ", public=False)
        p.state = "received"
        p.due_at = timezone.now() + timezone.timedelta(days=10)
        p.save()
        event_write(petition=p, kind="register", note="")
    r = client.get(f"{URL}/{s['code']}", {"check": s["check"]})
    assert r.status_code == 200, r.content
    body = r.json()
    assert set(body) == {"code", "state", "received_at", "timeline", "due_at"}
    assert body["code"] == s["code"] and body["state"] == "received"
    assert body["received_at"].endswith("+07:00")
    assert [e["kind"] for e in body["timeline"]] == ["submit", "register"]  # not the private one
    assert all(set(e) == {"at", "kind", "label"} for e in body["timeline"])
    assert body["timeline"][0]["label"] == "Đã gửi đơn trực tuyến"
    text = r.content.decode()
    for secret in (VALID["full_name"], VALID["personal_id"], VALID["content"][:20],
                   "Ghi chú", VALID["email"], VALID["phone"]):
        assert secret not in text


def test_due_at_absent_when_none(client, portal_agency):
    s = _submit(client)
    body = client.get(f"{URL}/{s['code']}", {"check": s["check"]}).json()
    assert "due_at" not in body and [e["kind"] for e in body["timeline"]] == ["submit"]


def test_check_is_case_insensitive(client, portal_agency):
    s = _submit(client)
    assert client.get(f"{URL}/{s['code']}", {"check": s["check"].lower()}).status_code == 200


def test_wrong_or_missing_check_is_identical_to_unknown_code(client, portal_agency):
    s = _submit(client)
    wrong = "2" * 8 if s["check"] != "2" * 8 else "3" * 8
    answers = [client.get(f"{URL}/{s['code']}", {"check": wrong}),
               client.get(f"{URL}/{s['code']}"),
               client.get(f"{URL}/{s['code']}", {"check": ""}),
               client.get(f"{URL}/NO-SUCH-CODE", {"check": s["check"]}),
               client.get(f"{URL}/{s['code'][:-1]}9", {"check": wrong}),
               client.get(f"{URL}/{s['code']}", {"check": "ĐĐĐĐĐĐĐĐ"}),
               client.get(f"{URL}/NO-SUCH-CODE", {"check": "ĐĐĐĐĐĐĐĐ"}),
               client.get(f"{URL}/{'X' * 300}", {"check": s["check"]})]
    assert {a.status_code for a in answers} == {404}
    assert len({a.content for a in answers}) == 1
    assert answers[0].json()["code"] == "not_found"


def test_lookup_rate_limited(client, portal_agency, settings):
    settings.EGOV_PETITIONS_LOOKUP_RATE = "3/600"
    throttle.reset()
    s = _submit(client)
    codes = [client.get(f"{URL}/{s['code']}", {"check": s["check"]}).status_code
             for _ in range(4)]
    assert codes == [200, 200, 200, 429]
    r = client.get(f"{URL}/{s['code']}", {"check": "WRONG"})
    assert r.status_code == 429 and int(r["Retry-After"]) > 0
    assert r.json()["code"] == "rate_limited"
    other = client.get(f"{URL}/{s['code']}", {"check": s["check"]}, REMOTE_ADDR="10.9.9.9")
    assert other.status_code == 200  # per client address


def test_submit_rate_limited(client, portal_agency, settings):
    settings.EGOV_PETITIONS_SUBMIT_RATE = "2/3600"
    throttle.reset()
    assert [_post(client, VALID).status_code for _ in range(3)] == [201, 201, 429]
    r = _post(client, VALID)
    assert r.status_code == 429 and int(r["Retry-After"]) > 0
    assert Petition.objects.count() == 2


def test_receipt_pdf_text_and_qr(client, portal_agency, tmp_path):
    s = _submit(client)
    r = client.get(s["receipt_url"])
    assert r.status_code == 200 and r["Content-Type"] == "application/pdf"
    pdf = b"".join(r.streaming_content) if r.streaming else r.content
    text = pdf_text(pdf, tmp_path)
    flat = " ".join(text.split())
    assert s["code"] in flat and s["check"] in flat
    for words in ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc",
                  "GIẤY BIÊN NHẬN THÔNG TIN, TÀI LIỆU", "Mẫu số 02/TCD",
                  "Trần Thị Bích Ngọc", "001199012345", "Mã tra cứu đơn", "Mã kiểm tra"):
        assert words in flat, words
    (qr,) = qr_codes(pdf, tmp_path)
    assert qr.endswith(f"/public/petitions/lookup/?code={s['code']}&check={s['check']}")
    # the petitioner's copy is stored once
    p = Petition.objects.get(code=s["code"])
    slip = p.slips.get()
    assert slip.file_id is not None
    again = client.get(s["receipt_url"])
    assert again.status_code == 200
    slip.refresh_from_db()
    assert p.slips.get().file_id == slip.file_id


def test_receipt_needs_the_check(client, portal_agency):
    s = _submit(client)
    base = s["receipt_url"].split("?")[0]
    assert client.get(base).status_code == 404
    assert client.get(base, {"check": "AAAAAAAA"}).status_code == 404
    assert PetitionIdentity.objects.count() == 1
