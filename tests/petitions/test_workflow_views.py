"""The action forms of the petition page: offered by state and grant, errors by the field with
422, confirmation for irreversible actions, the deadlines table."""

from __future__ import annotations

import pytest
from django.urls import reverse

from egov.petitions.models import PetitionState

from . import flow_support
from .flow_support import at, classify

clock = flow_support.clock  # a fixture
pytestmark = pytest.mark.django_db


def page(client, user, p):
    client.force_login(user)
    return client.get(reverse("petitions:petition", args=[p.pk]))


def do(client, user, p, action, data):
    client.force_login(user)
    return client.post(reverse("petitions:petition_action", args=[p.pk, action]),
                       {f"{action}-{k}": v for k, v in data.items()})


def test_actions_offered_by_state_and_grant(client, make_petition, pet):
    p = make_petition(kind="")
    html = page(client, pet["reception"], p).content.decode()
    assert 'id="action-classify"' in html and 'id="action-split"' in html
    assert 'id="action-accept"' not in html and 'id="action-assign"' not in html
    html = page(client, pet["head"], p).content.decode()
    assert 'id="action-assign"' in html and 'id="action-not_accept"' not in html  # no kind yet
    classify(p, pet["reception"], kind="denunciation")
    html = page(client, pet["head"], p).content.decode()
    assert 'id="action-accept"' in html and 'id="action-not_accept"' in html
    assert 'id="action-transfer"' not in html  # within competence
    html = page(client, pet["colleague"], p).content.decode()
    assert 'id="petition-actions"' not in html


def test_classify_from_the_page(client, make_petition, pet, clock):
    clock(at(2026, 12, 1, 9))
    p = make_petition()
    r = do(client, pet["reception"], p, "classify",
           {"kind": "denunciation", "eligible": "yes", "competent": "no",
            "complexity_reasons": "places", "signers": "2"})
    assert r.status_code == 302
    p.refresh_from_db()
    assert (p.state, p.competent, p.complexity, p.signers) == (
        PetitionState.CLASSIFIED, False, "complex", 2)
    html = page(client, pet["reception"], p).content.decode()
    assert 'id="petition-deadlines"' in html and "10/12/2026" in html
    # a duplicate code of no petition of this agency: the error by the field, nothing changed
    r = do(client, pet["reception"], p, "classify", {"kind": "complaint",
                                                    "duplicate_code": "NOPE-1"})
    assert r.status_code == 422
    assert 'id="id_classify-duplicate_code_error"' in r.content.decode()
    p.refresh_from_db()
    assert p.kind == "denunciation"


def test_service_errors_by_the_field_and_confirmation(client, make_petition, pet, clock):
    p = classify(make_petition(kind="complaint"), pet["reception"], kind="complaint")
    r = do(client, pet["head"], p, "not_accept", {"ground": "kn11.5"})
    assert r.status_code == 422 and 'id="id_not_accept-confirm_error"' in r.content.decode()
    p.refresh_from_db()
    assert p.state == PetitionState.CLASSIFIED
    r = do(client, pet["head"], p, "not_accept", {"confirm": "on"})
    assert r.status_code == 422 and 'id="id_not_accept-ground_error"' in r.content.decode()
    r = do(client, pet["head"], p, "not_accept", {"ground": "kn11.5", "confirm": "on"})
    assert r.status_code == 302
    p.refresh_from_db()
    assert p.state == PetitionState.NOT_ACCEPTED


def test_legal_refusal_shown_with_409(client, make_petition, pet, clock):
    clock(at(2026, 12, 1))
    p = classify(make_petition(kind="complaint"), pet["reception"], kind="complaint",
                 decision_known_on="2026-08-01")
    r = do(client, pet["head"], p, "accept", {"confirm": "on"})
    assert r.status_code == 409
    assert "Art.9" in r.content.decode() or "Điều 9" in r.content.decode()


def test_not_offered_redirects_with_a_message(client, make_petition, pet):
    p = make_petition()
    r = do(client, pet["colleague"], p, "accept", {"confirm": "on"})
    # the colleague cannot even see the petition
    assert r.status_code == 404
    r = do(client, pet["head"], p, "accept", {"confirm": "on"})
    assert r.status_code == 302
    p.refresh_from_db()
    assert p.state == PetitionState.RECEIVED
    assert do(client, pet["head"], p, "teleport", {}).status_code == 404
