"""The processing actions: steps with their due times and Mẫu 06 rows, pauses that move the
promised time, a second supplement recorded as a breach, the apology once and only before the
deadline, the result, return, stop, withdrawal, and 409 for every action the state refuses."""

from __future__ import annotations

import datetime as dt

import pytest

from egov.core.errors import AppError, InvalidInput
from egov.core.models import AuditEvent, WorkItem
from egov.onestop.models import Dossier, DossierEvent, DossierHandover, DossierPause, Slip
from egov.onestop.services import intake
from egov.onestop.services import processing as p

from . import services_support as support
from .services_support import ALL, APPLICANT, at, make_procedure

desk, clock = support.desk, support.clock  # fixtures

pytestmark = pytest.mark.django_db


def received(desk, clock, when=None, **kw):
    clock(when or at(2026, 12, 1, 9))
    return intake.dossier_intake(actor=desk["officer"], agency=desk["commune"],
                                 procedure_code="1.001234", applicant=APPLICANT,
                                 components=ALL, **kw).dossier


def fresh(d):
    return Dossier.objects.get(pk=d.pk)


def test_forward_through_the_steps_with_due_times_and_control_rows(desk, clock):
    make_procedure(days=5)  # steps 1 + 3 + 1 working days
    d = received(desk, clock)
    clock(at(2026, 12, 1, 10))
    p.dossier_forward(actor=desk["officer"], code=d.code)
    d = fresh(d)
    assert d.state == "processing" and d.current_step == 1
    rows = list(DossierHandover.objects.filter(dossier=d).order_by("step_no"))
    assert rows[0].handed_at == at(2026, 12, 1, 10) and rows[0].outcome == "on_time"
    assert rows[0].work_item.state == "done"
    assert rows[1].due_at == at(2026, 12, 2, 9) and rows[1].unit == desk["commune"]
    assert rows[1].work_item.assignee_unit == desk["commune"]
    clock(at(2026, 12, 3, 9))  # a day late for step 1
    p.dossier_forward(actor=desk["processor"], code=d.code)
    step1 = DossierHandover.objects.get(dossier=d, step_no=1)
    assert step1.outcome == "late" and step1.handed_by == desk["processor"]
    step2 = DossierHandover.objects.get(dossier=d, step_no=2)
    assert step2.due_at == at(2026, 12, 7, 9)
    clock(at(2026, 12, 4, 9))
    p.dossier_forward(actor=desk["processor"], code=d.code)
    last = DossierHandover.objects.get(dossier=d, step_no=3)
    assert last.due_at == fresh(d).due_at == at(2026, 12, 8, 9)
    with pytest.raises(AppError) as err:
        p.dossier_forward(actor=desk["processor"], code=d.code)
    assert err.value.status == 409 and err.value.code == "last_step"


def test_late_forward_after_1500_is_flagged(desk, clock):
    make_procedure(days=5)
    d = received(desk, clock, at(2026, 12, 2, 16, 10))
    clock(at(2026, 12, 3, 8, 0))  # the next morning: late against 07:30
    p.dossier_forward(actor=desk["officer"], code=d.code)
    ev = DossierEvent.objects.get(dossier=d, kind="forward")
    assert ev.details["late_forward"] is True
    assert DossierHandover.objects.get(dossier=d, step_no=0).outcome == "late"


def test_pause_moves_due_and_second_request_is_recorded(desk, clock):
    make_procedure(days=5)
    d = received(desk, clock)  # Tue 1/12 09:00 → due Tue 8/12 09:00
    clock(at(2026, 12, 1, 10))
    p.dossier_forward(actor=desk["officer"], code=d.code)
    clock(at(2026, 12, 2, 10))
    p.dossier_request_supplement(actor=desk["processor"], code=d.code,
                                 items=["Bản sao giấy chứng sinh"])
    d = fresh(d)
    assert d.state == "supplement" and d.paused_since == at(2026, 12, 2, 10)
    assert d.supplement_requests == 1
    assert Slip.objects.filter(dossier=d, form="02").count() == 1
    clock(at(2026, 12, 4, 11))
    p.dossier_supplement_received(actor=desk["officer"], code=d.code)
    d = fresh(d)
    assert d.state == "processing" and d.paused_since is None
    assert d.due_at == at(2026, 12, 10, 9) and d.paused_days == 2
    assert d.original_due_at == at(2026, 12, 8, 9)
    # The open step's due time moved by the pause.
    step1 = DossierHandover.objects.get(dossier=d, step_no=1)
    assert step1.due_at == at(2026, 12, 4, 9) and step1.work_item.due_at == at(2026, 12, 4, 9)
    # A second request: allowed, recorded as a breach of "một lần".
    clock(at(2026, 12, 7, 9))
    p.dossier_request_supplement(actor=desk["processor"], code=d.code, items=["Tờ khai"])
    ev = DossierEvent.objects.filter(dossier=d, kind="request_supplement").order_by("-id")[0]
    assert ev.details["breach_once"] is True and ev.details["request"] == 2
    clock(at(2026, 12, 8, 9))
    p.dossier_supplement_received(actor=desk["officer"], code=d.code)
    d = fresh(d)
    assert d.supplement_requests == 2 and d.paused_days == 3
    assert d.due_at == at(2026, 12, 11, 9)
    assert DossierPause.objects.filter(dossier=d, ended_at__isnull=True).count() == 0


def test_guidance_then_supplement_starts_the_clock(desk, clock):
    make_procedure(days=5)
    clock(at(2026, 12, 1, 9))
    d = intake.dossier_intake(actor=desk["officer"], agency=desk["commune"],
                              procedure_code="1.001234", applicant=APPLICANT,
                              components=[{"code": "TK", "provided": True}]).dossier
    clock(at(2026, 12, 3, 14))
    p.dossier_supplement_received(actor=desk["officer"], code=d.code)
    d = fresh(d)
    assert d.state == "received" and d.received_at == at(2026, 12, 3, 14)
    assert d.due_at == at(2026, 12, 10, 14)
    assert Slip.objects.filter(dossier=d, form="01").count() == 1


def test_apology_once_and_only_before_the_deadline(desk, clock):
    make_procedure(days=5)
    d = received(desk, clock)
    clock(at(2026, 12, 7, 9))
    with pytest.raises(InvalidInput):  # not after the promised time
        p.dossier_apologise(actor=desk["leader"], code=d.code, new_due=dt.date(2026, 12, 7),
                            reason="Cần xác minh")
    p.dossier_apologise(actor=desk["leader"], code=d.code, new_due=dt.date(2026, 12, 15),
                        reason="Cần xác minh")
    d = fresh(d)
    assert d.rescheduled_at == at(2026, 12, 15, 17) and d.due_at == at(2026, 12, 8, 9)
    slip = Slip.objects.get(dossier=d, form="04")
    assert slip.number.endswith("/PXL")
    with pytest.raises(AppError) as err:
        p.dossier_apologise(actor=desk["leader"], code=d.code, new_due=dt.date(2026, 12, 20),
                            reason="Lần hai")
    assert err.value.status == 409 and err.value.code == "already_apologised"
    other = received(desk, clock)
    clock(at(2026, 12, 8, 9, 1))  # past the promised time
    with pytest.raises(AppError) as err:
        p.dossier_apologise(actor=desk["leader"], code=other.code,
                            new_due=dt.date(2026, 12, 20), reason="Muộn")
    assert err.value.status == 409 and err.value.code == "past_deadline"


def test_resolve_paper_return_and_outcome(desk, clock):
    make_procedure(days=5)
    d = received(desk, clock)
    clock(at(2026, 12, 1, 10))
    p.dossier_forward(actor=desk["officer"], code=d.code)
    clock(at(2026, 12, 4, 10))
    p.dossier_resolve(actor=desk["leader"], code=d.code, medium="paper", number="123/GKS")
    d = fresh(d)
    assert d.state == "resolved" and d.ended_at == at(2026, 12, 4, 10) and d.outcome == "early"
    ret = DossierHandover.objects.get(dossier=d, handed_at__isnull=True)
    assert ret.unit == desk["commune"] and ret.work_item.kind == "onestop.return"
    clock(at(2026, 12, 4, 15))
    p.dossier_return(actor=desk["officer"], code=d.code, via="post")
    d = fresh(d)
    assert d.state == "returned" and d.returned_via == "post"
    assert not WorkItem.objects.filter(module="onestop", state="open").exists()
    assert AuditEvent.objects.order_by("-seq").first().action == "onestop.dossier.return"


def test_resolve_electronic_needs_the_agency_certificate(desk, clock):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tests.pdf_samples import clean_pdf

    make_procedure(days=5)
    d = received(desk, clock)
    p.dossier_forward(actor=desk["officer"], code=d.code)
    upload = SimpleUploadedFile("kq.pdf", clean_pdf(), content_type="application/pdf")
    with pytest.raises(InvalidInput) as err:
        p.dossier_resolve(actor=desk["leader"], code=d.code, medium="electronic",
                          upload=upload)
    assert err.value.code == "no_certificate"
    assert fresh(d).state == "processing"


def test_stop_during_a_pause_and_withdraw(desk, clock):
    make_procedure(days=5)
    d = received(desk, clock)
    clock(at(2026, 12, 2, 10))
    p.dossier_request_supplement(actor=desk["officer"], code=d.code, items=["Tờ khai"])
    clock(at(2026, 12, 3, 10))
    p.dossier_stop(actor=desk["leader"], code=d.code, reason="Người nộp đề nghị dừng")
    d = fresh(d)
    assert d.state == "stopped" and d.ended_at == at(2026, 12, 3, 10)
    assert d.paused_since is None and d.paused_days == 1 and d.outcome == "early"
    assert Slip.objects.filter(dossier=d, form="05").count() == 1
    assert not WorkItem.objects.filter(module="onestop", state="open").exists()
    e = received(desk, clock)
    p.dossier_withdraw(actor=desk["officer"], code=e.code)
    assert fresh(e).state == "withdrawn"


ACTIONS = {
    "forward": lambda a, c: p.dossier_forward(actor=a, code=c),
    "request-supplement": lambda a, c: p.dossier_request_supplement(actor=a, code=c,
                                                                    items=["x"]),
    "supplement-received": lambda a, c: p.dossier_supplement_received(actor=a, code=c),
    "apologise": lambda a, c: p.dossier_apologise(actor=a, code=c,
                                                  new_due=dt.date(2027, 1, 30), reason="x"),
    "resolve": lambda a, c: p.dossier_resolve(actor=a, code=c, medium="paper", number="1"),
    "return": lambda a, c: p.dossier_return(actor=a, code=c),
    "stop": lambda a, c: p.dossier_stop(actor=a, code=c, reason="x"),
    "withdraw": lambda a, c: p.dossier_withdraw(actor=a, code=c),
    "accept": lambda a, c: intake.dossier_accept(actor=a, code=c),
    "refuse": lambda a, c: intake.dossier_refuse(actor=a, code=c, reason="x"),
}
ALLOWED = {
    "received": {"forward", "request-supplement", "apologise", "stop", "withdraw"},
    "returned": set(),
    "refused": set(),
}


@pytest.mark.parametrize("state", sorted(ALLOWED))
def test_409_for_every_disallowed_action(desk, clock, state):
    from django.contrib.auth import get_user_model

    make_procedure(days=5)
    su = get_user_model().objects.create_superuser("root", password="x-Mat-khau-2026")
    if state == "refused":
        clock(at(2026, 12, 1, 9))
        d = intake.dossier_intake(actor=su, agency=desk["commune"], procedure_code="1.001234",
                                  applicant=APPLICANT, components=ALL,
                                  refuse_reason="x").dossier
    else:
        d = received(desk, clock)
    if state == "returned":
        p.dossier_forward(actor=su, code=d.code)
        p.dossier_resolve(actor=su, code=d.code, medium="paper", number="1")
        p.dossier_return(actor=su, code=d.code)
    label = fresh(d).get_state_display()
    for action, run in ACTIONS.items():
        if action in ALLOWED[state]:
            continue
        before = (Dossier.objects.values_list("state", "due_at").get(pk=d.pk),
                  AuditEvent.objects.count(), DossierEvent.objects.count())
        with pytest.raises(AppError) as err:
            run(su, d.code)
        assert err.value.status == 409, action
        assert err.value.code in ("invalid_state", "last_step"), action
        if err.value.code == "invalid_state":
            assert label in err.value.message
        after = (Dossier.objects.values_list("state", "due_at").get(pk=d.pk),
                 AuditEvent.objects.count(), DossierEvent.objects.count())
        assert after == before, action


def test_resolve_electronic_signed_with_the_agency_certificate(desk, clock, make_user):
    from django.contrib.auth import get_user_model
    from django.core.files.uploadedfile import SimpleUploadedFile
    from pyhanko.pdf_utils.reader import PdfFileReader

    from egov.core.files import file_open
    from egov.signing import pki, services
    from tests.pdf_samples import clean_pdf

    root = pki.create_root_ca("Test Root", "Kiểm thử")
    org = pki.issue_certificate(root, "UBND xã An Bình", organization="UBND xã An Bình",
                                locality="An Bình", algorithm="ecdsa")
    admin = get_user_model().objects.create_superuser("admin1", password="x-Mat-khau-2026")
    services.certificate_register_pkcs12(
        actor=admin, owner_unit=desk["commune"], password="pw",
        pkcs12=pki.export_pkcs12(org, "pw", chain=[root.certificate]))
    make_procedure(days=5)
    # The certificate was issued now (real time): work after it.
    d = received(desk, clock, dt.datetime.now(dt.UTC) + dt.timedelta(minutes=1))
    p.dossier_forward(actor=desk["officer"], code=d.code)
    upload = SimpleUploadedFile("kq.pdf", clean_pdf(), content_type="application/pdf")
    p.dossier_resolve(actor=desk["leader"], code=d.code, medium="electronic", upload=upload)
    d = fresh(d)
    assert d.state == "resolved" and d.result_medium == "electronic"
    with file_open(d.result_file) as fh:
        reader = PdfFileReader(fh)
        sigs = reader.embedded_signatures
        assert len(sigs) == 1
        assert "An Bình" in sigs[0].signer_cert.subject.human_friendly
    assert d.result_file.derived_from is not None


def test_forward_with_a_stale_step_is_refused(desk, clock):
    make_procedure(days=5)
    d = received(desk, clock)
    p.dossier_forward(actor=desk["officer"], code=d.code, step=0)
    with pytest.raises(AppError) as err:  # a double submission of the same hand-over
        p.dossier_forward(actor=desk["officer"], code=d.code, step=0)
    assert err.value.status == 409 and err.value.code == "stale_step"
    assert fresh(d).current_step == 1
