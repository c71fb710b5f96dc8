"""The slips and registers of the one-stop desk as PDFs (TT 03/2025/TT-VPCP Phụ lục I, Mẫu 01–07;
services.md §1.4) in the NĐ 30/2020 layout (Phụ lục I; documents.md §10): A4, Times New Roman
(Liberation Serif 2 — same metrics, every Vietnamese letter — embedded as a subset), quốc hiệu and
tiêu ngữ top right, agency lines top left, place-and-date line, signature blocks.

- :func:`render_slip` — Mẫu 01–05 from the slip row's frozen ``data`` (written by the services
  when the slip was given) and, for what the data does not hold, the dossier. The first download
  stores the PDF (:func:`slip_pdf_file`); later downloads serve the stored file.
- :func:`render_control_sheet` — Mẫu 06 from the dossier's hand-over rows, on demand.
- :func:`render_register` — Mẫu 07, an agency's register for a period, on demand.

The slips are Vietnamese administrative forms: always rendered in Vietnamese whatever the
reader's language (like egov.documents.printing). The parsed stylesheet and the font
configuration are kept per process (WeasyPrint re-parses CSS on every call otherwise).
"""

from __future__ import annotations

import datetime as dt
import functools
import io
from typing import Any

from django.conf import settings
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation

from egov.core import calendar

from .models import (
    Channel,
    CopyKind,
    Dossier,
    DossierHandover,
    DossierState,
    Outcome,
    ResultDelivery,
    Slip,
    SlipForm,
)

# Form titles and numbers are template data (services.md §1.4: TT 03/2025/TT-VPCP Phụ lục I;
# numbering per the Hà Nội procedure decisions [RES-HN; TNT-HN1594]; Mẫu 04's exact title and
# Mẫu 05's fields are UNVERIFIED — the titles below are the ones in use, QĐ 3621/QĐ-BYT BM.04).
FORMS: dict[str, dict[str, str]] = {
    SlipForm.RECEIPT: {"number": "Mẫu số 01", "title": "Giấy tiếp nhận hồ sơ và hẹn trả kết quả"},
    SlipForm.SUPPLEMENT: {"number": "Mẫu số 02",
                          "title": "Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ"},
    SlipForm.REFUSAL: {"number": "Mẫu số 03",
                       "title": "Phiếu từ chối tiếp nhận giải quyết hồ sơ"},
    SlipForm.APOLOGY: {"number": "Mẫu số 04",
                       "title": "Phiếu xin lỗi và hẹn lại ngày trả kết quả"},
    SlipForm.STOP: {"number": "Mẫu số 05", "title": "Thông báo dừng giải quyết hồ sơ"},
    SlipForm.CONTROL: {"number": "Mẫu số 06",
                       "title": "Phiếu kiểm soát quá trình giải quyết hồ sơ"},
    SlipForm.LOG: {"number": "Mẫu số 07", "title": "Sổ theo dõi hồ sơ"},
}
SOURCE = "Thông tư số 03/2025/TT-VPCP, Phụ lục I"
# Mẫu 05: the stop at the applicant's request (NĐ 118/2025 Điều 21; TT 03/2025 Điều 7).
STOP_BASIS = ("Căn cứ Điều 7 Thông tư số 03/2025/TT-VPCP và Điều 21 Nghị định số "
              "118/2025/NĐ-CP (được sửa đổi, bổ sung)")

COPY_WORDS = {CopyKind.ORIGINAL: "Bản chính", CopyKind.COPY: "Bản sao",
              CopyKind.CERTIFIED_COPY: "Bản sao chứng thực", CopyKind.PRESENTED: "Xuất trình"}
DELIVERY_WORDS = {ResultDelivery.COUNTER: "Bộ phận Một cửa (trực tiếp)",
                  ResultDelivery.POST: "Qua dịch vụ bưu chính công ích",
                  ResultDelivery.ONLINE: "Trực tuyến (Cổng Dịch vụ công)"}
CHANNEL_WORDS = {Channel.COUNTER: "Trực tiếp", Channel.ONLINE: "Trực tuyến",
                 Channel.POST: "Bưu chính công ích"}
OUTCOME_WORDS = {Outcome.EARLY: "Trước hạn", Outcome.ON_TIME: "Đúng hạn",
                 Outcome.LATE: "Quá hạn"}
DOTS = "…………"
# Slips given to a person, stored once rendered; 06 and 07 are printed from current data.
STORED_FORMS = frozenset({SlipForm.RECEIPT, SlipForm.SUPPLEMENT, SlipForm.REFUSAL,
                          SlipForm.APOLOGY, SlipForm.STOP})


# --- Vietnamese dates (NĐ 30/2020 Phụ lục I §II.4: leading zero for days < 10, months 1, 2) ---

def _local(value) -> dt.datetime | None:
    if value is None or value == "":
        return None
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value)
    if isinstance(value, dt.datetime):
        if timezone.is_naive(value):
            value = timezone.make_aware(value, calendar.LOCAL_TZ)
        return calendar.localtime(value)
    return None


def _month(m: int) -> str:
    return f"{m:02d}" if m <= 2 else str(m)


def vn_date(value) -> str:
    """"ngày 05 tháng 01 năm 2026"."""
    if isinstance(value, str) and len(value) == 10:
        value = dt.date.fromisoformat(value)
    if isinstance(value, dt.datetime):
        value = _local(value)
    if not isinstance(value, dt.date):
        return DOTS
    return f"ngày {value.day:02d} tháng {_month(value.month)} năm {value.year}"


def vn_time(value) -> str:
    """"09 giờ 30 phút, ngày 05 tháng 01 năm 2026"."""
    local = _local(value)
    if local is None:
        return DOTS
    return f"{local.hour:02d} giờ {local.minute:02d} phút, {vn_date(local)}"


def vn_short(value) -> str:
    """"09:30 05/01/2026" (table cells)."""
    local = _local(value)
    return f"{local:%H:%M %d/%m/%Y}" if local else ""


# --- the shared parts -------------------------------------------------------------------------

def agency_lines(agency) -> dict[str, str]:
    """Ô 2: the governing body above the issuing one. A committee receiving at its own desk
    prints its name above "Bộ phận Một cửa"."""
    if agency is None:
        return {"parent_name": "", "agency_name": ""}
    if agency.kind in ("commune_committee", "province_committee"):
        return {"parent_name": agency.name, "agency_name": "Bộ phận Một cửa"}
    parent = agency.parent if agency.parent_id else None
    return {"parent_name": parent.name if parent else "", "agency_name": agency.name}


def public_lookup_url(dossier: Dossier) -> str:
    """The public look-up page the QR code of Mẫu 01 opens (egov.portal, no login). The site
    URL is the one the verification QR of signed documents uses (EGOV_SITE_URL)."""
    return f"{settings.EGOV_SITE_URL}/public/d/{dossier.public_token}/"


def qr_data_uri(url: str) -> str:
    """The QR code as a PNG (4 pixels a module), drawn without interpolation (CSS
    `image-rendering: pixelated`): as sharp as vectors and far cheaper for WeasyPrint to draw
    than an SVG of hundreds of squares."""
    import segno

    return segno.make(url, error="m", micro=False).png_data_uri(scale=4, border=4)


@functools.lru_cache(maxsize=1)
def _assets():
    """The parsed stylesheet and the font configuration, once per process."""
    from django.contrib.staticfiles import finders
    from weasyprint import CSS
    from weasyprint.text.fonts import FontConfiguration

    fonts = FontConfiguration()
    with open(finders.find("egov/slip.css"), encoding="utf-8") as fh:
        css = CSS(string=fh.read(), font_config=fonts)
    landscape = CSS(string="@page { size: A4 landscape; margin: 20mm 15mm 18mm 20mm; }",
                    font_config=fonts)
    return css, landscape, fonts


def html_to_pdf(html: str, *, landscape: bool = False) -> bytes:
    from weasyprint import HTML

    css, wide, fonts = _assets()
    sheets = [css, wide] if landscape else [css]
    return HTML(string=html, base_url=None).write_pdf(stylesheets=sheets, font_config=fonts)


def _render(template: str, context: dict[str, Any], *, landscape: bool = False) -> bytes:
    with translation.override("vi"):
        html = render_to_string(template, context)
    return html_to_pdf(html, landscape=landscape)


def _place_date(agency, when) -> str:
    place = (getattr(agency, "place_name", "") or "").strip() or "……"
    return f"{place}, {vn_date(_local(when) or timezone.now())}"


# --- Mẫu 01–05 ---------------------------------------------------------------------------------

def _applicant(data: dict, dossier: Dossier | None) -> dict[str, str]:
    a = dict(data.get("applicant") or {})
    if dossier is not None:
        a.setdefault("full_name", dossier.applicant_name)
        a.setdefault("personal_id", dossier.applicant_id)
        a.setdefault("address", dossier.applicant_address)
        a.setdefault("phone", dossier.applicant_phone)
        a.setdefault("email", dossier.applicant_email)
        a.setdefault("kind", dossier.applicant_kind)
    return a


def _items(raw) -> list[str]:
    out = []
    for item in raw or []:
        if isinstance(item, dict):
            text = item.get("name") or item.get("text") or ""
            if item.get("copy_kind") in COPY_WORDS:
                text += f" ({COPY_WORDS[item['copy_kind']].lower()}"
                text += f", số lượng: {item['count']})" if item.get("count") else ")"
            if item.get("note"):
                text += f": {item['note']}"
        else:
            text = str(item)
        if text:
            out.append(text)
    return out


def slip_context(slip: Slip) -> dict[str, Any]:
    """Everything a slip prints: the frozen data first, the dossier for what it lacks."""
    data = slip.data or {}
    dossier = slip.dossier
    version = dossier.version if dossier is not None else None
    proc = data.get("procedure") or {}
    received = data.get("received_at") or (dossier.received_at if dossier else None)
    components = data.get("components")
    if components is None and dossier is not None:
        components = [{"name": c.name, "copy_kind": c.copy_kind, "count": c.count,
                       "provided": c.provided} for c in dossier.components.all()]
    register = data.get("register") or {}
    delivery = data.get("result_delivery") or (dossier.result_delivery if dossier else "")
    ctx = {
        "form": FORMS[slip.form], "source": SOURCE, "slip": slip, "data": data,
        **agency_lines(slip.agency),
        "place_date": _place_date(slip.agency, data.get("at") or slip.created_at),
        "code": data.get("code") or (dossier.code if dossier else ""),
        "number": slip.number,
        "applicant": _applicant(data, dossier),
        "representative": data.get("representative")
        if data.get("representative") is not None
        else (dossier.representative if dossier else {}),
        "request": data.get("request_content") or (dossier.request_content if dossier else "")
        or proc.get("name") or (version.name if version else ""),
        "procedure_name": proc.get("name") or (version.name if version else ""),
        "procedure_code": proc.get("code") or (dossier.procedure.code if dossier else ""),
        "components": [c for c in (components or []) if c.get("provided", True)],
        "component_lines": _items([c for c in (components or []) if c.get("provided", True)]),
        "copies": data.get("copies") or (dossier.copies if dossier else 1),
        "days": data.get("processing_days", version.processing_days if version else None),
        "same_day": version.same_day if version else False,
        "received_text": vn_time(received),
        "due_text": vn_time(data.get("due_at") or (dossier.due_at if dossier else None)),
        "original_due_text": vn_time(data.get("due_at") or data.get("original_due_at")
                                     or (dossier.original_due_at if dossier else None)),
        "new_due_text": vn_time(data.get("new_due") or data.get("new_due_at")),
        "received_date": vn_date(_local(received)),
        "delivery": DELIVERY_WORDS.get(delivery, delivery or DOTS),
        "register_book": register.get("book") or DOTS,
        "register_entry": register.get("entry") or DOTS,
        "items": _items(data.get("missing") or data.get("items")),
        "reason": data.get("reason") or "",
        "reasons": _items(data.get("reasons")) or ([data["reason"]] if data.get("reason")
                                                   else []),
        "officer": data.get("officer") or "",
        "contact": data.get("contact") or {},
        "head": data.get("head") or {},
        "requested_date": vn_date(_local(data.get("requested_at") or data.get("at")
                                         or slip.created_at)),
        "stop_basis": data.get("legal_basis") or STOP_BASIS,
        "qr": None,
    }
    if slip.form == SlipForm.RECEIPT and dossier is not None:
        url = public_lookup_url(dossier)
        ctx["qr"] = qr_data_uri(url)
        ctx["lookup_url"] = url
    return ctx


def render_slip(slip: Slip) -> bytes:
    """Mẫu 01–05 of `slip` as PDF bytes, from its frozen data (+ the dossier)."""
    if slip.form not in STORED_FORMS:
        raise ValueError(f"slip form {slip.form} is rendered from current data")
    return _render(f"onestop/pdf/form_{slip.form}.html", slip_context(slip))


def slip_pdf_file(slip: Slip, *, actor=None):
    """The slip's stored PDF: rendered and stored on the first download (under the row's lock,
    so two first downloads store one file), served from storage afterwards."""
    from egov.core.files import file_store

    if slip.file_id:
        return slip.file
    content = render_slip(slip)
    with transaction.atomic():
        locked = Slip.objects.select_for_update(no_key=True).get(pk=slip.pk)
        if locked.file_id:  # another download stored it meanwhile
            slip.file = locked.file
            return slip.file
        upload = io.BytesIO(content)
        upload.name = slip_filename(slip)
        stored = file_store(actor=actor, upload=upload, require={"application/pdf"})
        locked.file = stored
        locked.save(update_fields=["file"])
    slip.file = stored
    return stored


def slip_filename(slip: Slip) -> str:
    code = (slip.data or {}).get("code") or (slip.dossier.code if slip.dossier_id else "")
    return f"mau-{slip.form}-{code or slip.pk}.pdf"


# --- Mẫu 06 -------------------------------------------------------------------------------------

def control_sheet_context(dossier: Dossier) -> dict[str, Any]:
    rows = []
    units: list[str] = []
    handovers = (DossierHandover.objects.filter(dossier=dossier)
                 .select_related("unit", "received_by", "handed_by").order_by("received_at", "id"))
    for h in handovers:
        if h.unit.name not in units:
            units.append(h.unit.name)
        rows.append({
            "name": h.name, "unit": h.unit.name,
            "received": vn_short(h.received_at),
            "received_by": h.received_by.get_full_name() if h.received_by_id else "",
            "handed": vn_short(h.handed_at),
            "handed_by": h.handed_by.get_full_name() if h.handed_by_id else "",
            "due": vn_short(h.due_at),
            "outcome": OUTCOME_WORDS.get(h.outcome, ""), "note": h.note,
        })
    receipt = dossier.slips.filter(form=SlipForm.RECEIPT).order_by("created_at").first()
    return {
        "form": FORMS[SlipForm.CONTROL], "source": SOURCE, **agency_lines(dossier.agency),
        "place_date": _place_date(dossier.agency, timezone.now()),
        "code": dossier.code, "competent": dossier.competent_unit.name,
        "cooperating": [u for u in units
                        if u not in (dossier.competent_unit.name, dossier.agency.name)],
        "received_text": vn_time(dossier.received_at), "due_text": vn_time(dossier.due_at),
        "procedure_name": dossier.version.name, "applicant_name": dossier.applicant_name,
        "receipt": receipt, "rows": rows,
    }


def render_control_sheet(dossier: Dossier) -> bytes:
    """Mẫu 06 of `dossier`, one row per hand-over (giao/nhận, people, trước hạn / đúng hạn /
    quá hạn, ghi chú), from current data."""
    return _render("onestop/pdf/form_06.html", control_sheet_context(dossier))


# --- Mẫu 07 -------------------------------------------------------------------------------------

def register_rows(agency, date_from: dt.date, date_to: dt.date) -> list[dict[str, Any]]:
    """The dossiers the agency received between the two local dates (inclusive), in order, with
    their entry number of the yearly book when Mẫu 01 recorded one."""
    start = dt.datetime.combine(date_from, dt.time.min, tzinfo=calendar.LOCAL_TZ)
    end = dt.datetime.combine(date_to + dt.timedelta(days=1), dt.time.min,
                              tzinfo=calendar.LOCAL_TZ)
    dossiers = list(Dossier.objects.filter(agency=agency, received_at__gte=start,
                                           received_at__lt=end)
                    .select_related("version", "competent_unit")
                    .order_by("received_at", "id"))
    entries = {s.dossier_id: (s.data or {}).get("register") or {}
               for s in Slip.objects.filter(dossier__in=[d.pk for d in dossiers],
                                            form=SlipForm.RECEIPT).only("dossier_id", "data")}
    rows = []
    for i, d in enumerate(dossiers, 1):
        entry = entries.get(d.pk) or {}
        contact = ", ".join(x for x in (d.applicant_address, d.applicant_phone) if x)
        returned = d.returned_at if d.state == DossierState.RETURNED else None
        rows.append({
            "no": entry.get("entry") or i, "code": d.code, "procedure": d.version.name,
            "applicant": d.applicant_name, "contact": contact,
            "competent": d.competent_unit.name, "received": vn_short(d.received_at),
            "due": vn_short(d.rescheduled_at or d.due_at), "returned": vn_short(returned),
            "delivery": CHANNEL_WORDS.get(d.returned_via or d.result_delivery, "")
            if d.returned_via or d.result_delivery else "",
            "channel": CHANNEL_WORDS.get(d.channel, ""),
        })
    return rows


def render_register(agency, date_from: dt.date, date_to: dt.date) -> bytes:
    """Mẫu 07: the agency's Sổ theo dõi hồ sơ for a period, A4 landscape, from current data."""
    context = {
        "form": FORMS[SlipForm.LOG], "source": SOURCE, **agency_lines(agency),
        "place_date": _place_date(agency, timezone.now()),
        "period": f"Từ {date_from:%d/%m/%Y} đến {date_to:%d/%m/%Y}",
        "rows": register_rows(agency, date_from, date_to),
        "printed": vn_short(timezone.now()),
    }
    return _render("onestop/pdf/form_07.html", context, landscape=True)
