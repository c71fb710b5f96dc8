"""A letter forwarded by another agency, registered as an incoming document of the Documents
module, becomes a petition through the documents module's selector (issue 11: "with the link
kept"): channel forwarded, source_document_id, the letter filed as identity, one petition per
document, the document's visibility respected; the link shown on the petition page."""

from __future__ import annotations

import pytest

from egov.core.errors import AppError, InvalidInput, NotFound, PermissionDenied
from egov.petitions.models import PetitionIdentityFile
from egov.petitions.services import intake
from tests.documents.conftest import incoming_data, unique_pdf

from .conftest import IDENTITY

pytestmark = pytest.mark.django_db


@pytest.fixture
def letter(pet, make_user):
    """An incoming document of the commune (a letter forwarded by the district's Ban tiếp
    công dân), registered by the commune's clerk who also receives petitions."""
    from egov.documents.services.incoming import incoming_register

    clerk = make_user("vanthuxa", pet["commune"], "clerk", "petition_officer",
                      title="Văn thư")
    doc = incoming_register(
        actor=clerk, agency=pet["commune"], file=("don-chuyen.pdf", unique_pdf("don")),
        data=incoming_data(issuer_name="Ban Tiếp công dân tỉnh",
                           subject="V/v chuyển đơn kiến nghị của công dân"))
    return {"doc": doc, "clerk": clerk}


def test_document_becomes_a_forwarded_petition(pet, letter):
    doc, clerk = letter["doc"], letter["clerk"]
    p = intake.from_incoming_document(actor=clerk, document_id=doc.pk, identity=IDENTITY,
                                      kind="proposal")
    assert p.channel == "forwarded" and p.state == "received" and p.received_by == clerk
    assert p.source_document_id == doc.pk and p.source_agency == "Ban Tiếp công dân tỉnh"
    assert p.agency == pet["commune"] and p.kind == "proposal"
    assert p.content == "V/v chuyển đơn kiến nghị của công dân"  # the subject by default
    files = list(PetitionIdentityFile.objects.filter(petition=p))
    assert [f.file_id for f in files] == [doc.file_id]  # the letter is identity
    assert p.events.get().details["source_document_id"] == doc.pk


def test_one_petition_per_document(letter):
    doc, clerk = letter["doc"], letter["clerk"]
    first = intake.from_incoming_document(actor=clerk, document_id=doc.pk, identity=IDENTITY)
    with pytest.raises(AppError) as err:
        intake.from_incoming_document(actor=clerk, document_id=doc.pk, identity=IDENTITY)
    assert err.value.status == 409 and err.value.code == "already_converted"
    assert first.code in err.value.message


def test_hidden_or_unknown_document_is_not_found(pet, letter):
    with pytest.raises(NotFound):
        intake.from_incoming_document(actor=pet["other_reception"],
                                      document_id=letter["doc"].pk, identity=IDENTITY)
    with pytest.raises(NotFound):
        intake.from_incoming_document(actor=letter["clerk"], document_id=999999,
                                      identity=IDENTITY)
    with pytest.raises(InvalidInput) as err:
        intake.from_incoming_document(actor=letter["clerk"], document_id="abc",
                                      identity=IDENTITY)
    assert "document_id" in err.value.fields


def test_seeing_the_document_is_not_enough_to_receive(pet, letter, make_user):
    reader = make_user("vanthu2", pet["commune"], "clerk")
    with pytest.raises(PermissionDenied):
        intake.from_incoming_document(actor=reader, document_id=letter["doc"].pk,
                                      identity=IDENTITY)


def test_validation_of_the_identity(letter):
    with pytest.raises(InvalidInput) as err:
        intake.from_incoming_document(actor=letter["clerk"], document_id=letter["doc"].pk,
                                      identity={**IDENTITY, "email": "bad"})
    assert "email" in err.value.fields


def test_petition_page_links_the_document_and_the_receipt(client, letter):
    p = intake.from_incoming_document(actor=letter["clerk"], document_id=letter["doc"].pk,
                                      identity=IDENTITY)
    client.force_login(letter["clerk"])
    html = client.get(f"/petitions/{p.pk}/").content.decode()
    assert f'href="/documents/incoming/{letter["doc"].pk}/"' in html
    assert f'href="/petitions/{p.pk}/receipt.pdf"' in html


def test_desk_page_converts_the_document(client, letter):
    client.force_login(letter["clerk"])
    doc = letter["doc"]
    page = client.get(f"/petitions/intake/?document={doc.pk}")
    assert page.status_code == 200 and doc.subject in page.content.decode()
    r = client.post(f"/petitions/intake/?document={doc.pk}", {
        "document": doc.pk, "full_name": IDENTITY["full_name"],
        "personal_id": IDENTITY["personal_id"], "content": "Kiến nghị về đường giao thông.",
        "kind": "proposal"})
    assert r.status_code == 302, r.content.decode()[:2000]
    from egov.petitions.models import Petition

    p = Petition.objects.get(source_document_id=doc.pk)
    assert r["Location"] == f"/petitions/{p.pk}/"


def test_api_from_document_201_then_409(client, letter):
    import json

    client.force_login(letter["clerk"])
    body = json.dumps({"document_id": letter["doc"].pk, "identity": IDENTITY,
                       "kind": "proposal"})
    r = client.post("/api/v1/petitions/intake/from-document", body,
                    content_type="application/json")
    assert r.status_code == 201, r.content
    again = client.post("/api/v1/petitions/intake/from-document", body,
                        content_type="application/json")
    assert again.status_code == 409 and again.json()["code"] == "already_converted"
