"""Two givers acting on the same directive at the same moment (PostgreSQL row locks): an accept
or an extension decision is applied once — the second waits on the directive's row, then finds
the state changed and is refused with 409; one event, one audit row, the deadline moved once."""

from __future__ import annotations

import datetime as dt
import threading

import pytest

from egov.core.errors import AppError
from egov.core.models import AuditEvent
from egov.directives.models import Directive, DirectiveEvent, ExtensionRequest
from egov.directives.services import completion, extensions
from tests.concurrency import run_threads

pytestmark = pytest.mark.postgres


def _race(monkeypatch, module, name):
    """After taking the lock, each transaction waits (up to 1 s) for the other to have come
    this far too: without the row lock both would pass the state check; with it the second
    is still blocked on the row, so the first goes on alone."""
    arrived = [threading.Event(), threading.Event()]
    counter = iter(range(2))
    original = getattr(module, name)

    def slow(d):
        locked = original(d)
        i = next(counter)
        arrived[i].set()
        arrived[1 - i].wait(1)
        return locked

    monkeypatch.setattr(module, name, slow)


def test_two_accepts_apply_once(transactional_db, drc, make_directive, monkeypatch):
    d = make_directive()
    completion.completion_report(actor=drc["justice_head"], directive_id=d.pk)
    _race(monkeypatch, completion, "lock_chain")
    results: list[str] = []
    givers = [drc["leader"], drc["deputy"]]

    def worker(i: int) -> None:
        try:
            completion.completion_accept(actor=givers[i], directive_id=d.pk)
            results.append("ok")
        except AppError as err:
            results.append(f"{err.status}:{err.code}")

    assert run_threads(worker, 2) == []
    assert sorted(results) == ["409:invalid_state", "ok"]
    assert DirectiveEvent.objects.filter(directive=d, kind="accepted").count() == 1
    assert AuditEvent.objects.filter(action="directive.accept", object_id=str(d.pk)).count() == 1
    assert Directive.objects.get(pk=d.pk).state == "done"


def test_two_decisions_apply_once(transactional_db, drc, make_directive, monkeypatch):
    d = make_directive()
    req = extensions.extension_request(actor=drc["justice_head"], directive_id=d.pk,
                                       reason="Chờ số liệu",
                                       proposed_date=d.due_date + dt.timedelta(days=10))
    _race(monkeypatch, extensions, "lock_chain")
    results: list[str] = []
    # One giver approves with one date, the other with another: exactly one wins.
    plans = [(drc["leader"], d.due_date + dt.timedelta(days=10)),
             (drc["deputy"], d.due_date + dt.timedelta(days=20))]

    def worker(i: int) -> None:
        who, day = plans[i]
        try:
            extensions.extension_decide(actor=who, directive_id=d.pk, request_id=req.pk,
                                        approve=True, decided_date=day)
            results.append(f"ok:{i}")
        except AppError as err:
            results.append(f"{err.status}:{err.code}")

    assert run_threads(worker, 2) == []
    assert sorted(r.split(":")[0] for r in results) == ["409", "ok"]
    assert "409:already_decided" in results
    winner = int(next(r for r in results if r.startswith("ok")).split(":")[1])
    d.refresh_from_db()
    assert d.due_date == plans[winner][1]
    assert DirectiveEvent.objects.filter(directive=d, kind="extension_approved").count() == 1
    assert ExtensionRequest.objects.get(pk=req.pk).decided_by == plans[winner][0]
