"""The civil-status demo (egov demo): the registrar `hotich` of the demo commune, events made
through the services, idempotent."""

from __future__ import annotations

import pytest

from egov.civil import demo
from egov.civil.models import CivilEvent, Person
from egov.core import policy
from egov.core.demo import load_demo as core_demo
from egov.core.models import User

pytestmark = pytest.mark.django_db


def test_demo_registrar_and_events_idempotent():
    core_demo()
    assert demo.load_demo() == {"events": 5, "certificates": 0}  # no demo CA: signing's demo
    registrar = User.objects.get(username="hotich")
    assert policy.can(registrar, "civil.register")
    kinds = sorted(CivilEvent.objects.values_list("kind", flat=True))
    assert kinds == ["birth", "birth", "birth", "death", "marriage"]
    assert {e.commune_id for e in CivilEvent.objects.all()} == set(
        policy.agencies_for(registrar, "civil.register"))
    assert all("(mẫu)" in p.full_name for p in Person.objects.all())
    assert CivilEvent.objects.filter(late=True, kind="birth").count() == 1  # after 60 days
    assert demo.load_demo() == {"events": 0, "certificates": 0}
    assert CivilEvent.objects.count() == 5


def test_with_the_signing_demo_the_commune_signs_its_certificates(settings, tmp_path):
    """After signing's demo (its CA), the civil demo registers the commune's organisation
    certificate, once: the registrar issues a signed birth certificate in the demo."""
    from egov.civil.services import certificates
    from egov.signing import demo as signing_demo

    settings.VAR_DIR = tmp_path  # the demo CA's key file
    core_demo()
    signing_demo.load_demo()
    assert demo.load_demo()["certificates"] == 1
    assert demo.load_demo()["certificates"] == 0
    registrar = User.objects.get(username="hotich")
    birth = CivilEvent.objects.filter(kind="birth").order_by("id").first()
    issued = certificates.issue_certificate(registrar, birth.pk, "birth_certificate")
    assert issued.file.size > 0 and issued.code
