"""Importing one e-mail taken from a petition mailbox (i11-mail; the poll is services.mail).

One message, one transaction: the petition (or the reply attached to one), the MailMessage row
and the mailbox's `last_uid` are written together, so the mailbox never says "done" for a
message that is not in the database, and a message in the database is never imported again
(the unique (mailbox, uidvalidity, uid) and (mailbox, message_id) keys, checked under the
mailbox's row lock). The acknowledgement goes into the outbox in the same transaction (sent by
the outbox job after the commit), only for a new petition and never to an automatic message.

Identity (Luật Tố cáo 25/2018 Art.47.2, 56): the sender's name and address, the headers and
the message as received (.eml) are the petitioner's identity (PetitionIdentity,
PetitionIdentityFile); the attachments too, since they may be scans of the handwritten letter.
The petition gets the text with the identity removed (records.petition_create).
"""

from __future__ import annotations

import datetime as dt
import logging

from django.core.validators import validate_email
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from egov.core.audit import audit_log
from egov.core.errors import InvalidInput
from egov.core.files import file_store
from egov.core.outbox import _message_id as outbox_message_id
from egov.core.outbox import outbox_enqueue

from ..mailparse import ParsedMail, parse
from ..models import Channel, PetitionIdentity, PetitionIdentityFile, PetitionState
from ..models_mail import Mailbox, MailMessage, MailOutcome
from ..redaction import redact
from . import records
from .identity_files import neutral_upload

log = logging.getLogger("egov.petitions.mail")

ACK_TEMPLATE = "petitions.mail_ack"
NOTE_LIMIT = 4000


class MailboxChanged(Exception):
    """The mailbox's UIDVALIDITY moved while a poll was importing: the poll stops and the
    next one re-scans."""


def thread_of(mailbox: Mailbox, parsed: ParsedMail) -> MailMessage | None:
    """The earlier message of the same agency this one answers (In-Reply-To first, then
    References from the nearest), also through the acknowledgement's Message-ID."""
    ids = parsed.thread_ids()
    if not ids:
        return None
    rows = list(MailMessage.objects.filter(Q(message_id__in=ids) | Q(ack_message_id__in=ids),
                                           mailbox__agency_id=mailbox.agency_id,
                                           petition__isnull=False)
                .order_by("-id")[:50])
    for wanted in ids:
        for row in rows:
            if wanted in (row.message_id, row.ack_message_id):
                return row
    return None


def _store_files(parsed: ParsedMail, raw: bytes) -> tuple[list, list[str]]:
    """Store the message as received (.eml) and its attachments, each in its own transaction
    before the import's (file_store writes the audit trail). An attachment the upload checks
    refuse as a PDF (damaged, encrypted) is still kept, as a file derived from the .eml (what a
    citizen sent is never dropped); an empty or oversized one is named in the second list (the
    .eml holds it anyway)."""
    refused: list[str] = []
    try:
        original = file_store(actor=None, upload=("thu-goc.eml", raw))
    except InvalidInput as exc:
        # Over the upload limit: the attachments alone may still fit.
        original = None
        refused.append(f"thu-goc.eml: {exc.code}")
    stored = [original] if original is not None else []
    for name, data in parsed.attachments:
        try:
            # A neutral name: the attachment's own may name the sender (identity_files.py).
            stored.append(file_store(actor=None, upload=neutral_upload((name, data))))
        except InvalidInput as exc:
            if original is not None and exc.code in ("pdf_damaged", "pdf_encrypted"):
                stored.append(file_store(actor=None, upload=neutral_upload((name, data)),
                                         derived_from=original,
                                         derivation="mail_attachment"))
            else:
                refused.append(f"{name}: {exc.code}")
    return stored, refused


def _identity(parsed: ParsedMail) -> dict:
    return {"full_name": parsed.from_name, "email": parsed.from_addr}


def _details(mailbox: Mailbox, parsed: ParsedMail, uidvalidity: int, uid: int,
             refused: list[str]) -> dict:
    return {"channel": "email", "mailbox": mailbox.address, "uidvalidity": uidvalidity,
            "uid": uid, "headers": parsed.headers, "auto": parsed.auto_reason,
            "attachments": [name for name, _ in parsed.attachments],
            "refused_files": refused}


def _may_acknowledge(mailbox: Mailbox, parsed: ParsedMail) -> bool:
    """Never to an automatic message, a delivery report, our own address, or no address (mail
    loops: RFC 3834)."""
    if parsed.auto_reason or parsed.is_bounce or not parsed.from_addr:
        return False
    if parsed.from_addr.lower() == mailbox.address.lower():
        return False
    try:
        validate_email(parsed.from_addr)
    except Exception:  # noqa: BLE001
        return False
    return True


def _acknowledge(petition, mailbox: Mailbox, to: str) -> str:
    """Queue the acknowledgement (code + check) to `to`; its Message-ID (a reply to it threads
    onto the petition), or "" when it could not be queued.

    `to` is the address the message came from, in hand at intake: no stored identity is read
    (`access.identity_for_system` is for messages sent later, from the stored identity)."""
    from egov.core import calendar

    from ..pdf_receipt import lookup_url

    key = f"petitions:mail-ack:{petition.code}"
    context = {
        "code": petition.code, "check": petition.lookup_check, "agency": mailbox.agency.name,
        "received_at": f"{calendar.localtime(petition.received_at):%H:%M %d/%m/%Y}",
        "lookup_url": lookup_url(petition.code, petition.lookup_check),
    }
    try:
        with transaction.atomic():
            outbox_enqueue(key=key, channel="email", to=to, template=ACK_TEMPLATE,
                           context=context, language="vi", module="petitions",
                           subject=petition)
    except InvalidInput as exc:
        log.warning("petition %s: no acknowledgement (%s)", petition.code, exc.message)
        return ""
    return outbox_message_id(key)


def _new_petition(mailbox, parsed, files, details, received_at):
    petition = records.petition_create(
        actor=None, agency=mailbox.agency, channel=Channel.EMAIL, identity=_identity(parsed),
        content=parsed.text or parsed.subject or "-", subject=parsed.subject,
        state=PetitionState.DRAFT, received_at=received_at, identity_files=files,
        source_details=details)
    records.event_write(petition=petition, kind="submit", public=True,
                        details={"channel": "email"}, at=received_at)
    return petition


def _attach_reply(thread: MailMessage, parsed, files, details, mail_pk_hint: str):
    """Attach a reply to its petition: the files as identity files, the headers in the
    identity's source details, the text (identity removed) as the event's internal note."""
    petition = records.lock(thread.petition_id)
    identity = PetitionIdentity.objects.filter(petition=petition).first()
    note = parsed.text
    if identity is not None:
        note = redact(note, identity)
        source = dict(identity.source_details or {})
        source.setdefault("replies", []).append(details)
        identity.source_details = source
        identity.save(update_fields=["source_details"])
    note = redact(note, _identity(parsed))[:NOTE_LIMIT]
    PetitionIdentityFile.objects.bulk_create([
        PetitionIdentityFile(petition=petition, file=f, description=f"reply {mail_pk_hint}")
        for f in files])
    records.event_write(petition=petition, kind="reply", public=False, note=note,
                        details={"message_id": parsed.message_id, "files": len(files)})
    return petition


def message_import(*, mailbox_id: int, uidvalidity: int, uid: int, raw: bytes,
                   received_at: dt.datetime | None = None,
                   mailbox: Mailbox | None = None) -> str:
    """Import one message; returns the outcome: "petition", "reply", "skipped" or
    "duplicate" (already imported: only `last_uid` moves). Raises MailboxChanged when the
    mailbox's UIDVALIDITY is no longer `uidvalidity`. `mailbox` (the poll's row) saves a
    query; the row is read again, locked, inside the transaction."""
    parsed = parse(raw)
    received_at = received_at or parsed.date or timezone.now()
    if mailbox is None:
        mailbox = Mailbox.objects.select_related("agency").get(pk=mailbox_id)

    known = MailMessage.objects.filter(mailbox_id=mailbox_id,
                                       message_id=parsed.message_id).exists()
    thread = None if known else thread_of(mailbox, parsed)
    skip = known or (parsed.is_bounce and thread is None)
    files, refused = ([], []) if skip else _store_files(parsed, raw)

    with transaction.atomic():
        mailbox = (Mailbox.objects.select_for_update(no_key=True, of=("self",)).select_related("agency")
                   .get(pk=mailbox_id))
        if mailbox.uidvalidity != uidvalidity:
            raise MailboxChanged(mailbox.address)
        if uid <= mailbox.last_uid:
            return "duplicate"  # another poll got there first
        mailbox.last_uid = uid
        mailbox.save(update_fields=["last_uid"])
        if MailMessage.objects.filter(mailbox=mailbox, message_id=parsed.message_id).exists():
            # Already imported (the folder was re-scanned after a UIDVALIDITY change, or the
            # same message was delivered twice): nothing more.
            return "duplicate"
        details = _details(mailbox, parsed, uidvalidity, uid, refused)
        ack_id = ""
        if thread is not None:
            outcome = MailOutcome.REPLY
            petition = _attach_reply(thread, parsed, files, details, parsed.message_id[:60])
        elif parsed.is_bounce:
            outcome, petition = MailOutcome.SKIPPED, None
        else:
            outcome = MailOutcome.PETITION
            petition = _new_petition(mailbox, parsed, files, details, received_at)
            if _may_acknowledge(mailbox, parsed):
                ack_id = _acknowledge(petition, mailbox, parsed.from_addr)
        MailMessage.objects.create(
            mailbox=mailbox, uidvalidity=uidvalidity, uid=uid, message_id=parsed.message_id,
            in_reply_to=parsed.in_reply_to, references=" ".join(parsed.references)[:10000],
            outcome=outcome, petition=petition, auto_reason=parsed.auto_reason,
            ack_message_id=ack_id, received_at=received_at)
        audit_log(actor=None, action="petition.mail.import", obj=petition or mailbox,
                  details={"mailbox": mailbox.pk, "uidvalidity": uidvalidity, "uid": uid,
                           "outcome": outcome, "code": petition.code if petition else "",
                           "auto": parsed.auto_reason, "acknowledged": bool(ack_id)})
    return str(outcome)
