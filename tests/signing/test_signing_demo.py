"""The demo PKI loaded by `egov demo`: one demo CA trusted from the database, a key-file
certificate for the demo leader and one for the demo province committee."""

from __future__ import annotations

import io

from django.core.management import call_command

from egov.core.models import OrgUnit, User
from egov.signing import demo
from egov.signing.models import KeySource, SigningCertificate, TrustAnchor
from egov.signing.pades import sign_pdf
from egov.signing.selectors import usable_certificate
from egov.signing.services import signer_for
from egov.signing.verify import verify_pdf


def test_demo_pki_is_idempotent_and_signs(db, settings, tmp_path, sample_pdf):
    settings.VAR_DIR = tmp_path
    call_command("demo", quiet_accounts=True, stdout=io.StringIO())
    call_command("demo", quiet_accounts=True, stdout=io.StringIO())

    anchor = TrustAnchor.objects.get()
    assert anchor.name == demo.CA_NAME and anchor.is_demo and anchor.is_active
    # the leader's, the province's and the civil demo commune's (it signs civil certificates)
    assert SigningCertificate.objects.count() == 3
    commune = SigningCertificate.objects.exclude(owner_unit__electronic_id=demo.PROVINCE_EID) \
        .get(owner_unit__isnull=False)
    assert "(mẫu)" in commune.subject and "CN=eGov Demo CA (mẫu)" in commune.issuer
    leader = User.objects.get(username="lanhdao")
    province = OrgUnit.objects.get(electronic_id=demo.PROVINCE_EID)
    mine = usable_certificate(user=leader)
    theirs = usable_certificate(unit=province)
    assert mine.key_source == theirs.key_source == KeySource.KEY_FILE
    assert "CN=Trần Văn Lãnh (mẫu)" in mine.subject
    assert "CN=Ủy ban nhân dân tỉnh Minh Phong (mẫu)" in theirs.subject
    assert "CN=eGov Demo CA (mẫu)" in mine.issuer

    # The CA key is kept encrypted on disk, not in the database.
    key_file = tmp_path / "demo-ca" / "ca-key.enc"
    assert key_file.read_bytes().startswith(b"EGK1")
    assert (key_file.stat().st_mode & 0o777) == 0o600

    signed = sign_pdf(sample_pdf, signer_for(mine), field_name="LanhDao", reason="Ký duyệt")
    signed = sign_pdf(signed, signer_for(theirs), field_name="CoQuan", reason="Ban hành")
    report = verify_pdf(signed)  # trust roots from the database
    assert report.valid
    assert [s.trusted for s in report.signatures] == [True, True]


def test_demo_reissues_a_missing_certificate_under_the_same_ca(db, settings, tmp_path):
    settings.VAR_DIR = tmp_path
    call_command("demo", quiet_accounts=True, stdout=io.StringIO())
    SigningCertificate.objects.filter(owner_unit__isnull=False).delete()
    created = demo.load_demo()
    assert created == {"trust_anchors": 0, "certificates": 1, "images": 0}
    assert TrustAnchor.objects.count() == 1 and SigningCertificate.objects.count() == 2


def test_demo_replaces_the_ca_when_its_key_is_lost(db, settings, tmp_path):
    settings.VAR_DIR = tmp_path
    call_command("demo", quiet_accounts=True, stdout=io.StringIO())
    old = TrustAnchor.objects.get()
    (tmp_path / "demo-ca" / "ca-key.enc").unlink()
    assert demo.load_demo() == {"trust_anchors": 0, "certificates": 0,
                                "images": 0}  # nothing missing
    SigningCertificate.objects.filter(owner_unit__isnull=False).delete()
    assert demo.load_demo() == {"trust_anchors": 1, "certificates": 2, "images": 0}
    old.refresh_from_db()
    assert not old.is_active
    assert TrustAnchor.objects.filter(is_active=True).count() == 1


def test_demo_signature_and_seal_images(db, settings, tmp_path):
    from PIL import Image

    from egov.signing.models import AppearanceImage
    from egov.signing.selectors import appearance_image_for

    settings.VAR_DIR = tmp_path
    call_command("demo", quiet_accounts=True, stdout=io.StringIO())
    call_command("demo", quiet_accounts=True, stdout=io.StringIO())
    assert AppearanceImage.objects.count() == 2  # idempotent
    leader = User.objects.get(username="lanhdao")
    province = OrgUnit.objects.get(electronic_id=demo.PROVINCE_EID)
    signature = appearance_image_for(user=leader, kind="signature")
    seal = appearance_image_for(unit=province, kind="seal")
    assert (seal.width_mm, seal.height_mm) == (36, 36)

    def colours(row):
        img = Image.open(io.BytesIO(bytes(row.image_png))).convert("RGBA")
        assert img.getpixel((0, 0))[3] == 0  # transparent background
        raw = img.tobytes()
        opaque = [p for p in (tuple(raw[i:i + 4]) for i in range(0, len(raw), 4)) if p[3] > 200]
        return sum(p[0] for p in opaque) / len(opaque), sum(p[2] for p in opaque) / len(opaque)

    red, blue = colours(signature)
    assert blue > 120 > red           # blue ink
    red, blue = colours(seal)
    assert red > 150 > blue           # red seal
    # Deterministic: the same pictures every time.
    assert demo._signature_png() == demo._signature_png()
    assert bytes(signature.image_png) == demo._signature_png()


def test_demo_documents_waiting_for_signature_and_signed(db, settings, tmp_path):
    """`egov demo` leaves one decision for lanhdao to sign ("Ký số") and one signed by lanhdao
    and issued by vanthu with both signatures, the seal and a verification code."""
    from egov.core.files import file_open
    from egov.documents import demo as docs_demo
    from egov.documents.models import OutgoingDocument, OutgoingState
    from egov.signing.models import VerificationCode

    settings.VAR_DIR = tmp_path
    call_command("demo", quiet_accounts=True, stdout=io.StringIO())
    waiting = OutgoingDocument.objects.get(subject=docs_demo.SIGN_WAITING_SUBJECT)
    assert waiting.state == OutgoingState.APPROVED and waiting.signer.username == "lanhdao"
    signed = OutgoingDocument.objects.get(subject=docs_demo.SIGNED_SUBJECT)
    assert signed.state == OutgoingState.ISSUED and signed.code.endswith("/QĐ-UBND")
    with file_open(signed.issued_file) as fh:
        report = verify_pdf(fh.read())
    assert report.valid and [s.field for s in report.signatures] == [
        "leader_signature", "org_signature"]
    assert VerificationCode.objects.get(subject_kind="documents.outgoing", subject_id=signed.pk).file_id == signed.issued_file_id
    assert docs_demo.load_signed_documents() == 0  # idempotent
    assert docs_demo.load_demo()["signed_documents"] == 0
    assert OutgoingDocument.objects.filter(subject__in=[docs_demo.SIGN_WAITING_SUBJECT,
                                                        docs_demo.SIGNED_SUBJECT]).count() == 2
