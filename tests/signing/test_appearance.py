"""Signature and seal images (NĐ 30/2020 Phụ lục I §II.7–8): upload rules, and how they are drawn
in the leader's and the agency's visible signatures."""

from __future__ import annotations

import io

import pytest

from egov.core.audit import AuditEvent
from egov.core.errors import InvalidInput, PermissionDenied
from egov.signing.appearance import appearance_image_set
from egov.signing.models import AppearanceImage
from egov.signing.selectors import appearance_image_for
from tests.documents.conftest import docs_org  # noqa: F401 (fixture)
from tests.signing.test_documents_flow import signing_org  # noqa: F401 (fixture)

pytestmark = pytest.mark.django_db


def png(size=(400, 200), mode="RGBA", color=(20, 40, 200, 255), fmt="PNG") -> bytes:
    from PIL import Image, ImageDraw

    bg = (0, 0, 0, 0) if mode == "RGBA" else (255, 255, 255)
    img = Image.new(mode, size, bg)
    ImageDraw.Draw(img).line([(10, size[1] - 10), (size[0] - 10, 10)],
                             fill=color if mode == "RGBA" else color[:3], width=6)
    out = io.BytesIO()
    img.save(out, fmt)
    return out.getvalue()


def _counts():
    return AppearanceImage.objects.count(), AuditEvent.objects.count()


def test_own_signature_image_is_stored_and_replaces_the_previous(docs_org):  # noqa: F811
    leader = docs_org["leader"]
    first = appearance_image_set(actor=leader, kind="signature", png=png())
    assert first.owner_user == leader and first.is_active
    # 40 mm wide, height from the 2:1 aspect.
    assert first.width_mm == 40 and first.height_mm == 20
    second = appearance_image_set(actor=leader, kind="signature", png=png((300, 300)))
    first.refresh_from_db()
    assert not first.is_active and second.is_active
    assert second.height_mm == 20 and second.width_mm == 20  # capped at 20 mm high
    assert appearance_image_for(user=leader, kind="signature") == second
    event = AuditEvent.objects.filter(action="signing.appearance_image.set").latest("pk")
    assert event.details["replaced"] == [first.pk]


def test_seal_needs_manage_users_and_defaults_to_36mm(docs_org, make_user):  # noqa: F811
    o = docs_org
    before = _counts()
    with pytest.raises(PermissionDenied):
        appearance_image_set(actor=o["leader"], kind="seal", png=png((300, 300)),
                             owner_unit=o["province"])
    assert _counts() == before
    admin = make_user("quantri", o["province"], "admin")
    seal = appearance_image_set(actor=admin, kind="seal", png=png((300, 300)),
                                owner_unit=o["province"])
    assert (seal.width_mm, seal.height_mm) == (36, 36)
    sized = appearance_image_set(actor=admin, kind="seal", png=png((300, 300)),
                                 owner_unit=o["province"], width_mm=40, height_mm=40)
    assert appearance_image_for(unit=o["province"], kind="seal") == sized
    assert (sized.width_mm, sized.height_mm) == (40, 40)


def test_someone_elses_signature_is_refused(docs_org):  # noqa: F811
    o = docs_org
    before = _counts()
    with pytest.raises(PermissionDenied):
        appearance_image_set(actor=o["officer"], kind="signature", png=png(),
                             owner_user=o["leader"])
    assert _counts() == before


@pytest.mark.parametrize("data, why", [
    (b"", "empty"),
    (b"not an image at all", "garbage"),
    (png(fmt="JPEG", mode="RGB"), "jpeg"),
    (png(mode="RGB"), "opaque png"),
    (png(size=(2100, 50)), "too wide"),
    (png()[:200], "truncated"),
    (b"\x89PNG\r\n\x1a\n" + b"\0" * (513 * 1024), "too big"),
])
def test_bad_images_are_refused_with_nothing_written(docs_org, data, why):  # noqa: F811
    leader = docs_org["leader"]
    keep = appearance_image_set(actor=leader, kind="signature", png=png())
    before = _counts()
    with pytest.raises(InvalidInput) as exc:
        appearance_image_set(actor=leader, kind="signature", png=data)
    assert "image" in exc.value.fields, why
    assert _counts() == before
    keep.refresh_from_db()
    assert keep.is_active


@pytest.mark.parametrize("w, h", [(2, 20), (40, 81), ("x", 10)])
def test_bad_sizes_are_refused(docs_org, make_user, w, h):  # noqa: F811
    admin = make_user("quantri", docs_org["province"], "admin")
    before = _counts()
    with pytest.raises(InvalidInput) as exc:
        appearance_image_set(actor=admin, kind="seal", png=png((300, 300)),
                             owner_unit=docs_org["province"], width_mm=w, height_mm=h)
    assert set(exc.value.fields) & {"width_mm", "height_mm"}
    assert _counts() == before


def test_palette_png_with_trns_is_accepted(docs_org):  # noqa: F811
    from PIL import Image

    img = Image.new("P", (200, 100), 0)
    img.putpalette([255, 255, 255, 0, 0, 255] + [0] * 762)
    img.paste(1, (10, 40, 190, 60))
    out = io.BytesIO()
    img.save(out, "PNG", transparency=0)
    row = appearance_image_set(actor=docs_org["leader"], kind="signature", png=out.getvalue())
    assert row.is_active


# ---------------------------------------------------------------- drawn in the signatures

def nd30_pdf(signer: str = "Trần Văn Chủ Tịch", title: str = "CHỦ TỊCH", pages: int = 2) -> bytes:
    """A decision laid out as NĐ 30/2020 Phụ lục I (WeasyPrint): header with "Số: …" and the
    date line, body, and on the last page "Nơi nhận" and the signature block (7a title, a gap,
    7b name)."""
    from weasyprint import HTML

    body = "".join(f"<p>Điều {i}. Nội dung quy định thứ {i} của quyết định.</p>"
                   for i in range(1, 4))
    breaks = '<p style="page-break-after: always"></p>' * (pages - 1)
    nbsp = "&nbsp;" * 6
    html = f"""<html lang="vi"><head><style>
      @page {{ size: A4; margin: 20mm 15mm 20mm 30mm }}
      body {{ font-family: 'Liberation Serif'; font-size: 13pt }}
      td {{ vertical-align: top; text-align: center }}
    </style></head><body>
    <table style="width:100%"><tr><td style="width:40%"><b>ỦY BAN NHÂN DÂN<br>TỈNH THỬ NGHIỆM</b>
    </td><td><b>CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM</b><br><b>Độc lập - Tự do - Hạnh phúc</b></td>
    </tr><tr><td>Số:{nbsp}/QĐ-UBND</td>
    <td><i>Thử Nghiệm, ngày{nbsp}tháng{nbsp}năm 2026</i></td></tr></table>
    <h3 style="text-align:center">QUYẾT ĐỊNH</h3>{body}{breaks}
    <table style="width:100%; margin-top: 12pt"><tr>
    <td style="width:50%; text-align:left; font-size: 11pt"><b><i>Nơi nhận:</i></b><br>
    - Như Điều 3;<br>- Lưu: VT, KT.</td>
    <td><b>TM. ỦY BAN NHÂN DÂN<br>{title}</b><br><br><br><br><br><b>{signer}</b></td></tr>
    </table></body></html>"""
    return HTML(string=html).write_pdf()


def _widgets(pdf: bytes) -> dict:
    from pyhanko.pdf_utils.reader import PdfFileReader

    reader = PdfFileReader(io.BytesIO(pdf), strict=False)
    out = {}
    for ref in reader.root["/AcroForm"]["/Fields"]:
        field = ref.get_object()
        out[str(field["/T"])] = field
    return out


def _rect(widget) -> tuple[float, ...]:
    return tuple(round(float(v), 1) for v in widget["/Rect"])


def _images(xobject, depth: int = 0) -> list:
    """Image XObjects drawn by a form XObject (recursively through nested forms)."""
    found = []
    resources = xobject.get("/Resources")
    if resources is None or depth > 5:
        return found
    for _name, ref in (resources.get_object().get("/XObject") or {}).items():
        obj = ref.get_object()
        if obj.get("/Subtype") == "/Image":
            found.append(obj)
        elif obj.get("/Subtype") == "/Form":
            found.extend(_images(obj, depth + 1))
    return found


def _ap_images(widget) -> list:
    return _images(widget["/AP"]["/N"].get_object())


def _signed_text(pdf: bytes, tmp_path) -> str:
    import subprocess

    path = tmp_path / "x.pdf"
    path.write_bytes(pdf)
    return subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True,
                          check=True).stdout


def _issue_signed(o, pdf: bytes):
    from egov.documents import signing_flow as flow
    from egov.documents.services import outgoing as svc
    from tests.documents.test_outgoing_support import approved

    doc = approved(o, file=("quyet-dinh.pdf", pdf))
    flow.sign_approval(actor=o["leader"], document=doc)
    doc.refresh_from_db()
    svc.outgoing_issue(actor=o["clerk"], document=doc)
    doc.refresh_from_db()
    from egov.core.files import file_open

    with file_open(doc.signed_file) as fh:
        signed = fh.read()
    with file_open(doc.issued_file) as fh:
        issued = fh.read()
    return doc, signed, issued


def test_leader_image_in_the_name_gap_and_seal_at_real_size(signing_org, nssdb, tmp_path):  # noqa: F811
    from egov.documents import signing_flow as flow
    from egov.signing import appearance
    from egov.signing.verify import verify_pdf
    from tests.signing.conftest import pdfsig

    o = signing_org
    appearance_image_set(actor=o["leader"], kind="signature", png=png())
    appearance_image_set(actor=o["admin"], kind="seal", png=png((300, 300), color=(200, 0, 0, 255)),
                         owner_unit=o["province"], width_mm=36, height_mm=36)
    source = nd30_pdf(signer=o["leader"].get_full_name())
    doc, signed, issued = _issue_signed(o, source)

    # Where the block is: the gap between "CHỦ TỊCH" and the name on the last page.
    width, _h, lines = appearance.page_lines(source, 2)
    expected = appearance.leader_box_from_lines(width, lines, o["leader"].get_full_name())
    assert expected is not None and expected != flow.LEADER_BOX
    name = next(ln for ln in appearance._visual_lines(lines) if "Chủ Tịch" in ln.text)
    title = next(ln for ln in appearance._visual_lines(lines) if ln.text == "CHỦ TỊCH")
    widgets = _widgets(issued)
    leader = widgets[flow.FIELD_LEADER]
    x1, y1, x2, y2 = _rect(leader)
    assert (x1, y1, x2, y2) == tuple(round(v, 1) for v in expected)
    assert y1 >= name.box[3] - 0.5 and y2 <= title.box[1] + 0.5          # in the gap
    assert abs((x1 + x2) / 2 - (name.box[0] + name.box[2]) / 2) < 1       # centred on the name
    # The appearance draws the handwritten signature image (with an alpha mask).
    [image] = _ap_images(leader)
    assert "/SMask" in image and int(image["/Width"]) == 400

    # The seal: 36 mm = 102.05 pt, its right edge at a third of the signature image as drawn
    # (centred in the leader box, aspect 2:1), vertically centred on the leader box.
    from egov.signing import pades

    org = widgets[flow.FIELD_ORG]
    sx1, sy1, sx2, sy2 = _rect(org)
    assert abs((sx2 - sx1) - 36 * 72 / 25.4) < 0.2 and abs((sy2 - sy1) - 36 * 72 / 25.4) < 0.2
    ix1, ix2 = pades.image_span((x1, y1, x2, y2), png(), flow.LEADER_CAPTION_SIZE)
    assert x1 < ix1 < ix2 < x2 and abs((ix2 - ix1) - 2 * (y2 - y1 - 1 - 20)) < 0.5
    assert abs(sx2 - (ix1 + (ix2 - ix1) / 3)) < 0.2
    assert abs((sy1 + sy2) / 2 - (y1 + y2) / 2) < 0.2
    assert sx1 < ix1 < sx2 < ix2  # covers the left part of the handwritten signature
    [seal] = _ap_images(org)
    assert int(seal["/Width"]) == 300
    # The seal is painted after (over) the leader's signature.
    page_annots = [a.get_object().get("/T") for a in leader["/P"].get_object()["/Annots"]]
    assert page_annots.index(flow.FIELD_ORG) > page_annots.index(flow.FIELD_LEADER)

    report = verify_pdf(issued)
    assert report.valid and len(report.signatures) == 2, report.reasons
    out = pdfsig(issued, nssdb, tmp_path)
    assert out.count("Signature Validation: Signature is Valid.") == 2, out

    # "Số:" and the date line were filled where the document prints them.
    number_box = _rect(widgets[flow.FIELD_CODE])
    _w, height, first = appearance.page_lines(source, 1)
    found = appearance.number_date_boxes(first, height)
    assert number_box == tuple(round(v, 1) for v in found["code"])
    text = _signed_text(issued, tmp_path)
    assert f"Số: {doc.code}" in text
    assert flow.issue_date_line(o["province"].place_name, doc.issued_date) in text
    # The signed stage-1 PDF has the leader image too (the same field).
    assert _ap_images(_widgets(signed)[flow.FIELD_LEADER])


def test_without_the_name_the_fallback_boxes_and_the_flow_refuses(signing_org, tmp_path):  # noqa: F811
    """The signing service still places its fields at the fixed boxes when the page says
    nothing (it knows no module); the documents flow no longer signs such a draft: the layout
    check (issue 9 §1) refuses it with the reason, before anything is stamped over text."""
    from egov.core.errors import AppError
    from egov.documents import signing_flow as flow
    from egov.documents.models import OutgoingState
    from egov.signing import stamping
    from tests.documents.conftest import make_pdf
    from tests.documents.test_outgoing_support import make_draft

    o = signing_org
    bare = make_pdf("khong-co-ten", header=(), signer=())
    widgets = _widgets(stamping.prepare_fields(bare, signer_name="Trần Văn Chủ Tịch"))
    assert _rect(widgets[flow.FIELD_LEADER]) == tuple(float(v) for v in flow.LEADER_BOX)
    assert _rect(widgets[flow.FIELD_ORG]) == tuple(float(v) for v in flow.ORG_BOX)
    assert _rect(widgets[flow.FIELD_CODE]) == tuple(float(v) for v in flow.CODE_BOX)

    # Approved before the check existed (the format review now refuses such a draft).
    doc = make_draft(o, file=("quyet-dinh.pdf", make_pdf("khong-co-ten", signer=())))
    type(doc).objects.filter(pk=doc.pk).update(state=OutgoingState.APPROVED)
    doc.refresh_from_db()
    with pytest.raises(AppError) as exc:
        flow.sign_approval(actor=o["leader"], document=doc)
    assert exc.value.code == "layout" and exc.value.status == 409
    assert "Trần Văn Chủ Tịch" in exc.value.message
    doc.refresh_from_db()
    assert doc.state == OutgoingState.APPROVED and doc.signed_file_id is None


def test_name_found_but_no_image_keeps_the_text_stamp_in_the_gap(signing_org, tmp_path):  # noqa: F811
    from egov.documents import signing_flow as flow

    o = signing_org
    _doc, _signed, issued = _issue_signed(o, nd30_pdf(signer=o["leader"].get_full_name()))
    leader = _widgets(issued)[flow.FIELD_LEADER]
    assert _rect(leader) != tuple(float(v) for v in flow.LEADER_BOX)
    assert _ap_images(leader) == []
    assert "Ký ngày" in _signed_text(issued, tmp_path)


def test_seal_box_geometry():
    from egov.signing.appearance import seal_box

    x1, y1, x2, y2 = seal_box((300, 100, 510, 160), 40, 30)
    assert (x2, round(x2 - x1, 2), round(y2 - y1, 2)) == (370, 113.39, 85.04)
    assert (y1 + y2) / 2 == 130
    # With the drawn image's extent known, a third of the image counts.
    assert seal_box((300, 100, 510, 160), 40, 30, span=(360, 450))[2] == 390


def test_admin_upload_goes_through_the_service(client, docs_org, make_user):  # noqa: F811
    from django.core.files.uploadedfile import SimpleUploadedFile

    o = docs_org
    admin_user = make_user("quantri", o["province"], "admin", is_staff=True, is_superuser=True)
    client.force_login(admin_user)
    seal_png = png((300, 300), color=(200, 0, 0, 255))
    resp = client.post("/admin/signing/appearanceimage/add/", {
        "kind": "seal", "owner_unit": o["province"].pk, "width_mm": "38", "height_mm": "38",
        "upload": SimpleUploadedFile("dau.png", seal_png, content_type="image/png")})
    assert resp.status_code == 302, resp.content.decode()[:2000]
    seal = appearance_image_for(unit=o["province"], kind="seal")
    assert bytes(seal.image_png) == seal_png and seal.width_mm == 38
    assert seal.uploaded_by == admin_user
    assert AuditEvent.objects.filter(action="signing.appearance_image.set").count() == 1
    page = client.get(f"/admin/signing/appearanceimage/{seal.pk}/change/")
    assert page.status_code == 200 and "data:image/png;base64," in page.content.decode()

    before = _counts()
    resp = client.post("/admin/signing/appearanceimage/add/", {
        "kind": "seal", "owner_unit": o["province"].pk,
        "upload": SimpleUploadedFile("dau.png", png(mode="RGB"), content_type="image/png")})
    assert resp.status_code == 200 and "errorlist" in resp.content.decode()
    assert _counts() == before


def test_seal_registered_after_the_leader_signed_is_fitted_into_the_field(signing_org, nssdb,  # noqa: F811
                                                                          tmp_path):
    from egov.documents import signing_flow as flow
    from egov.documents.services import outgoing as svc
    from egov.signing.verify import verify_pdf
    from tests.documents.test_outgoing_support import approved
    from tests.signing.conftest import pdfsig

    o = signing_org
    doc = approved(o)
    flow.sign_approval(actor=o["leader"], document=doc)
    appearance_image_set(actor=o["admin"], kind="seal", png=png((300, 300)),
                         owner_unit=o["province"])
    doc.refresh_from_db()
    svc.outgoing_issue(actor=o["clerk"], document=doc)
    doc.refresh_from_db()
    from egov.core.files import file_open

    with file_open(doc.issued_file) as fh:
        issued = fh.read()
    org = _widgets(issued)[flow.FIELD_ORG]
    assert _rect(org) == tuple(float(v) for v in flow.ORG_BOX)
    assert len(_ap_images(org)) == 1
    assert verify_pdf(issued).valid
    assert pdfsig(issued, nssdb, tmp_path).count("Signature is Valid.") == 2


def test_number_and_date_are_found_only_in_the_header():
    from egov.signing.appearance import TextLine, number_date_boxes

    def line(text, x, y):
        words, pos = [], x
        for w in text.split():
            words.append((w, pos, y, pos + 6 * len(w), y + 13))
            pos += 6 * len(w) + 4
        return TextLine(tuple(words))

    body = [line("Số lượng hồ sơ: 12", 90, 500), line("ngày 01 tháng 3 năm 2026", 90, 480)]
    assert number_date_boxes(body) == {}
    header = [line("Số: /QĐ-UBND", 120, 716), line("Hà Nội, ngày tháng năm 2026", 320, 716)]
    found = number_date_boxes(header + body)
    assert found["code"][0] == 118 and found["date"][0] == 318
