"""The page linking a user to their civil record (OfficerIdentity; Luật Hộ tịch 2014, Điều
12.1.h): for civil.manage only, the person found by ID or name, link and unlink audited, nobody
links themselves — and a registrar linked through the page is refused a relative's event."""

from __future__ import annotations

import pytest
from django.urls import reverse

from egov.civil.models import CivilEvent, OfficerIdentity
from egov.civil.services import identity
from egov.civil.services.records import register_birth
from egov.core.errors import InvalidInput, PermissionDenied
from egov.core.models import AuditEvent

from .test_events_kit import rec, refused, today

pytestmark = pytest.mark.django_db
URL = "/civil/officers/"


@pytest.fixture
def admin(civ, make_user):
    return make_user("quantri", civ["province"], "admin")


def test_only_a_manager_sees_the_page(client, civ, admin):
    client.force_login(civ["registrar"])
    assert client.get(URL).status_code == 403
    with pytest.raises(PermissionDenied):
        identity.find_persons(actor=civ["registrar"], q="Nguyễn")
    client.force_login(admin)
    assert client.get(URL).status_code == 200
    assert reverse("civil:officer_links") == URL


def test_link_through_the_page_makes_the_relative_check_work(client, civ, admin):
    own = rec(civ, "Lê Thị Hộ Tịch", "female", 30, personal_id="001190004444")
    client.force_login(admin)
    page = client.get(URL, {"q": "le thi ho"})
    assert page.status_code == 200 and [p.pk for p in page.context["found"]] == [own.pk]
    assert client.get(URL, {"q": "001190004444"}).context["found"] == [own]
    read = AuditEvent.objects.filter(action="civil.person.read").last()
    assert read.details == {"purpose": "officer_link", "ids": [own.pk]}
    answer = client.post(URL, {"action": "link", "username": "tuphapxa", "person_id": own.pk})
    assert answer.status_code == 302
    row = OfficerIdentity.objects.get(user=civ["registrar"])
    assert row.person == own
    audit = AuditEvent.objects.get(action="civil.officer.link")
    assert audit.details == {"user": civ["registrar"].pk, "person": own.pk, "replaced": None}
    assert "tuphapxa" in client.get(URL).content.decode()
    # The registrar's own child: refused (Điều 12.1.h).
    child = {"full_name": "Con Hộ Tịch", "sex": "male", "birth_date": today().isoformat()}
    refused("registrar_related", register_birth, actor=civ["registrar"], child=child,
            mother={"id": own.pk})
    # Unlinked: the check knows nothing more, the birth is registered.
    answer = client.post(URL, {"action": "unlink", "link_id": row.pk})
    assert answer.status_code == 302 and not OfficerIdentity.objects.exists()
    assert AuditEvent.objects.get(action="civil.officer.unlink").details == {
        "user": civ["registrar"].pk, "person": own.pk}
    assert register_birth(actor=civ["registrar"], child=child, mother={"id": own.pk}).pk
    assert CivilEvent.objects.count() == 1


def test_bad_input_by_the_field_and_nothing_written(client, civ, admin):
    own = rec(civ, "Trần Văn Mình", "male")
    client.force_login(admin)
    answer = client.post(URL, {"action": "link", "username": "khongco", "person_id": own.pk})
    assert answer.status_code == 422 and answer.context["link_form"].errors["username"]
    answer = client.post(URL, {"action": "link", "username": "tuphapxa", "person_id": "x"})
    assert answer.status_code == 422 and answer.context["link_form"].errors["person_id"]
    answer = client.post(URL, {"action": "link", "username": "quantri", "person_id": own.pk})
    assert answer.status_code == 422 and "Điều 12.1.h" in str(answer.context["link_form"].errors)
    assert client.get(URL, {"q": "ab"}).status_code == 422
    assert client.post(URL, {"action": "unlink", "link_id": "999"}).status_code == 404
    assert not OfficerIdentity.objects.exists()
    assert not AuditEvent.objects.filter(action__startswith="civil.officer").exists()
    with pytest.raises(InvalidInput) as err:
        identity.link(actor=admin, username="tuphapxa", person_id=10**12)
    assert err.value.code == "no_such_person"


def test_a_new_link_replaces_the_old(civ, admin):
    first, second = rec(civ, "Người Một", "male"), rec(civ, "Người Hai", "male")
    identity.link(actor=admin, username="tuphapxa", person_id=first.pk)
    identity.link(actor=admin, username="tuphapxa", person_id=second.pk)
    assert OfficerIdentity.objects.get().person == second
    assert AuditEvent.objects.filter(action="civil.officer.link").last().details["replaced"] \
        == first.pk


def test_the_manager_edits_the_catalogue_in_the_admin(client, civ, admin):
    admin.is_staff = True  # the admin site's door
    admin.save()
    client.force_login(admin)
    assert client.get("/admin/civil/feerate/").status_code == 200
    assert client.get("/admin/civil/kindrule/").status_code == 200
    client.force_login(civ["registrar"])
    assert client.get("/admin/civil/feerate/").status_code in (302, 403)
