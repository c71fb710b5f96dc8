"""Shared fixtures of the documents tests: an organisation with clerks, leaders, a unit head and
officers; small real PDFs; a helper that registers an incoming document."""

from __future__ import annotations

import itertools

import pytest

from egov.core.models import OrgUnit, OrgUnitKind
from tests.pdf_samples import build_pdf

_counter = itertools.count(1)


def _encoder():
    """(encode, differences): a text encoder for a simple Type 1 font whose WinAnsi encoding
    is extended by /Differences with the Vietnamese letters used (glyph names uniXXXX), so
    that pdftotext reads the text back exactly."""
    extra: dict[str, int] = {}
    free = iter([c for c in range(128, 256) if c not in (160, 173)])

    def encode(text: str) -> bytes:
        out = bytearray()
        for ch in text:
            code = ord(ch)
            if code < 128:
                out += ch.encode()
            else:
                if ch not in extra:
                    extra[ch] = next(free)
                out.append(extra[ch])
        return bytes(out).replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)")

    def differences() -> bytes:
        parts = b" ".join(b"%d /uni%04X" % (c, ord(ch)) for ch, c in sorted(extra.items(),
                                                                         key=lambda x: x[1]))
        return b"[" + parts + b"]"

    return encode, differences


# The decree's layout (NĐ 30/2020 Phụ lục I) at fixed positions on an A4 page, so that every
# draft of the tests passes the layout check (egov.documents.layout_check) like a real draft:
# (x, y, size, text) with the origin at the bottom left; the body line is given per PDF.
DECREE_HEADER = (
    (95, 772, 11, "ỦY BAN NHÂN DÂN"),
    (85, 758, 11, "TỈNH THỬ NGHIỆM"),
    (305, 772, 11, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"),
    (345, 758, 12, "Độc lập - Tự do - Hạnh phúc"),
    (100, 730, 12, "Số:      /QĐ-UBND"),
    (320, 730, 12, "Thử Nghiệm, ngày      tháng      năm 2026"),
    (270, 690, 13, "QUYẾT ĐỊNH"),
)


def decree_signer(name: str = "Trần Văn Chủ Tịch",
                  title: tuple[str, ...] = ("KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH")) -> tuple:
    """The signer block (ô 7a–7c) and "Nơi nhận" (ô 9b) at the bottom of the page."""
    block = [(85, 330, 11, "Nơi nhận:"), (85, 316, 10, "- Như Điều 3;"),
             (85, 304, 10, "- Lưu: VT, KT.")]
    y = 330
    for line in title:
        block.append((370, y, 12, line))
        y -= 15
    block.append((370, y - 90, 12, name))
    return tuple(block)


def make_pdf(text: str = "Van ban den", *, header=DECREE_HEADER, signer=None) -> bytes:
    """A valid one-page PDF (hand-written objects, correct xref offsets) laid out as a draft of
    NĐ 30/2020 Phụ lục I (the header's "Số: …" and date lines, the signer block of the chairman
    ``Trần Văn Chủ Tịch`` with KT.) with ``text`` as its body line. Different texts give
    different files (and SHA-256s). ``header=()`` / ``signer=()`` leave those parts out."""
    encode, differences = _encoder()
    parts = [b"BT /F1 18 Tf 72 600 Td (" + encode(text) + b") Tj ET"]
    for x, y, size, line in (*header, *(decree_signer() if signer is None else signer)):
        parts.append(b"BT /F1 %d Tf %d %d Td (" % (size, x, y) + encode(line) + b") Tj ET")
    stream = b"\n".join(parts)
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream
        + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding << /Type /Encoding "
        b"/BaseEncoding /WinAnsiEncoding /Differences " + differences() + b" >> >>",
    ]
    return build_pdf(objects, version="1.4")


def unique_pdf(label: str = "doc") -> bytes:
    return make_pdf(f"{label} {next(_counter)}")


def incoming_data(**overrides) -> dict:
    """Valid registration data (Phụ lục VI fields) with a fresh number each call."""
    n = next(_counter)
    data = {
        "issuer_name": "Bộ Nội vụ", "issuer_electronic_id": "000.00.00.G09",
        "number": str(100 + n), "notation": "BNV-VP", "issued_date": "2026-01-05",
        "type_code": "CV", "subject": f"V/v hướng dẫn công tác văn thư năm 2026 ({n})",
        "signer_name": "Nguyễn Văn Ký", "signer_position": "Thứ trưởng",
        "urgency": "normal", "secrecy": "none", "page_count": 2, "channel": "paper",
    }
    data.update(overrides)
    return data


@pytest.fixture
def docs_org(org, make_user):
    """org from tests/conftest.py plus the people of the documents flows:

    - clerk (Văn thư) in org["office"] — acts for org["province"] through the "agency" scope;
    - leader (Chủ tịch) in org["province"];
    - economy = "Phòng Kinh tế", a division under org["province"], with unit_head (Trưởng
      phòng), officer and officer2 (Chuyên viên);
    - justice_clerk and justice_leader in org["justice"] (another agency).
    """
    economy = OrgUnit.objects.create(
        kind=OrgUnitKind.DIVISION, name="Phòng Kinh tế", abbreviation="KT",
        parent=org["province"], place_name="Thử Nghiệm",
    )
    people = {
        "clerk": make_user("vanthu", org["office"], "clerk", title="Văn thư",
                           full_name="Lê Thị Văn Thư", email="vanthu@example.invalid"),
        "leader": make_user("chutich", org["province"], "leader", title="Chủ tịch",
                            full_name="Trần Văn Chủ Tịch", email="chutich@example.invalid"),
        "unit_head": make_user("truongphong", economy, "unit_head", title="Trưởng phòng",
                               full_name="Phạm Văn Trưởng"),
        "officer": make_user("chuyenvien", economy, "officer", title="Chuyên viên",
                             full_name="Nguyễn Thị Chuyên"),
        "officer2": make_user("chuyenvien2", economy, "officer", title="Chuyên viên",
                              full_name="Đỗ Văn Hai"),
        "justice_clerk": make_user("vanthustp", org["justice"], "clerk", title="Văn thư",
                                   full_name="Hoàng Thị Tư Pháp"),
        "justice_leader": make_user("giamdocstp", org["justice"], "leader", title="Giám đốc",
                                    full_name="Vũ Văn Giám Đốc"),
    }
    return {**org, **people, "economy": economy}


@pytest.fixture
def register_incoming(docs_org):
    """register_incoming(**data overrides) → an IncomingDocument registered by the province's
    clerk (actor/agency/pdf/confirm_duplicate may be overridden too)."""
    from egov.documents.services.incoming import incoming_register

    def _register(*, actor=None, agency=None, pdf: bytes | None = None,
                  confirm_duplicate: bool = False, **overrides):
        return incoming_register(
            actor=actor or docs_org["clerk"], agency=agency or docs_org["province"],
            file=("van-ban.pdf", pdf if pdf is not None else unique_pdf()),
            data=incoming_data(**overrides), confirm_duplicate=confirm_duplicate,
        )

    return _register
