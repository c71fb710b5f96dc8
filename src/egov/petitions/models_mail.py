"""E-mail intake (i11-mail): each unit's public mailbox, polled over IMAP, and the messages taken
from it.

`Mailbox` holds where to connect and how far the polling got: the folder's UIDVALIDITY and the
highest UID already imported (`last_uid`). A message is imported in one transaction that also
moves `last_uid` forward, so a repeated poll, a crash or a dropped connection neither loses nor
doubles a petition (services.mail). The password is never stored in the database: the row
names an environment variable or a secrets file.

`MailMessage` is one imported message: its place in the mailbox (UIDVALIDITY, UID), its
Message-ID and threading headers, and the petition it became or was attached to. It carries no
sender, subject or text: those are the petitioner's identity and live in `PetitionIdentity`
(source details) and `PetitionIdentityFile` (the message as received).
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from egov.core.models import OrgUnit

from .models import Petition


class MailSecurity(models.TextChoices):
    SSL = "ssl", _("TLS from the start (IMAPS, port 993)")
    STARTTLS = "starttls", _("STARTTLS (port 143)")
    NONE = "none", _("No encryption (loopback or tests only)")


class Mailbox(models.Model):
    agency = models.ForeignKey(OrgUnit, verbose_name=_("receiving agency"),
                               on_delete=models.PROTECT, related_name="+")
    address = models.EmailField(_("public e-mail address"), max_length=254)
    host = models.CharField(_("IMAP server"), max_length=255)
    port = models.PositiveIntegerField(_("port"), default=993)
    security = models.CharField(_("encryption"), max_length=16, choices=MailSecurity.choices,
                                default=MailSecurity.SSL)
    username = models.CharField(_("user name"), max_length=255)
    password_env = models.CharField(
        _("password: environment variable"), max_length=128, blank=True,
        help_text=_("Name of the environment variable of the workers that holds the password "
                    "(e.g. EGOV_MAIL_PASSWORD_ANBINH)."))
    password_file = models.CharField(
        _("password: secrets file"), max_length=500, blank=True,
        help_text=_("Or the path of a file readable by the workers that holds the password."))
    folder = models.CharField(_("folder"), max_length=255, default="INBOX")
    mark_seen = models.BooleanField(_("mark imported messages as read"), default=True)
    active = models.BooleanField(_("active"), default=True)
    poll_seconds = models.PositiveIntegerField(_("poll every (seconds)"), default=120)

    # How far the polling got (services.mail).
    uidvalidity = models.BigIntegerField(null=True, blank=True, editable=False)
    last_uid = models.BigIntegerField(default=0, editable=False)
    last_poll_at = models.DateTimeField(_("last poll"), null=True, blank=True, editable=False)
    last_success_at = models.DateTimeField(_("last successful poll"), null=True, blank=True,
                                           editable=False)
    last_error = models.TextField(_("last error"), blank=True, editable=False)
    failures = models.PositiveIntegerField(_("failures in a row"), default=0, editable=False)
    next_poll_at = models.DateTimeField(_("next poll"), null=True, blank=True)
    # One poller at a time: a poll takes the lease with a compare-and-set UPDATE.
    lease_until = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("petition mailbox")
        verbose_name_plural = _("petition mailboxes")
        ordering = ["agency", "address"]
        constraints = [models.UniqueConstraint(fields=["host", "username", "folder"],
                                               name="mailbox_once")]

    def __str__(self) -> str:
        return self.address


class MailOutcome(models.TextChoices):
    PETITION = "petition", _("New petition")
    REPLY = "reply", _("Attached to a petition")
    SKIPPED = "skipped", _("Not imported (delivery report)")


class MailMessage(models.Model):
    mailbox = models.ForeignKey(Mailbox, on_delete=models.PROTECT, related_name="messages")
    uidvalidity = models.BigIntegerField()
    uid = models.BigIntegerField()
    # The Message-ID as sent (or "<sha256…@egov.invalid>" of the raw message when it has none).
    message_id = models.CharField(max_length=255)
    in_reply_to = models.CharField(max_length=255, blank=True)
    references = models.TextField(blank=True)
    outcome = models.CharField(max_length=16, choices=MailOutcome.choices)
    petition = models.ForeignKey(Petition, null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="mail_messages")
    # The Message-ID of the acknowledgement queued for it (a reply to it threads here too).
    ack_message_id = models.CharField(max_length=255, blank=True)
    auto_reason = models.CharField(max_length=64, blank=True)
    received_at = models.DateTimeField()
    imported_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("petition e-mail")
        verbose_name_plural = _("petition e-mails")
        ordering = ["mailbox", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["mailbox", "uidvalidity", "uid"],
                                    name="mailmessage_uid"),
            models.UniqueConstraint(fields=["mailbox", "message_id"],
                                    name="mailmessage_message_id"),
        ]
        indexes = [
            models.Index(fields=["message_id"], name="mailmessage_msgid"),
            models.Index(fields=["ack_message_id"], name="mailmessage_ackid",
                         condition=~Q(ack_message_id="")),
        ]

    def __str__(self) -> str:
        return f"{self.mailbox_id}:{self.uidvalidity}:{self.uid}"
