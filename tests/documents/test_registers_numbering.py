"""Outgoing registers and numbering (NĐ 30/2020 Điều 15; Phụ lục I §II.3.a): the choice of the
series, the clerk's configuration, and 20 clerks issuing at once without duplicate or gap."""

from __future__ import annotations

import threading

import pytest
from django.utils import timezone

from egov.core.errors import InvalidInput, PermissionDenied
from egov.core.models import AuditEvent, Sequence
from egov.documents.models import DocumentType, OutgoingDocument, Register
from egov.documents.services import outgoing as svc
from egov.documents.services.registers import (
    outgoing_register_for,
    register_create,
    register_update,
)
from tests.concurrency import run_threads
from tests.documents.test_outgoing_support import approved, issued


def _type(code: str) -> DocumentType:
    return DocumentType.objects.get(code=code)


# --- the choice of the register -----------------------------------------------------------------


@pytest.mark.django_db
def test_default_registers_are_created_on_first_use(docs_org):
    agency = docs_org["province"]
    assert not Register.objects.filter(agency=agency).exists()
    shared = outgoing_register_for(agency=agency, doc_type=_type("QD"))
    assert (shared.kind, shared.name, shared.direction) == ("shared", "Sổ đăng ký văn bản đi",
                                                            "outgoing")
    assert outgoing_register_for(agency=agency, doc_type=_type("TB")) == shared
    assert outgoing_register_for(agency=agency, doc_type=_type("CV")) == shared
    copy = outgoing_register_for(agency=agency, doc_type=_type("SY"))
    assert copy.kind == "copy" and copy.name == "Sổ đăng ký bản sao"
    assert outgoing_register_for(agency=agency, doc_type=_type("SL")) == copy
    assert outgoing_register_for(agency=agency, doc_type=_type("QD"), copy=True) == copy
    qppl = outgoing_register_for(agency=agency, doc_type=_type("QD_QPPL"))
    nq = outgoing_register_for(agency=agency, doc_type=_type("NQ_QPPL"))
    assert qppl.kind == nq.kind == "legal_normative" and qppl != nq  # one series per type
    assert qppl.year_in_notation and not shared.year_in_notation
    assert list(qppl.document_types.values_list("code", flat=True)) == ["QD_QPPL"]
    # Another agency gets its own registers.
    assert outgoing_register_for(agency=docs_org["justice"], doc_type=_type("QD")) != shared
    assert Register.objects.filter(agency=agency).count() == 4


@pytest.mark.django_db
def test_per_type_series_when_the_agency_configures_it(docs_org):
    o = docs_org
    register_create(actor=o["clerk"], agency=o["province"], kind="per_type",
                    name="Sổ quyết định", document_types=["QD"])
    assert issued(o).code == "01/QĐ-UBND"
    assert issued(o, type_code="TB", subject="Thông báo kết luận").code == "01/TB-UBND"
    assert issued(o, type_code="KH", subject="Kế hoạch").code == "02/KH-UBND"  # shared series
    assert issued(o).code == "02/QĐ-UBND"


@pytest.mark.django_db
def test_one_shared_series_by_default(docs_org):
    o = docs_org
    codes = [issued(o).code, issued(o, type_code="TB").code,
             issued(o, type_code="CV", field_abbreviation="VP").code]
    assert codes == ["01/QĐ-UBND", "02/TB-UBND", "03/UBND-VP"]


@pytest.mark.django_db
def test_closing_a_per_type_register_falls_back_to_the_shared_one(docs_org):
    o = docs_org
    per_type = register_create(actor=o["clerk"], agency=o["province"], kind="per_type",
                               name="Sổ quyết định", document_types=["QD"])
    register_update(actor=o["clerk"], register=per_type, is_active=False, name="Sổ QĐ (đóng)")
    per_type.refresh_from_db()
    assert not per_type.is_active and per_type.name == "Sổ QĐ (đóng)"
    assert outgoing_register_for(agency=o["province"], doc_type=_type("QD")).kind == "shared"
    assert AuditEvent.objects.filter(action="documents.register.update").exists()


# --- configuration ------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("kwargs, field", [
    ({"kind": "per_type", "document_types": []}, "document_types"),
    ({"kind": "per_type", "document_types": ["QD_QPPL"]}, "document_types"),
    ({"kind": "per_type", "document_types": ["NOPE"]}, "document_types"),
    ({"kind": "per_type", "document_types": "QD"}, "document_types"),
    ({"kind": "legal_normative", "document_types": ["QD"]}, "document_types"),
    ({"kind": "advisory"}, "issuer_abbreviation"),
    ({"kind": "shared", "document_types": ["QD"]}, "document_types"),
    ({"kind": "incoming"}, "kind"),
    ({"kind": "shared", "name": ""}, "name"),
])
def test_register_configuration_is_validated(docs_org, kwargs, field):
    before = Register.objects.count()
    params = {"name": "Sổ", **kwargs}
    with pytest.raises(InvalidInput) as exc:
        register_create(actor=docs_org["clerk"], agency=docs_org["province"], **params)
    assert field in exc.value.fields
    assert Register.objects.count() == before


@pytest.mark.django_db
def test_each_type_is_numbered_in_one_register_only(docs_org):
    o = docs_org
    register_create(actor=o["clerk"], agency=o["province"], kind="per_type", name="A",
                    document_types=["QD", "CT"])
    with pytest.raises(InvalidInput) as exc:
        register_create(actor=o["clerk"], agency=o["province"], kind="per_type", name="B",
                        document_types=["TB", "CT"])
    assert "CT" in exc.value.fields["document_types"][0]
    outgoing_register_for(agency=o["province"], doc_type=_type("TB"))  # the default shared one
    with pytest.raises(InvalidInput) as exc:
        register_create(actor=o["clerk"], agency=o["province"], kind="shared", name="C")
    assert "kind" in exc.value.fields
    register_create(actor=o["clerk"], agency=o["province"], kind="advisory", name="HĐ",
                    issuer_abbreviation="HĐTĐ")
    with pytest.raises(InvalidInput):
        register_create(actor=o["clerk"], agency=o["province"], kind="advisory", name="HĐ2",
                        issuer_abbreviation="HĐTĐ")


@pytest.mark.django_db
def test_register_configuration_needs_the_permission(docs_org):
    o = docs_org
    for actor in (o["officer"], o["leader"], o["justice_clerk"]):
        with pytest.raises(PermissionDenied):
            register_create(actor=actor, agency=o["province"], kind="shared", name="Sổ")
    with pytest.raises(InvalidInput) as exc:  # a division has no registers of its own
        register_create(actor=o["clerk"], agency=o["economy"], kind="shared", name="Sổ")
    assert "agency_id" in exc.value.fields
    register = register_create(actor=o["clerk"], agency=o["province"], kind="shared", name="Sổ")
    with pytest.raises(PermissionDenied):
        register_update(actor=o["justice_clerk"], register=register, name="Khác")


# --- concurrency --------------------------------------------------------------------------------




def test_twenty_clerks_issue_at_once_without_duplicate_or_gap(transactional_db, make_user):
    o = _org(make_user)
    docs = [approved(o, subject=f"Quyết định số thứ tự {i}") for i in range(20)]
    clerks = [make_user(f"vanthu{i}", o["office"], "clerk", title="Văn thư") for i in range(20)]
    year = timezone.localdate().year

    def issue(i: int) -> None:
        document = OutgoingDocument.objects.get(pk=docs[i].pk)
        svc.outgoing_issue(actor=clerks[i], document=document, medium="paper")

    errors = run_threads(issue, 20)
    assert not errors, errors
    rows = list(OutgoingDocument.objects.filter(pk__in=[d.pk for d in docs])
                .values_list("number", "code", "state", "year"))
    assert sorted(n for n, *_ in rows) == list(range(1, 21))  # no gap, no duplicate
    assert len({code for _n, code, *_ in rows}) == 20
    assert {(state, y) for _n, _c, state, y in rows} == {("issued", year)}
    assert Register.objects.filter(agency=o["province"], kind="shared").count() == 1
    register = Register.objects.get(agency=o["province"], kind="shared")
    assert Sequence.objects.get(scope=register.sequence_scope, series="outgoing",
                                year=year).last_value == 20


def test_default_register_is_created_once_under_concurrency(transactional_db, make_user):
    o = _org(make_user)
    found: list[int] = []
    lock = threading.Lock()

    def pick(i: int) -> None:
        register = outgoing_register_for(agency=o["province"],
                                         doc_type=_type("TB" if i % 2 else "QD"))
        with lock:
            found.append(register.pk)

    errors = run_threads(pick, 8)
    assert not errors, errors
    assert len(set(found)) == 1
    assert Register.objects.filter(agency=o["province"]).count() == 1


def _org(make_user) -> dict:
    """The docs_org people, built after the catalogues are seeded (transactional tests)."""
    from egov.core.models import OrgUnit, OrgUnitKind

    province = OrgUnit.objects.create(
        kind=OrgUnitKind.PROVINCE_COMMITTEE, name="Ủy ban nhân dân tỉnh Thử Nghiệm",
        abbreviation="UBND", electronic_id="000.00.00.T99", place_name="Thử Nghiệm")
    office = OrgUnit.objects.create(kind=OrgUnitKind.DIVISION, name="Văn phòng UBND tỉnh",
                                    abbreviation="VP", parent=province)
    economy = OrgUnit.objects.create(kind=OrgUnitKind.DIVISION, name="Phòng Kinh tế",
                                     abbreviation="KT", parent=province)
    return {
        "province": province, "office": office, "economy": economy,
        "clerk": make_user("vanthu", office, "clerk", title="Văn thư"),
        # The name the drafts print in their signer block (tests/documents/conftest.make_pdf).
        "leader": make_user("chutich", province, "leader", title="Chủ tịch",
                            full_name="Trần Văn Chủ Tịch"),
        "unit_head": make_user("truongphong", economy, "unit_head", title="Trưởng phòng"),
        "officer": make_user("chuyenvien", economy, "officer", title="Chuyên viên"),
    }
