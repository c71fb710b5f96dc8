"""Fixtures of the public one-stop tests (online application, look-up, rating): a commune-level
procedure offered online with two components and two steps, and dossiers made with
records.dossier_create whose state and clock are then set directly (the intake and processing
services are another part's)."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.db import transaction

from egov.core.calendar import LOCAL_TZ

APPLICANT = {"kind": "person", "full_name": "Nguyễn Thị Hoa", "personal_id": "001190012345",
             "address": "12 Đường Lúa, thôn Đông, xã An Bình", "phone": "0912345678",
             "email": "hoa.nguyen@example.vn"}
PERSONAL = ["Nguyễn Thị Hoa", "001190012345", "0912345678", "hoa.nguyen@example.vn",
            "12 Đường Lúa", "Hoa"]


def local(y, m, d, hh=9, mm=0):
    return dt.datetime(y, m, d, hh, mm, tzinfo=LOCAL_TZ)


def png_bytes() -> bytes:
    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (8, 8), (200, 10, 10)).save(buf, format="PNG")
    return buf.getvalue()


def pdf_bytes() -> bytes:
    return (b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
            b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
            b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 10 10]>>endobj\n"
            b"xref\n0 4\n0000000000 65535 f \n0000000009 00000 n \n0000000052 00000 n \n"
            b"0000000101 00000 n \ntrailer<</Size 4/Root 1 0 R>>\nstartxref\n160\n%%EOF\n")


@pytest.fixture(name="procedure")
def procedure_fixture(org):
    from egov.core.models import OrgUnit, OrgUnitKind
    from egov.onestop.models import (
        Procedure,
        ProcedureComponent,
        ProcedureStep,
        ProcedureVersion,
    )

    division = OrgUnit.objects.create(kind=OrgUnitKind.DIVISION, name="Công chức Tư pháp - Hộ tịch",
                                      parent=org["commune"])
    proc = Procedure.objects.create(code="9.001193", name="Thủ tục đăng ký khai sinh",
                                    level="commune")
    version = ProcedureVersion.objects.create(
        procedure=proc, number=1, name="Thủ tục đăng ký khai sinh", field_name="Hộ tịch",
        level="commune", processing_days=3, fees=[{"name": "Lệ phí", "amount": 0, "note": ""}],
        online_level="full", result_type="Giấy khai sinh",
        legal_basis="Luật Hộ tịch 2014", effective_from=dt.date(2025, 7, 1))
    ProcedureComponent.objects.create(version=version, code="TK", name="Tờ khai đăng ký khai sinh",
                                      ordering=1)
    ProcedureComponent.objects.create(version=version, code="GCS", name="Giấy chứng sinh",
                                      ordering=2)
    ProcedureComponent.objects.create(version=version, code="UQ", name="Văn bản ủy quyền",
                                      required=False, ordering=3)
    ProcedureStep.objects.create(version=version, ordering=1, name="Tiếp nhận, kiểm tra",
                                 days=1)
    ProcedureStep.objects.create(version=version, ordering=2, name="Thẩm định, ghi sổ",
                                 unit=division, days=1)
    ProcedureStep.objects.create(version=version, ordering=3, name="Ký, trả kết quả", days=1)
    return {"procedure": proc, "version": version, "agency": org["commune"],
            "division": division}


@pytest.fixture(name="make_dossier")
def make_dossier_fixture(procedure):
    """make_dossier(state="processing", received_at=..., **fields) → a dossier, its clock set."""
    from egov.onestop import rules
    from egov.onestop.models import Dossier
    from egov.onestop.services import records

    def _make(state="processing", received_at=None, applicant=None, **fields):
        received_at = received_at or local(2026, 12, 1, 9, 0)
        with transaction.atomic():
            dossier = records.dossier_create(
                actor=None, agency=procedure["agency"], competent_unit=procedure["agency"],
                version=procedure["version"], channel="counter", state=state,
                applicant=applicant or APPLICANT, submitted_at=received_at)
            if state not in ("submitted", "guidance", "refused"):
                due = rules.due_at(received_at, 3, next_day_after_cutoff=False)
                Dossier.objects.filter(pk=dossier.pk).update(
                    received_at=received_at, due_at=due, original_due_at=due,
                    **({"current_step": 1} if state == "processing" else {}), **fields)
                records.event_write(dossier=dossier, kind="received",
                                    unit=procedure["agency"], at=received_at,
                                    note="Nguyễn Thị Hoa nộp trực tiếp")
            elif fields:
                Dossier.objects.filter(pk=dossier.pk).update(**fields)
        dossier.refresh_from_db()
        return dossier

    return _make
