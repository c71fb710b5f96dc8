"""The outbox (issue 10): messages to citizens (e-mail, SMS) written in the caller's transaction
and sent by background jobs after the commit (egov.core.outbox), and the editable templates they
are rendered from.

A message's state only moves forward: queued → sent → delivered, or → failed (from queued after
the last attempt, or from sent when the operator reports it undeliverable). The code moves it
with compare-and-set UPDATEs; the database refuses a backward move (a CHECK constraint ties
each state to its timestamps, and a trigger refuses any move that is not forward — migration
0014_notify_outbox).
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class MessageChannel(models.TextChoices):
    EMAIL = "email", _("E-mail")
    SMS = "sms", _("SMS")


class MessageState(models.TextChoices):
    QUEUED = "queued", _("Queued")
    SENT = "sent", _("Sent")
    DELIVERED = "delivered", _("Delivered")
    FAILED = "failed", _("Failed")


# The only moves allowed (state → states it may move to).
FORWARD = {
    MessageState.QUEUED: frozenset({MessageState.SENT, MessageState.FAILED}),
    MessageState.SENT: frozenset({MessageState.DELIVERED, MessageState.FAILED}),
    MessageState.DELIVERED: frozenset(),
    MessageState.FAILED: frozenset(),
}


class MessageTemplate(models.Model):
    """The text of one kind of message in one channel and language, in Django template syntax
    (plain text: nothing is HTML-escaped). Administrators edit it in the admin; the text a
    message was sent with is kept on the message itself."""

    code = models.CharField(_("code"), max_length=64)
    channel = models.CharField(_("channel"), max_length=8, choices=MessageChannel.choices)
    language = models.CharField(_("language"), max_length=8, default="vi")
    subject = models.CharField(_("subject"), max_length=255, blank=True,
                               help_text=_("E-mail only; SMS messages have no subject."))
    body = models.TextField(_("body"))
    legal_basis = models.CharField(_("legal basis"), max_length=500, blank=True)
    notes = models.TextField(_("notes"), blank=True,
                             help_text=_("The variables the template may use, and why it is "
                                         "sent."))
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("message template")
        verbose_name_plural = _("message templates")
        ordering = ["code", "channel", "language"]
        constraints = [
            models.UniqueConstraint(fields=["code", "channel", "language"],
                                    name="messagetemplate_once"),
        ]

    def __str__(self) -> str:
        return f"{self.code} ({self.channel}, {self.language})"


class OutboundMessage(models.Model):
    """One e-mail or SMS to one recipient, sent at most once per idempotency `key`."""

    key = models.CharField(_("idempotency key"), max_length=200, unique=True)
    channel = models.CharField(_("channel"), max_length=8, choices=MessageChannel.choices)
    recipient = models.CharField(_("recipient"), max_length=254)
    subject = models.CharField(_("subject"), max_length=255, blank=True)
    body = models.TextField(_("body"))
    template_code = models.CharField(_("template"), max_length=64, blank=True)
    language = models.CharField(_("language"), max_length=8, default="vi")
    state = models.CharField(_("state"), max_length=12, choices=MessageState.choices,
                             default=MessageState.QUEUED)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt at"), default=timezone.now)
    last_error = models.TextField(_("last error"), blank=True)
    provider_id = models.CharField(_("provider message id"), max_length=200, blank=True)
    # Which module and which of its objects the message is about (for the admin and support).
    module = models.CharField(_("module"), max_length=32)
    object_type = models.CharField(_("object type"), max_length=64, blank=True)
    object_id = models.CharField(_("object id"), max_length=64, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True)
    failed_at = models.DateTimeField(_("failed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("outbound message")
        verbose_name_plural = _("outbound messages")
        ordering = ["-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(state__in=[s.value for s in MessageState]),
                name="outboundmessage_state_known"),
            # Each state carries exactly its own timestamps: a row cannot be put back to
            # "queued" without erasing when it was sent, which this refuses.
            models.CheckConstraint(
                condition=(Q(state="queued", sent_at__isnull=True, delivered_at__isnull=True,
                             failed_at__isnull=True)
                           | Q(state="sent", sent_at__isnull=False, delivered_at__isnull=True,
                               failed_at__isnull=True)
                           | Q(state="delivered", sent_at__isnull=False,
                               delivered_at__isnull=False, failed_at__isnull=True)
                           | Q(state="failed", delivered_at__isnull=True,
                               failed_at__isnull=False)),
                name="outboundmessage_state_times"),
        ]
        indexes = [
            models.Index(fields=["next_attempt_at"], condition=Q(state="queued"),
                         name="outboundmessage_due"),
            models.Index(fields=["provider_id"], condition=~Q(provider_id=""),
                         name="outboundmessage_provider"),
            models.Index(fields=["module", "object_type", "object_id"],
                         name="outboundmessage_object"),
        ]

    def __str__(self) -> str:
        return self.key
