"""Civil-status certificates (issue 13): the birth and marriage certificates, the extracts
(trích lục) of the other events and the certified copies of extracts (bản sao trích lục), each a
PDF signed with the commune's organisation signature, with a public verification code.

Luật Hộ tịch 60/2014, Điều 62–64 (services.md §3.4): one original per registration — a birth
gets its birth certificate, a marriage its marriage certificate, any other event its extract —;
copies of extracts may be issued any number of times. The constraint below holds the "one
original" rule for originals still in force (a revoked original may be issued again).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

__all__ = ["Certificate", "CertificateType"]


class CertificateType(models.TextChoices):
    BIRTH = "birth_certificate", _("Birth certificate")
    MARRIAGE = "marriage_certificate", _("Marriage certificate")
    EXTRACT = "extract", _("Extract (trích lục)")
    COPY = "certified_copy", _("Certified copy of an extract")


class Certificate(models.Model):
    event = models.ForeignKey("civil.CivilEvent", verbose_name=_("event"),
                              on_delete=models.PROTECT, related_name="certificates")
    type = models.CharField(_("type"), max_length=24, choices=CertificateType.choices)
    # The public verification code (Crockford base32, 50 bits: egov.signing.verification_codes).
    code = models.CharField(_("verification code"), max_length=16, unique=True)
    # "Số 01/2026, quyển số 01": the event's entry in its book (Luật Hộ tịch Điều 58).
    number = models.CharField(_("number"), max_length=60)
    issued_on = models.DateField(_("issue date"))
    commune = models.ForeignKey("core.OrgUnit", verbose_name=_("issuing commune"),
                                on_delete=models.PROTECT, related_name="civil_certificates")
    file = models.ForeignKey("core.StoredFile", verbose_name=_("signed PDF"),
                             on_delete=models.PROTECT, related_name="+")
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("issued by"),
                                  on_delete=models.PROTECT, related_name="+")
    issued_at = models.DateTimeField(_("issued at"))
    revoked = models.BooleanField(_("revoked"), default=False)
    revoked_reason = models.CharField(_("reason for revocation"), max_length=500, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    class Meta:
        verbose_name = _("civil-status certificate")
        verbose_name_plural = _("civil-status certificates")
        constraints = [
            # Luật Hộ tịch 2014, Điều 62–64: one original per registration.
            models.UniqueConstraint(fields=["event"],
                                    condition=~Q(type="certified_copy") & Q(revoked=False),
                                    name="civil_certificate_one_original"),
        ]
        indexes = [models.Index(fields=["event", "issued_at"], name="civil_cert_event")]

    def __str__(self) -> str:
        return f"{self.get_type_display()} {self.number}"
