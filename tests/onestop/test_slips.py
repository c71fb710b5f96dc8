"""The slips and registers as PDFs (TT 03/2025/TT-VPCP Phụ lục I, Mẫu 01–07): every form
renders with its Vietnamese text, embedded fonts, the QR code of Mẫu 01 reads back to the public
look-up, Mẫu 06 rows follow the hand-overs, a slip keeps its frozen data, permissions, and the
second download serves the stored file."""

from __future__ import annotations

import datetime as dt
import subprocess

import pytest
from django.db import transaction
from django.urls import reverse

from egov.core import calendar
from egov.core.models import StoredFile
from egov.onestop import pdf
from egov.onestop.models import (
    Dossier,
    DossierHandover,
    DossierState,
    Outcome,
    Procedure,
    ProcedureComponent,
    ProcedureVersion,
    Slip,
)
from egov.onestop.services.records import dossier_create
from egov.onestop.slips import slip_create

TZ = calendar.LOCAL_TZ
RECEIVED = dt.datetime(2026, 1, 5, 9, 30, tzinfo=TZ)
DUE = dt.datetime(2026, 1, 8, 9, 30, tzinfo=TZ)
NAME = "Nguyễn Thị Hồng Nhung"


def text_of(content: bytes, tmp_path, name="s.pdf", *args) -> str:
    path = tmp_path / name
    path.write_bytes(content)
    out = subprocess.run(["pdftotext", *args, str(path), "-"], capture_output=True, check=True)
    return out.stdout.decode("utf-8")


def fonts_of(content: bytes, tmp_path) -> list[list[str]]:
    path = tmp_path / "f.pdf"
    path.write_bytes(content)
    out = subprocess.run(["pdffonts", str(path)], capture_output=True, check=True, text=True)
    return [line.split() for line in out.stdout.splitlines()[2:]]


@pytest.fixture
def version(org):
    proc = Procedure.objects.create(code="9.001193", name="Đăng ký khai sinh")
    v = ProcedureVersion.objects.create(
        procedure=proc, name="Đăng ký khai sinh", field_name="Hộ tịch", processing_days=3,
        legal_basis="Luật Hộ tịch 2014", effective_from=dt.date(2025, 7, 1))
    ProcedureComponent.objects.create(version=v, code="TK", name="Tờ khai đăng ký khai sinh")
    ProcedureComponent.objects.create(version=v, code="GCS", name="Giấy chứng sinh")
    return v


def make_dossier(org, version, *, agency=None, name=NAME) -> Dossier:
    agency = agency or org["commune"]
    with transaction.atomic():
        d = dossier_create(
            actor=None, agency=agency, competent_unit=agency, version=version,
            channel="counter", state=DossierState.RECEIVED,
            applicant={"full_name": name, "personal_id": "001203004567",
                       "address": "Thôn Đông, xã An Bình", "phone": "0912345678",
                       "email": "nhung@example.vn"},
            representative={"full_name": "Trần Văn Đức", "personal_id": "001088001234",
                            "address": "Thôn Tây", "phone": "0987654321", "email": "",
                            "authorisation": "Giấy ủy quyền số 12/GUQ ngày 02/01/2026"},
            components=[{"code": "TK", "name": "Tờ khai đăng ký khai sinh", "provided": True},
                        {"code": "GCS", "name": "Giấy chứng sinh", "provided": True,
                         "copy_kind": "copy"}],
            request_content="Đăng ký khai sinh cho con", submitted_at=RECEIVED)
        Dossier.objects.filter(pk=d.pk).update(received_at=RECEIVED, due_at=DUE,
                                               original_due_at=DUE)
        d.refresh_from_db()
    return d


def give(dossier, form, data=None, agency=None) -> Slip:
    base = {"code": dossier.code if dossier else "",
            "procedure": {"code": "9.001193", "name": "Đăng ký khai sinh"},
            "applicant": {"kind": "person", "full_name": dossier.applicant_name if dossier
                          else NAME, "personal_id": "001203004567",
                          "address": "Thôn Đông, xã An Bình", "phone": "0912345678",
                          "email": "nhung@example.vn"},
            "officer": "Lê Văn Cường", "at": RECEIVED}
    with transaction.atomic():
        return slip_create(agency=agency or dossier.agency, form=form, dossier=dossier,
                           data={**base, **(data or {})})


def receipt(dossier) -> Slip:
    return give(dossier, "01", {
        "received_at": RECEIVED, "due_at": DUE, "request_content": "Đăng ký khai sinh cho con",
        "copies": 1, "result_delivery": "counter",
        "register": {"book": 2026, "entry": 17, "text": "Quyển số 2026, Số thứ tự 17"},
        "components": [{"code": "TK", "name": "Tờ khai đăng ký khai sinh", "copy_kind": "original",
                        "count": 1, "provided": True},
                       {"code": "GCS", "name": "Giấy chứng sinh", "copy_kind": "copy",
                        "count": 1, "provided": True}]})


@pytest.fixture
def officer(org, make_user):
    return make_user("motcua", org["commune"], "onestop_officer", full_name="Lê Văn Cường")


@pytest.fixture
def stranger(org, make_user):
    return make_user("sotuphap", org["justice"], "onestop_officer")


def flat(text: str) -> str:
    return " ".join(text.split())


def test_receipt_prints_every_field_of_form_01(org, version, tmp_path, settings):
    settings.EGOV_SITE_URL = "https://dichvucong.example.vn"
    dossier = make_dossier(org, version)
    content = pdf.render_slip(receipt(dossier))
    assert content.startswith(b"%PDF")
    text = flat(text_of(content, tmp_path))
    for expected in ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc",
                     "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ", dossier.code, NAME,
                     "001203004567", "Thôn Đông, xã An Bình", "0912345678", "nhung@example.vn",
                     "Trần Văn Đức", "Giấy ủy quyền số 12/GUQ", "Đăng ký khai sinh cho con",
                     "Tờ khai đăng ký khai sinh", "Giấy chứng sinh (bản sao",
                     "Số lượng hồ sơ: 1 (bộ)", "3 ngày làm việc",
                     "09 giờ 30 phút, ngày 05 tháng 01 năm 2026",
                     "09 giờ 30 phút, ngày 08 tháng 01 năm 2026",
                     "Đăng ký nhận kết quả tại: Bộ phận Một cửa",
                     "Quyển số: 2026, Số thứ tự: 17", "NGƯỜI NỘP HỒ SƠ",
                     "NGƯỜI TIẾP NHẬN HỒ SƠ", "Lê Văn Cường", "An Bình, ngày 05 tháng 01 năm 2026",
                     "ỦY BAN NHÂN DÂN XÃ AN BÌNH", "BỘ PHẬN MỘT CỬA"):
        assert expected in text, expected
    # Vietnamese letters embedded: every font is embedded (a subset), Liberation Serif.
    fonts = fonts_of(content, tmp_path)
    assert fonts and all(row[-5] == "yes" for row in fonts), fonts  # emb
    assert {row[0].split("+")[-1] for row in fonts} <= {
        "Liberation-Serif", "Liberation-Serif-Bold", "Liberation-Serif-Italic"}, fonts


def test_receipt_qr_reads_back_to_the_public_lookup(org, version, tmp_path, settings):
    settings.EGOV_SITE_URL = "https://dichvucong.example.vn"
    dossier = make_dossier(org, version)
    path = tmp_path / "r.pdf"
    path.write_bytes(pdf.render_slip(receipt(dossier)))
    subprocess.run(["pdftoppm", "-r", "150", "-png", "-f", "1", "-l", "1", str(path),
                    str(tmp_path / "page")], check=True)
    png = next(tmp_path.glob("page*.png"))
    out = subprocess.run(["zbarimg", "--raw", "-q", str(png)], capture_output=True, text=True)
    assert out.stdout.strip() == (
        f"https://dichvucong.example.vn/public/d/{dossier.public_token}/")


@pytest.mark.parametrize("form,data,expected", [
    ("02", {"missing": [{"code": "GCS", "name": "Giấy chứng sinh", "copy_kind": "original"},
                        {"name": "Văn bản xác nhận nơi cư trú"}],
            "reason": "Thiếu giấy tờ bắt buộc", "contact": {"name": "Lê Văn Cường",
                                                              "phone": "02393123456"}},
     ["PHIẾU YÊU CẦU BỔ SUNG, HOÀN THIỆN HỒ SƠ", "1. Giấy chứng sinh",
      "2. Văn bản xác nhận nơi cư trú", "Lý do: Thiếu giấy tờ bắt buộc", "02393123456",
      "NGƯỜI HƯỚNG DẪN"]),
    ("03", {"reason": "Không thuộc thẩm quyền giải quyết của xã"},
     ["PHIẾU TỪ CHỐI TIẾP NHẬN GIẢI QUYẾT HỒ SƠ", "/PTC",
      "Không thuộc thẩm quyền giải quyết của xã", "001203004567"]),
    ("04", {"reason": "Cần xác minh thêm thông tin", "due_at": DUE,
            "new_due": dt.datetime(2026, 1, 12, 16, 0, tzinfo=TZ),
            "head": {"title": "Chủ tịch", "name": "Phạm Quốc Hưng"}},
     ["PHIẾU XIN LỖI VÀ HẸN LẠI NGÀY TRẢ KẾT QUẢ", "/PXL",
      "09 giờ 30 phút, ngày 08 tháng 01 năm 2026", "16 giờ 00 phút, ngày 12 tháng 01 năm 2026",
      "Cần xác minh thêm thông tin", "CHỦ TỊCH", "Phạm Quốc Hưng"]),
    ("05", {"reason": "Người nộp đề nghị dừng", "requested_at": RECEIVED},
     ["THÔNG BÁO DỪNG GIẢI QUYẾT HỒ SƠ", "Điều 7 Thông tư số 03/2025/TT-VPCP",
      "Người nộp đề nghị dừng", "ngày 05 tháng 01 năm 2026"]),
])
def test_forms_02_to_05_render(org, version, tmp_path, form, data, expected):
    dossier = make_dossier(org, version)
    slip = give(dossier, form, data)
    text = flat(text_of(pdf.render_slip(slip), tmp_path))
    assert dossier.code in text and NAME in text
    for item in expected:
        assert item in text, item
    if slip.number:
        assert slip.number in text


def test_slip_keeps_its_frozen_data(org, version, tmp_path):
    dossier = make_dossier(org, version)
    slip = receipt(dossier)
    Dossier.objects.filter(pk=dossier.pk).update(applicant_name="Người Khác Hẳn",
                                                 due_at=DUE + dt.timedelta(days=7))
    slip = Slip.objects.select_related("dossier").get(pk=slip.pk)
    text = flat(text_of(pdf.render_slip(slip), tmp_path))
    assert NAME in text and "Người Khác Hẳn" not in text
    assert "ngày 08 tháng 01 năm 2026" in text


def test_control_sheet_rows_follow_the_handovers(org, version, tmp_path, make_user):
    dossier = make_dossier(org, version)
    clerk = make_user("clerk6", org["commune"], full_name="Võ Thị Lan")
    head = make_user("head6", org["commune"], full_name="Đặng Minh Quân")
    DossierHandover.objects.create(
        dossier=dossier, step_no=0, name="Bộ phận Một cửa tiếp nhận hồ sơ", unit=org["commune"],
        received_at=RECEIVED, received_by=clerk, due_at=RECEIVED + dt.timedelta(hours=2),
        handed_at=RECEIVED + dt.timedelta(hours=1), handed_by=clerk, outcome=Outcome.EARLY)
    DossierHandover.objects.create(
        dossier=dossier, step_no=1, name="Thẩm định hồ sơ", unit=org["office"],
        received_at=RECEIVED + dt.timedelta(hours=1), received_by=head,
        due_at=RECEIVED + dt.timedelta(days=1), handed_at=RECEIVED + dt.timedelta(days=2),
        handed_by=head, outcome=Outcome.LATE, note="Chờ xác minh")
    text = flat(text_of(pdf.render_control_sheet(dossier), tmp_path))
    assert "PHIẾU KIỂM SOÁT QUÁ TRÌNH GIẢI QUYẾT HỒ SƠ" in text and dossier.code in text
    assert "Bộ phận Một cửa tiếp nhận hồ sơ" in text and "Thẩm định hồ sơ" in text
    assert "Nhận: 09:30 05/01/2026 — Võ Thị Lan" in text
    assert "Giao: 10:30 05/01/2026 — Võ Thị Lan" in text
    assert "Giao: 09:30 07/01/2026 — Đặng Minh Quân" in text
    assert text.index("Trước hạn") < text.index("Quá hạn")
    assert "Chờ xác minh" in text and "Văn phòng UBND tỉnh" in text
    assert text.count("Đúng hạn") == 0


def test_register_lists_the_period(org, version, tmp_path):
    first = make_dossier(org, version)
    receipt(first)
    second = make_dossier(org, version, name="Hoàng Văn Bảy")
    Dossier.objects.filter(pk=second.pk).update(received_at=RECEIVED + dt.timedelta(days=40))
    content = pdf.render_register(org["commune"], dt.date(2026, 1, 1), dt.date(2026, 1, 31))
    text = flat(text_of(content, tmp_path, "r.pdf", "-raw"))  # cells in drawing order
    assert "SỔ THEO DÕI HỒ SƠ" in text and "Từ 01/01/2026 đến 31/01/2026" in text
    assert first.code in text, text
    assert NAME in text and "Đăng ký khai sinh" in text
    assert second.code not in text
    assert "17" in text  # the entry number recorded on Mẫu 01


# --- views ---------------------------------------------------------------------------------


def test_slip_download_is_inline_and_stored_once(client, org, version, officer):
    dossier = make_dossier(org, version)
    slip = receipt(dossier)
    client.force_login(officer)
    url = reverse("onestop:slip_pdf", args=[slip.pk])
    first = client.get(url)
    assert first.status_code == 200 and first["Content-Type"] == "application/pdf"
    assert first["Content-Disposition"].startswith("inline")
    body = b"".join(first.streaming_content)
    slip.refresh_from_db()
    assert slip.file_id is not None
    stored_count = StoredFile.objects.count()
    second = client.get(url)
    assert b"".join(second.streaming_content) == body
    assert StoredFile.objects.count() == stored_count
    slip.refresh_from_db()
    assert slip.file.sha256


def test_second_download_serves_the_stored_file(client, org, version, officer, monkeypatch):
    slip = receipt(make_dossier(org, version))
    client.force_login(officer)
    url = reverse("onestop:slip_pdf", args=[slip.pk])
    assert client.get(url).status_code == 200
    monkeypatch.setattr(pdf, "render_slip", lambda s: pytest.fail("rendered again"))
    assert client.get(url).status_code == 200


def test_other_agencies_get_404(client, org, version, stranger):
    dossier = make_dossier(org, version)
    slip = receipt(dossier)
    client.force_login(stranger)
    assert client.get(reverse("onestop:slip_pdf", args=[slip.pk])).status_code == 404
    assert client.get(reverse("onestop:control_sheet_pdf",
                              args=[dossier.code])).status_code == 404
    assert client.get(reverse("onestop:register_pdf"),
                      {"from": "2026-01-01", "to": "2026-01-31",
                       "agency": org["commune"].pk}).status_code == 404
    slip.refresh_from_db()
    assert slip.file_id is None


def test_no_onestop_role_gets_403_and_anonymous_is_sent_to_login(client, org, version,
                                                                make_user):
    slip = receipt(make_dossier(org, version))
    assert client.get(reverse("onestop:slip_pdf", args=[slip.pk])).status_code == 302
    client.force_login(make_user("nobody", org["commune"]))
    assert client.get(reverse("onestop:register_pdf"),
                      {"from": "2026-01-01", "to": "2026-01-31"}).status_code == 403
    assert client.get(reverse("onestop:slip_pdf", args=[slip.pk])).status_code == 404


def test_control_sheet_and_register_views(client, org, version, officer):
    dossier = make_dossier(org, version)
    client.force_login(officer)
    r = client.get(reverse("onestop:control_sheet_pdf", args=[dossier.code]))
    assert r.status_code == 200 and r.content.startswith(b"%PDF")
    assert r["Content-Disposition"].startswith("inline")
    r = client.get(reverse("onestop:register_pdf"), {"from": "2026-01-01", "to": "2026-01-31"})
    assert r.status_code == 200 and r.content.startswith(b"%PDF")
    assert client.get(reverse("onestop:control_sheet_pdf",
                              args=["KHONG-CO"])).status_code == 404


@pytest.mark.parametrize("params", [{"from": "2026-13-01", "to": "2026-01-31"},
                                    {"from": "2026-02-01", "to": "2026-01-31"},
                                    {"from": "2025-01-01", "to": "2026-01-31"}, {},
                                    {"from": "2026-01-01", "to": "2026-01-31", "agency": "x"}])
def test_register_bad_input_is_refused(client, org, officer, params):
    client.force_login(officer)
    assert client.get(reverse("onestop:register_pdf"), params).status_code in (400, 404)


def test_slip_without_dossier_is_seen_through_its_agency(client, org, officer, stranger,
                                                         tmp_path):
    slip = give(None, "03", {"reason": "Hồ sơ không thuộc thẩm quyền"}, agency=org["commune"])
    client.force_login(stranger)
    assert client.get(reverse("onestop:slip_pdf", args=[slip.pk])).status_code == 404
    client.force_login(officer)
    r = client.get(reverse("onestop:slip_pdf", args=[slip.pk]))
    assert r.status_code == 200
    text = flat(text_of(b"".join(r.streaming_content), tmp_path))
    assert "Hồ sơ không thuộc thẩm quyền" in text and NAME in text
