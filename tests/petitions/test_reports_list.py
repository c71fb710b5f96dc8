"""Lists and search (selectors/petitions.py, GET /api/v1/petitions, /petitions/), the detail API
and file downloads: only what the user may see; the name only where the identity is readable."""

from __future__ import annotations

import pytest
from django.core.files.base import ContentFile
from django.db import transaction
from django.test import Client

from egov.core.files import file_store
from egov.core.models import AuditEvent
from egov.petitions.models import PetitionFile, PetitionIdentityFile
from egov.petitions.selectors import petitions as sel

from .conftest import IDENTITY

pytestmark = pytest.mark.django_db


def client_for(user) -> Client:
    c = Client()
    if user is not None:
        c.force_login(user)
    return c


def api_ids(user, **params) -> list[int]:
    r = client_for(user).get("/api/v1/petitions", params)
    assert r.status_code == 200, r.content
    return [i["id"] for i in r.json()["items"]]


def test_list_shows_only_what_the_user_may_see(make_petition, pet):
    mine = make_petition()
    other = make_petition(agency=pet["other"], actor=pet["other_reception"])
    assert api_ids(pet["reception"]) == [mine.pk]
    assert api_ids(pet["other_reception"]) == [other.pk]
    assert api_ids(pet["nobody"]) == []
    assert set(api_ids(pet["superuser"])) == {mine.pk, other.pk}
    assert client_for(None).get("/api/v1/petitions").status_code == 401


def test_search_by_code_exact_and_prefix(make_petition, pet):
    a = make_petition()
    b = make_petition()
    assert api_ids(pet["reception"], q=a.code) == [a.pk]
    prefix = a.code.rsplit("-", 1)[0]
    assert set(api_ids(pet["reception"], q=prefix)) == {a.pk, b.pk}
    assert api_ids(pet["reception"], q=a.code.lower()) == [a.pk]


def test_search_content_without_diacritics(make_petition, pet):
    p = make_petition()
    make_petition(content="Đề nghị sửa đường liên thôn bị sụt lún.", kind="proposal")
    assert api_ids(pet["reception"], q="hop thuc hoa dat") == [p.pk]
    assert api_ids(pet["reception"], q="HỢP THỨC HÓA") == [p.pk]
    assert api_ids(pet["reception"], q="hop thuc hoa khongco") == []


def test_name_matches_only_where_the_identity_is_readable(make_petition, pet):
    p = make_petition()
    # readable: the receiver, the head of the agency (name with or without diacritics)
    assert api_ids(pet["reception"], q="Bích Ngọc") == [p.pk]
    assert api_ids(pet["head"], q="bich ngoc") == [p.pk]
    # a colleague who sees the petition (view_all) but may not read the identity: nothing,
    # exactly as for a name that exists nowhere
    pet["handler"].refresh_from_db()
    viewer = pet["superuser"]
    assert p.pk in api_ids(viewer)
    assert api_ids(viewer, q="Bích Ngọc") == []
    assert api_ids(viewer, q="Bích Ngọc") == api_ids(viewer, q="Không Có Tên")
    assert api_ids(pet["other_head"], q="Bích Ngọc") == []


def test_name_matches_for_the_assigned_handler(make_petition, pet):
    p = make_petition(handler=pet["handler"], handling_unit=pet["division"])
    assert api_ids(pet["handler"], q="ngoc") == [p.pk]
    assert api_ids(pet["colleague"]) == [p.pk]  # process on the unit: sees it
    assert api_ids(pet["colleague"], q="ngoc") == []


def test_filters(make_petition, pet):
    import datetime as dt

    from django.utils import timezone

    late = make_petition(due_at=timezone.now() - dt.timedelta(days=2))
    email = make_petition(channel="email", kind="complaint")
    handled = make_petition(handler=pet["handler"], handling_unit=pet["division"])
    r = pet["reception"]
    assert api_ids(r, overdue="true") == [late.pk]
    assert api_ids(r, channel="email") == [email.pk]
    assert api_ids(r, kind="complaint") == [email.pk]
    assert api_ids(r, state="bogus") == []
    assert api_ids(pet["handler"], mine="true") == [handled.pk]


def test_keyset_paging_and_constant_queries(make_petition, pet, django_assert_max_num_queries):
    ids = [make_petition().pk for _ in range(7)]
    c = client_for(pet["reception"])
    c.get("/api/v1/petitions")  # warm the session
    seen, cursor = [], None
    for _ in range(4):
        params = {"limit": 3, **({"cursor": cursor} if cursor else {})}
        r = c.get("/api/v1/petitions", params)
        body = r.json()
        seen += [i["id"] for i in body["items"]]
        cursor = body["next"]
        if not cursor:
            break
    assert seen == sorted(ids, reverse=True)
    assert c.get("/api/v1/petitions", {"cursor": "###"}).status_code == 422
    user = pet["reception"]
    with django_assert_max_num_queries(3):
        page = sel.petition_list(actor=user, flt=sel.ListFilter(q="ngoc"), limit=3)
        [(p.agency.name, p.handling_unit, p.handler) for p in page.items]
    for _ in range(10):
        make_petition()
    with django_assert_max_num_queries(3):
        page = sel.petition_list(actor=user, flt=sel.ListFilter(q="ngoc"), limit=50)
        [(p.agency.name, p.handling_unit, p.handler) for p in page.items]


def test_detail_api_identity_present_only_for_the_allowed(make_petition, pet):
    p = make_petition(handler=pet["handler"], handling_unit=pet["division"])
    for who in ("reception", "handler", "head"):
        before = AuditEvent.objects.filter(action="petition.identity.read").count()
        body = client_for(pet[who]).get(f"/api/v1/petitions/{p.pk}").json()
        assert body["identity"]["full_name"] == IDENTITY["full_name"], who
        assert body["identity"]["personal_id"] == IDENTITY["personal_id"]
        ev = AuditEvent.objects.filter(action="petition.identity.read").order_by("-seq").first()
        assert AuditEvent.objects.filter(action="petition.identity.read").count() == before + 1
        assert ev.details["purpose"] == "api"
    for who in ("colleague", "unit_head", "onestop", "superuser"):
        r = client_for(pet[who]).get(f"/api/v1/petitions/{p.pk}")
        assert r.status_code == 200, who
        assert r.json()["identity"] is None
        assert "Ngọc" not in r.content.decode()
    for who in ("other_head", "nobody"):
        assert client_for(pet[who]).get(f"/api/v1/petitions/{p.pk}").status_code == 404


def _stored(user, name: str, data: bytes):
    return file_store(actor=user, upload=ContentFile(data, name=name))


def test_identity_files_only_for_those_who_may_read_the_identity(make_petition, pet):
    p = make_petition()
    with transaction.atomic():
        f = PetitionFile.objects.create(petition=p, file=_stored(pet["reception"], "bien-ban.txt",
                                                                 b"bien ban xac minh"))
        i = PetitionIdentityFile.objects.create(
            petition=p, file=_stored(pet["reception"], "don-viet-tay.txt", b"chu viet tay"))
    ok = client_for(pet["head"])
    assert ok.get(f"/petitions/{p.pk}/identity-files/{i.pk}/").status_code == 200
    assert ok.get(f"/petitions/{p.pk}/files/{f.pk}/").status_code == 200
    page = ok.get(f"/petitions/{p.pk}/").content.decode()
    assert "don-viet-tay.txt" in page and IDENTITY["full_name"] in page
    su = client_for(pet["superuser"])
    assert su.get(f"/petitions/{p.pk}/files/{f.pk}/").status_code == 200
    assert su.get(f"/petitions/{p.pk}/identity-files/{i.pk}/").status_code == 404
    page = su.get(f"/petitions/{p.pk}/").content.decode()
    assert "don-viet-tay.txt" not in page and IDENTITY["full_name"] not in page


def test_list_page(make_petition, pet):
    p = make_petition()
    c = client_for(pet["reception"])
    r = c.get("/petitions/", {"q": "hop thuc hoa"})
    assert r.status_code == 200 and p.code in r.content.decode()
    assert c.get("/petitions/", {"cursor": "***"}).status_code == 400
    r = client_for(pet["superuser"]).get("/petitions/", {"q": "Bích Ngọc"})
    assert p.code not in r.content.decode()


def test_name_search_for_a_head_of_every_agency(make_petition, pet, make_user):
    """`petitions.head` with scope "all" reads every identity: the name matches everywhere."""
    from egov.core.models import Role, RoleGrant

    role = Role.objects.create(code="head_all_test", name="Thủ trưởng (kiểm thử)")
    RoleGrant.objects.create(role=role, action="petitions.head", scope="all")
    RoleGrant.objects.create(role=role, action="petitions.view_all", scope="all")
    boss = make_user("thutruong", pet["commune"], "head_all_test")
    a = make_petition()
    b = make_petition(agency=pet["other"], actor=pet["other_reception"])
    assert set(api_ids(boss, q="bich ngoc")) == {a.pk, b.pk}
    assert api_ids(pet["other_head"], q="bich ngoc") == [b.pk]
