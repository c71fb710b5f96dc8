"""Certificates, trust anchors and server-side keys (Luật Giao dịch điện tử 2023; NĐ 130/2018 /
NĐ 23/2025 on digital signatures; NĐ 30/2020 Điều 13.7, 17.2 on who signs)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from egov.core.models import OrgUnit


class TrustAnchor(models.Model):
    """A root CA the administrator trusts (e.g. the Ban Cơ yếu Chính phủ / NEAC roots; the demo CA)."""

    name = models.CharField(_("name"), max_length=200)
    certificate_der = models.BinaryField(_("certificate (DER)"))
    fingerprint_sha256 = models.CharField(max_length=64, unique=True)
    is_active = models.BooleanField(_("active"), default=True)
    is_demo = models.BooleanField(_("demo data"), default=False)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("trust anchor")
        verbose_name_plural = _("trust anchors")

    def __str__(self) -> str:
        return self.name


class KeySource(models.TextChoices):
    KEY_FILE = "key_file", _("Key file (PKCS#12) on the server")
    PKCS11 = "pkcs11", _("HSM / PKCS#11 token on the server")
    USER_TOKEN = "user_token", _("The user's own USB token")


class SigningCertificate(models.Model):
    """A certificate registered by a person or an organisation, with where its key lives."""

    owner_user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="signing_certificates")
    owner_unit = models.ForeignKey(OrgUnit, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="signing_certificates")
    certificate_der = models.BinaryField(_("certificate (DER)"))
    fingerprint_sha256 = models.CharField(max_length=64, unique=True)
    subject = models.CharField(_("subject"), max_length=500)
    issuer = models.CharField(_("issuer"), max_length=500)
    serial = models.CharField(_("serial number"), max_length=100)
    not_before = models.DateTimeField(_("valid from"))
    not_after = models.DateTimeField(_("valid to"))
    key_source = models.CharField(_("key source"), max_length=12, choices=KeySource.choices)
    # key_file: the PKCS#12 encrypted at rest (egov.signing.keystore); pkcs11: module/token/key
    # labels (the PIN comes from the environment, never from the database).
    key_material = models.BinaryField(null=True, blank=True, editable=False)
    key_config = models.JSONField(default=dict, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("signing certificate")
        verbose_name_plural = _("signing certificates")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(owner_user__isnull=False) | models.Q(owner_unit__isnull=False),
                name="signingcertificate_has_owner",
            ),
        ]

    def __str__(self) -> str:
        return self.subject


# ---------------------------------------------------------------- appearance images (issue 4)

class AppearanceKind(models.TextChoices):
    SIGNATURE = "signature", _("Handwritten signature (blue)")
    SEAL = "seal", _("Seal (red)")


class AppearanceImage(models.Model):
    """The image drawn in a visible signature (NĐ 30/2020 Phụ lục I §II.7–8): a person's
    handwritten signature (blue, transparent PNG) or an agency's seal (red, transparent PNG,
    drawn at the seal's real size ``width_mm`` × ``height_mm``)."""

    owner_user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.CASCADE, related_name="appearance_images")
    owner_unit = models.ForeignKey(OrgUnit, null=True, blank=True, on_delete=models.CASCADE,
                                   related_name="appearance_images")
    kind = models.CharField(_("kind"), max_length=10, choices=AppearanceKind.choices)
    image_png = models.BinaryField(_("image (PNG)"))
    width_mm = models.FloatField(_("width (mm)"))
    height_mm = models.FloatField(_("height (mm)"))
    is_active = models.BooleanField(_("active"), default=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("signature image")
        verbose_name_plural = _("signature images")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(owner_user__isnull=False) | models.Q(owner_unit__isnull=False),
                name="appearanceimage_has_owner",
            ),
        ]
        indexes = [models.Index(fields=["owner_user", "kind", "-created_at"],
                                name="appearance_user_kind"),
                   models.Index(fields=["owner_unit", "kind", "-created_at"],
                                name="appearance_unit_kind")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} — {self.owner_user or self.owner_unit}"


# ---------------------------------------------------------------- verification codes (issue 4)

class VerificationCode(models.Model):
    """The short code printed (with a QR code) in the top margin of an issued document; the
    public verification page finds the document's issued PDF by it."""

    code = models.CharField(max_length=16, unique=True)
    # What the code verifies, named generically (egov.signing.subjects): the module's kind
    # (e.g. "documents.outgoing") and the row's id — signing knows no module's tables.
    subject_kind = models.CharField(max_length=40, default="", blank=True)
    subject_id = models.BigIntegerField(null=True, blank=True)
    # The PDF the code verifies (the issued file once the document is issued).
    file = models.ForeignKey("core.StoredFile", null=True, blank=True, on_delete=models.PROTECT,
                             related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    # Bumped by verification_codes.forget_public when the subject's public state changes: part
    # of the key of the cached public page, so each process's memo of it is never stale.
    public_version = models.PositiveIntegerField(default=0, editable=False)

    class Meta:
        verbose_name = _("verification code")
        verbose_name_plural = _("verification codes")
        indexes = [models.Index(fields=["subject_kind", "subject_id"],
                                name="verifcode_subject")]

    def __str__(self) -> str:
        return self.code


# ---------------------------------------------------------------- the user's own token (issue 4)

class SessionState(models.TextChoices):
    PENDING = "pending", _("Waiting for the signing agent")
    DOWNLOADED = "downloaded", _("Downloaded by the signing agent")
    COMPLETED = "completed", _("Signed")
    REJECTED = "rejected", _("Rejected")
    EXPIRED = "expired", _("Expired")


class SigningSession(models.Model):
    """One signature with the user's own USB token: the server prepares the PDF and hands out a
    single-use, expiring download URL and upload URL (only the SHA-256 of each token is kept);
    the local signing agent downloads, signs and uploads (documents.md §17)."""

    purpose = models.CharField(max_length=16, default="approval")
    # What is signed (egov.signing.subjects): the module's kind and the row's id, and the
    # signature field the agent must sign.
    subject_kind = models.CharField(max_length=40)
    subject_id = models.BigIntegerField()
    field_name = models.CharField(max_length=64, default="leader_signature")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                              related_name="signing_sessions")
    certificate = models.ForeignKey(SigningCertificate, null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")
    prepared_file = models.ForeignKey("core.StoredFile", on_delete=models.PROTECT,
                                      related_name="+")
    prepared_sha256 = models.CharField(max_length=64)
    download_token_hash = models.CharField(max_length=64, unique=True)
    upload_token_hash = models.CharField(max_length=64, unique=True)
    expires_at = models.DateTimeField()
    downloaded_at = models.DateTimeField(null=True, blank=True)
    uploaded_at = models.DateTimeField(null=True, blank=True)
    state = models.CharField(max_length=12, choices=SessionState.choices,
                             default=SessionState.PENDING)
    error = models.CharField(max_length=500, blank=True)
    result_file = models.ForeignKey("core.StoredFile", null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("signing session")
        verbose_name_plural = _("signing sessions")
        indexes = [models.Index(fields=["subject_kind", "subject_id", "-created_at"],
                                name="signingsession_subject")]

    def __str__(self) -> str:
        return f"{self.purpose} {self.subject_kind} #{self.subject_id} ({self.state})"


# ---------------------------------------------------------------- batch signing (issue 4)

class BatchState(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


class BatchSigningJob(models.Model):
    """Many approved documents signed by their signer with a server-side key, as background
    work split into chunks (several workers share one batch); progress = done + failed of total."""

    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                              related_name="batch_signing_jobs")
    state = models.CharField(max_length=10, choices=BatchState.choices,
                             default=BatchState.QUEUED)
    # The kind of the subjects signed (egov.signing.subjects); their ids:
    subject_kind = models.CharField(max_length=40, default="documents.outgoing")
    document_ids = models.JSONField(default=list)
    total = models.PositiveIntegerField(default=0)
    done = models.PositiveIntegerField(default=0)
    failed = models.PositiveIntegerField(default=0)
    chunks_total = models.PositiveIntegerField(default=0)
    chunks_done = models.PositiveIntegerField(default=0)
    errors = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("batch signing")
        verbose_name_plural = _("batch signings")

    def __str__(self) -> str:
        return f"{self.done + self.failed}/{self.total} ({self.state})"


class SecondFactorMethod(models.TextChoices):
    TOTP = "totp", _("Authenticator app (TOTP)")
    SMS = "sms", _("Code by SMS")


class SecondFactorPolicy(models.Model):
    """An agency's rule for signing with a key the server holds (key file or HSM): when
    ``required``, the signer also enters a one-time code (:mod:`egov.signing.second_factor`).
    Signing with the user's own USB token through the agent is not affected (the token's PIN is
    already a second factor)."""

    unit = models.OneToOneField(OrgUnit, on_delete=models.CASCADE,
                                related_name="second_factor_policy", verbose_name=_("agency"))
    required = models.BooleanField(_("second factor required for server-side signing"),
                                   default=False)
    method = models.CharField(_("method"), max_length=8, choices=SecondFactorMethod.choices,
                              default=SecondFactorMethod.TOTP)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("second factor policy")
        verbose_name_plural = _("second factor policies")

    def __str__(self) -> str:
        return f"{self.unit}: {self.method if self.required else '-'}"


class SecondFactor(models.Model):
    """A user's enrolled second factor: the TOTP secret encrypted at rest (keystore), the last
    time step accepted (a code is never accepted twice), failed attempts, the last SMS code
    (hashed) and its expiry."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                                related_name="second_factor")
    secret = models.BinaryField(editable=False)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    last_step = models.BigIntegerField(null=True, blank=True)
    failures = models.PositiveIntegerField(default=0)
    failures_since = models.DateTimeField(null=True, blank=True)
    phone = models.CharField(max_length=16, blank=True)
    sms_code_hash = models.CharField(max_length=64, blank=True)
    sms_expires_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("second factor")
        verbose_name_plural = _("second factors")

    def __str__(self) -> str:
        return f"{self.user_id}: {'active' if self.confirmed_at else 'pending'}"
