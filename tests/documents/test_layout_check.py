"""The layout check (issue 9 §1): a PDF without the "Số:" line, the date line or the signer
block is refused at the format review, at signing and at issue (409 ``layout`` naming the
part); nothing is stamped over text; the verification mark goes to free space or the check
fails; the preview shows the PDF as it will be issued without numbering, signing or logging."""

from __future__ import annotations

import io
import json

import pytest
from django.urls import reverse

from egov.core.audit import AuditEvent
from egov.core.errors import AppError
from egov.core.models import Sequence
from egov.documents import layout_check
from egov.documents.models import DocumentEvent, OutgoingState
from egov.documents.services import outgoing as svc
from egov.signing import appearance, free_space
from tests.documents.conftest import DECREE_HEADER, make_pdf
from tests.documents.test_outgoing_support import approve, make_draft

pytestmark = pytest.mark.django_db

NO_NUMBER = tuple(h for h in DECREE_HEADER if not h[3].startswith("Số:"))
NO_DATE = tuple(h for h in DECREE_HEADER if "ngày" not in h[3])
CASES = {
    "number": {"header": NO_NUMBER},
    "date": {"header": NO_DATE},
    "signer": {"signer": ((85, 330, 11, "Nơi nhận:"),)},
}
EXPECTED = {"number": "Số:", "date": "ngày … tháng … năm", "signer": "Trần Văn Chủ Tịch"}


def _in_review_at_format(o, pdf: bytes):
    doc = make_draft(o, file=("du-thao.pdf", pdf))
    svc.outgoing_submit(actor=o["officer"], document=doc)
    svc.outgoing_review(actor=o["unit_head"], document=doc, step="content", decision="approved")
    return doc


def _forced(o, pdf: bytes, state=OutgoingState.APPROVED):
    """A draft in ``state`` without passing the reviews (approved before the check existed)."""
    doc = make_draft(o, file=("du-thao.pdf", pdf))
    type(doc).objects.filter(pk=doc.pk).update(state=state)
    doc.refresh_from_db()
    return doc


def test_a_decree_shaped_pdf_passes_every_stage(docs_org):
    o = docs_org
    doc = approve(o, make_draft(o))
    report = layout_check.inspect(make_pdf("x"), document=doc, stage="sign")
    assert report.ok and report.mark_at is None          # the usual place is free
    svc.outgoing_issue(actor=o["clerk"], document=doc, medium="paper")
    doc.refresh_from_db()
    assert doc.state == OutgoingState.ISSUED


@pytest.mark.parametrize("part", sorted(CASES))
def test_missing_part_is_refused_at_review(docs_org, part):
    o = docs_org
    doc = _in_review_at_format(o, make_pdf("x", **CASES[part]))
    events = AuditEvent.objects.count()
    with pytest.raises(AppError) as exc:
        svc.outgoing_review(actor=o["clerk"], document=doc, step="format", decision="approved")
    assert exc.value.code == "layout" and exc.value.status == 409
    assert EXPECTED[part] in exc.value.message, exc.value.message
    assert exc.value.fields["layout"]
    assert AuditEvent.objects.count() == events
    assert not doc.approvals.filter(step="format").exists()


@pytest.mark.parametrize("part", sorted(CASES))
def test_missing_part_is_refused_at_sign(docs_org, part):
    from egov.documents.signing_flow import sign_approval

    o = docs_org
    doc = _forced(o, make_pdf("x", **CASES[part]))
    with pytest.raises(AppError) as exc:
        sign_approval(actor=o["leader"], document=doc)
    assert exc.value.code == "layout" and EXPECTED[part] in exc.value.message
    doc.refresh_from_db()
    assert doc.state == OutgoingState.APPROVED and doc.signed_file_id is None


@pytest.mark.parametrize("part", sorted(CASES))
def test_missing_part_is_refused_at_issue(docs_org, part):
    o = docs_org
    doc = _forced(o, make_pdf("x", **CASES[part]))
    with pytest.raises(AppError) as exc:
        svc.outgoing_issue(actor=o["clerk"], document=doc, medium="paper")
    assert exc.value.code == "layout" and EXPECTED[part] in exc.value.message
    doc.refresh_from_db()
    assert doc.state == OutgoingState.APPROVED and not doc.code
    assert not Sequence.objects.filter(series="outgoing").exclude(last_value=0).exists()


def test_capacity_chosen_but_not_printed_is_refused(docs_org):
    o = docs_org
    pdf = make_pdf("x", signer=((370, 330, 12, "CHỦ TỊCH"), (370, 225, 12, "Trần Văn Chủ Tịch")))
    doc = _forced(o, pdf)
    doc.signer_capacity = "KT"
    report = layout_check.inspect(pdf, document=doc)
    assert "signer" in report.missing and any("KT." in m for m in report.messages)
    doc.signer_capacity = ""
    assert layout_check.inspect(pdf, document=doc).ok


def test_no_space_for_the_signature_is_refused(docs_org):
    o = docs_org
    pdf = make_pdf("x", signer=((370, 330, 12, "KT. CHỦ TỊCH"), (370, 315, 12, "PHÓ CHỦ TỊCH"),
                                (370, 298, 12, "Trần Văn Chủ Tịch")))
    report = layout_check.inspect(pdf, document=_forced(o, pdf))
    assert report.missing == ["signer"] and "7c" in report.messages[0]


def test_api_answers_409_layout_at_review_and_issue(docs_org, client):
    o = docs_org
    doc = _in_review_at_format(o, make_pdf("x", header=NO_DATE))
    client.force_login(o["clerk"])
    res = client.post(f"/api/v1/documents/outgoing/{doc.pk}/review",
                      data=json.dumps({"step": "format", "decision": "approved"}),
                      content_type="application/json")
    assert res.status_code == 409, res.content
    body = res.json()
    assert body["code"] == "layout" and "ngày … tháng … năm" in body["message"]
    issued = _forced(o, make_pdf("y", header=NO_NUMBER))
    res = client.post(f"/api/v1/documents/outgoing/{issued.pk}/issue",
                      data='{"medium": "paper"}',
                      content_type="application/json")
    assert res.status_code == 409 and res.json()["code"] == "layout"
    assert "Số:" in res.json()["message"]


def test_review_page_shows_the_missing_parts(docs_org, client):
    o = docs_org
    doc = _in_review_at_format(o, make_pdf("x", header=NO_NUMBER))
    client.force_login(o["clerk"])
    html = client.get(reverse("documents:outgoing_detail", args=[doc.pk])).content.decode()
    assert 'data-testid="layout-problems"' in html and "Số: …" in html
    res = client.post(reverse("documents:outgoing_review", args=[doc.pk]),
                      {"step": "format", "decision": "approved"}, follow=True)
    assert "Số: …" in res.content.decode()
    assert not doc.approvals.filter(step="format").exists()


# ---------------------------------------------------------------- free space

CROWDED_TOP = ((20, 812, 11, "CƠ QUAN CHỦ QUẢN CẤP TRÊN — DÒNG CHỮ Ở LỀ TRÊN CỦA TRANG"),
               (20, 798, 11, "DÒNG THỨ HAI Ở LỀ TRÊN, TRÀN SANG VỊ TRÍ MÃ XÁC THỰC"))


def test_crowded_top_margin_moves_the_mark_to_free_space(docs_org):
    from egov.documents.signing_flow import prepare_fields
    from egov.signing.verification_codes import MARK_HEIGHT, MARK_WIDTH

    o = docs_org
    pdf = make_pdf("x", header=DECREE_HEADER + CROWDED_TOP)
    doc = _forced(o, pdf)
    # The old fixed place would overprint the text of the top margin.
    _w, _h, lines = appearance.page_lines(pdf, 1)
    words = [w for line in lines for w in line.words]
    from egov.signing.verification_codes import mark_box
    assert free_space.collisions(mark_box((0, 0, 595, 842)), words)
    report = layout_check.inspect(pdf, document=doc)
    assert report.ok and report.mark_at is not None
    x, top = report.mark_at
    assert not free_space.collisions((x, top - MARK_HEIGHT, x + MARK_WIDTH, top), words)
    # The prepared PDF: the mark's caption is where the check put it, over no other word.
    prepared = prepare_fields(pdf, document=doc)
    _w, _h, after = appearance.page_lines(prepared, 1)
    caption = [w for line in after for w in line.words
               if w[0].startswith(("Mã", "Tra cứu"))]
    assert caption and all(x <= w[1] <= x + MARK_WIDTH and top - MARK_HEIGHT <= w[2] <= top
                           for w in caption)
    for w in caption:
        assert not free_space.collisions(tuple(w[1:5]), words)


def test_page_without_free_space_is_refused(docs_org):
    o = docs_org
    filler = tuple((20, y, 11, "CHỮ " * 28) for y in range(830, 20, -11)
                   if not 690 <= y <= 780 and not 200 <= y <= 340)
    pdf = make_pdf("x", header=DECREE_HEADER + filler)
    report = layout_check.inspect(pdf, document=_forced(o, pdf))
    assert "mark" in report.missing or "placement" in report.missing
    with pytest.raises(AppError) as exc:
        layout_check.require(pdf, document=_forced(o, pdf), stage="sign")
    assert exc.value.code == "layout"


def test_stamp_over_the_signer_gap_is_refused(docs_org):
    """A line printed in the signature space: the signature would cover it."""
    o = docs_org
    pdf = make_pdf("x", signer=((370, 330, 12, "KT. CHỦ TỊCH"), (370, 315, 12, "PHÓ CHỦ TỊCH"),
                                (372, 262, 12, "(đã ký)"), (370, 225, 12, "Trần Văn Chủ Tịch")))
    report = layout_check.inspect(pdf, document=_forced(o, pdf))
    assert not report.ok


# ---------------------------------------------------------------- preview

def _pdftotext(pdf: bytes, tmp_path) -> str:
    import subprocess

    path = tmp_path / "p.pdf"
    path.write_bytes(pdf)
    return subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True,
                          check=True).stdout


def _image_xobjects(pdf: bytes) -> int:
    from pyhanko.pdf_utils.reader import PdfFileReader

    reader = PdfFileReader(io.BytesIO(pdf), strict=False)
    count = 0

    def walk(resources, depth=0):
        nonlocal count
        if resources is None or depth > 6:
            return
        for _n, ref in (resources.get_object().get("/XObject") or {}).items():
            obj = ref.get_object()
            if obj.get("/Subtype") == "/Image":
                count += 1
            elif obj.get("/Subtype") == "/Form":
                walk(obj.get("/Resources"), depth + 1)

    for page_ix in range(int(reader.root["/Pages"]["/Count"])):
        walk(reader.find_page_for_modification(page_ix)[0].get_object().get("/Resources"))
    return count


@pytest.fixture
def images(docs_org, make_user):
    from egov.signing.appearance import appearance_image_set
    from tests.signing.test_appearance import png

    o = docs_org
    admin = make_user("quantri", o["province"], "admin")
    appearance_image_set(actor=o["leader"], kind="signature", png=png())
    appearance_image_set(actor=admin, kind="seal", png=png((300, 300), color=(200, 0, 0, 255)),
                         owner_unit=o["province"], width_mm=30, height_mm=30)
    return o


def test_preview_before_signing_and_before_issue(images, client, tmp_path):
    from egov.signing.models import VerificationCode

    o = images
    doc = approve(o, make_draft(o))
    sequences = list(Sequence.objects.values_list("scope", "last_value"))
    audits, events = AuditEvent.objects.count(), DocumentEvent.objects.count()
    codes = VerificationCode.objects.count()
    for user, stage in ((o["leader"], "sign"), (o["clerk"], "issue")):
        client.force_login(user)
        res = client.get(reverse("documents:outgoing_preview", args=[doc.pk]),
                         {"stage": stage})
        assert res.status_code == 200 and res["Content-Type"] == "application/pdf"
        assert res["Content-Disposition"].startswith("inline")
        pdf = res.content
        assert pdf.startswith(b"%PDF-")
        text = " ".join(_pdftotext(pdf, tmp_path).split())
        assert "Số: …/QĐ-UBND" in text
        assert "BẢN XEM TRƯỚC — KHÔNG CÓ GIÁ TRỊ PHÁP LÝ" in text
        assert "Mã xác thực" in text
        assert _image_xobjects(pdf) >= 2          # the signature image and the seal
        api = client.get(f"/api/v1/documents/outgoing/{doc.pk}/preview?stage={stage}")
        assert api.status_code == 200 and api.content.startswith(b"%PDF-")
    # Nothing numbered, signed, drawn or logged.
    assert list(Sequence.objects.values_list("scope", "last_value")) == sequences
    assert AuditEvent.objects.count() == audits and DocumentEvent.objects.count() == events
    assert VerificationCode.objects.count() == codes
    doc.refresh_from_db()
    assert doc.state == OutgoingState.APPROVED and not doc.code and doc.signed_file_id is None


def test_preview_is_for_those_who_see_the_document_and_checks_stage(docs_org, client):
    o = docs_org
    doc = approve(o, make_draft(o))
    client.force_login(o["justice_clerk"])
    assert client.get(reverse("documents:outgoing_preview", args=[doc.pk])).status_code == 404
    assert client.get(f"/api/v1/documents/outgoing/{doc.pk}/preview").status_code == 404
    client.force_login(o["leader"])
    bad = client.get(f"/api/v1/documents/outgoing/{doc.pk}/preview?stage=later")
    assert bad.status_code == 422
    page = client.get(reverse("documents:outgoing_detail", args=[doc.pk])).content.decode()
    assert reverse("documents:outgoing_preview", args=[doc.pk]) + "?stage=sign" in page


def test_preview_of_a_pdf_without_layout_is_409(docs_org, client):
    o = docs_org
    doc = _forced(o, make_pdf("x", header=NO_NUMBER))
    client.force_login(o["leader"])
    res = client.get(f"/api/v1/documents/outgoing/{doc.pk}/preview?stage=sign")
    assert res.status_code == 409 and res.json()["code"] == "layout"


# ---------------------------------------------------------------- templates in the UI and API

def test_template_downloads(docs_org, client):
    from tests.documents.test_draft_templates import texts

    o = docs_org
    client.force_login(o["officer"])
    page = client.get(reverse("documents:outgoing_new")).content.decode()
    assert reverse("documents:outgoing_template") in page and 'name="type"' in page
    res = client.get(reverse("documents:outgoing_template"), {"type": "QD"})
    assert res.status_code == 200 and res["Content-Type"].startswith(
        "application/vnd.openxmlformats")
    assert "Số:      /QĐ-UBND" in texts(res.content)
    api = client.get("/api/v1/documents/outgoing/templates/CV.docx")
    assert api.status_code == 200 and "Số:      /UBND-KT" in texts(api.content)
    assert client.get("/api/v1/documents/outgoing/templates/NOPE.docx").status_code == 404
    assert client.get("/api/v1/documents/outgoing/templates/SY.docx").status_code == 404
    doc = make_draft(o, signer_capacity="KT", signer_position="Phó Chủ tịch")
    filled = client.get(f"/api/v1/documents/outgoing/{doc.pk}/template.docx")
    assert filled.status_code == 200 and "KT. CHỦ TỊCH" in texts(filled.content)
    assert client.get(reverse("documents:outgoing_document_template",
                              args=[doc.pk])).status_code == 200
    client.force_login(o["justice_clerk"])
    assert client.get(f"/api/v1/documents/outgoing/{doc.pk}/template.docx").status_code == 404


def test_openapi_documents_the_preview_and_templates():
    import egov.urls  # noqa: F401  (the modules' routers are added there)
    from egov.core.api import api

    schema = api.get_openapi_schema(path_prefix="api/v1/")
    for path, kind in (("/api/v1/documents/outgoing/{id}/preview", "application/pdf"),
                       ("/api/v1/documents/outgoing/templates/{type_code}.docx",
                        "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
                       ("/api/v1/documents/outgoing/{id}/template.docx",
                        "application/vnd.openxmlformats-officedocument.wordprocessingml.document")):
        responses = schema["paths"][path]["get"]["responses"]
        assert kind in (responses.get(200) or responses["200"])["content"], path
    preview = schema["paths"]["/api/v1/documents/outgoing/{id}/preview"]["get"]
    assert "409" in {str(c) for c in preview["responses"]}
    assert any(p["name"] == "stage" for p in preview["parameters"])
