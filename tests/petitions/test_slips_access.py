"""Who may download a slip's PDF (selectors.slips, /petitions/slips/<pk>.pdf): a slip to the
petitioner names them, so only those who may read the identity (the receiving officer, the
handler, the head of the agency) get it — each download audited as an identity read; everyone
else, superusers included, gets 404 like an unknown slip. A copy without identity is open to
whoever sees the petition. The petition page lists the slips and links only what the user may
open."""

from __future__ import annotations

import pytest
from django.db import transaction
from django.urls import reverse

from egov.core.models import AuditEvent
from egov.petitions.models import SlipForm
from egov.petitions.services import slips

from .conftest import IDENTITY

PETITIONER = {"full_name": IDENTITY["full_name"], "address": IDENTITY["address"]}


@pytest.fixture
def issued(pet, make_petition, make_user):
    petition = make_petition(kind="complaint", handler=pet["handler"],
                             handling_unit=pet["division"])
    with transaction.atomic():
        own = slips.slip_issue(petition=petition, form=SlipForm.NOT_ACCEPTED_NOTICE,
                               actor=pet["reception"], to_petitioner=True,
                               data={"case": 5, "petitioner": PETITIONER})
        kept = slips.slip_issue(petition=petition, form=SlipForm.PROPOSE_ACCEPT,
                                actor=pet["reception"], data={"summary": "Khiếu nại."})
    viewer = make_user("tiepdan3", pet["commune"], "petition_officer")  # sees, not the identity
    return {"petition": petition, "own": own, "kept": kept, "viewer": viewer}


def get(client, user, slip):
    client.force_login(user)
    return client.get(reverse("petitions:slip_pdf", kwargs={"pk": slip.pk}))


@pytest.mark.parametrize("who", ["reception", "handler", "head"])
def test_identity_readers_get_the_petitioners_slip(who, client, pet, issued):
    before = AuditEvent.objects.filter(action="petition.identity.read").count()
    response = get(client, pet[who], issued["own"])
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Cache-Control"] == "private, no-store"
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    reads = AuditEvent.objects.filter(action="petition.identity.read").order_by("-id")
    assert reads.count() == before + 1
    assert reads.first().details["purpose"] == "slip"


@pytest.mark.parametrize("who", ["viewer", "colleague", "unit_head", "admin", "superuser",
                                 "onestop", "other_head", "nobody"])
def test_everyone_else_gets_404_for_the_petitioners_slip(who, client, pet, issued):
    user = issued["viewer"] if who == "viewer" else pet[who]
    assert get(client, user, issued["own"]).status_code == 404


def test_a_copy_without_identity_is_open_to_who_sees_the_petition(client, pet, issued):
    assert get(client, issued["viewer"], issued["kept"]).status_code == 200
    assert get(client, pet["superuser"], issued["kept"]).status_code == 200
    assert get(client, pet["other_head"], issued["kept"]).status_code == 404
    assert get(client, pet["nobody"], issued["kept"]).status_code == 404


def test_unknown_slip_and_anonymous(client, pet, issued):
    client.force_login(pet["head"])
    assert client.get(reverse("petitions:slip_pdf", kwargs={"pk": 999999})).status_code == 404
    client.logout()
    response = client.get(reverse("petitions:slip_pdf", kwargs={"pk": issued["kept"].pk}))
    assert response.status_code == 302


def test_petition_page_links_only_what_the_user_may_open(client, pet, issued):
    own_url = reverse("petitions:slip_pdf", kwargs={"pk": issued["own"].pk})
    kept_url = reverse("petitions:slip_pdf", kwargs={"pk": issued["kept"].pk})
    page = reverse("petitions:petition", kwargs={"pk": issued["petition"].pk})
    client.force_login(pet["reception"])
    html = client.get(page).content.decode()
    assert own_url in html and kept_url in html and issued["own"].number in html
    client.force_login(issued["viewer"])
    html = client.get(page).content.decode()
    assert kept_url in html and own_url not in html
    assert issued["own"].number in html  # listed, but not linked
    assert IDENTITY["full_name"] not in html
