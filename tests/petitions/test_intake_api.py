"""The staff intake API: POST /api/v1/petitions/intake (JSON and multipart) and
/intake/from-document → 201 {"id", "code", "check", "receipt_url"}; 422 with fields, 403
without `petitions.receive`, 409 for a document already turned into a petition."""

from __future__ import annotations

import json

import pytest

from egov.petitions.models import Petition, PetitionFile, PetitionIdentityFile

from .conftest import IDENTITY
from .intake_support import PNG, upload

pytestmark = pytest.mark.django_db
URL = "/api/v1/petitions/intake"


def _post(client, body):
    return client.post(URL, json.dumps(body), content_type="application/json")


def test_json_intake(client, pet):
    client.force_login(pet["reception"])
    r = _post(client, {"identity": IDENTITY, "content": "Tố cáo …", "kind": "denunciation",
                       "oral": True, "channel": "reception",
                       "others": [{"full_name": "Phạm Văn Đức", "role": "đại diện"}]})
    assert r.status_code == 201, r.content
    body = r.json()
    p = Petition.objects.get(pk=body["id"])
    assert set(body) == {"id", "code", "check", "receipt_url"}
    assert body["code"] == p.code and body["check"] == p.lookup_check
    assert body["receipt_url"] == f"/petitions/{p.pk}/receipt.pdf"
    assert p.received_by == pet["reception"] and p.signers == 2
    assert IDENTITY["full_name"] not in r.content.decode()


def test_multipart_intake(client, pet):
    client.force_login(pet["onestop"])
    r = client.post(URL, {"data": json.dumps({"identity": IDENTITY, "content": "Kiến nghị",
                                              "channel": "onestop"}),
                          "letter_scans": [upload("scan.png", PNG, "image/png")],
                          "attachments": [upload()]})
    assert r.status_code == 201, r.content
    p = Petition.objects.get()
    assert p.channel == "onestop"
    assert PetitionIdentityFile.objects.filter(petition=p).count() == 1
    assert PetitionFile.objects.filter(petition=p).count() == 1


@pytest.mark.parametrize("body,field", [
    ({"identity": "Nguyễn Văn A", "content": "x"}, "identity"),
    ({"identity": {**IDENTITY, "personal_id": "1"}, "content": "x"}, "personal_id"),
    ({"identity": IDENTITY, "content": ""}, "content"),
    ({"identity": IDENTITY, "content": "x", "channel": "email"}, "channel"),
    ({"identity": IDENTITY, "content": "x", "agency_id": 999999}, "agency_id"),
])
def test_bad_input(client, pet, body, field):
    client.force_login(pet["reception"])
    r = _post(client, body)
    assert r.status_code == 422 and field in r.json()["fields"], r.content
    assert not Petition.objects.exists()


def test_forbidden_without_receive(client, pet):
    client.force_login(pet["handler"])
    assert _post(client, {"identity": IDENTITY, "content": "x"}).status_code == 403
    assert not Petition.objects.exists()


def test_from_document_unknown_is_404(client, pet):
    client.force_login(pet["reception"])
    r = client.post(URL + "/from-document", json.dumps({"document_id": 999999,
                                                       "identity": IDENTITY}),
                    content_type="application/json")
    assert r.status_code == 404
