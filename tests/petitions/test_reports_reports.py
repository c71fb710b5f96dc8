"""The periodic report, the registers (redacted unless the head exports them, audited then), the
leader's chart, and the satisfaction question after closing (once; e-mail or SMS; answered
once; counted in the report)."""

from __future__ import annotations

import datetime as dt
import io
import re

import pytest
from django.db import transaction
from django.test import Client
from django.utils import timezone
from openpyxl import load_workbook

from egov.core.models import AuditEvent
from egov.core.models_outbox import OutboundMessage
from egov.petitions.models import (
    Outcome,
    PetitionState,
    ReceptionSession,
    ReceptionVisit,
    Satisfaction,
)
from egov.petitions.selectors import reports as sel
from egov.petitions.services import satisfaction as svc
from egov.petitions.services.records import event_write

from .conftest import IDENTITY

pytestmark = pytest.mark.django_db


def client_for(user) -> Client:
    c = Client()
    if user is not None:
        c.force_login(user)
    return c


def close(petition, actor, **fields):
    with transaction.atomic():
        petition.state, petition.closed_at = PetitionState.CLOSED, timezone.now()
        for k, v in fields.items():
            setattr(petition, k, v)
        petition.save()
        event_write(petition=petition, kind="close", actor=actor)


def xlsx_text(body: bytes) -> str:
    wb = load_workbook(io.BytesIO(body), read_only=True)
    return "\n".join(str(c) for ws in wb.worksheets for row in ws.iter_rows(values_only=True)
                     for c in row if c is not None)


def test_periodic_report_figures(make_petition, pet):
    now = timezone.now()
    make_petition(kind="denunciation", signers=3, eligible=True, competent=True)
    make_petition(kind="complaint", channel="portal", competent=False,
                  due_at=now - dt.timedelta(days=1))
    done = make_petition(kind="complaint", instance=2)
    close(done, pet["head"], outcome=Outcome.LATE)
    old = make_petition(kind="proposal", received_at=now - dt.timedelta(days=400))
    old.closed_at, old.state = now - dt.timedelta(days=300), PetitionState.CLOSED
    old.save()  # closed before the period: not in it
    make_petition(kind="feedback", received_at=now - dt.timedelta(days=60))  # carried over
    period = sel.period_for(actor=pet["head"], agency_id=pet["commune"].pk,
                            start=timezone.localdate(now) - dt.timedelta(days=30),
                            end=timezone.localdate(now))  # the local day, as petitions count
    r = sel.periodic_report(period)
    t = r.totals
    assert (t["total"], t["received"], t["carried"]) == (4, 3, 1)
    assert (t["many_signers"], t["single_signer"], t["eligible"]) == (1, 3, 1)
    assert (t["open"], t["settled_later"], t["late"], t["overdue"]) == (3, 1, 1, 1)
    kinds = {row.key: row.values["total"] for row in r.groups["kind"]}
    assert kinds == {"denunciation": 1, "complaint": 2, "feedback": 1}
    channels = {row.key: row.values["total"] for row in r.groups["channel"]}
    assert channels == {"reception": 3, "portal": 1}
    competence = {row.key: row.values["total"] for row in r.groups["competence"]}
    assert competence == {"yes": 1, "no": 1, "undecided": 2}
    assert {row.key: row.values["total"] for row in r.groups["stage"]} == {"open": 3,
                                                                           "later": 1}
    # the API gives the same figures; the page and the XLSX show them
    body = client_for(pet["head"]).get("/api/v1/petitions/reports", {
        "agency": pet["commune"].pk, "start": period.start.isoformat(),
        "end": period.end.isoformat()}).json()
    assert body["totals"] == t
    assert client_for(pet["head"]).get("/petitions/reports/").status_code == 200
    x = client_for(pet["head"]).get("/petitions/reports/report.xlsx")
    assert x.status_code == 200 and "BÁO CÁO" in xlsx_text(x.content)


def test_reports_need_the_grant_and_valid_dates(pet):
    assert client_for(pet["colleague"]).get("/api/v1/petitions/reports").status_code == 403
    assert client_for(pet["colleague"]).get("/petitions/reports/").status_code == 403
    assert client_for(pet["other_head"]).get(
        "/petitions/reports/", {"agency": pet["commune"].pk}).status_code == 403
    c = client_for(pet["head"])
    assert c.get("/api/v1/petitions/reports", {"start": "2026-13-01"}).status_code == 422
    assert c.get("/petitions/reports/", {"start": "2026-05-02",
                                         "end": "2026-05-01"}).status_code == 422
    assert c.get("/petitions/reports/", {"start": "bad"}).status_code == 422


def _register(make_petition, pet):
    p = make_petition()
    with transaction.atomic():
        s = ReceptionSession.objects.create(agency=pet["commune"], day=timezone.localdate(),
                                            officer=pet["reception"])
        ReceptionVisit.objects.create(session=s, number=1, petition=p, summary="Tố cáo cán bộ",
                                      kind="denunciation", people=2, competent=True)
    return p


def test_registers_redacted_unless_the_head_exports(make_petition, pet):
    p = _register(make_petition, pet)
    officer = client_for(pet["reception"])  # reports grant, not the head
    for register in ("reception", "tracking"):
        r = officer.get(f"/petitions/reports/registers/{register}.xlsx")
        text = xlsx_text(r.content)
        assert r.status_code == 200 and IDENTITY["full_name"] not in text
        assert IDENTITY["personal_id"] not in text and "[…]" in text
    r = officer.get("/petitions/reports/registers/tracking.xlsx")
    assert p.code in xlsx_text(r.content)
    assert not AuditEvent.objects.filter(action="petition.identity.export").exists()
    head = client_for(pet["head"])
    r = head.get("/petitions/reports/registers/reception.xlsx")
    text = xlsx_text(r.content)
    assert IDENTITY["full_name"] in text and IDENTITY["personal_id"] in text
    assert "Tố cáo cán bộ" in text
    rows = [row for row in load_workbook(io.BytesIO(r.content)).active.iter_rows(
        values_only=True)]
    assert any(row[:1] == ("STT",) and len([c for c in row if c]) == 13 for row in rows)
    ev = AuditEvent.objects.get(action="petition.identity.export")
    assert ev.details["register"] == "reception" and ev.details["format"] == "xlsx"
    pdf = head.get("/petitions/reports/registers/reception.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF-")
    assert head.get("/petitions/reports/registers/other.pdf").status_code == 404


def test_leader_chart_links_to_the_lists(make_petition, pet):
    now = timezone.now()
    make_petition(handling_unit=pet["division"], due_at=now - dt.timedelta(days=2))
    make_petition(handling_unit=pet["division"], due_at=now + dt.timedelta(days=10))
    make_petition()
    loads = sel.overdue_by_unit(actor=pet["head"], agency=pet["commune"])
    by = {u.unit_id: (u.open, u.overdue) for u in loads}
    assert by == {pet["division"].pk: (2, 1), None: (1, 0)}
    r = client_for(pet["head"]).get("/petitions/reports/leader/")
    html = r.content.decode()
    assert r.status_code == 200 and "<svg" in html
    assert not re.search(r"<script(?![^>]*\bsrc=)", html) and " style=" not in html
    link = f"/petitions/?agency={pet['division'].pk}&amp;open=1&amp;overdue=1"
    assert link in html
    c = client_for(pet["head"])
    for params, n in (({"agency": pet["division"].pk, "open": "1", "overdue": "1"}, 1),
                      ({"agency": pet["division"].pk, "open": "1"}, 2),
                      ({"agency": pet["commune"].pk, "open": "1", "unassigned": "1"}, 1),
                      ({"agency": pet["commune"].pk, "open": "1", "due_soon": "1"}, 0)):
        listed = c.get("/petitions/", params).content.decode()
        assert listed.count('data-id="') == n, params


SATISFACTION = "petitions.satisfaction"


def test_satisfaction_asked_once_by_email_then_answered_once(make_petition, pet):
    p = make_petition()
    close(p, pet["head"])
    row = Satisfaction.objects.get(petition=p)
    # The question itself (the workflow's closing notice goes out beside it).
    msgs = OutboundMessage.objects.filter(module="petitions", template_code=SATISFACTION)
    assert msgs.count() == 1
    m = msgs.get()
    assert m.channel == "email" and m.recipient == IDENTITY["email"]
    assert f"/public/petitions/answer/{row.token}/" in m.body
    assert "Hùng" not in m.body and "đất" not in m.body  # never the content
    # closing again (second instance closed) asks nothing more
    close(p, pet["head"])
    assert OutboundMessage.objects.filter(module="petitions",
                                          template_code=SATISFACTION).count() == 1
    c = Client()
    url = f"/public/petitions/answer/{row.token}/"
    assert c.get(url).status_code == 200
    assert c.post(url, {"resolved": "maybe"}).status_code == 422
    r = c.post(url, {"resolved": "no", "comment": "Chưa thỏa đáng"})
    assert r.status_code == 200
    row.refresh_from_db()
    assert row.resolved is False and row.comment == "Chưa thỏa đáng" and row.answered_at
    r = c.post(url, {"resolved": "yes"})
    assert r.status_code == 409 and "already" in r.content.decode().lower() or \
        "đã được ghi nhận" in r.content.decode()
    row.refresh_from_db()
    assert row.resolved is False
    assert c.get("/public/petitions/answer/" + "z" * 32 + "/").status_code == 404
    assert p.events.filter(kind="satisfaction").count() == 1


def test_satisfaction_by_sms_without_email_and_not_without_contact(make_petition, pet):
    by_sms = make_petition(identity={**IDENTITY, "email": ""})
    close(by_sms, pet["head"])
    m = OutboundMessage.objects.get(module="petitions", template_code=SATISFACTION)
    assert m.channel == "sms" and m.recipient.endswith("987654321")
    nobody = make_petition(identity={"full_name": "", "personal_id": "", "phone": "",
                                     "email": "", "address": ""}, anonymous=True)
    close(nobody, pet["head"])
    assert not Satisfaction.objects.filter(petition=nobody).exists()


def test_satisfaction_answers_feed_the_report(make_petition, pet):
    ps = [make_petition() for _ in range(3)]
    for p in ps:
        close(p, pet["head"])
    rows = list(Satisfaction.objects.order_by("petition_id"))
    svc.satisfaction_answer(token=rows[0].token, resolved=True)
    svc.satisfaction_answer(token=rows[1].token, resolved=False, comment="")
    period = sel.period_for(actor=pet["head"], agency_id=pet["commune"].pk, start=None,
                            end=None)
    counts = sel.periodic_report(period).satisfaction
    assert counts == {"asked": 3, "resolved": 1, "not_resolved": 1, "no_answer": 1}
    with pytest.raises(Exception) as err:
        svc.satisfaction_answer(token=rows[0].token, resolved=False)
    assert getattr(err.value, "code", "") == "already_answered"
