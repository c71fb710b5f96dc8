"""The petition slips as PDFs (services.md §2.4) in the NĐ 30/2020 layout (Phụ lục I): A4,
Times New Roman (Liberation Serif, same metrics, every Vietnamese letter, embedded as a subset),
agency lines top left with "Số: …", quốc hiệu and tiêu ngữ top right with the place-and-date
line, the title, the body, "Nơi nhận" bottom left and the signer block bottom right.

Every slip renders from its frozen `PetitionSlip.data` only (written by `services.slips` when the
slip was issued): a later change of the petition does not change a slip already given. Slips are
Vietnamese administrative forms: rendered in Vietnamese whatever the reader's language.

`FORMS` is the catalogue of forms (number abbreviation, title, legal basis); the templates live
in `templates/petitions/pdf/<form>.html`. Other parts add forms with
`services.slips.register_renderer(form, fn)` and may reuse `render_html` / `base_context`.
"""

from __future__ import annotations

import datetime as dt
import functools
from typing import Any

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone, translation

from egov.core import calendar

from . import slip_catalog
from .models import SlipForm

DOTS = "…………"

# The forms: abbreviation of the number ("Số: 12/PCĐ-UBND": a yearly series per agency and form,
# numbering kernel), the title printed, the form's source, its legal basis. Titles of forms whose
# exact text we could not read are marked UNVERIFIED in their templates.
FORMS: dict[str, dict[str, Any]] = {
    SlipForm.RECEIPT: {
        "abbr": "GBN", "title": "Giấy biên nhận thông tin, tài liệu",
        "source": "Mẫu số 02/TCD ban hành kèm theo Nghị định số 154/2026/NĐ-CP",
    },
    SlipForm.REFUSE_VISIT: {
        "abbr": "TB-TCTD", "title": "Thông báo về việc từ chối tiếp công dân",
        "source": "Mẫu số 01/TCD ban hành kèm theo Nghị định số 154/2026/NĐ-CP",
        # Luật Tiếp công dân 42/2013 Art.9; NĐ 154/2026 Art.4
        "basis": ["Căn cứ Luật Tiếp công dân ngày 25 tháng 11 năm 2013 (được sửa đổi, bổ sung "
                  "bởi Luật số 136/2025/QH15);",
                  "Căn cứ Điều 4 Nghị định số 154/2026/NĐ-CP ngày 15 tháng 5 năm 2026 của "
                  "Chính phủ quy định chi tiết một số điều của Luật Tiếp công dân;"],
    },
    SlipForm.PROPOSE_ACCEPT: {
        "abbr": "PĐX", "title": "Phiếu đề xuất thụ lý đơn",
        "source": "Mẫu số 01 ban hành kèm theo Thông tư số 05/2021/TT-TTCP",
        # TT 05/2021/TT-TTCP (quy trình xử lý đơn)
        "basis": ["Căn cứ Thông tư số 05/2021/TT-TTCP ngày 01 tháng 10 năm 2021 của Thanh tra "
                  "Chính phủ quy định quy trình xử lý đơn khiếu nại, đơn tố cáo, đơn kiến nghị, "
                  "phản ánh;"],
    },
    SlipForm.TRANSFER: {
        "abbr": "PCĐ", "title": "Phiếu chuyển đơn",
        "source": "Mẫu số 03 ban hành kèm theo Thông tư số 05/2021/TT-TTCP (đơn tố cáo); "
                  "mẫu chuyển đơn khiếu nại, kiến nghị, phản ánh: UNVERIFIED",
    },
    SlipForm.GUIDANCE: {
        "abbr": "HD", "title": "Văn bản hướng dẫn",
        "source": "Thông tư số 05/2021/TT-TTCP (số mẫu: UNVERIFIED)",
    },
    SlipForm.ACCEPT_NOTICE: {
        "abbr": "TB-TL", "title": "Thông báo về việc thụ lý giải quyết khiếu nại",
        "source": "Mẫu số 03 ban hành kèm theo Nghị định số 124/2020/NĐ-CP (được sửa đổi, bổ "
                  "sung bởi Nghị định số 155/2026/NĐ-CP)",
    },
    SlipForm.NOT_ACCEPTED_NOTICE: {
        "abbr": "TB-KTL", "title": "Thông báo về việc không thụ lý giải quyết khiếu nại",
        "source": "Mẫu số 04 ban hành kèm theo Nghị định số 124/2020/NĐ-CP (được sửa đổi, bổ "
                  "sung bởi Nghị định số 155/2026/NĐ-CP)",
    },
    SlipForm.EXTENSION: {
        "abbr": "QĐ-GH", "title": "Quyết định về việc gia hạn giải quyết tố cáo",
        "source": "Mẫu số 01 ban hành kèm theo Nghị định số 31/2019/NĐ-CP (được sửa đổi, bổ "
                  "sung bởi Nghị định số 156/2026/NĐ-CP)",
        # Luật Tố cáo 25/2018 Art.30
        "basis": ["Căn cứ Luật Tố cáo ngày 12 tháng 6 năm 2018 (được sửa đổi, bổ sung bởi Luật số "
                  "136/2025/QH15);",
                  "Căn cứ Nghị định số 31/2019/NĐ-CP ngày 10 tháng 4 năm 2019 của Chính phủ quy "
                  "định chi tiết một số điều và biện pháp tổ chức thi hành Luật Tố cáo (được sửa "
                  "đổi, bổ sung bởi Nghị định số 156/2026/NĐ-CP);"],
    },
    SlipForm.DIALOGUE: {
        "abbr": "BB-ĐT", "title": "Biên bản đối thoại",
        "source": "Mẫu số 14 ban hành kèm theo Nghị định số 124/2020/NĐ-CP (được sửa đổi, bổ "
                  "sung bởi Nghị định số 155/2026/NĐ-CP)",
    },
    SlipForm.RESULT_NOTICE: {
        "abbr": "TB-KQ", "title": "Thông báo kết quả giải quyết đơn",
        "source": "UNVERIFIED (văn bản thông báo kết quả theo Luật Khiếu nại, Luật Tố cáo, "
                  "Luật Tiếp công dân)",
    },
}

# Laws cited by kind (the complaint / denunciation / proposal-feedback texts, services.md §2.1).
LAW_KN = ("Luật Khiếu nại ngày 11 tháng 11 năm 2011 (được sửa đổi, bổ sung bởi Luật số "
          "136/2025/QH15)")
LAW_TC = "Luật Tố cáo ngày 12 tháng 6 năm 2018 (được sửa đổi, bổ sung bởi Luật số 136/2025/QH15)"
LAW_TCD = ("Luật Tiếp công dân ngày 25 tháng 11 năm 2013 (được sửa đổi, bổ sung bởi Luật số "
           "136/2025/QH15)")
ND_KN = ("Nghị định số 124/2020/NĐ-CP ngày 19 tháng 10 năm 2020 của Chính phủ (được sửa đổi, bổ "
         "sung bởi Nghị định số 155/2026/NĐ-CP)")
ND_TC = ("Nghị định số 31/2019/NĐ-CP ngày 10 tháng 4 năm 2019 của Chính phủ (được sửa đổi, bổ "
         "sung bởi Nghị định số 156/2026/NĐ-CP)")
ND_TCD = "Nghị định số 154/2026/NĐ-CP ngày 15 tháng 5 năm 2026 của Chính phủ"
TT05 = "Thông tư số 05/2021/TT-TTCP ngày 01 tháng 10 năm 2021 của Thanh tra Chính phủ"

KIND_WORDS = {"complaint": "khiếu nại", "denunciation": "tố cáo", "proposal": "kiến nghị",
              "feedback": "phản ánh", "": "đơn"}


# --- Vietnamese dates (NĐ 30/2020 Phụ lục I §II.4: leading zero for days < 10, months 1, 2) ---

def as_local(value) -> dt.datetime | None:
    if value in (None, ""):
        return None
    if isinstance(value, str):
        try:
            value = dt.datetime.fromisoformat(value)
        except ValueError:
            return None
    if isinstance(value, dt.datetime):
        if timezone.is_naive(value):
            value = timezone.make_aware(value, calendar.LOCAL_TZ)
        return calendar.localtime(value)
    if isinstance(value, dt.date):
        return dt.datetime.combine(value, dt.time(12), tzinfo=calendar.LOCAL_TZ)
    return None


def vn_date(value) -> str:
    """"ngày 05 tháng 01 năm 2026"."""
    local = as_local(value)
    if local is None:
        return DOTS
    month = f"{local.month:02d}" if local.month <= 2 else str(local.month)
    return f"ngày {local.day:02d} tháng {month} năm {local.year}"


def vn_time(value) -> str:
    """"09 giờ 30 phút, ngày 05 tháng 01 năm 2026"."""
    local = as_local(value)
    if local is None:
        return DOTS
    return f"{local.hour:02d} giờ {local.minute:02d} phút, {vn_date(local)}"


def agency_lines(agency) -> dict[str, str]:
    """Ô 2 of NĐ 30/2020: the governing body (when there is one) above the issuing body."""
    if agency is None:
        return {"parent_name": "", "agency_name": ""}
    parent = agency.parent if agency.parent_id and agency.kind == "division" else None
    return {"parent_name": parent.name if parent else "", "agency_name": agency.name}


def qr_data_uri(url: str) -> str:
    """The QR code as a PNG data URI (drawn pixelated: sharp and cheap for WeasyPrint)."""
    import segno

    return segno.make(url, error="m", micro=False).png_data_uri(scale=4, border=4)


def lookup_url(code: str, check: str) -> str:
    """The public look-up of a petition (status and dates only) the petitioner's slips print."""
    return f"{settings.EGOV_SITE_URL}/public/petitions/lookup/?code={code}&check={check}"


@functools.lru_cache(maxsize=1)
def _assets():
    """The parsed stylesheet and the font configuration, once per process."""
    from django.contrib.staticfiles import finders
    from weasyprint import CSS
    from weasyprint.text.fonts import FontConfiguration

    fonts = FontConfiguration()
    # The shared slip sheet, then what the petition slips add to it.
    sheets = []
    for name in ("egov/slip.css", "petitions/slip.css"):
        with open(finders.find(name), encoding="utf-8") as fh:
            sheets.append(fh.read())
    css = CSS(string="\n".join(sheets), font_config=fonts)
    return css, fonts


def html_to_pdf(html: str) -> bytes:
    from weasyprint import HTML

    css, fonts = _assets()
    return HTML(string=html, base_url=None).write_pdf(stylesheets=[css], font_config=fonts)


def render_html(template: str, context: dict[str, Any]) -> bytes:
    """A template of `templates/petitions/pdf/` rendered in Vietnamese, as PDF bytes."""
    with translation.override("vi"):
        html = render_to_string(template, context)
    return html_to_pdf(html)


def base_context(slip) -> dict[str, Any]:
    """What every slip prints, from its frozen data: the header (agency lines, number, place and
    date), the form, the petition's code, the data itself, the recipients and the signer."""
    data = slip.data or {}
    form = FORMS.get(slip.form, {"title": data.get("title", ""), "source": ""})
    kind = data.get("kind", "")
    return {
        "slip": slip, "data": data, "form": form, "number": slip.number,
        "parent_name": data.get("parent_name", ""), "agency_name": data.get("agency_name", ""),
        "place_date": f"{data.get('place') or '……'}, {vn_date(data.get('issued_at'))}",
        "code": data.get("code", ""), "kind": kind, "kind_word": KIND_WORDS.get(kind, "đơn"),
        "petitioner": data.get("petitioner") or {},
        "to_petitioner": slip.to_petitioner,
        "received_date": vn_date(data.get("received_at")),
        "recipients": data.get("recipients") or [],
        "signer": data.get("signer") or {},
        "basis": data.get("basis") or form.get("basis") or [],
        "qr": qr_data_uri(data["lookup_url"]) if data.get("lookup_url") else None,
        "law_kn": LAW_KN, "law_tc": LAW_TC, "law_tcd": LAW_TCD, "nd_kn": ND_KN,
        "nd_tc": ND_TC, "nd_tcd": ND_TCD, "tt05": TT05,
        "ground": slip_catalog.refusal_ground(data.get("ground", "")),
        "case": slip_catalog.not_accepted_case(data.get("case")),
        "vn": {k: vn_date(v) for k, v in data.items()
               if isinstance(v, str) and (k.endswith("_on") or k.endswith("_at"))},
    }


def template_renderer(template: str):
    """A renderer `fn(slip) -> bytes` for a template of `templates/petitions/pdf/`."""

    def render(slip) -> bytes:
        return render_html(template, base_context(slip))

    render.template = template  # type: ignore[attr-defined]
    return render
