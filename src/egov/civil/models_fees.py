"""Civil-status fees (Luật Hộ tịch 60/2014/QH13, Điều 11; services.md §3.4): the rates as
catalogue rows — the provincial People's Council sets them (lệ phí hộ tịch; the fee for copies
of extracts) — and the fee recorded with each registration and each copy: the amount charged,
the exemption and its ground, or "no rate in force" (services/fees.py computes it)."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

__all__ = ["FeeGround", "FeeRate", "FeeStatus", "RecordedFee"]


class FeeRate(models.Model):
    # The province whose People's Council set the rate; it applies in its communes.
    province = models.ForeignKey("core.OrgUnit", verbose_name=_("province"),
                                 on_delete=models.PROTECT, related_name="+")
    # An EventKind value, "reregistration" (đăng ký lại) or "copy" (bản sao trích lục).
    kind = models.CharField(_("matter"), max_length=24)
    amount = models.PositiveIntegerField(_("amount (VND)"))
    legal_basis = models.CharField(_("legal basis"), max_length=500)
    effective_from = models.DateField(_("in force from"))
    effective_to = models.DateField(_("in force until"), null=True, blank=True)
    is_demo = models.BooleanField(_("demo data"), default=False)

    class Meta:
        verbose_name = _("civil-status fee rate")
        verbose_name_plural = _("civil-status fee rates")
        ordering = ["province", "kind", "-effective_from"]
        constraints = [models.UniqueConstraint(fields=["province", "kind", "effective_from"],
                                               name="civil_feerate_unique")]

    def __str__(self) -> str:
        return f"{self.kind} {self.amount} ({self.effective_from})"


class FeeStatus(models.TextChoices):
    CHARGED = "charged", _("Charged")
    EXEMPT = "exempt", _("Exempt")
    NO_RATE = "no_rate", _("No rate in force")


class FeeGround(models.TextChoices):
    """The grounds of exemption of Luật Hộ tịch 2014, Điều 11.1 (services/fees.py)."""

    MERITORIOUS_FAMILY = "meritorious_family", _("family with meritorious service to the "
                                                 "revolution")
    POOR_HOUSEHOLD = "poor_household", _("poor household")
    DISABILITY = "disability", _("person with a disability")
    ON_TIME_BIRTH = "on_time_birth", _("birth registered on time")
    ON_TIME_DEATH = "on_time_death", _("death registered on time")
    GUARDIANSHIP = "guardianship", _("guardianship")
    DOMESTIC_MARRIAGE = "domestic_marriage", _("marriage of citizens residing in Vietnam")


class RecordedFee(models.Model):
    """The fee of one registration (`event`) or of one certified copy (`certificate`)."""

    event = models.OneToOneField("civil.CivilEvent", null=True, blank=True,
                                 on_delete=models.CASCADE, related_name="fee")
    certificate = models.OneToOneField("civil.Certificate", null=True, blank=True,
                                       on_delete=models.CASCADE, related_name="fee")
    kind = models.CharField(_("matter"), max_length=24)
    status = models.CharField(_("fee"), max_length=8, choices=FeeStatus.choices)
    amount = models.PositiveIntegerField(_("amount (VND)"), default=0)
    # The exemption's ground (services/fees.py GROUNDS), when exempt.
    ground = models.CharField(_("ground of exemption"), max_length=32, blank=True,
                              choices=FeeGround.choices)
    rate = models.ForeignKey(FeeRate, null=True, blank=True, on_delete=models.PROTECT,
                             related_name="+")
    legal_basis = models.CharField(_("legal basis"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("recorded fee")
        verbose_name_plural = _("recorded fees")
        constraints = [models.CheckConstraint(
            condition=Q(event__isnull=False, certificate__isnull=True)
            | Q(event__isnull=True, certificate__isnull=False),
            name="civil_fee_one_subject")]

    def __str__(self) -> str:
        return f"{self.kind} {self.status} {self.amount}"

    @property
    def amount_text(self) -> str:
        """The amount written the Vietnamese way: 8.000."""
        return f"{self.amount:,}".replace(",", ".")
