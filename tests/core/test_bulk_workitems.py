"""Bulk writes keep an audit event per record: `audit_log_many` appends a chain identical in
form to as many `audit_log` calls (verifiable, tamper-evident), and `workitem_create_many`
checks every item as `workitem_create` does, writes all or nothing, one audit event each."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from egov.core.audit import Entry, audit_log, audit_log_many, audit_verify
from egov.core.errors import AppError
from egov.core.models import AuditEvent, AuditHead, OrgUnit, WorkItem
from egov.core.services import workitem_create, workitem_create_many

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _checkpoint_dir(settings, tmp_path):
    settings.EGOV_AUDIT_CHECKPOINT_DIR = str(tmp_path / "checkpoints")


def test_audit_log_many_extends_one_verifiable_chain(make_user):
    user = make_user("vanthu", full_name="Nguyễn Văn Thư")
    first = audit_log(actor=user, action="system.tick")
    assert audit_log_many(actor=user, entries=[
        Entry("workitem.create", "core.workitem", str(n), {"n": n, "title": f"Việc số {n}"})
        for n in range(5)], batch_size=2) == 5
    audit_log(actor=None, action="system.tock")
    events = list(AuditEvent.objects.order_by("seq"))
    assert [e.seq for e in events] == [1, 2, 3, 4, 5, 6, 7]
    assert events[1].prev_hash == first.hash
    assert all(b.prev_hash == a.hash for a, b in zip(events, events[1:], strict=False))
    assert [e.object_id for e in events[1:6]] == ["0", "1", "2", "3", "4"]
    assert events[3].details == {"n": 2, "title": "Việc số 2"}
    assert events[3].actor_name == "Nguyễn Văn Thư"
    assert AuditHead.objects.get().last_hash == events[-1].hash
    assert audit_verify().ok
    assert audit_log_many(actor=None, entries=[]) == 0


def test_audit_log_many_refuses_a_bad_entry_and_appends_nothing(db):
    with pytest.raises(ValueError):
        audit_log_many(actor=None, entries=[Entry("ok"), Entry("")])
    with pytest.raises(ValueError):
        audit_log_many(actor=None, entries=[Entry("ok", object_id="x" * 65)])
    assert not AuditEvent.objects.exists()


def test_workitem_create_many_one_audit_event_per_item(org, make_user):
    actor = make_user("chutich", org["province"], "leader")
    officer = make_user("chuyenvien", org["justice"])
    ct = ContentType.objects.get_for_model(OrgUnit)
    due = timezone.now() + dt.timedelta(days=3)
    items = workitem_create_many(actor=actor, items=[
        {"module": "directives", "kind": "lead", "title": "Chủ trì nhiệm vụ", "url": "/a/",
         "assignee_unit_id": org["justice"].pk, "role": "lead", "due_at": due,
         "subject_type": ct, "subject_id": org["justice"].pk},
        {"module": "directives", "kind": "support", "title": "Phối hợp", "url": "/b/",
         "assignee_user": officer, "role": "support", "urgency": "high"},
    ])
    assert [i.pk is not None for i in items] == [True, True]
    rows = list(WorkItem.objects.order_by("id"))
    assert [(r.assignee_unit_id, r.assignee_user_id) for r in rows] == [
        (org["justice"].pk, None), (None, officer.pk)]
    assert rows[0].subject == org["justice"] and rows[0].created_by == actor
    events = list(AuditEvent.objects.filter(action="workitem.create").order_by("seq"))
    assert [e.object_id for e in events] == [str(i.pk) for i in items]
    assert events[1].details["assignee_user"] == officer.pk
    # the same details as one by one
    one = workitem_create(actor=actor, module="directives", kind="lead", title="Chủ trì",
                          url="/c/", assignee_unit=org["justice"], role="lead")
    single = AuditEvent.objects.get(action="workitem.create", object_id=str(one.pk))
    assert set(single.details) == set(events[0].details)
    assert audit_verify().ok


def test_workitem_create_many_names_the_bad_item_and_writes_nothing(org, make_user):
    actor = make_user("chutich", org["province"], "leader")
    good = {"module": "directives", "kind": "lead", "title": "Việc", "url": "/a/",
            "assignee_unit_id": org["justice"].pk, "role": "lead"}
    with pytest.raises(AppError) as err:
        workitem_create_many(actor=actor, items=[
            good, {**good, "role": "nobody"}, {**good, "assignee_unit_id": None},
            {**good, "due_at": dt.datetime(2027, 1, 1)}])
    assert err.value.status == 400 or err.value.code == "invalid"
    assert {"items[1].role", "items[2].assignee", "items[3].due_at"} <= set(err.value.fields)
    assert "items[0].role" not in err.value.fields
    assert not WorkItem.objects.exists() and not AuditEvent.objects.exists()
