"""Demo PKI (DỮ LIỆU MẪU): a demo CA, trusted as a TrustAnchor (is_demo), with a key-file
certificate for the demo leader ``lanhdao`` and an organisation certificate for the demo province
committee. Idempotent.

The demo CA's private key is never stored in the database: it is kept encrypted with the keystore
(bound to the CA fingerprint as associated data) in ``settings.VAR_DIR / "demo-ca" / "ca-key.enc"``
(mode 0600) so that a later run can re-issue a missing certificate under the same CA. If the file
is lost or belongs to another CA (another demo database sharing VAR_DIR overwrote it) while a
certificate is missing, a new demo CA replaces the old one: the old anchor is deactivated and both
certificates are issued again.

Appearance images (issue 4): a blue handwritten-looking signature for ``lanhdao`` and a red round
seal (36 mm) for the province committee, both drawn with Pillow (deterministic) on a transparent
background. The seal says "MẪU" in its centre so nobody takes it for a real seal.
"""

from __future__ import annotations

from pathlib import Path

from cryptography.hazmat.primitives import serialization
from django.conf import settings
from django.db import transaction

from . import keystore, pki
from .models import SigningCertificate, TrustAnchor

CA_NAME = "eGov Demo CA (mẫu)"
LEADER_USERNAME = "lanhdao"
LEADER_CN = "Trần Văn Lãnh (mẫu)"
PROVINCE_EID = "000.00.00.Z01"
PROVINCE_CN = "Ủy ban nhân dân tỉnh Minh Phong (mẫu)"
ORGANIZATION = "Ủy ban nhân dân tỉnh Minh Phong (mẫu)"


def _key_path() -> Path:
    return Path(settings.VAR_DIR) / "demo-ca" / "ca-key.enc"


def _save_ca_key(ca: pki.Issued) -> None:
    path = _key_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    der = ca.key.private_bytes(serialization.Encoding.DER, serialization.PrivateFormat.PKCS8,
                               serialization.NoEncryption())
    path.write_bytes(keystore.encrypt(der, context=ca.fingerprint_sha256.encode()))
    path.chmod(0o600)


def _load_ca(anchor: TrustAnchor) -> pki.Issued | None:
    from cryptography import x509

    path = _key_path()
    if not path.is_file():
        return None
    try:
        der = keystore.decrypt(path.read_bytes(), context=anchor.fingerprint_sha256.encode())
    except keystore.KeystoreError:
        return None
    cert = x509.load_der_x509_certificate(bytes(anchor.certificate_der))
    return pki.Issued(cert, serialization.load_der_private_key(der, password=None))


def _has_cert(anchor: TrustAnchor, **owner) -> bool:
    from cryptography import x509

    subject = x509.load_der_x509_certificate(bytes(anchor.certificate_der)).subject
    return SigningCertificate.objects.filter(**owner, revoked_at__isnull=True,
                                             issuer=subject.rfc4514_string()).exists()


def load_demo() -> dict[str, int]:
    created = _load_certificates()
    created["images"] = _load_images()
    return created


# ---------------------------------------------------------------- appearance images

SEAL_MM = 36.0
SIGNATURE_BLUE = (22, 48, 160, 255)
SEAL_RED = (210, 25, 30, 255)


def _font(size: int, bold: bool = False):
    from PIL import ImageFont

    from .pades import FONT_DIRS

    name = "LiberationSerif-Bold.ttf" if bold else "LiberationSerif-Regular.ttf"
    for d in FONT_DIRS:
        path = Path(d) / name
        if path.exists():
            return ImageFont.truetype(str(path), size)
    return ImageFont.load_default(size)


def _png(image) -> bytes:
    import io

    out = io.BytesIO()
    image.save(out, "PNG", optimize=True)
    return out.getvalue()


def _signature_png() -> bytes:
    """A blue, handwritten-looking flourish (two strokes and an underline), 600×300 px."""
    import math

    from PIL import Image, ImageDraw

    image = Image.new("RGBA", (600, 300), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    # A looping stroke: a sine wave with loops (a deterministic "signature").
    points = []
    for i in range(0, 361):
        t = i / 360
        x = 60 + 440 * t + 38 * math.cos(t * 9 * math.pi)
        y = 150 - 70 * math.sin(t * 3 * math.pi) * (1 - t * 0.6) + 35 * math.sin(t * 9 * math.pi)
        points.append((x, y))
    draw.line(points, fill=SIGNATURE_BLUE, width=7, joint="curve")
    draw.line([(120, 215), (250, 200), (420, 205), (540, 190)], fill=SIGNATURE_BLUE, width=6,
              joint="curve")
    draw.line([(470, 90), (500, 60), (520, 120)], fill=SIGNATURE_BLUE, width=6, joint="curve")
    return _png(image)


def _seal_png(agency_name: str, size: int = 600) -> bytes:
    """A red round seal: two concentric circles, the agency's name around the ring, a star in
    the centre and "MẪU" (specimen) under it."""
    import math

    from PIL import Image, ImageDraw

    image = Image.new("RGBA", (size, size), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    c = size / 2
    outer, inner = c - 8, c * 0.68
    draw.ellipse((c - outer, c - outer, c + outer, c + outer), outline=SEAL_RED, width=12)
    draw.ellipse((c - inner, c - inner, c + inner, c + inner), outline=SEAL_RED, width=5)
    # The five-pointed star.
    r1, r2 = c * 0.24, c * 0.095
    star = [(c + (r1 if k % 2 == 0 else r2) * math.sin(k * math.pi / 5),
             c * 0.88 - (r1 if k % 2 == 0 else r2) * math.cos(k * math.pi / 5))
            for k in range(10)]
    draw.polygon(star, fill=SEAL_RED)
    font = _font(int(size * 0.12), bold=True)
    draw.text((c, c * 1.32), "MẪU", fill=SEAL_RED, font=font, anchor="mm")
    # The name around the ring, letter by letter, from the left over the top.
    text = agency_name.upper()
    ring = (outer + inner) / 2
    letter_font = _font(int(size * 0.065), bold=True)
    span = 300.0                                  # degrees of the ring used by the text
    step = span / max(len(text), 1)
    for i, ch in enumerate(text):
        angle = -span / 2 + step * (i + 0.5)      # 0° at the top, clockwise
        rad = math.radians(angle)
        x, y = c + ring * math.sin(rad), c - ring * math.cos(rad)
        glyph = Image.new("RGBA", (int(size * 0.1), int(size * 0.1)), (0, 0, 0, 0))
        ImageDraw.Draw(glyph).text((glyph.width / 2, glyph.height / 2), ch, fill=SEAL_RED,
                                   font=letter_font, anchor="mm")
        glyph = glyph.rotate(-angle, resample=Image.BICUBIC)
        image.alpha_composite(glyph, (int(x - glyph.width / 2), int(y - glyph.height / 2)))
    return _png(image)


def _load_images() -> int:
    """The demo leader's signature and the demo province's seal, unless they have one."""
    from egov.core.models import OrgUnit, User

    from .appearance import appearance_image_set
    from .models import AppearanceImage, AppearanceKind
    from .selectors import appearance_image_for

    leader = User.objects.filter(username=LEADER_USERNAME).first()
    province = OrgUnit.objects.filter(electronic_id=PROVINCE_EID).first()
    admin = User.objects.filter(is_superuser=True, is_active=True).order_by("pk").first()
    created = 0
    if leader is not None and appearance_image_for(user=leader, kind="signature") is None:
        appearance_image_set(actor=leader, kind=AppearanceKind.SIGNATURE, png=_signature_png(),
                             owner_user=leader, width_mm=40, height_mm=20)
        created += 1
    if province is not None and admin is not None and not AppearanceImage.objects.filter(
            owner_unit=province, kind=AppearanceKind.SEAL, is_active=True).exists():
        appearance_image_set(actor=admin, kind=AppearanceKind.SEAL,
                             png=_seal_png(province.name), owner_unit=province,
                             width_mm=SEAL_MM, height_mm=SEAL_MM)
        created += 1
    return created


def _load_certificates() -> dict[str, int]:
    from egov.core.models import OrgUnit, User

    from .services import certificate_register_pkcs12, trust_anchor_add, trust_anchor_deactivate

    leader = User.objects.filter(username=LEADER_USERNAME).first()
    province = OrgUnit.objects.filter(electronic_id=PROVINCE_EID).first()
    # The demo administrator (a superuser created by egov.core.demo) acts for the installer.
    admin = User.objects.filter(is_superuser=True, is_active=True).order_by("pk").first()
    created = {"trust_anchors": 0, "certificates": 0}
    if admin is None:
        return created
    owners = [(kind, owner) for kind, owner in (("user", leader), ("unit", province))
              if owner is not None]
    with transaction.atomic():
        anchor = TrustAnchor.objects.filter(is_demo=True, is_active=True, name=CA_NAME).first()
        wanted = [(kind, owner) for kind, owner in owners if anchor is None or not _has_cert(
            anchor, **{"owner_user" if kind == "user" else "owner_unit": owner})]
        if not wanted:
            return created
        ca = _load_ca(anchor) if anchor is not None else None
        new_ca = ca is None
        if new_ca:
            ca = pki.create_root_ca(CA_NAME, "eGov (mẫu)")
            _save_ca_key(ca)
            wanted = owners  # a new CA: issue both certificates under it
        # Keys are made before anything is audited, so the audit trail's head row is not held
        # locked during key generation.
        password = "demo"
        issued = [(kind, owner, pki.export_pkcs12(
            pki.issue_certificate(ca, LEADER_CN if kind == "user" else PROVINCE_CN,
                                  organization=ORGANIZATION, locality="Minh Phong",
                                  algorithm="rsa"),
            password, chain=[ca.certificate])) for kind, owner in wanted]
        if new_ca:
            if anchor is not None:
                trust_anchor_deactivate(actor=admin, anchor=anchor)
            trust_anchor_add(actor=admin, certificate_der_or_pem=ca.der, name=CA_NAME,
                             is_demo=True)
            created["trust_anchors"] += 1
        for kind, owner, blob in issued:
            certificate_register_pkcs12(
                actor=admin, owner_user=owner if kind == "user" else None,
                owner_unit=owner if kind == "unit" else None, pkcs12=blob, password=password)
            created["certificates"] += 1
    return created


def demo_unit_certificate(unit) -> bool:
    """An organisation certificate under the demo CA for `unit` — a module's demo agency that
    signs what it issues (e.g. the commune of the civil-status demo) — unless it has one.
    False when nothing was made: no demo CA yet (the signing demo comes first) or one exists."""
    from egov.core.models import User

    from .services import certificate_register_pkcs12

    admin = User.objects.filter(is_superuser=True, is_active=True).order_by("pk").first()
    anchor = TrustAnchor.objects.filter(is_demo=True, is_active=True, name=CA_NAME).first()
    if admin is None or anchor is None or _has_cert(anchor, owner_unit=unit):
        return False
    ca = _load_ca(anchor)
    if ca is None:
        return False
    name = f"{unit.name} (mẫu)"
    blob = pki.export_pkcs12(pki.issue_certificate(ca, name, organization=name,
                                                   locality="Minh Phong", algorithm="rsa"),
                             "demo", chain=[ca.certificate])
    certificate_register_pkcs12(actor=admin, owner_unit=unit, pkcs12=blob, password="demo")
    return True
