"""One-stop dossiers of civil-status procedures at the registrar (issue 13: "a registration
arrives as a one-stop dossier … it finishes within the legal time (same day, 15:00 rule …)"):
the promised time from one-stop's catalogue and calendar, the intake list of the competent
commune only, registering the event completes the dossier with it as the result, a refusal of
the law leaves the dossier open; the page and the API."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from egov.civil.models import CivilEvent, CivilIntake, CivilSync
from egov.civil.services import intake as civil_intake
from egov.core import calendar
from egov.core.errors import AppError, NotFound
from egov.core.models import FAR_FUTURE
from egov.onestop.catalogue_seed import seed_catalogue
from egov.onestop.models import Dossier, ProcedureComponent
from egov.onestop.services import intake as desk_intake
from egov.onestop.services import processing
from egov.onestop.services.records import procedure_by_code, version_in_force

pytestmark = pytest.mark.django_db

APPLICANT = {"full_name": "Trần Thị Bình", "personal_id": "001190001234",
             "phone": "0912345678", "email": "", "address": "Thôn 1"}


def at(y, m, d, hh=9, mm=0):
    return dt.datetime(y, m, d, hh, mm, tzinfo=calendar.LOCAL_TZ)


@pytest.fixture
def clock(monkeypatch):
    from django.utils import timezone

    def _set(when):
        fixed = when.astimezone(dt.UTC)
        monkeypatch.setattr(timezone, "now", lambda: fixed)
        return fixed

    return _set


@pytest.fixture
def desk(civ, make_user):
    seed_catalogue()
    return {**civ, "desk": make_user("motcuaxa", civ["commune"], "onestop_officer"),
            "other_desk": make_user("motcuahb", civ["other"], "onestop_officer")}


def dossier(desk, code="1.001193", *, who="desk", commune="commune", forward=True) -> Dossier:
    """A dossier received at the commune's desk (every required component) and handed on to
    the registrar's step."""
    version = version_in_force(procedure_by_code(code), timezone.localdate())
    parts = [{"code": c.code, "provided": True}
             for c in ProcedureComponent.objects.filter(version=version)]
    result = desk_intake.dossier_intake(actor=desk[who], agency=desk[commune],
                                        procedure_code=code, applicant=APPLICANT,
                                        components=parts)
    if forward:
        processing.dossier_forward(actor=desk[who], code=result.dossier.code)
    return Dossier.objects.get(pk=result.dossier.pk)


CHILD = {"full_name": "Nguyễn Văn An", "sex": "male", "birth_date": "2026-11-25"}


def test_a_birth_received_before_1500_is_due_the_same_day(desk, clock):
    clock(at(2026, 12, 2, 10, 0))  # Wednesday
    d = dossier(desk)
    row = CivilIntake.objects.get(dossier=d)
    assert (row.kind, row.commune, row.code) == ("birth", desk["commune"], d.code)
    assert row.due_at == d.due_at
    assert calendar.localtime(row.due_at).date() == dt.date(2026, 12, 2)


def test_a_birth_received_after_1500_is_due_the_next_working_day(desk, clock):
    # Luật Hộ tịch 2014, Điều 5.3: received after 15 h → the next working day.
    clock(at(2026, 12, 4, 15, 30))  # Friday afternoon → Monday
    d = dossier(desk)
    row = CivilIntake.objects.get(dossier=d)
    assert calendar.localtime(row.due_at).date() == dt.date(2026, 12, 7)


def test_only_the_competent_communes_registrar_sees_it_and_only_at_the_registrars_step(
        desk, clock):
    clock(at(2026, 12, 2, 9, 0))
    waiting = dossier(desk, forward=False)
    assert not CivilIntake.objects.filter(dossier=waiting).exists()  # still at the desk
    ours = dossier(desk)
    theirs = dossier(desk, who="other_desk", commune="other")
    mine = list(civil_intake.intake_list(actor=desk["registrar"]))
    assert [r.dossier_id for r in mine] == [ours.pk]
    assert [r.dossier_id for r in civil_intake.intake_list(actor=desk["other_registrar"])] \
        == [theirs.pk]
    with pytest.raises(NotFound):
        civil_intake.intake_get(actor=desk["other_registrar"], pk=mine[0].pk)
    processing.dossier_forward(actor=desk["desk"], code=waiting.code)
    assert len(list(civil_intake.intake_list(actor=desk["registrar"]))) == 2


def test_a_procedure_outside_civil_status_is_not_in_the_intake(desk, clock):
    clock(at(2026, 12, 2, 9, 0))
    seeded = {"1.001193", "1.000656", "1.000894"}
    other = next(p.version.procedure.code for p in ProcedureComponent.objects.select_related(
        "version__procedure") if p.version.procedure.code not in seeded
        and p.version.level == "commune")
    dossier(desk, other)
    assert not CivilIntake.objects.exists()


def test_registering_completes_the_dossier_with_the_event_as_its_result(desk, clock):
    clock(at(2026, 12, 2, 10, 0))
    d = dossier(desk)
    row = CivilIntake.objects.get(dossier=d)
    clock(at(2026, 12, 2, 11, 0))
    event = civil_intake.intake_register(actor=desk["registrar"], pk=row.pk,
                                         data={"child": CHILD})
    d.refresh_from_db()
    row.refresh_from_db()
    assert d.state == "resolved" and d.outcome in ("on_time", "early")
    assert d.result_medium == "paper"
    assert d.result_number == f"Số {event.entry_number}, Quyển số 01/2026"
    assert row.event == event and row.dossier_state == "resolved"
    assert event.details == {"dossier": d.code, "declarant": "Trần Thị Bình"}
    assert CivilSync.objects.filter(event=event).exists()  # and to the national databases
    assert list(civil_intake.intake_list(actor=desk["registrar"])) == []
    with pytest.raises(AppError) as err:
        civil_intake.intake_register(actor=desk["registrar"], pk=row.pk,
                                     data={"child": CHILD})
    assert err.value.code in ("already_registered", "invalid_state")
    assert CivilEvent.objects.count() == 1


def test_a_refusal_of_the_law_leaves_the_dossier_open_and_nothing_written(desk, clock):
    clock(at(2026, 12, 2, 10, 0))
    d = dossier(desk)
    row = CivilIntake.objects.get(dossier=d)
    with pytest.raises(AppError) as err:
        civil_intake.intake_register(actor=desk["registrar"], pk=row.pk, data={
            "child": {**CHILD, "birth_date": "2026-12-01"},
            "mother": {"full_name": "Mẹ Trẻ", "sex": "female", "birth_date": "2026-12-01"}})
    assert err.value.code == "parent_younger"
    d.refresh_from_db()
    row.refresh_from_db()
    assert d.state == "processing" and row.event is None
    assert not CivilEvent.objects.exists() and not CivilSync.objects.exists()
    with pytest.raises(NotFound):  # another commune's registrar cannot register it
        civil_intake.intake_register(actor=desk["other_registrar"], pk=row.pk,
                                     data={"child": CHILD})
    assert d.state == "processing"


def test_prefill_names_the_applicants_record_as_the_mother(desk, clock):
    from egov.civil.models import Person

    clock(at(2026, 12, 2, 10, 0))
    mum = Person.objects.create(full_name="Trần Thị Bình", sex="female",
                                personal_id="001190001234", commune=desk["commune"])
    row = CivilIntake.objects.get(dossier=dossier(desk))
    assert civil_intake.prefill(row) == {"declarant": "Trần Thị Bình",
                                         "mother": {"id": mum.pk}}


def test_the_page_and_the_api(desk, clock, client):
    clock(at(2026, 12, 2, 10, 0))
    d = dossier(desk)
    row = CivilIntake.objects.get(dossier=d)
    client.force_login(desk["registrar"])
    page = client.get("/civil/intake/")
    assert page.status_code == 200 and d.code in page.content.decode()
    # A 360 px screen shows each row as a card: every cell names its column (a walk found none).
    assert 'data-label="Loại sự kiện"' in page.content.decode()
    assert 'data-label="Hẹn trả kết quả"' in page.content.decode()
    detail = client.get(f"/civil/intake/{row.pk}/")
    assert detail.status_code == 200 and "Trần Thị Bình" in detail.content.decode()
    bad = client.post(f"/civil/intake/{row.pk}/", {"child_full_name": "",
                                                    "child_sex": "male"})
    assert bad.status_code == 422
    d.refresh_from_db()
    assert d.state == "processing"
    done = client.post(f"/civil/intake/{row.pk}/", {
        "child_full_name": "Nguyễn Văn An", "child_sex": "male",
        "child_birth_date": "2026-11-25"})
    assert done.status_code == 302
    d.refresh_from_db()
    assert d.state == "resolved"
    client.force_login(desk["other_registrar"])
    assert client.get(f"/civil/intake/{row.pk}/").status_code == 404
    client.force_login(desk["leader"])  # reads the commune's records, registers nothing
    assert client.get("/civil/intake/").status_code == 403
    api = client.get("/api/v1/civil/intake")
    assert api.status_code == 200 and api.json() == {"items": [], "next": None}


def test_a_foreign_marriage_dossier_registers_a_marriage_with_a_foreign_element(desk, clock,
                                                                                client):
    """Đăng ký kết hôn có yếu tố nước ngoài (2.000806) reaches the registrar as a marriage; the
    foreign party's identity document is asked by the field (Luật Hộ tịch 2014, Điều 17.2)."""
    clock(at(2026, 12, 2, 10, 0))
    d = dossier(desk, "2.000806")
    row = CivilIntake.objects.get(dossier=d)
    assert row.kind == "marriage"
    client.force_login(desk["registrar"])
    page = client.get(f"/civil/intake/{row.pk}/").content.decode()
    assert 'name="wife_identity_document"' in page and 'name="wife_nationality"' in page
    husband = {"husband_full_name": "Nguyễn Văn Hùng", "husband_birth_date": "1995-03-04",
               "husband_personal_id": "001095012345"}
    wife = {"wife_full_name": "Kim Ji-woo", "wife_birth_date": "1997-05-06",
            "wife_nationality": "Hàn Quốc"}
    bad = client.post(f"/civil/intake/{row.pk}/", {**husband, **wife, "both_present": "on"})
    assert bad.status_code == 422 and "wife_identity_document" in bad.context["errors"]
    assert not CivilEvent.objects.exists()
    done = client.post(f"/civil/intake/{row.pk}/", {
        **husband, **wife, "wife_identity_document": "M12345678", "both_present": "on"})
    assert done.status_code == 302, done.context and done.context.get("errors")
    event = CivilEvent.objects.get()
    assert event.kind == "marriage" and event.foreign_element
    d.refresh_from_db()
    assert d.state == "resolved"


def test_the_api_registers_a_death_dossier_and_refuses_bad_input(desk, clock, client):
    from egov.civil.models import Person

    clock(at(2026, 12, 2, 10, 0))
    d = dossier(desk, "1.000656")
    row = CivilIntake.objects.get(dossier=d)
    assert row.kind == "death"
    client.force_login(desk["registrar"])
    url = f"/api/v1/civil/intake/{row.pk}/register"
    bad = client.post(url, {"person": {"full_name": "Ông Già", "sex": "male"}},
                      content_type="application/json")
    assert bad.status_code == 422 and "death_date" in bad.json()["fields"]
    assert client.post("/api/v1/civil/intake/999999/register", {},
                       content_type="application/json").status_code == 404
    d.refresh_from_db()
    assert d.state == "processing" and not Person.objects.exists()
    ok = client.post(url, {"person": {"full_name": "Ông Già", "sex": "male",
                                      "birth_date": "1940-01-01"},
                           "death_date": "2026-11-30"}, content_type="application/json")
    assert ok.status_code == 201, ok.content
    assert ok.json()["kind"] == "death"
    again = client.post(url, {"person": {"full_name": "Ông Khác", "sex": "male"},
                              "death_date": "2026-11-30"}, content_type="application/json")
    assert again.status_code == 409 and again.json()["code"] == "already_registered"
    d.refresh_from_db()
    assert d.state == "resolved"


def test_the_failures_api_is_for_the_catalogue_managers(desk, client, settings):
    from egov.civil import sync

    settings.EGOV_CIVIL_NATIONAL_DB = sync.DEFAULT_ADAPTER
    sync.reset_adapter()
    client.force_login(desk["registrar"])
    assert client.get("/api/v1/civil/sync/failures").status_code == 403
    event = civil_intake.records.register_birth(actor=desk["registrar"], child=CHILD)
    sync.get_adapter().reject_keys = {f"civil-event:{event.pk}"}
    sync.push_due()
    desk["registrar"].is_superuser = True
    desk["registrar"].save()
    items = client.get("/api/v1/civil/sync/failures").json()["items"]
    assert [(i["event_id"], i["state"]) for i in items] == [(event.pk, "failed")]
    sync.reset_adapter()


def test_the_registrar_sees_a_births_likely_duplicates_before_it_is_saved(desk, clock, client):
    """As on the registrar's birth form: the dossier's child matches a registered child, so the
    page lists it and saves nothing until the registrar ticks that it is another child."""
    from egov.civil.models import Person

    clock(at(2026, 12, 2, 10, 0))
    known = Person.objects.create(full_name="Nguyễn Văn An", sex="male",
                                  birth_date=dt.date(2026, 11, 24), commune=desk["commune"])
    d = dossier(desk)
    row = CivilIntake.objects.get(dossier=d)
    client.force_login(desk["registrar"])
    child = {"child_full_name": "Nguyen Van An", "child_sex": "male",
             "child_birth_date": "2026-11-25"}
    shown = client.post(f"/civil/intake/{row.pk}/", child)
    page = shown.content.decode()
    assert shown.status_code == 200 and f"/civil/persons/{known.pk}/" in page
    assert 'name="not_duplicate"' in page
    assert not CivilEvent.objects.exists()
    d.refresh_from_db()
    assert d.state == "processing"
    done = client.post(f"/civil/intake/{row.pk}/", {**child, "not_duplicate": "on"})
    assert done.status_code == 302 and CivilEvent.objects.count() == 1


def test_the_list_comes_in_keyset_pages_with_a_constant_number_of_queries(
        desk, clock, client, monkeypatch):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    clock(at(2026, 12, 2, 10, 0))
    made = [dossier(desk) for _ in range(5)]
    # One without a promised time goes last (its sort key is far in the future).
    CivilIntake.objects.filter(dossier=made[0]).update(due_at=None, due_sort=FAR_FUTURE)
    civil_intake.intake_page(actor=desk["registrar"])  # the actor's grants, read once
    seen, cursor, queries = [], None, []
    while True:
        with CaptureQueriesContext(connection) as captured:
            page = civil_intake.intake_page(actor=desk["registrar"], cursor=cursor, limit=2)
            seen += [r.dossier_id for r in page.items]
        queries.append(len(captured))
        assert not any("COUNT(" in q["sql"].upper() for q in captured.captured_queries)
        cursor = page.next
        if cursor is None:
            break
    assert sorted(seen) == sorted(d.pk for d in made) and len(set(seen)) == 5
    assert seen[-1] == made[0].pk and len(set(queries)) == 1, queries
    # The page: "More" leads on; the API: items and next.
    monkeypatch.setattr(civil_intake, "PAGE_SIZE", 3)
    client.force_login(desk["registrar"])
    first = client.get("/civil/intake/")
    nxt = first.context["page"].next
    assert len(first.context["rows"]) == 3 and nxt and "?cursor=" in first.content.decode()
    second = client.get(f"/civil/intake/?cursor={nxt}")
    assert len(second.context["rows"]) == 2 and second.context["page"].next is None
    assert 'id="intake-first"' in second.content.decode()  # the way back to the nearest deadlines
    assert 'id="intake-first"' not in first.content.decode()
    assert client.get("/civil/intake/?cursor=%25bad").status_code == 200  # the first page
    api = client.get("/api/v1/civil/intake?limit=4").json()
    assert len(api["items"]) == 4 and api["next"]
    rest = client.get(f"/api/v1/civil/intake?limit=4&cursor={api['next']}").json()
    assert [r["code"] for r in rest["items"]] == [made[0].code] and rest["next"] is None
    assert client.get("/api/v1/civil/intake?cursor=AAAA").status_code == 422
