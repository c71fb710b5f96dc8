"""Civil-status tables: the registrar's intake of one-stop dossiers (issue 13).

A :class:`CivilIntake` row links a one-stop dossier of a civil-status procedure to the commune
whose registrar handles it and, once registered, to the event written in the book (the
dossier's result). Kept by the subscriber of egov.onestop.hooks (egov.civil.intake): its copy
of the dossier's state and promised time follows every change of the dossier."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from egov.core.models import FAR_FUTURE

__all__ = ["CivilIntake"]


class CivilIntake(models.Model):
    dossier = models.OneToOneField("onestop.Dossier", on_delete=models.PROTECT,
                                   related_name="civil_intake")
    commune = models.ForeignKey("core.OrgUnit", verbose_name=_("commune"),
                                on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("kind of event"), max_length=16)
    code = models.CharField(_("dossier code"), max_length=64)
    dossier_state = models.CharField(_("state"), max_length=16)
    received_at = models.DateTimeField(_("received at"), null=True, blank=True)
    due_at = models.DateTimeField(_("promised return time"), null=True, blank=True)
    # due_at, or FAR_FUTURE when none: the list's non-null keyset order (core.pagination).
    due_sort = models.DateTimeField(editable=False, default=FAR_FUTURE)
    event = models.OneToOneField("civil.CivilEvent", null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="intake")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("one-stop dossier for the registrar")
        verbose_name_plural = _("one-stop dossiers for the registrar")
        indexes = [models.Index(fields=["commune", "event", "due_sort", "id"],
                                name="civil_intake_commune_due_sort")]

    def __str__(self) -> str:
        return self.code

    def save(self, *args, **kwargs):
        self.due_sort = self.due_at or FAR_FUTURE
        super().save(*args, **kwargs)
