"""PAdES signing: invisible and visible signatures from key files and SoftHSM2 keys, checked by
pyHanko and independently by poppler's pdfsig."""

from __future__ import annotations

import datetime as dt
import io
import subprocess

import pytest
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.fields import SigFieldSpec

from egov.signing import pades
from egov.signing.signers import get_signer

from .conftest import pdfsig, validate_with_pyhanko

PDFSIG_VALID = "Signature Validation: Signature is Valid."
PDFSIG_TRUSTED = "Certificate Validation: Certificate is Trusted."


def _key_file_signer(test_pki, which):
    return get_signer("key_file", pkcs12=getattr(test_pki, f"{which}_p12"),
                      password=test_pki.password)


def _assert_valid_everywhere(signed, test_pki, nssdb, tmp_path, *, count=1):
    statuses = validate_with_pyhanko(signed, test_pki.root)
    assert len(statuses) == count
    for status in statuses:
        assert status.intact and status.valid and status.trusted, status.pretty_print_details()
        assert status.bottom_line
    out = pdfsig(signed, nssdb, tmp_path)
    assert out.count(PDFSIG_VALID) == count, out
    assert out.count(PDFSIG_TRUSTED) == count, out
    assert "ETSI.CAdES.detached" in out and "SHA-256" in out
    return statuses, out


@pytest.mark.parametrize("which", ["leader", "org"])
def test_invisible_signature_with_a_key_file(sample_pdf, test_pki, nssdb, tmp_path, which):
    signed = pades.sign_pdf(sample_pdf, _key_file_signer(test_pki, which), field_name="ChuKy",
                            reason="Phê duyệt", location="Minh Phong")
    assert signed.startswith(sample_pdf)  # incremental update: the original bytes are untouched
    statuses, out = _assert_valid_everywhere(signed, test_pki, nssdb, tmp_path)
    assert "Total document signed" in out
    sig = PdfFileReader(io.BytesIO(signed)).embedded_signatures[0]
    assert sig.field_name == "ChuKy"
    assert sig.sig_object["/SubFilter"] == "/ETSI.CAdES.detached"
    assert sig.sig_object["/Reason"] == "Phê duyệt"
    assert statuses[0].md_algorithm == "sha256"
    # Invisible: a zero-size widget.
    rect = [float(v) for v in sig.sig_field["/Rect"]] if "/Rect" in sig.sig_field else [0] * 4
    assert rect[2] - rect[0] == 0 and rect[3] - rect[1] == 0


@pytest.mark.parametrize("label_attr", ["rsa_label", "ec_label"])
def test_invisible_signature_with_softhsm(sample_pdf, test_pki, softhsm_token, nssdb, tmp_path,
                                          label_attr):
    signer = get_signer("pkcs11", **softhsm_token.config(getattr(softhsm_token, label_attr)))
    signed = pades.sign_pdf(sample_pdf, signer, field_name="ChuKy")
    _assert_valid_everywhere(signed, test_pki, nssdb, tmp_path)


def _png() -> bytes:
    from PIL import Image, ImageDraw

    img = Image.new("RGBA", (300, 120), (255, 255, 255, 0))
    ImageDraw.Draw(img).line([(10, 100), (80, 20), (150, 90), (290, 30)], fill=(0, 0, 200, 255),
                             width=6)
    buf = io.BytesIO()
    img.save(buf, "PNG")
    return buf.getvalue()


def test_visible_stamp_in_vietnamese(sample_pdf, test_pki, nssdb, tmp_path):
    when = dt.datetime(2026, 1, 5, 2, 30, tzinfo=dt.UTC)  # 09:30 in Hà Nội
    stamp = pades.StampSpec(name="Trần Văn Lãnh", title="Chủ tịch Ủy ban nhân dân tỉnh",
                            signed_at=when, image_png=_png())
    signed = pades.sign_pdf(sample_pdf, _key_file_signer(test_pki, "leader"),
                            field_name="ChuKyLanhDao", appearance=stamp)
    _assert_valid_everywhere(signed, test_pki, nssdb, tmp_path)
    path = tmp_path / "visible.pdf"
    path.write_bytes(signed)
    # Text of the stamp area only (box (330, 380, 560, 460) in PDF points, origin bottom-left;
    # pdftotext crops from the top-left at 72 dpi on the 842-pt high A4 page).
    x0, y0, x1, y1 = stamp.box
    text = subprocess.run(
        ["pdftotext", "-x", str(x0), "-y", str(842 - y1), "-W", str(x1 - x0), "-H", str(y1 - y0),
         str(path), "-"], capture_output=True, text=True, check=True).stdout
    assert "Trần Văn Lãnh" in text
    assert "Chủ tịch Ủy ban nhân dân tỉnh" in text
    assert "Ký ngày 05/01/2026 09:30" in text
    fonts = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True,
                           check=True).stdout
    line = next(ln for ln in fonts.splitlines() if "LiberationSerif" in ln)
    assert " yes yes yes " in line  # embedded, subset, with a ToUnicode map
    sig = PdfFileReader(io.BytesIO(signed)).embedded_signatures[0]
    rect = [float(v) for v in sig.sig_field["/Rect"]]
    assert rect == [float(v) for v in stamp.box]


def test_stamp_font_is_rescaled_to_1000_units_per_em():
    from fontTools.ttLib import TTFont

    assert TTFont(pades.stamp_font_path())["head"].unitsPerEm == 1000
    cmap = TTFont(pades.stamp_font_path()).getBestCmap()
    assert all(ord(ch) in cmap for ch in "ăâđêôơưạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹĐ")


def test_leader_certifies_then_organisation_signs(sample_pdf, test_pki, softhsm_token, nssdb,
                                                  tmp_path):
    """NĐ 30/2020 Điều 13.7: the leader signs, then the organisation signs the issued document
    into the field prepared in the leader's revision (components.md §1.2)."""
    leader = pades.sign_pdf(
        sample_pdf, _key_file_signer(test_pki, "leader"), field_name="ChuKyLanhDao",
        appearance=pades.StampSpec(name="Trần Văn Lãnh", title="Chủ tịch"), certify=True,
        extra_fields=[SigFieldSpec("ChuKyCoQuan", on_page=0, box=(60, 380, 290, 460))])
    org_signer = get_signer("pkcs11", **softhsm_token.config(softhsm_token.ec_label))
    both = pades.sign_pdf(leader, org_signer, field_name="ChuKyCoQuan",
                          appearance=pades.StampSpec(name="UBND tỉnh Minh Phong",
                                                     box=(60, 380, 290, 460)))
    statuses, out = _assert_valid_everywhere(both, test_pki, nssdb, tmp_path, count=2)
    assert statuses[0].docmdp_ok
    names = [s.field_name for s in PdfFileReader(io.BytesIO(both)).embedded_signatures]
    assert names == ["ChuKyLanhDao", "ChuKyCoQuan"]


def test_tampered_document_fails_validation(sample_pdf, test_pki, nssdb, tmp_path):
    signed = bytearray(pades.sign_pdf(sample_pdf, _key_file_signer(test_pki, "leader"),
                                      field_name="ChuKy"))
    signed[len(sample_pdf) // 2] ^= 0x01
    status = validate_with_pyhanko(bytes(signed), test_pki.root)[0]
    assert not status.intact and not status.bottom_line
    assert PDFSIG_VALID not in pdfsig(bytes(signed), nssdb, tmp_path)


def test_untrusted_signer_is_not_trusted(sample_pdf, test_pki):
    from egov.signing import pki

    other_root = pki.create_root_ca("Another CA")
    stranger = pki.issue_certificate(other_root, "Người Lạ")
    signer = get_signer("key_file", pkcs12=pki.export_pkcs12(stranger, "pw"), password="pw")
    status = validate_with_pyhanko(pades.sign_pdf(sample_pdf, signer, field_name="ChuKy"),
                                   test_pki.root)[0]
    assert status.intact and status.valid and not status.trusted


def _stamp_text(signed: bytes, box, tmp_path) -> str:
    path = tmp_path / "stamp.pdf"
    path.write_bytes(signed)
    x0, y0, x1, y1 = box
    return subprocess.run(
        ["pdftotext", "-x", str(x0), "-y", str(842 - y1), "-W", str(x1 - x0), "-H", str(y1 - y0),
         str(path), "-"], capture_output=True, text=True, check=True).stdout


def test_font_subsets_are_cached_and_padded(sample_pdf, test_pki, nssdb, tmp_path):
    """Two stamps whose text differs only in digits share one cached font subset (no fontTools
    work for the second), and both render their own Vietnamese text correctly."""
    pades._subset_cache.clear()
    signer = _key_file_signer(test_pki, "leader")
    texts = []
    for minute in (5, 47):
        stamp = pades.StampSpec(name="Nguyễn Thị Ưng Ẩn", title="Phó Chủ tịch",
                                signed_at=dt.datetime(2026, 3, 9, 1, minute, tzinfo=dt.UTC))
        signed = pades.sign_pdf(sample_pdf, signer, field_name="ChuKy", appearance=stamp)
        _assert_valid_everywhere(signed, test_pki, nssdb, tmp_path)
        texts.append(_stamp_text(signed, stamp.box, tmp_path))
    assert len(pades._subset_cache) == 1
    assert "Nguyễn Thị Ưng Ẩn" in texts[0] and "Ký ngày 09/03/2026 08:05" in texts[0]
    assert "Ký ngày 09/03/2026 08:47" in texts[1]
    other = pades.StampSpec(name="Đỗ Văn Ợ", signed_at=dt.datetime(2026, 3, 9, tzinfo=dt.UTC))
    signed = pades.sign_pdf(sample_pdf, signer, field_name="ChuKy", appearance=other)
    assert "Đỗ Văn Ợ" in _stamp_text(signed, other.box, tmp_path)
    assert len(pades._subset_cache) == 2  # new letters, new subset


def test_signature_reserve_too_small_falls_back_to_measuring(sample_pdf, test_pki, nssdb,
                                                             tmp_path, monkeypatch):
    signer = _key_file_signer(test_pki, "leader")
    assert pades.signature_reserve(signer) > 2 * len(test_pki.leader.der)
    monkeypatch.setattr(pades, "signature_reserve", lambda signer, timestamper=None: 512)
    signed = pades.sign_pdf(sample_pdf, signer, field_name="ChuKy")
    _assert_valid_everywhere(signed, test_pki, nssdb, tmp_path)


def test_holder_signature_reserves_its_room_and_measures_when_it_is_too_small(
        sample_pdf, test_pki, nssdb, tmp_path, monkeypatch):
    """stamping.sign_for_holder reserves the room (no trial signature); given bytes, a room
    too small is measured instead; a writer the caller prepared cannot be signed twice."""
    from pyhanko.sign.general import SigningError

    from egov.signing import stamping

    signer = _key_file_signer(test_pki, "leader")
    monkeypatch.setattr(stamping, "signer_for", lambda certificate: signer)
    spec = pades.StampSpec(name="UBND xã", signed_at=dt.datetime(2026, 3, 9, tzinfo=dt.UTC))
    reserved = []
    real = pades.signature_reserve
    monkeypatch.setattr(pades, "signature_reserve",
                        lambda s, t=None: reserved.append(real(s, t)) or reserved[-1])
    signed = stamping.sign_for_holder(sample_pdf, certificate=object(), field="ChuKy",
                                      appearance=spec, new_field=stamping.fields.SigFieldSpec(
                                          "ChuKy", on_page=0, box=spec.box))
    assert reserved  # the room was reserved, not measured by a trial signature
    _assert_valid_everywhere(signed, test_pki, nssdb, tmp_path)
    monkeypatch.setattr(pades, "signature_reserve", lambda s, t=None: 512)
    field = stamping.fields.SigFieldSpec("ChuKy", on_page=0, box=spec.box)
    signed = stamping.sign_for_holder(sample_pdf, certificate=object(), field="ChuKy",
                                      appearance=spec, new_field=field)
    _assert_valid_everywhere(signed, test_pki, nssdb, tmp_path)
    with pytest.raises(SigningError):
        stamping.sign_for_holder(stamping.open_pdf(sample_pdf), certificate=object(),
                                 field="ChuKy", appearance=spec, new_field=field)
