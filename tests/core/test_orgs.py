"""Services of the organisation and work items: validation, history, merger, audit events."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from egov.core import policy, selectors, services
from egov.core.errors import AppError, InvalidInput, PermissionDenied
from egov.core.models import (
    AuditEvent,
    Delegation,
    OrgUnit,
    OrgUnitKind,
    OrgUnitName,
    Position,
    Role,
    RoleGrant,
    WorkItem,
    WorkState,
)

TODAY = timezone.localdate


def _day(offset: int) -> dt.date:
    return TODAY() + dt.timedelta(days=offset)


@pytest.fixture
def admin(make_user, org):
    return make_user("quantri", org["province"], "admin", title="Quản trị")


@pytest.fixture
def keeper(make_user, org):
    """Manages the organisation of the Department of Justice only (a unit-scoped grant)."""
    role = Role.objects.create(code="org_keeper", name="Org keeper")
    RoleGrant.objects.create(role=role, action="core.manage_orgs", scope="unit")
    return make_user("keeper", org["justice"], "org_keeper")


class Snapshot:
    """Counts of the tables a failed call must not touch."""

    MODELS = (OrgUnit, OrgUnitName, Position, Delegation, WorkItem, AuditEvent)

    def __init__(self) -> None:
        self.counts = self._take()

    @classmethod
    def _take(cls):
        return {m.__name__: m.objects.count() for m in cls.MODELS}

    def unchanged(self) -> bool:
        return self._take() == self.counts


def _events(action: str):
    return list(AuditEvent.objects.filter(action=action).order_by("seq"))


# --- units --------------------------------------------------------------------------------------


def test_create_unit_with_name_history_and_audit(admin, org):
    unit = services.orgunit_create(
        actor=admin, kind=OrgUnitKind.DIVISION, name="Phòng Kiểm soát thủ tục hành chính",
        abbreviation="KSTT", parent=org["office"], electronic_id="000.01.01.t99",
        place_name="Thử Nghiệm", valid_from=_day(0), legal_basis="QĐ 1/2026/QĐ-UBND",
    )
    assert unit.path == f"{org['office'].path}{unit.pk}/"
    assert unit.electronic_id == "000.01.01.T99"
    names = list(unit.names.all())
    assert [(n.name, n.abbreviation, n.valid_from, n.valid_to) for n in names] == [
        ("Phòng Kiểm soát thủ tục hành chính", "KSTT", _day(0), None)]
    event = _events("orgunit.create")[-1]
    assert event.actor_id == admin.pk and event.object_id == str(unit.pk)
    assert event.details["legal_basis"] == "QĐ 1/2026/QĐ-UBND"


def test_create_root_unit_needs_scope_all(admin, keeper, org):
    root = services.orgunit_create(actor=admin, kind=OrgUnitKind.PROVINCE_COMMITTEE,
                                   name="UBND tỉnh Khác", electronic_id="000.00.00.T98")
    assert root.parent is None and root.path == f"/{root.pk}/"
    snap = Snapshot()
    with pytest.raises(PermissionDenied):
        services.orgunit_create(actor=keeper, kind=OrgUnitKind.PROVINCE_COMMITTEE, name="X")
    with pytest.raises(PermissionDenied):
        services.orgunit_create(actor=keeper, kind=OrgUnitKind.DIVISION, name="X",
                                parent=org["finance"])
    assert snap.unchanged()
    sub = services.orgunit_create(actor=keeper, kind=OrgUnitKind.DIVISION, name="Phòng A",
                                  parent=org["justice"])
    assert sub.parent == org["justice"]


def test_officer_cannot_manage_units(make_user, org):
    officer = make_user("cv", org["justice"], "officer")
    snap = Snapshot()
    with pytest.raises(PermissionDenied):
        services.orgunit_create(actor=officer, kind=OrgUnitKind.DIVISION, name="X",
                                parent=org["justice"])
    with pytest.raises(PermissionDenied):
        services.orgunit_update(actor=officer, unit=org["justice"], place_name="Y")
    with pytest.raises(PermissionDenied):
        services.orgunit_rename(actor=officer, unit=org["justice"], name="Y", abbreviation="Y",
                                effective=_day(0), legal_basis="x")
    assert snap.unchanged()


@pytest.mark.parametrize(("kwargs", "fields"), [
    ({"kind": "district"}, {"kind"}),
    ({"name": "   "}, {"name"}),
    ({"name": "x" * 256}, {"name"}),
    ({"abbreviation": "x" * 33}, {"abbreviation"}),
    ({"electronic_id": "H41"}, {"electronic_id"}),
    ({"electronic_id": "000.00.02.T99"}, {"electronic_id"}),  # taken by the Department
    ({"valid_from": dt.date(2026, 2, 1), "valid_to": dt.date(2026, 1, 1)}, {"valid_to"}),
    ({"valid_from": "2026-01-01"}, {"valid_from"}),
    ({"kind": "x", "name": "", "electronic_id": "bad"}, {"kind", "name", "electronic_id"}),
])
def test_create_validation_writes_nothing(admin, org, kwargs, fields):
    args = {"kind": OrgUnitKind.DIVISION, "name": "Phòng B", "parent": org["justice"], **kwargs}
    snap = Snapshot()
    with pytest.raises(InvalidInput) as exc:
        services.orgunit_create(actor=admin, **args)
    assert set(exc.value.fields) == fields
    assert exc.value.status == 422 and exc.value.code == "invalid"
    assert snap.unchanged()


def test_create_under_closed_parent_is_refused(admin, org):
    OrgUnit.objects.filter(pk=org["commune"].pk).update(valid_to=_day(-10))
    org["commune"].refresh_from_db()
    with pytest.raises(InvalidInput) as exc:
        services.orgunit_create(actor=admin, kind=OrgUnitKind.DIVISION, name="X",
                                parent=org["commune"])
    assert "parent" in exc.value.fields


def test_update_and_move(admin, keeper, org, justice_division):
    services.orgunit_update(actor=admin, unit=justice_division, place_name="Nơi khác")
    justice_division.refresh_from_db()
    assert justice_division.place_name == "Nơi khác"
    assert _events("orgunit.update")[-1].details["changed"]["place_name"][1] == "Nơi khác"
    # moving needs the right at the destination too
    with pytest.raises(PermissionDenied):
        services.orgunit_update(actor=keeper, unit=justice_division, parent=org["finance"])
    services.orgunit_update(actor=admin, unit=justice_division, parent=org["finance"])
    justice_division.refresh_from_db()
    assert justice_division.path == f"{org['finance'].path}{justice_division.pk}/"
    # nothing to change: no event
    count = AuditEvent.objects.count()
    services.orgunit_update(actor=admin, unit=justice_division, parent=org["finance"])
    assert AuditEvent.objects.count() == count


def test_update_refuses_cycles_and_bad_values(admin, org, justice_division):
    snap = Snapshot()
    with pytest.raises(InvalidInput) as exc:
        services.orgunit_update(actor=admin, unit=org["justice"], parent=justice_division)
    assert "parent" in exc.value.fields
    with pytest.raises(InvalidInput) as exc:
        services.orgunit_update(actor=admin, unit=org["justice"], parent=org["justice"])
    with pytest.raises(InvalidInput) as exc:
        services.orgunit_update(actor=admin, unit=org["justice"], kind="nope",
                                valid_to=dt.date(2020, 1, 1))
    assert set(exc.value.fields) == {"kind", "valid_to"}
    assert snap.unchanged()
    org["justice"].refresh_from_db()
    assert org["justice"].kind == OrgUnitKind.AGENCY


# --- renaming -----------------------------------------------------------------------------------


def test_rename_keeps_history(admin, org):
    justice = org["justice"]
    first = _day(-30)
    services.orgunit_rename(actor=admin, unit=justice, name="Sở Tư pháp và Nội vụ",
                            abbreviation="STPNV", effective=first,
                            legal_basis="Quyết định 10/QĐ-UBND")
    services.orgunit_rename(actor=admin, unit=justice, name="Sở Tư pháp tỉnh",
                            abbreviation="STP", effective=_day(0),
                            legal_basis="Quyết định 20/QĐ-UBND")
    justice.refresh_from_db()
    assert (justice.name, justice.abbreviation) == ("Sở Tư pháp tỉnh", "STP")
    rows = [(n.name, n.abbreviation, n.valid_from, n.valid_to, n.legal_basis)
            for n in justice.names.order_by("valid_from")]
    assert rows == [
        ("Sở Tư pháp", "STP", justice.valid_from, first - dt.timedelta(days=1), ""),
        ("Sở Tư pháp và Nội vụ", "STPNV", first, _day(-1), "Quyết định 10/QĐ-UBND"),
        ("Sở Tư pháp tỉnh", "STP", _day(0), None, "Quyết định 20/QĐ-UBND"),
    ]
    # old documents keep the name of their day
    assert selectors.orgunit_name_on(justice, justice.valid_from) == ("Sở Tư pháp", "STP")
    assert selectors.orgunit_name_on(justice, _day(-2)) == ("Sở Tư pháp và Nội vụ", "STPNV")
    assert selectors.orgunit_name_on(justice, _day(0)) == ("Sở Tư pháp tỉnh", "STP")
    events = _events("orgunit.rename")
    assert [e.details["to"]["name"] for e in events] == ["Sở Tư pháp và Nội vụ",
                                                          "Sở Tư pháp tỉnh"]
    assert events[0].details["from"]["name"] == "Sở Tư pháp"


@pytest.mark.parametrize(("kwargs", "field"), [
    ({"effective": "tomorrow"}, "effective"),
    ({"name": ""}, "name"),
    ({"legal_basis": ""}, "legal_basis"),
    ({"name": "Sở Tư pháp", "abbreviation": "STP"}, "name"),  # no change
    ({"effective": dt.date(2025, 7, 1)}, "effective"),      # the unit's first day
])
def test_rename_validation(admin, org, kwargs, field):
    args = {"name": "Sở mới", "abbreviation": "SM", "effective": _day(0),
            "legal_basis": "QĐ", **kwargs}
    snap = Snapshot()
    with pytest.raises(InvalidInput) as exc:
        services.orgunit_rename(actor=admin, unit=org["justice"], **args)
    assert field in exc.value.fields
    assert snap.unchanged()


def test_rename_not_in_the_future_nor_before_the_current_name(admin, org):
    with pytest.raises(InvalidInput) as exc:
        services.orgunit_rename(actor=admin, unit=org["justice"], name="A", abbreviation="A",
                                effective=_day(1), legal_basis="QĐ")
    assert "effective" in exc.value.fields
    services.orgunit_rename(actor=admin, unit=org["justice"], name="A", abbreviation="A",
                            effective=_day(-3), legal_basis="QĐ")
    snap = Snapshot()
    with pytest.raises(InvalidInput):
        services.orgunit_rename(actor=admin, unit=org["justice"], name="B", abbreviation="B",
                                effective=_day(-5), legal_basis="QĐ")
    assert snap.unchanged()


# --- merger -------------------------------------------------------------------------------------


@pytest.fixture
def communes(admin, org):
    a = org["commune"]
    b = services.orgunit_create(actor=admin, kind=OrgUnitKind.COMMUNE_COMMITTEE,
                                name="UBND xã Bình Hòa", parent=org["province"],
                                electronic_id="000.02.00.T99", valid_from=dt.date(2025, 7, 1))
    new = services.orgunit_create(actor=admin, kind=OrgUnitKind.COMMUNE_COMMITTEE,
                                  name="UBND xã An Hòa", parent=org["province"],
                                  electronic_id="000.03.00.T99", valid_from=dt.date(2025, 7, 1))
    return a, b, new


def test_merge_sets_successor_closes_posts_and_moves_open_work(admin, make_user, communes):
    a, b, new = communes
    chair = make_user("chutich_a", a, "leader", title="Chủ tịch")
    officer = make_user("congchuc_b", b, "officer")
    unit_item = WorkItem.objects.create(module="t", kind="k", title="unit work",
                                        assignee_unit=a)
    personal = WorkItem.objects.create(module="t", kind="k", title="personal",
                                       assignee_unit=b, assignee_user=officer)
    done = WorkItem.objects.create(module="t", kind="k", title="done", assignee_unit=a,
                                   state=WorkState.DONE)

    services.orgunit_merge(actor=admin, units=[a, b], into=new, effective=_day(0),
                           legal_basis="Nghị quyết 1/NQ-UBTVQH15")

    for unit in (a, b):
        unit.refresh_from_db()
        assert unit.valid_to == _day(-1)
        assert unit.successor == new
        assert not unit.is_valid_on(_day(0))
        assert unit.names.get().valid_to == _day(-1)
    assert Position.objects.get(user=chair).valid_to == _day(-1)
    assert Position.objects.get(user=officer).valid_to == _day(-1)
    assert not policy.can(type(chair).objects.get(pk=chair.pk), "core.assign_work", a)
    unit_item.refresh_from_db()
    personal.refresh_from_db()
    done.refresh_from_db()
    assert unit_item.assignee_unit == new
    assert personal.assignee_unit == b and personal.assignee_user == officer
    assert done.assignee_unit == a
    assert len(_events("orgunit.merge")) == 2
    summary = _events("orgunit.merge_into")[-1].details
    assert summary["positions_closed"] == 2 and summary["work_items_moved"] == 1
    assert selectors.inbox_page(actor=chair).items == []


def test_merge_validation(admin, communes, org):
    a, b, new = communes
    child = services.orgunit_create(actor=admin, kind=OrgUnitKind.DIVISION,
                                    name="Văn phòng xã", parent=a, valid_from=dt.date(2025, 7, 1))
    snap = Snapshot()
    cases = [
        ({"units": [a], "into": a}, "into"),
        ({"units": [], "into": new}, "units"),
        ({"units": [a, a], "into": new}, "units"),
        ({"units": [b], "into": new, "effective": _day(1)}, "effective"),
        ({"units": [b], "into": new, "effective": dt.date(2025, 7, 1)}, "effective"),
        ({"units": [a], "into": new}, "units"),          # open sub-unit
        ({"units": [org["province"]], "into": new}, "into"),  # into lies inside
    ]
    for kwargs, field in cases:
        args = {"effective": _day(0), **kwargs}
        with pytest.raises(InvalidInput) as exc:
            services.orgunit_merge(actor=admin, **args)
        assert field in exc.value.fields, (kwargs, exc.value.fields)
    assert snap.unchanged()
    services.orgunit_merge(actor=admin, units=[child], into=new, effective=_day(0))
    services.orgunit_merge(actor=admin, units=[a], into=new, effective=_day(0))
    with pytest.raises(InvalidInput):  # already closed
        services.orgunit_merge(actor=admin, units=[a], into=b, effective=_day(0))


# --- positions and delegations ------------------------------------------------------------------


def test_position_assign_and_end(admin, make_user, org):
    person = make_user("nguoi", None)
    pos = services.position_assign(actor=admin, user=person, unit=org["finance"],
                                   title="Phó Giám đốc", roles=["leader", "clerk"],
                                   is_primary=False)
    assert sorted(pos.roles.values_list("code", flat=True)) == ["clerk", "leader"]
    assert policy.can(person, "core.assign_work", org["finance"])  # cache was dropped
    event = _events("position.assign")[-1]
    assert event.details["roles"] == ["clerk", "leader"]
    services.position_end(actor=admin, position=pos, end=_day(0))
    assert policy.can(person, "core.assign_work", org["finance"])  # still today
    pos.refresh_from_db()
    assert pos.valid_to == _day(0)
    assert _events("position.end")[-1].object_id == str(pos.pk)
    with pytest.raises(InvalidInput):  # already ends
        services.position_end(actor=admin, position=pos, end=_day(3))


def test_position_validation(admin, make_user, org):
    person = make_user("nguoi", None)
    gone = make_user("gone", None, is_active=False)
    OrgUnit.objects.filter(pk=org["commune"].pk).update(valid_to=_day(-1))
    org["commune"].refresh_from_db()
    snap = Snapshot()
    cases = [
        ({"roles": ["pope"]}, "roles"),
        ({"title": ""}, "title"),
        ({"valid_from": _day(5), "valid_to": _day(1)}, "valid_to"),
        ({"user": gone}, "user"),
        ({"unit": org["commune"]}, "unit"),
    ]
    for kwargs, field in cases:
        args = {"user": person, "unit": org["finance"], "title": "Chuyên viên", **kwargs}
        with pytest.raises(InvalidInput) as exc:
            services.position_assign(actor=admin, **args)
        assert field in exc.value.fields
    pos = Position.objects.create(user=person, org_unit=org["finance"], title="x",
                                  valid_from=_day(0))
    snap = Snapshot()
    with pytest.raises(InvalidInput):
        services.position_end(actor=admin, position=pos, end=_day(-1))
    assert snap.unchanged()


def test_delegation(admin, make_user, org):
    chief = make_user("giamdoc", org["justice"], "leader", title="Giám đốc")
    deputy = make_user("phogiamdoc", org["justice"], "officer", title="Phó Giám đốc")
    stranger = make_user("khac", org["finance"], "leader")
    position = chief.positions.get()
    # the holder of the post delegates it himself
    delegation = services.delegation_create(actor=chief, position=position, delegate=deputy,
                                            start=_day(0), end=_day(6), capacity="KT",
                                            reason="Đi công tác")
    assert delegation.capacity == "KT"
    assert policy.can(deputy, "core.assign_work", org["justice"])
    assert _events("delegation.create")[-1].details["delegate"] == deputy.pk
    with pytest.raises(PermissionDenied):
        services.delegation_create(actor=stranger, position=position, delegate=deputy,
                                   start=_day(0), end=_day(1))
    snap = Snapshot()
    cases = [
        ({"start": _day(3), "end": _day(2)}, "end"),
        ({"delegate": chief}, "delegate"),
        ({"start": _day(-1)}, "start"),
        ({"capacity": "XYZ"}, "capacity"),
        ({"end": None}, "end"),
    ]
    for kwargs, field in cases:
        args = {"position": position, "delegate": deputy, "start": _day(0), "end": _day(2),
                **kwargs}
        with pytest.raises(InvalidInput) as exc:
            services.delegation_create(actor=admin, **args)
        assert field in exc.value.fields, kwargs
    position.valid_to = _day(3)
    position.save()
    with pytest.raises(InvalidInput):
        services.delegation_create(actor=admin, position=position, delegate=deputy,
                                   start=_day(0), end=_day(10))
    assert snap.unchanged()


# --- work items ---------------------------------------------------------------------------------


def test_workitem_lifecycle(make_user, org):
    leader = make_user("lanhdao", org["justice"], "leader")
    officer = make_user("chuyenvien", org["justice"], "officer")
    stranger = make_user("khac", org["finance"], "officer")
    due = timezone.now() + dt.timedelta(days=2)
    item = services.workitem_create(actor=leader, module="documents", kind="handle",
                                    title="Xử lý công văn 12", url="/documents/12/",
                                    subject=org["justice"], assignee_user=officer,
                                    assignee_unit=org["justice"], role="lead", due_at=due,
                                    urgency="urgent")
    assert item.due_sort == due and item.created_by == leader
    assert item.subject == org["justice"]
    assert _events("workitem.create")[-1].details["title"] == "Xử lý công văn 12"

    with pytest.raises(PermissionDenied):
        services.workitem_open(actor=stranger, item=item)
    services.workitem_open(actor=officer, item=item)
    first_open = item.opened_at
    services.workitem_open(actor=officer, item=item)
    assert item.opened_at == first_open and len(_events("workitem.open")) == 1

    with pytest.raises(PermissionDenied):
        services.workitem_finish(actor=stranger, item=item)
    services.workitem_finish(actor=officer, item=item)
    item.refresh_from_db()
    assert item.state == WorkState.DONE and item.finished_at is not None
    with pytest.raises(AppError) as exc:
        services.workitem_finish(actor=officer, item=item)
    assert exc.value.code == "not_open" and exc.value.status == 409


def test_workitem_of_a_unit_can_be_handled_by_its_people(make_user, org):
    clerk = make_user("vanthu", org["justice"], "clerk")
    item = services.workitem_create(actor=None, module="documents", kind="register",
                                    title="Vào sổ", url="", assignee_unit=org["justice"],
                                    role="task")
    services.workitem_cancel(actor=clerk, item=item, reason="trùng")
    item.refresh_from_db()
    assert item.state == WorkState.CANCELLED
    assert _events("workitem.cancel")[-1].details == {"reason": "trùng"}
    job_item = services.workitem_create(actor=None, module="x", kind="y", title="z", url="",
                                        assignee_unit=org["office"], role="inform")
    services.workitem_finish(actor=None, item=job_item)  # a background job
    job_item.refresh_from_db()
    assert job_item.state == WorkState.DONE


@pytest.mark.parametrize(("kwargs", "field"), [
    ({"assignee_unit": None}, "assignee"),
    ({"role": "boss"}, "role"),
    ({"title": ""}, "title"),
    ({"title": "x" * 501}, "title"),
    ({"module": "m" * 33}, "module"),
    ({"due_at": dt.datetime(2026, 1, 1, 8, 0)}, "due_at"),  # naive
    ({"due_at": "tomorrow"}, "due_at"),
])
def test_workitem_validation(org, kwargs, field):
    args = {"module": "documents", "kind": "handle", "title": "T", "url": "/x/",
            "assignee_unit": org["justice"], "role": "lead", **kwargs}
    snap = Snapshot()
    with pytest.raises(InvalidInput) as exc:
        services.workitem_create(actor=None, **args)
    assert field in exc.value.fields
    assert snap.unchanged()
