"""The staff API contract of issue 10: intake (JSON and multipart), the actions with 409
naming the state, and the dossier with its national codes, steps and pauses."""

from __future__ import annotations

import json

import pytest

from egov.core import tokens
from egov.onestop.models import Dossier

from . import services_support as support
from .services_support import ALL, APPLICANT, at, make_procedure

desk, clock = support.desk, support.clock  # fixtures

pytestmark = pytest.mark.django_db
URL = "/api/v1/onestop/dossiers"


def auth(user) -> dict:
    _token, raw = tokens.token_create(actor=user, name="test")
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


def post(client, user, url, body=None):
    return client.post(url, json.dumps(body or {}), content_type="application/json",
                       **auth(user))


def intake_body(**kw):
    return {"procedure_code": "1.001234", "applicant": APPLICANT, "components": ALL,
            "channel": "counter", **kw}


def test_intake_contract(client, desk, clock):
    make_procedure(days=5)
    clock(at(2026, 12, 1, 9))
    r = post(client, desk["officer"], URL, intake_body())
    assert r.status_code == 201, r.content
    body = r.json()
    assert set(body) >= {"code", "status", "received_at", "due_at", "receipt_url"}
    assert body["status"] == "received"
    d = Dossier.objects.get(code=body["code"])
    slip = d.slips.get(form="01")
    assert body["receipt_url"] == f"/onestop/slips/{slip.pk}.pdf"
    assert body["due_at"].startswith("2026-12-08T09:00")
    r = post(client, desk["officer"], URL,
             intake_body(components=[{"code": "TK", "provided": True}]))
    assert r.status_code == 201 and r.json()["status"] == "supplement_requested"
    r = post(client, desk["officer"], URL, intake_body(refuse_reason="Không thuộc thẩm quyền"))
    assert r.status_code == 201 and r.json()["status"] == "refused"


def test_intake_errors(client, desk):
    make_procedure()
    before = Dossier.objects.count()
    r = post(client, desk["officer"], URL, intake_body(procedure_code="9.999999"))
    assert r.status_code == 422 and r.json()["code"] == "unknown_procedure"
    r = post(client, desk["officer"], URL,
             intake_body(applicant={**APPLICANT, "personal_id": "123"}))
    assert r.status_code == 422 and "applicant.personal_id" in r.json()["fields"]
    r = client.post(URL, "{not json", content_type="application/json", **auth(desk["officer"]))
    assert r.status_code == 400
    r = post(client, desk["nobody"], URL, intake_body())
    assert r.status_code == 403
    assert Dossier.objects.count() == before


def test_intake_multipart_with_files(client, desk):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tests.pdf_samples import clean_pdf

    make_procedure()
    data = intake_body(components=[{"code": "TK", "provided": True, "file": "tk.pdf"},
                                   {"code": "GCS", "provided": True}])
    r = client.post(URL, {"data": json.dumps(data),
                          "files": [SimpleUploadedFile("tk.pdf", clean_pdf(),
                                                       content_type="application/pdf")]},
                    **auth(desk["officer"]))
    assert r.status_code == 201, r.content
    d = Dossier.objects.get(code=r.json()["code"])
    assert d.components.get(code="TK").file is not None
    r = client.post(URL, {"data": "[1]"}, **auth(desk["officer"]))
    assert r.status_code == 422 and "data" in r.json()["fields"]


def test_actions_and_detail(client, desk, clock):
    make_procedure(days=5)
    clock(at(2026, 12, 1, 9))
    code = post(client, desk["officer"], URL, intake_body()).json()["code"]
    base = f"{URL}/{code}"
    r = post(client, desk["officer"], f"{base}/forward")
    assert r.status_code == 200 and r.json()["status"] == "processing"
    clock(at(2026, 12, 2, 10))
    r = post(client, desk["processor"], f"{base}/request-supplement",
             {"items": ["Bản sao giấy chứng sinh"]})
    assert r.status_code == 200, r.content
    assert r.json()["national_status"] == 5
    clock(at(2026, 12, 4, 11))
    r = post(client, desk["officer"], f"{base}/supplement-received")
    assert r.status_code == 200
    r = client.get(base, **auth(desk["officer"]))
    body = r.json()
    assert body["status"] == "processing" and body["national_status"] == 4
    assert body["national_channel"] == 1 and body["paused_days"] == 2
    assert body["supplement_requests"] == 1 and len(body["pauses"]) == 1
    assert [s["step_no"] for s in body["steps"]] == [0, 1, 2, 3]
    assert body["due_at"].startswith("2026-12-10T09:00")
    r = post(client, desk["officer"], f"{base}/return")
    assert r.status_code == 409 and r.json()["code"] == "invalid_state"
    assert "Đang xử lý" in r.json()["message"]  # the state, in the default language
    r = post(client, desk["leader"], f"{base}/resolve", {"medium": "paper", "number": "12"})
    assert r.status_code == 200 and r.json()["national_status"] == 9
    r = post(client, desk["officer"], f"{base}/return", {"via": "counter"})
    assert r.status_code == 200 and r.json()["national_status"] == 10
    r = post(client, desk["officer"], f"{base}/dance")
    assert r.status_code == 404
    r = post(client, desk["leader"], f"{base}/apologise", {"reason": "x"})
    assert r.status_code == 409


def test_detail_hidden_from_other_agency(client, desk):
    make_procedure()
    code = post(client, desk["officer"], URL, intake_body()).json()["code"]
    r = client.get(f"{URL}/{code}", **auth(desk["other_officer"]))
    assert r.status_code == 404
    r = client.get(f"{URL}/NO-SUCH", **auth(desk["officer"]))
    assert r.status_code == 404
