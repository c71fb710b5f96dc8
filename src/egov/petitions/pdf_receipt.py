"""The receipt Mẫu 02/TCD (NĐ 154/2026; services.md §2.4) as a PDF, in the NĐ 30/2020 layout
(A4, Times New Roman — Liberation Serif, same metrics, every Vietnamese letter — quốc hiệu and
tiêu ngữ, place-and-date line, signature blocks), with the look-up code, check and a QR code to
the public look-up page.

Rendered from the slip's frozen data (services.receipts), always in Vietnamese. The petitioner's
copy (with their name and ID) is stored on the first download (:func:`receipt_pdf_file`); the
redacted copy for staff who may not read the identity is rendered on demand and never stored.

The slips part (services.slips) owns the registry of renderers: apps.py registers
:func:`render` there for "02_tcd". Intake does not call `slips.slip_issue` (it renders the PDF
inside the transaction, beyond the 100 ms intake budget): services.receipts writes the row and
this module renders and stores the PDF on the first download.
"""

from __future__ import annotations

import datetime as dt
import io
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation

from egov.core import calendar

from .models import Channel, PetitionSlip
from .pdf import html_to_pdf

REDACTED_TEXT = "(đã ẩn theo quy định bảo vệ người tố cáo)"
CHANNEL_WORDS = {Channel.PORTAL: "Gửi đơn trực tuyến qua Cổng thông tin điện tử",
                 Channel.RECEPTION: "Trực tiếp tại nơi tiếp công dân",
                 Channel.ONESTOP: "Trực tiếp tại Bộ phận Một cửa",
                 Channel.EMAIL: "Thư điện tử", Channel.POST: "Qua đường bưu chính",
                 Channel.FORWARDED: "Cơ quan, tổ chức khác chuyển đến"}
DOTS = "…………"

def _local(value) -> dt.datetime | None:
    if not value:
        return None
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value)
    if timezone.is_naive(value):
        value = timezone.make_aware(value, calendar.LOCAL_TZ)
    return calendar.localtime(value)


def _month(m: int) -> str:
    return f"{m:02d}" if m <= 2 else str(m)


def vn_date(value: dt.date | None) -> str:
    """"ngày 05 tháng 01 năm 2026" (NĐ 30/2020 Phụ lục I: a leading zero for days < 10 and
    months 1, 2)."""
    if value is None:
        return DOTS
    return f"ngày {value.day:02d} tháng {_month(value.month)} năm {value.year}"


def vn_time(value) -> str:
    local = _local(value)
    if local is None:
        return DOTS
    return f"{local.hour:02d} giờ {local.minute:02d} phút, {vn_date(local.date())}"


def lookup_url(code: str, check: str = "") -> str:
    """The public look-up page (the QR code's target): with the check, the page opens on the
    petition's status."""
    query = urlencode({"code": code, "check": check} if check else {"code": code})
    return f"{settings.EGOV_SITE_URL}/public/petitions/lookup/?{query}"


def qr_data_uri(url: str) -> str:
    import segno

    return segno.make(url, error="m", micro=False).png_data_uri(scale=4, border=4)


def _agency_lines(agency) -> dict[str, str]:
    parent = agency.parent if agency.parent_id else None
    if agency.kind in ("commune_committee", "province_committee"):
        return {"parent_name": agency.name, "agency_name": "Bộ phận tiếp công dân"}
    return {"parent_name": parent.name if parent else "", "agency_name": agency.name}


def receipt_context(slip: PetitionSlip, *, redacted: bool = False) -> dict[str, Any]:
    data = slip.data or {}
    agency = slip.petition.agency
    provider = dict(data.get("provider") or {})
    if redacted:
        provider = {k: REDACTED_TEXT for k in ("full_name", "personal_id", "address")}
    received = _local(data.get("received_at")) or _local(slip.created_at)
    url = lookup_url(data.get("code", ""), data.get("check", ""))
    place = (data.get("place") or agency.place_name or "").strip() or "……"
    return {
        **_agency_lines(agency), "number": slip.number, "code": data.get("code", ""),
        "check": data.get("check", ""), "place_date": f"{place}, {vn_date(received.date())}",
        "received_text": vn_time(received), "agency_full": data.get("agency") or agency.name,
        "officer": data.get("officer", ""), "provider": provider,
        "channel_text": CHANNEL_WORDS.get(data.get("channel"), DOTS),
        "documents": data.get("documents") or [], "oral": data.get("oral", False),
        "lookup_url": url, "qr": qr_data_uri(url),
    }


def render(slip: PetitionSlip, *, redacted: bool = False) -> bytes:
    with translation.override("vi"):
        html = render_to_string("petitions/pdf/02_tcd.html",
                                receipt_context(slip, redacted=redacted))
    return html_to_pdf(html)


def receipt_filename(slip: PetitionSlip) -> str:
    return f"bien-nhan-{(slip.data or {}).get('code') or slip.pk}.pdf"


def receipt_pdf_file(slip: PetitionSlip):
    """The petitioner's receipt (with their name): rendered and stored on the first download,
    under the slip row's lock (two first downloads store one file)."""
    from egov.core.files import file_store

    if slip.file_id:
        return slip.file
    content = render(slip)
    with transaction.atomic():
        locked = PetitionSlip.objects.select_for_update(no_key=True).get(pk=slip.pk)
        if locked.file_id:
            slip.file = locked.file
            return slip.file
        upload = io.BytesIO(content)
        upload.name = receipt_filename(slip)
        stored = file_store(actor=None, upload=upload, require={"application/pdf"})
        locked.file = stored
        locked.save(update_fields=["file"])
    slip.file = stored
    return stored
