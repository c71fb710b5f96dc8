"""Every petition slip renders as a PDF in its legal form (services.md §2.4): the text (pdftotext)
carries the quốc hiệu with its diacritics, the slip's number, the form's legal basis and the
petition's code; copies not addressed to the petitioner carry no identity even when the caller
passes it; the data is frozen; a form without a renderer is refused."""

from __future__ import annotations

import subprocess

import pytest
from django.db import transaction

from egov.petitions import pdf
from egov.petitions.models import PetitionIdentity, PetitionSlip, SlipForm
from egov.petitions.services import slips

from .conftest import IDENTITY

PETITIONER = {"full_name": IDENTITY["full_name"], "address": IDENTITY["address"],
              "personal_id": IDENTITY["personal_id"]}
SUMMARY = "Tố cáo cán bộ địa chính xã nhận tiền để hợp thức hóa đất lấn chiếm."

# form → (data, kind of the petition, words the legal basis must show)
CASES = {
    SlipForm.REFUSE_VISIT: ({"ground": "settled", "visit_at": "2026-09-14T09:00:00+07:00"},
                            "complaint", ["Điều 9 Luật Tiếp công dân", "154/2026/NĐ-CP",
                                          "kéo dài"]),
    SlipForm.PROPOSE_ACCEPT: ({"summary": SUMMARY, "proposer": {"name": "Lê Thu Hà"}},
                              "denunciation", ["05/2021/TT-TTCP", "Đề xuất: Thụ lý"]),
    SlipForm.TRANSFER: ({"summary": SUMMARY, "to_body": "Công an tỉnh Thử Nghiệm", "pages": 2},
                        "denunciation", ["Điều 24", "Luật Tố cáo", "05/2021/TT-TTCP",
                                         "Công an tỉnh Thử Nghiệm"]),
    SlipForm.GUIDANCE: ({"summary": SUMMARY, "to_body": "Tòa án nhân dân khu vực 1"},
                        "proposal", ["Luật Tiếp công dân", "05/2021/TT-TTCP",
                                     "Tòa án nhân dân khu vực 1"]),
    SlipForm.ACCEPT_NOTICE: ({"summary": SUMMARY, "accepted_on": "2026-09-15",
                              "due_on": "2026-10-15"}, "complaint",
                             ["Điều 27", "Luật Khiếu nại", "124/2020/NĐ-CP", "155/2026/NĐ-CP",
                              "ngày 15 tháng 10 năm 2026"]),
    SlipForm.NOT_ACCEPTED_NOTICE: ({"summary": SUMMARY, "case": 6}, "complaint",
                                   ["khoản 6 Điều 11 Luật Khiếu nại", "Thời hiệu",
                                    "124/2020/NĐ-CP"]),
    SlipForm.EXTENSION: ({"extension": 1, "days": 30, "reason": "xác minh tại nhiều địa điểm",
                          "old_due_on": "2026-10-15", "new_due_on": "2026-11-14"},
                         "denunciation", ["Luật Tố cáo", "Điều 30", "31/2019/NĐ-CP",
                                          "156/2026/NĐ-CP", "30 ngày"]),
    SlipForm.DIALOGUE: ({"at": "2026-10-01T08:30:00+07:00", "chair": {"name": "Phạm Minh Đức",
                                                                       "title": "Chủ tịch"},
                         "complainant_opinion": "Giữ nguyên nội dung khiếu nại.",
                         "respondent_opinion": "Quyết định đúng quy định."}, "complaint",
                        ["đối thoại giải quyết khiếu nại", "Điều 30", "Luật Khiếu nại", "Mẫu số 14"]),
    SlipForm.RESULT_NOTICE: ({"summary": SUMMARY, "result": "Tố cáo đúng một phần.",
                              "result_document": "Kết luận nội dung tố cáo số 05/KL-UBND"},
                             "denunciation", ["Điều 35", "Luật Tố cáo", "Tố cáo đúng một phần"]),
}


def pdf_text(content: bytes, tmp_path) -> str:
    path = tmp_path / "slip.pdf"
    path.write_bytes(content)
    out = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True,
                         check=True)
    return " ".join(out.stdout.decode("utf-8").split())


def has(text: str, words: str) -> bool:
    """`words` in the text, also when a line break fell inside them ("155/2026/ NĐ-CP")."""
    return words in text or words.replace(" ", "") in text.replace(" ", "")


def stored_text(slip: PetitionSlip, tmp_path) -> str:
    with slip.file.file.open("rb") as fh:
        return pdf_text(fh.read(), tmp_path)


def issue(petition, form, actor, data, to_petitioner=False):
    with transaction.atomic():
        return slips.slip_issue(petition=petition, form=form, actor=actor, data=data,
                                to_petitioner=to_petitioner)


@pytest.mark.parametrize("form", list(CASES))
def test_each_slip_renders_in_its_legal_form(form, pet, make_petition, tmp_path):
    data, kind, basis = CASES[form]
    petition = make_petition(kind=kind)
    slip = issue(petition, form, pet["reception"], {**data, "petitioner": PETITIONER},
                 to_petitioner=True)
    text = stored_text(slip, tmp_path)
    assert slip.file.content_type == "application/pdf"
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in text
    assert "Độc lập - Tự do - Hạnh phúc" in text
    assert "Ủy ban nhân dân xã An Bình".upper() in text.upper()
    assert "An Bình, ngày" in text
    abbr = pdf.FORMS[form]["abbr"]
    assert slip.number == f"01/{abbr}-UBND"
    assert f"Số: 01/{abbr}-UBND" in text
    assert pdf.FORMS[form]["title"].upper() in text.upper()
    assert petition.code in text
    for words in basis:
        assert has(text, words), (form, words)
    assert "Nơi nhận" in text or form in (SlipForm.PROPOSE_ACCEPT, SlipForm.DIALOGUE)


@pytest.mark.parametrize("form", list(CASES))
def test_copies_for_others_carry_no_identity(form, pet, make_petition, tmp_path):
    data, kind, _basis = CASES[form]
    petition = make_petition(kind=kind)
    # The caller passes the identity and the letter as written: the copy must drop both.
    leaky = {**data, "petitioner": PETITIONER, "summary": "Bà Trần Thị Bích Ngọc (CCCD "
             "001199012345, ĐT 0987 654 321) tố cáo cán bộ địa chính."}
    slip = issue(petition, form, pet["reception"], leaky, to_petitioner=False)
    text = stored_text(slip, tmp_path)
    folded = text.lower()
    for value in ("trần thị bích ngọc", "tran thi bich ngoc", "001199012345", "0987 654 321",
                  "0987654321", "lê lợi", "ngoc.tran@example.vn"):
        assert value not in folded, (form, value)
    assert "petitioner" not in slip.data
    assert "Ngọc" not in str(slip.data) and "001199012345" not in str(slip.data)


def test_transfer_copy_for_competent_body_keeps_denouncer_secret(pet, make_petition, tmp_path):
    petition = make_petition(kind="denunciation")
    data = {"summary": SUMMARY, "to_body": "Thanh tra tỉnh Thử Nghiệm"}
    for_body = issue(petition, SlipForm.TRANSFER, pet["reception"],
                     {**data, "petitioner": PETITIONER})
    to_denouncer = issue(petition, SlipForm.TRANSFER, pet["reception"],
                         {**data, "petitioner": PETITIONER}, to_petitioner=True)
    body_text = stored_text(for_body, tmp_path)
    assert "Kính gửi: Thanh tra tỉnh Thử Nghiệm" in body_text
    assert "giữ bí mật" in body_text and "Trần Thị Bích Ngọc" not in body_text
    own_text = stored_text(to_denouncer, tmp_path)
    assert "Kính gửi: Ông/Bà Trần Thị Bích Ngọc" in own_text
    assert "Tra cứu đơn" in own_text  # the QR to the public look-up
    # Two slips of one form: consecutive numbers.
    assert (for_body.number, to_denouncer.number) == ("01/PCĐ-UBND", "02/PCĐ-UBND")


def test_waived_confidentiality_lets_the_copy_name_the_denouncer(pet, make_petition, tmp_path):
    petition = make_petition(kind="denunciation")
    PetitionIdentity.objects.filter(petition=petition).update(confidentiality_waived=True)
    slip = issue(petition, SlipForm.TRANSFER, pet["reception"],
                 {"summary": SUMMARY, "to_body": "Thanh tra tỉnh", "petitioner": PETITIONER})
    assert "Trần Thị Bích Ngọc" in stored_text(slip, tmp_path)


def test_slip_data_is_frozen(pet, make_petition, tmp_path):
    petition = make_petition(kind="complaint")
    slip = issue(petition, SlipForm.NOT_ACCEPTED_NOTICE, pet["reception"],
                 {"summary": SUMMARY, "case": 5, "petitioner": PETITIONER}, to_petitioner=True)
    petition.agency.name = "Ủy ban nhân dân phường Mới"
    petition.agency.save()
    again = pdf_text(slips.renderer_for(slip.form)(PetitionSlip.objects.get(pk=slip.pk)),
                     tmp_path)
    assert "AN BÌNH" in again.upper() and "PHƯỜNG MỚI" not in again.upper()
    assert "khoản 5 Điều 11 Luật Khiếu nại" in again


def test_unknown_form_is_refused(pet, make_petition):
    petition = make_petition()
    with transaction.atomic(), pytest.raises(ValueError):
        slips.slip_issue(petition=petition, form="nope", actor=pet["reception"], data={})
    assert not PetitionSlip.objects.exists()


def test_other_parts_register_forms(pet, make_petition, tmp_path):
    """The receipt (Mẫu 02/TCD) belongs to intake: a registered renderer is used and numbered."""
    calls = []

    def receipt(slip):
        calls.append(slip.data["code"])
        return pdf.render_html("petitions/pdf/result.html", pdf.base_context(slip))

    previous = slips._renderers.get(SlipForm.RECEIPT)
    slips.register_renderer(SlipForm.RECEIPT, receipt)
    try:
        petition = make_petition()
        slip = issue(petition, SlipForm.RECEIPT, pet["reception"], {})
    finally:
        if previous is None:
            slips._renderers.pop(SlipForm.RECEIPT, None)
        else:
            slips._renderers[SlipForm.RECEIPT] = previous
    assert calls == [petition.code]
    assert slip.number == "01/GBN-UBND"
