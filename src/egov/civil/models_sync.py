"""Civil-status tables: the national databases' sync queue (issue 13; services.md §3.6).

One :class:`CivilSync` row per registered event, written by the `event_registered` subscriber
inside the registration's transaction; the idempotency `key` is the event's (one row, one
push, whatever happens). Taken and marked with the core outbox's machinery
(egov.core.outbox.claim_next / mark_taken) by egov.civil.sync."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

__all__ = ["CivilSync", "CivilSyncState"]


class CivilSyncState(models.TextChoices):
    QUEUED = "queued", _("Queued")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")


class CivilSync(models.Model):
    """One registered event to push to the national civil-registry / population database."""

    event = models.OneToOneField("civil.CivilEvent", on_delete=models.PROTECT,
                                 related_name="national_sync")
    key = models.CharField(max_length=100, unique=True)
    payload = models.JSONField()
    state = models.CharField(_("state"), max_length=16, choices=CivilSyncState.choices,
                             default=CivilSyncState.QUEUED)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    last_error = models.TextField(_("last error"), blank=True)
    # The national database's answer: its reference, and the personal ID it gave a birth.
    remote_ref = models.CharField(_("national reference"), max_length=200, blank=True)
    personal_id = models.CharField(max_length=12, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("national database sync")
        verbose_name_plural = _("national database syncs")
        ordering = ["id"]
        indexes = [models.Index(fields=["state", "next_attempt_at"],
                                condition=Q(state="queued"), name="civilsync_due")]

    def __str__(self) -> str:
        return self.key
