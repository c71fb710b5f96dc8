"""Helpers of the plan-import, bulk and from-documents tests: an issued plan (kế hoạch), an
incoming document, and XLSX files built with openpyxl."""

from __future__ import annotations

import datetime as dt
import io
import itertools

from django.utils import timezone

from egov.documents.models import (
    DocumentType,
    IncomingDocument,
    OutgoingDocument,
    OutgoingState,
    Register,
)

HEADER = ["Mã", "Nội dung", "Đơn vị chủ trì", "Đơn vị phối hợp", "Thời hạn", "Ưu tiên",
          "Ghi chú"]
_numbers = itertools.count(1)


def issued_plan(drc, *, state=OutgoingState.ISSUED, subject="Kế hoạch cải cách hành chính "
                "năm 2027"):
    n = next(_numbers)
    return OutgoingDocument.objects.create(
        agency=drc["province"], drafting_unit=drc["office"], drafter=drc["clerk"],
        doc_type=DocumentType.objects.get(code="KH"), subject=subject, signer=drc["leader"],
        state=state, year=2026, number=n if state == OutgoingState.ISSUED else None,
        code=f"{n}/KH-UBND" if state == OutgoingState.ISSUED else "",
        issued_date=timezone.localdate() if state == OutgoingState.ISSUED else None)


def incoming_doc(drc, subject="V/v triển khai chuyển đổi số năm 2027"):
    register, _ = Register.objects.get_or_create(
        agency=drc["province"], direction="incoming", kind="incoming",
        defaults={"name": "Sổ văn bản đến"})
    return IncomingDocument.objects.create(
        agency=drc["province"], register=register, year=2026, arrival_number=next(_numbers),
        arrival_date=timezone.now(), issuer_name="Bộ Thông tin và Truyền thông",
        issued_date=dt.date(2026, 11, 5), doc_type=DocumentType.objects.get(code="CV"),
        subject=subject, registered_by=drc["clerk"], signer_name="Nguyễn Văn Ký")


def xlsx(rows, header=HEADER, *, formula_at=None) -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    if header is not None:
        sheet.append(list(header))
    for row in rows:
        sheet.append(list(row))
    if formula_at:
        sheet[formula_at] = "=TODAY()+30"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def due(days=60) -> str:
    return (timezone.localdate() + dt.timedelta(days=days)).strftime("%d/%m/%Y")


def task_rows(n: int, drc, *, prefix="T", days=60):
    return [[f"{prefix}{i}", f"Nhiệm vụ số {i} của kế hoạch", drc["justice"].electronic_id,
             "Sở Tài chính" if i % 2 else "", due(days), "Cao" if i % 3 == 0 else "", ""]
            for i in range(1, n + 1)]
