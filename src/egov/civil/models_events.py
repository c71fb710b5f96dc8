"""Civil-status tables of the other events and of the law as data (issue 13):

- `KindRule`: for each kind of event, the book it is written in, the duty period, the handling
  limit and the validity of what is issued, with the legal basis and the dates the rule is in
  force — the services read the row valid on the registration date (law as data).
- `OfficerIdentity`: the user's own civil record, so that a registrar is refused their own or a
  relative's event (Luật Hộ tịch 2014, Điều 12.1.h).
- `MaritalStatusCertificate`: the status stated and the date it stops being valid.
- `Guardianship`: who guards whom, from which event, and its end.
- `PersonalIdChange`: the personal ID's history (NĐ 70/2024, Điều 11.7: an ID may be cancelled
  and re-established; never an immutable key).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .models import CivilEvent, Person

__all__ = ["Guardianship", "KindRule", "LimitUnit", "MaritalStatus", "MaritalStatusCertificate",
           "OfficerIdentity", "PersonalIdChange", "RuleVariant"]


class RuleVariant(models.TextChoices):
    ORDINARY = "", _("Ordinary")
    FOREIGN = "foreign", _("With a foreign element (có yếu tố nước ngoài)")


class LimitUnit(models.TextChoices):
    WORKING_DAYS = "working_days", _("working days (ngày làm việc)")
    DAYS = "days", _("days (ngày)")


class KindRule(models.Model):
    # An EventKind value, or "reregistration" (the limit of đăng ký lại, NĐ 123/2015 Điều 24–27).
    kind = models.CharField(_("kind of event"), max_length=16)
    # "" = the ordinary rule; "foreign" = the rule of the event with a foreign element (Luật Hộ
    # tịch 2014, Chương III; NĐ 120/2025 Phụ lục mục I.1): its own limits, the same book.
    variant = models.CharField(_("variant"), max_length=8, blank=True, default="",
                               choices=RuleVariant.choices)
    book_name = models.CharField(_("book"), max_length=200)
    # The duty to register within N days of the event (birth 60, death 15), else null.
    duty_days = models.PositiveSmallIntegerField(_("duty period (days)"), null=True, blank=True)
    # 0 = the same day (a dossier received after 15:00 → the next working day, Luật Hộ tịch
    # 2014, Điều 5.3 with core.calendar's cut-off); N = N working days.
    # The number is in `limit_unit`: working days by default; "days" where the law says "ngày"
    # (calendar days: Luật Hộ tịch 2014, Điều 38, 44 — 15 ngày), kept as the law states it,
    # not converted. The field keeps its name (the API's contract).
    limit_working_days = models.PositiveSmallIntegerField(_("handling limit (working days)"),
                                                          default=0)
    limit_unit = models.CharField(_("unit of the handling limit"), max_length=12,
                                  default=LimitUnit.WORKING_DAYS, choices=LimitUnit.choices)
    verification_days = models.PositiveSmallIntegerField(
        _("extra working days with verification"), null=True, blank=True)
    validity_months = models.PositiveSmallIntegerField(_("validity (months)"), null=True,
                                                       blank=True)
    legal_basis = models.CharField(_("legal basis"), max_length=500)
    effective_from = models.DateField(_("in force from"))
    effective_to = models.DateField(_("in force until"), null=True, blank=True)

    class Meta:
        verbose_name = _("rule of a kind of event")
        verbose_name_plural = _("rules of the kinds of events")
        constraints = [models.UniqueConstraint(fields=["kind", "variant", "effective_from"],
                                               name="civil_kindrule_unique")]
        ordering = ["kind", "variant", "-effective_from"]

    def __str__(self) -> str:
        return f"{self.kind}{'/' + self.variant if self.variant else ''} {self.effective_from}"

    def due_at(self, received_at, *, verification: bool = False):
        """The due instant for a dossier received at `received_at` (core.calendar: the 15:00
        cut-off, working days, same day = the office closing time). A limit in calendar days
        ("ngày") ends on the N-th day after the receipt (BLDS 2015, Điều 147: the first day is
        not counted), moved to the next working day when that is a day off (Điều 148.5), at the
        office closing time."""
        import datetime as dt

        from egov.core import calendar

        days = self.limit_working_days + (self.verification_days or 0 if verification else 0)
        if self.limit_unit != LimitUnit.DAYS:
            return calendar.working_deadline(received_at, days)
        start = calendar.localtime(received_at).date()
        last = calendar.calendar_deadline(start, days, roll_forward=True)
        return dt.datetime.combine(last, calendar.office_closes(), tzinfo=calendar.LOCAL_TZ)


class OfficerIdentity(models.Model):
    user = models.OneToOneField(settings.AUTH_USER_MODEL, verbose_name=_("user"),
                                on_delete=models.CASCADE, related_name="civil_identity")
    person = models.ForeignKey(Person, verbose_name=_("civil record"), on_delete=models.PROTECT,
                               related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("officer's civil record")
        verbose_name_plural = _("officers' civil records")

    def __str__(self) -> str:
        return f"{self.user_id} → {self.person_id}"


class MaritalStatus(models.TextChoices):
    SINGLE = "single", _("Never married")
    MARRIED = "married", _("Married")
    WIDOWED = "widowed", _("Widowed")
    DIVORCED = "divorced", _("Divorced")


class MaritalStatusCertificate(models.Model):
    event = models.OneToOneField(CivilEvent, on_delete=models.PROTECT,
                                 related_name="marital_status")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(_("marital status"), max_length=16,
                              choices=MaritalStatus.choices)
    purpose = models.CharField(_("purpose"), max_length=300, blank=True)
    valid_until = models.DateField(_("valid until"))

    class Meta:
        verbose_name = _("marital-status certificate")
        verbose_name_plural = _("marital-status certificates")

    def __str__(self) -> str:
        return f"{self.status} {self.valid_until}"


class Guardianship(models.Model):
    event = models.OneToOneField(CivilEvent, on_delete=models.PROTECT,
                                 related_name="guardianship")
    guardian = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    ward = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="guardianships")
    ended_on = models.DateField(_("ended on"), null=True, blank=True)
    end_event = models.OneToOneField(CivilEvent, null=True, blank=True,
                                     on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("guardianship")
        verbose_name_plural = _("guardianships")

    def __str__(self) -> str:
        return f"{self.guardian_id} → {self.ward_id}"


class PersonalIdChange(models.Model):
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="id_history")
    old_id = models.CharField(max_length=12, blank=True)
    new_id = models.CharField(max_length=12, blank=True)
    changed_on = models.DateField()
    event = models.ForeignKey(CivilEvent, on_delete=models.PROTECT, related_name="+")
    ground = models.CharField(max_length=300, blank=True)

    class Meta:
        verbose_name = _("personal ID change")
        verbose_name_plural = _("personal ID changes")

    def __str__(self) -> str:
        return f"{self.old_id} → {self.new_id}"
