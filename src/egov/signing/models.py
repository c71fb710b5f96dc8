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
