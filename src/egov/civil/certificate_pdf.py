"""The civil-status certificates as PDFs in the legal layout (Luật Hộ tịch 60/2014, Điều 14,
17.2, 62–64; TT 04/2020/TT-BTP forms; services.md §3.4): quốc hiệu and tiêu ngữ, the issuing
commune, Số / Quyển số, the facts of the event, the place and date, the signature block, and a
QR code to the public verification page (egov.portal, /verify/civil/<code>/).

Rendering reuses the one-stop slips' machinery (egov.onestop.pdf: WeasyPrint with the shared
slip sheet and font configuration parsed once per process, Liberation Serif — every Vietnamese
letter — embedded as a subset; the QR code as a pixelated PNG, cheap to draw). The forms are
Vietnamese administrative documents: always rendered in Vietnamese, whatever the reader's
language. The data is frozen into the stored, signed PDF when the certificate is issued.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from egov.onestop.pdf import html_to_pdf, qr_data_uri, vn_date
from egov.signing.verification_codes import display

from .models import CivilEvent, EventKind, PartyRole, Sex
from .models_certificates import CertificateType

DOTS = "…………"
SEX_WORDS = {Sex.MALE: "Nam", Sex.FEMALE: "Nữ"}
TITLES = {
    CertificateType.BIRTH: "Giấy khai sinh",
    CertificateType.MARRIAGE: "Giấy chứng nhận kết hôn",
}
EXTRACT_TITLES = {
    EventKind.BIRTH: "Trích lục khai sinh",
    EventKind.DEATH: "Trích lục khai tử",
    EventKind.MARRIAGE: "Trích lục kết hôn",
}
SIGNER_TITLES = {
    CertificateType.BIRTH: "Người ký Giấy khai sinh",
    CertificateType.MARRIAGE: "Người ký Giấy chứng nhận kết hôn",
    CertificateType.EXTRACT: "Người ký Trích lục",
    CertificateType.COPY: "Người ký Bản sao trích lục",
}

# --- numbers and dates in Vietnamese words ------------------------------------------------------

DIGITS = ("không", "một", "hai", "ba", "bốn", "năm", "sáu", "bảy", "tám", "chín")


def _two(n: int) -> str:
    """1–99: "mười lăm", "hai mươi mốt", "ba mươi tư"."""
    if n < 10:
        return DIGITS[n]
    tens, unit = divmod(n, 10)
    head = "mười" if tens == 1 else f"{DIGITS[tens]} mươi"
    if unit == 0:
        return head
    if unit == 5:
        tail = "lăm"
    elif unit == 1 and tens > 1:
        tail = "mốt"
    elif unit == 4 and tens > 1:
        tail = "tư"
    else:
        tail = DIGITS[unit]
    return f"{head} {tail}"


def number_words(n: int) -> str:
    """0–9999 in Vietnamese words: 2026 → "hai nghìn không trăm hai mươi sáu", 2005 → "hai
    nghìn không trăm linh năm"."""
    if not 0 <= n <= 9999:
        raise ValueError(n)
    if n == 0:
        return "không"
    thousands, rest = divmod(n, 1000)
    hundreds, low = divmod(rest, 100)
    parts = []
    if thousands:
        parts += [DIGITS[thousands], "nghìn"]
    if hundreds or (thousands and low):
        parts += [DIGITS[hundreds], "trăm"]
    if low:
        parts += ["linh", DIGITS[low]] if (thousands or hundreds) and low < 10 else [_two(low)]
    return " ".join(parts)


def date_words(day: dt.date | None) -> str:
    """The date in words, as the birth certificate writes it beside the digits: "Ngày mười
    lăm, tháng tư, năm hai nghìn không trăm hai mươi sáu" (the fourth month is "tư")."""
    if day is None:
        return DOTS
    month = "tư" if day.month == 4 else number_words(day.month)
    return f"Ngày {number_words(day.day)}, tháng {month}, năm {number_words(day.year)}"


def digits(day: dt.date | None) -> str:
    return f"{day:%d/%m/%Y}" if day else DOTS


# --- the numbers, the addresses ------------------------------------------------------------------

def event_number(event: CivilEvent) -> str:
    """"01/2026, quyển số 01" — the event's Số / Quyển số (Luật Hộ tịch Điều 58; the form
    "Giấy khai sinh số 01/2014, quyển số 02")."""
    return f"{event.entry_number:02d}/{event.book.year}, quyển số {event.book.number:02d}"


def verify_url(code: str) -> str:
    """The public verification page the QR code opens (no login)."""
    return settings.EGOV_SITE_URL + reverse("portal:civil_certificate", kwargs={"code": code})


# --- the facts ------------------------------------------------------------------------------------

def _person(p) -> dict[str, str]:
    if p is None:
        return {"full_name": DOTS, "birth_year": DOTS, "birth_date": DOTS, "ethnicity": DOTS,
                "nationality": DOTS, "residence": DOTS, "personal_id": DOTS, "sex": DOTS,
                "identity_document": "", "has_id": False}
    return {
        "full_name": p.full_name.upper(),
        "sex": SEX_WORDS.get(p.sex, DOTS),
        "birth_date": digits(p.birth_date),
        "birth_year": str(p.birth_date.year) if p.birth_date else DOTS,
        "birth_words": date_words(p.birth_date),
        "birth_place": p.birth_place or DOTS,
        "hometown": p.hometown or DOTS,
        "ethnicity": p.ethnicity or DOTS,
        "nationality": p.nationality or DOTS,
        "residence": p.residence or DOTS,
        # Luật Hộ tịch Điều 14.1.c: not written for a child of foreign nationality.
        "personal_id": p.personal_id or DOTS,
        "has_id": bool(p.personal_id),
        # Luật Hộ tịch Điều 17.2: a foreign party's identity document (passport, its number,
        # the issuing country) on the marriage certificate.
        "identity_document": (f"{p.identity_document} ({p.identity_document_country})"
                              if p.identity_document and p.identity_document_country
                              else p.identity_document),
    }


def context(*, event: CivilEvent, type: str, code: str, issued_on: dt.date,
            issued_by_name: str, copy_number: int | None = None) -> dict[str, Any]:
    """What the certificate prints (the event's parties read once); a certified copy its
    number in the commune's copies book of the year (Sổ cấp bản sao trích lục hộ tịch)."""
    parties = {p.role: p.person for p in event.parties.select_related("person")}
    commune = event.commune
    title = TITLES.get(type) or EXTRACT_TITLES.get(event.kind, "Trích lục hộ tịch")
    url = verify_url(code)
    place = (commune.place_name or "").strip() or "……"
    return {
        "type": type, "kind": event.kind, "title": title,
        "copy": type == CertificateType.COPY,
        "copy_number": (f"{copy_number:02d}/{issued_on.year}" if copy_number is not None
                        else None),
        "commune_name": commune.name,
        "number": f"{event.entry_number:02d}/{event.book.year}",
        "book_number": f"{event.book.number:02d}",
        "registered_on": digits(event.registered_on),
        "registered_words": date_words(event.registered_on),
        "event_date": digits(event.event_date),
        "event_words": date_words(event.event_date),
        "late": event.late,
        "details": event.details or {},
        "child": _person(parties.get(PartyRole.CHILD)),
        "mother": _person(parties.get(PartyRole.MOTHER)),
        "father": _person(parties.get(PartyRole.FATHER)),
        "has_mother": PartyRole.MOTHER in parties, "has_father": PartyRole.FATHER in parties,
        "husband": _person(parties.get(PartyRole.HUSBAND)),
        "wife": _person(parties.get(PartyRole.WIFE)),
        "deceased": _person(parties.get(PartyRole.DECEASED)),
        "place_date": f"{place}, {vn_date(issued_on)}",
        "signer_title": SIGNER_TITLES[type],
        "issued_by_name": issued_by_name,
        "code": display(code), "verify_url": url, "qr": qr_data_uri(url),
    }


def render(**kwargs) -> bytes:
    """The unsigned PDF of a certificate (see :func:`context` for the arguments)."""
    with translation.override("vi"):
        html = render_to_string("civil/pdf/certificate.html", context(**kwargs))
    return html_to_pdf(html)
