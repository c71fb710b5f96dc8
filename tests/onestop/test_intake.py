"""Intake at the counter: validation (nothing written on error), the three outcomes with their
slips, the clock over real holidays and the 15:00 rule, the register entry and the desk's work
item."""

from __future__ import annotations

import pytest

from egov.core.errors import AppError, InvalidInput, PermissionDenied
from egov.core.models import AuditEvent, Sequence, WorkItem
from egov.onestop.models import Dossier, DossierHandover, DossierState, Slip
from egov.onestop.services import intake

from . import services_support as support
from .services_support import ALL, APPLICANT, at, make_procedure

desk, clock = support.desk, support.clock  # fixtures

pytestmark = pytest.mark.django_db


def counts():
    return (Dossier.objects.count(), Slip.objects.count(), WorkItem.objects.count(),
            DossierHandover.objects.count(), AuditEvent.objects.count(),
            Sequence.objects.count())


def receive(desk, **kw):
    args = {"actor": desk["officer"], "agency": desk["commune"], "procedure_code": "1.001234",
            "applicant": APPLICANT, "components": ALL}
    args.update(kw)
    return intake.dossier_intake(**args)


def test_complete_dossier_is_received_with_receipt_and_work_item(desk, clock):
    make_procedure(days=5)
    if clock(at(2026, 12, 1, 9, 30)):
        result = receive(desk)
    d = result.dossier
    assert result.status == "received" and d.state == DossierState.RECEIVED
    assert d.code == "000.01.00.T99-261201-0001"
    assert d.received_at == at(2026, 12, 1, 9, 30)
    assert d.due_at == d.original_due_at == at(2026, 12, 8, 9, 30)
    assert d.forward_by == at(2026, 12, 1, 17, 0)
    assert d.competent_unit == desk["commune"]
    assert result.slip.form == "01"
    data = result.slip.data
    assert data["register"] == {"book": 2026, "entry": 1, "text": "Quyển số 2026, Số thứ tự 1"}
    assert [c["code"] for c in data["components"]] == ["TK", "GCS", "KH"]
    h = DossierHandover.objects.get(dossier=d)
    assert h.step_no == 0 and h.unit == desk["commune"] and h.due_at == d.forward_by
    item = h.work_item
    assert item.module == "onestop" and item.assignee_unit == desk["commune"]
    assert item.due_at == d.forward_by and item.state == "open"
    last = AuditEvent.objects.order_by("-seq").first()
    assert last.action == "onestop.dossier.receive" and last.object_id == str(d.pk)
    assert d.check_phone == "5678" and d.check_id == "2345"


def test_received_on_new_years_eve_counts_over_the_announced_holiday(desk, clock):
    # 31/12/2025 10:00 + 1 working day: 1–4/1/2026 off (2/1 swapped with Saturday 10/1).
    make_procedure(days=1, steps=())
    if clock(at(2025, 12, 31, 10)):
        d = receive(desk).dossier
    assert d.due_at == at(2026, 1, 5, 10)


def test_tet_2026(desk, clock):
    make_procedure(days=3, steps=())
    if clock(at(2026, 2, 13, 10)):
        d = receive(desk).dossier
    # Tết Bính Ngọ 16–20/2/2026 off: 23, 24, 25/2.
    assert d.due_at == at(2026, 2, 25, 10)


def test_after_1500_forwarding_next_day_clock_from_receipt(desk, clock):
    make_procedure(days=3)
    if clock(at(2026, 12, 2, 16, 10)):
        d = receive(desk).dossier
    assert d.forward_by == at(2026, 12, 3, 7, 30)
    assert d.due_at == at(2026, 12, 7, 16, 10)


def test_after_1500_flag_moves_the_start(desk, clock):
    make_procedure(days=3, next_day=True)
    if clock(at(2026, 12, 2, 15, 1)):
        d = receive(desk).dossier
    assert d.due_at == at(2026, 12, 8, 7, 30)


def test_incomplete_gives_guidance_listing_everything_missing(desk):
    make_procedure()
    result = receive(desk, components=[{"code": "TK", "provided": False}])
    d = result.dossier
    assert result.status == "supplement_requested" and d.state == DossierState.GUIDANCE
    assert d.received_at is None and d.due_at is None
    assert result.slip.form == "02"
    assert [m["code"] for m in result.slip.data["missing"]] == ["TK", "GCS"]
    assert not WorkItem.objects.exists()


def test_refusal_gives_form_03(desk):
    make_procedure()
    result = receive(desk, refuse_reason="Không thuộc thẩm quyền của xã")
    assert result.status == "refused" and result.dossier.state == DossierState.REFUSED
    assert result.slip.form == "03" and result.slip.number.endswith("/PTC")
    assert result.slip.data["reason"] == "Không thuộc thẩm quyền của xã"


@pytest.mark.parametrize("applicant, field", [
    ({**APPLICANT, "full_name": ""}, "applicant.full_name"),
    ({**APPLICANT, "personal_id": "12345678901"}, "applicant.personal_id"),
    ({**APPLICANT, "personal_id": "00109901234A"}, "applicant.personal_id"),
    ({**APPLICANT, "phone": "12345"}, "applicant.phone"),
    ({**APPLICANT, "email": "not-an-email"}, "applicant.email"),
    ({"kind": "organisation", "full_name": "Công ty A", "tax_code": "12345"},
     "applicant.tax_code"),
])
def test_bad_input_names_the_field_and_writes_nothing(desk, applicant, field):
    make_procedure()
    before = counts()
    with pytest.raises(InvalidInput) as err:
        receive(desk, applicant=applicant)
    assert field in err.value.fields
    assert counts() == before


def test_every_error_at_once(desk):
    make_procedure()
    before = counts()
    with pytest.raises(InvalidInput) as err:
        receive(desk, applicant={"full_name": "", "personal_id": "1", "phone": "x"},
                components=[{"code": "NOPE", "provided": True}], channel="fax", copies=0)
    assert {"applicant.full_name", "applicant.personal_id", "applicant.phone",
            "components.0.code", "channel", "copies"} <= set(err.value.fields)
    assert counts() == before


def test_organisation_tax_codes(desk):
    make_procedure()
    for code, stored in (("0101234567", "0101234567"), ("0101234567-001", "0101234567-001"),
                         ("0101234567001", "0101234567-001")):
        d = receive(desk, applicant={"kind": "organisation", "full_name": "Công ty A",
                                     "tax_code": code}).dossier
        assert d.applicant_id == stored


def test_unknown_procedure(desk):
    before = counts()
    with pytest.raises(InvalidInput) as err:
        receive(desk, procedure_code="9.999999")
    assert err.value.code == "unknown_procedure"
    assert counts() == before


def test_other_agency_and_no_role_refused(desk):
    make_procedure()
    before = counts()
    for actor in (desk["other_officer"], desk["processor"], desk["nobody"]):
        with pytest.raises(PermissionDenied):
            receive(desk, actor=actor)
    assert counts() == before


def test_daily_codes_and_yearly_register(desk, clock):
    make_procedure()
    if clock(at(2026, 12, 1, 9)):
        a, b = receive(desk).dossier, receive(desk).dossier
    if clock(at(2026, 12, 2, 9)):
        c = receive(desk)
    assert [a.code[-11:], b.code[-11:]] == ["261201-0001", "261201-0002"]
    assert c.dossier.code.endswith("261202-0001")
    assert c.slip.data["register"]["entry"] == 3


def test_scanned_file_stored(desk):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tests.pdf_samples import clean_pdf as simple_pdf

    make_procedure()
    upload = SimpleUploadedFile("tk.pdf", simple_pdf(), content_type="application/pdf")
    d = receive(desk, files={"TK": upload}).dossier
    comp = d.components.get(code="TK")
    assert comp.file is not None and comp.digitised


def test_accept_online_dossier(desk):
    from django.db import transaction

    from egov.onestop.services.records import dossier_create, version_in_force

    proc = make_procedure()
    version = version_in_force(proc, at(2026, 12, 1).date())
    comps = [{"component": c, "code": c.code, "name": c.name, "provided": True}
             for c in version.components.all()]
    with transaction.atomic():
        d = dossier_create(actor=None, agency=desk["commune"], competent_unit=desk["commune"],
                           version=version, channel="online", state="submitted",
                           applicant=APPLICANT, components=comps)
    result = intake.dossier_accept(actor=desk["officer"], code=d.code)
    assert result.status == "received" and result.dossier.received_at is not None
    with pytest.raises(AppError) as err:
        intake.dossier_accept(actor=desk["officer"], code=d.code)
    assert err.value.status == 409 and "Đã tiếp nhận" in err.value.message
