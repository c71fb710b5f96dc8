"""Certified copies of extracts numbered in a book of their own (Sổ cấp bản sao trích lục hộ
tịch, services.md §3.4): per commune and year, from the numbering kernel (gapless, also under
concurrency on PostgreSQL); originals take no number there; each copy records its fee (Luật Hộ
tịch 2014, Điều 11.2); the API and the certificate's page show them."""

from __future__ import annotations

import json

import pytest
from django.utils import timezone

from egov.civil.models import CopyEntry, FeeRate, RecordedFee
from egov.civil.services import certificates as certs
from egov.civil.services import records
from egov.civil.services.copies import copies_scope
from egov.core.models import Sequence
from tests.signing.conftest import test_pki  # noqa: F401

from .certificates_support import birth, pdf_text, signed_civ_fixture  # noqa: F401
from .test_api import auth

pytestmark = pytest.mark.django_db


def test_copies_take_the_next_number_of_their_communes_book(signed_civ):
    civ = signed_civ
    FeeRate.objects.create(province=civ["province"], kind="copy", amount=8000,
                           legal_basis="Nghị quyết thử", effective_from="2025-07-01")
    event = birth(civ)
    other = records.register_death(actor=civ["other_registrar"],
                                   death_date=timezone.localdate().isoformat(),
                                   person={"full_name": "Cụ Hòa Bình", "sex": "male"})
    original = certs.issue_certificate(civ["registrar"], event.pk, "birth_certificate")
    assert not CopyEntry.objects.filter(certificate=original).exists()
    assert not RecordedFee.objects.filter(certificate=original).exists()
    copies = [certs.certified_copy(civ["registrar"], event.pk) for _ in range(3)]
    entries = [c.copy_entry for c in copies]
    assert [e.number for e in entries] == [1, 2, 3]
    assert {e.year for e in entries} == {copies[0].issued_on.year}
    assert entries[0].book_name == "Sổ cấp bản sao trích lục hộ tịch"
    theirs = certs.certified_copy(civ["other_registrar"], other.pk)
    assert theirs.copy_entry.number == 1  # the other commune's own book
    fee = copies[0].fee
    assert (fee.kind, fee.status, fee.amount) == ("copy", "charged", 8000)
    assert theirs.fee.status == "charged"  # same province's rate


def test_a_copy_prints_its_number_and_a_failed_signature_gives_it_back(signed_civ, tmp_path,
                                                                        monkeypatch):
    from egov.civil.services import certificates as certificates_service

    civ = signed_civ
    event = birth(civ)
    year = timezone.localdate().year
    first = certs.certified_copy(civ["registrar"], event.pk)
    with first.file.file.open("rb") as fh:
        text = pdf_text(fh.read(), tmp_path)
    assert f"(BẢN SAO) — Số 01/{year}, Sổ cấp bản sao trích lục hộ tịch" in text

    def broken(*args, **kwargs):
        raise RuntimeError("the token is gone")

    monkeypatch.setattr(certificates_service, "_sign", broken)
    with pytest.raises(RuntimeError):
        certs.certified_copy(civ["registrar"], event.pk)
    monkeypatch.undo()
    again = certs.certified_copy(civ["registrar"], event.pk)
    assert again.copy_entry.number == 2  # the failed copy's number came back: no gap
    assert CopyEntry.objects.count() == 2


def test_api_and_page(client, signed_civ):
    civ = signed_civ
    event = birth(civ)
    r = client.post(f"/api/v1/civil/events/{event.pk}/certificates",
                    json.dumps({"type": "certified_copy"}), content_type="application/json",
                    **auth(civ["registrar"]))
    assert r.status_code == 201, r.content
    body = r.json()
    entry = CopyEntry.objects.get()
    assert body["copy_number"] == f"1/{entry.year}"
    assert body["fee"]["status"] == "no_rate" and body["fee"]["amount"] == 0
    client.force_login(civ["registrar"])
    page = client.get(f"/civil/certificates/{body['id']}/").content.decode()
    assert 'data-field="copy-number"' in page and "Sổ cấp bản sao trích lục hộ tịch" in page
    # The event's list tells its copies apart by their number (a walk found two identical lines).
    event_page = client.get(f"/civil/events/{event.pk}/").content.decode()
    assert f"bản sao số 1/{entry.year}" in event_page


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_copies_are_numbered_without_gaps(signed_civ):
    from tests.concurrency import run_threads

    civ = signed_civ
    event = birth(civ)

    def one(_i: int) -> None:
        certs.certified_copy(civ["registrar"], event.pk)

    assert run_threads(one, 6) == []
    numbers = sorted(CopyEntry.objects.values_list("number", flat=True))
    assert numbers == list(range(1, 7))
    assert Sequence.objects.get(scope=copies_scope(civ["commune"].pk)).last_value == 6
