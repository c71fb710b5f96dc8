"""The issue-11 contract `POST /api/v1/petitions/{id}/{action}`: each action answers the petition
(id, code, state, due_at and what changed); wrong state → 409; missing grant → 403; bad input →
422 with the fields; a petition the user may not see → 404; nothing changed on an error."""

from __future__ import annotations

import json

import pytest

from egov.core import tokens
from egov.petitions.models import Petition

from . import flow_support
from .flow_support import at, snapshot

clock = flow_support.clock  # a fixture
pytestmark = pytest.mark.django_db


def auth(user) -> dict:
    _token, raw = tokens.token_create(actor=user, name="test")
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


def post(client, user, p, action, body=None, raw=None):
    data = raw if raw is not None else json.dumps(body or {})
    return client.post(f"/api/v1/petitions/{p.pk}/{action}", data,
                       content_type="application/json", **auth(user))


def test_the_contract_chain(client, make_petition, pet, clock):
    clock(at(2026, 12, 1, 9))
    p = make_petition(kind="")
    r = post(client, pet["reception"], p, "classify",
             {"kind": "denunciation", "eligible": True, "competent": True,
              "complexity_reasons": ["places"], "signers": 2})
    assert r.status_code == 200, r.content
    body = r.json()
    assert {"id", "code", "state", "due_at"} <= set(body)
    assert (body["id"], body["code"], body["state"], body["kind"], body["complexity"],
            body["signers"]) == (p.pk, p.code, "classified", "denunciation", "complex", 2)
    assert body["due_at"].startswith("2026-12-10T09:00:00+07:00")  # 7 working days
    assert [d["step"] for d in body["deadlines"]] == ["processing"]
    assert body["deadlines"][0]["rule"] == "tc-processing"

    r = post(client, pet["head"], p, "assign", {"unit_id": pet["division"].pk,
                                                "handler_id": pet["handler"].pk})
    assert r.status_code == 200 and r.json()["handler_id"] == pet["handler"].pk
    r = post(client, pet["head"], p, "accept")
    assert r.status_code == 200 and r.json()["state"] == "accepted"
    assert r.json()["due_at"].startswith("2026-12-31T23:59:59+07:00")
    r = post(client, pet["head"], p, "extend", {"days": 30, "reason": "Phức tạp"})
    assert r.status_code == 200, r.content
    assert r.json()["extensions"] == 1 and r.json()["due_at"].startswith("2027-01-30")
    r = post(client, pet["head"], p, "resolve", {"summary": "Kết luận"})
    assert r.status_code == 200 and r.json()["outcome"] == "on_time"
    r = post(client, pet["head"], p, "close")
    assert r.status_code == 200 and r.json()["state"] == "closed"
    # wrong state → 409 naming the state
    r = post(client, pet["head"], p, "accept")
    assert r.status_code == 409 and r.json()["code"] == "invalid_state"
    assert p.code in r.json()["message"]


def test_no_identity_in_the_answer(client, make_petition, pet, clock):
    p = make_petition()
    r = post(client, pet["reception"], p, "classify", {"kind": "denunciation"})
    text = r.content.decode()
    for secret in ("Trần Thị", "001199012345", "0987654321", "ngoc.tran"):
        assert secret not in text


def test_transfer_once_over_the_api(client, make_petition, pet, clock):
    p = make_petition()
    post(client, pet["reception"], p, "classify", {"kind": "denunciation", "competent": False})
    r = post(client, pet["head"], p, "transfer", {"to": "Công an tỉnh"})
    assert r.status_code == 200 and r.json()["transfer_to"] == "Công an tỉnh"
    r = post(client, pet["head"], p, "transfer", {"to": "Công an tỉnh"})
    assert r.status_code == 409 and r.json()["code"] == "already_transferred"


def test_errors_change_nothing(client, make_petition, pet, clock):
    p = make_petition()
    before = snapshot(p)
    r = post(client, pet["reception"], p, "classify", {"kind": "rumour", "signers": 0})
    assert r.status_code == 422 and {"kind", "signers"} <= set(r.json()["fields"])
    r = post(client, pet["reception"], p, "classify", {"kind": "complaint", "eligible": "maybe"})
    assert r.status_code == 422 and "eligible" in r.json()["fields"]
    r = post(client, pet["reception"], p, "classify", raw="{broken")
    assert r.status_code == 400
    r = post(client, pet["reception"], p, "classify", raw="[1, 2]")
    assert r.status_code == 422
    r = post(client, pet["reception"], p, "assign", {"unit_id": pet["division"].pk})
    assert r.status_code == 403 and r.json()["code"] == "forbidden"
    r = post(client, pet["head"], p, "accept")
    assert r.status_code == 409 and r.json()["code"] == "invalid_state"
    r = post(client, pet["head"], p, "extend", {"days": "many"})
    assert r.status_code in (409, 422)
    assert snapshot(p) == before


def test_unknown_action_and_invisible_petition_are_404(client, make_petition, pet):
    p = make_petition()
    assert post(client, pet["head"], p, "teleport").status_code == 404
    assert post(client, pet["other_reception"], p, "classify",
                {"kind": "complaint"}).status_code == 404
    assert post(client, pet["head"], Petition(pk=99999), "accept").status_code == 404
    r = client.post(f"/api/v1/petitions/{p.pk}/accept", "{}", content_type="application/json")
    assert r.status_code == 401


@pytest.mark.parametrize(("action", "body", "field"), [
    ("split", {"parts": [{"kind": "complaint", "content": "a"}]}, "parts"),
    ("not_accept", {"ground": "nope"}, "ground"),
    ("withdraw", {}, "reason"),
    ("file", {}, "reason"),
])
def test_other_actions_validate_their_bodies(client, make_petition, pet, action, body, field):
    p = make_petition()
    post(client, pet["reception"], p, "classify", {"kind": "complaint", "eligible": True,
                                                   "competent": True})
    before = snapshot(p)
    r = post(client, pet["head"], p, action, body)
    assert r.status_code == 422 and field in r.json()["fields"], r.content
    assert snapshot(p) == before


def test_split_register_reopen_over_the_api(client, make_petition, pet, clock, make_user, org):
    draft = make_petition(state="draft", channel="portal", kind="")
    r = post(client, pet["reception"], draft, "register")
    assert r.status_code == 200 and r.json()["state"] == "received"
    r = post(client, pet["reception"], draft, "split", {"parts": [
        {"kind": "complaint", "content": "Khiếu nại"}, {"kind": "feedback", "content": "PA"}]})
    assert r.status_code == 200, r.content
    assert r.json()["state"] == "filed" and [x["kind"] for x in r.json()["parts"]] == [
        "complaint", "feedback"]
    part = Petition.objects.get(pk=r.json()["parts"][0]["id"])
    assert part.split_from_id == draft.pk

    clock(at(2026, 12, 1, 9))
    post(client, pet["reception"], part, "classify", {"kind": "complaint", "eligible": True,
                                                      "competent": True})
    post(client, pet["head"], part, "accept")
    clock(at(2026, 12, 2, 9))
    r = post(client, pet["head"], part, "suspend", {"reason": "Chờ giám định"})
    assert r.status_code == 200 and r.json()["state"] == "suspended"
    clock(at(2026, 12, 5, 9))
    r = post(client, pet["head"], part, "resume")
    assert r.status_code == 200 and r.json()["due_at"].startswith("2027-01-03")
    r = post(client, pet["head"], part, "resolve", {"summary": "QĐ"})
    assert r.status_code == 200
    tinh = make_user("tinh", org["province"], "petition_officer")
    r = post(client, tinh, part, "reopen", {"agency_id": org["province"].pk,
                                            "decision_received_on": "2026-12-05"})
    assert r.status_code == 200, r.content
    assert r.json()["instance"] == 2 and r.json()["previous_id"] == part.pk
    assert r.json()["id"] != part.pk
