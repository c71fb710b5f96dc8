"""The shared base of the petition services: a new petition with its code, check and separate
identity; the event every change writes (subscribers told in the same transaction); the 409
for a wrong state.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from egov.core import calendar, numbering
from egov.core.errors import AppError
from egov.core.models import OrgUnit, StoredFile

from .. import hooks
from ..models import (
    Petition,
    PetitionEvent,
    PetitionFile,
    PetitionIdentity,
    PetitionIdentityFile,
    PetitionState,
)
from ..redaction import redact

# Unambiguous characters for the look-up check (no 0/O, 1/I/L).
_CHECK_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"


def new_check() -> str:
    return "".join(secrets.choice(_CHECK_ALPHABET) for _ in range(8))


def allocate_code(agency: OrgUnit, day: dt.date) -> str:
    """The next petition code of `agency`: `<agency id>-DT<YY>-<sequence>`, gapless per year
    (numbering kernel). Must run inside the caller's transaction."""
    seq = numbering.sequence_next(scope=f"petitions.petition:{agency.pk}", series="DT",
                                  year=day.year)
    ident = (agency.electronic_id or agency.abbreviation or f"U{agency.pk}").replace(" ", "")
    return f"{ident}-DT{day:%y}-{seq:05d}"


def petition_create(*, actor, agency: OrgUnit, channel: str, identity: dict, content: str,
                    kind: str = "", kind_by_petitioner: str = "", subject: str = "",
                    respondent: str = "", state: str = PetitionState.RECEIVED,
                    received_at: dt.datetime | None = None, files: Iterable[StoredFile] = (),
                    identity_files: Iterable[StoredFile] = (), source_details: dict | None = None,
                    **fields) -> Petition:
    """Create a petition inside the caller's transaction.

    `identity`: {"full_name", "personal_id", "phone", "email", "address", "others"} (already
    validated). The content is stored twice: as written, in the identity table, and with the
    identity removed on the petition (what everyone else reads). `files` are attachments that do
    not identify the petitioner; `identity_files` (scans of the letter, ID papers) are identity.
    `fields` are further Petition fields (signers, handling_unit, source_document_id…)."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("petition_create() must run inside transaction.atomic()")
    now = received_at or timezone.now()
    day = calendar.localtime(now).date()
    identity = {k: (v or "") if k != "others" else (v or []) for k, v in identity.items()}
    actor_obj = actor if getattr(actor, "pk", None) else None
    petition = Petition.objects.create(
        code=allocate_code(agency, day), lookup_check=new_check(), agency=agency, channel=channel,
        state=state, kind=kind or "", kind_by_petitioner=kind_by_petitioner or kind or "",
        subject=redact(subject, identity), content=redact(content, identity),
        respondent=respondent or "", received_at=now,
        received_by=actor_obj if state != PetitionState.DRAFT else None,
        created_by=actor_obj, **fields,
    )
    PetitionIdentity.objects.create(
        petition=petition, full_name=identity.get("full_name", ""),
        personal_id=identity.get("personal_id", ""), phone=identity.get("phone", ""),
        email=identity.get("email", ""), address=identity.get("address", ""),
        others=identity.get("others") or [], original_content=content or "",
        source_details=source_details or {},
    )
    PetitionFile.objects.bulk_create([PetitionFile(petition=petition, file=f, added_by=actor_obj)
                                      for f in files])
    PetitionIdentityFile.objects.bulk_create([PetitionIdentityFile(petition=petition, file=f)
                                              for f in identity_files])
    return petition


def event_write(*, petition: Petition, kind: str, actor=None, unit: OrgUnit | None = None,
                note: str = "", public: bool = True, details: dict | None = None,
                at: dt.datetime | None = None) -> PetitionEvent:
    """Record what happened (after the petition row was saved with its new state) and tell the
    subscribers in the same transaction. `note` and `details` must not carry identity: a
    `public` event's note is shown on the public look-up."""
    event = PetitionEvent.objects.create(
        petition=petition, at=at or timezone.now(), kind=kind, state=petition.state,
        actor=actor if getattr(actor, "pk", None) else None, unit=unit, note=note,
        public=public, details=details or {},
    )
    hooks.petition_changed(petition=petition, event=event)
    return event


def not_allowed(petition: Petition, action: str) -> AppError:
    """409 `invalid_state` for an action the petition's state does not allow; the state is named."""
    return AppError(
        "invalid_state",
        _("%(action)s is not allowed: the petition %(code)s is “%(state)s”.")
        % {"action": action, "code": petition.code,
           "state": PetitionState(petition.state).label},
        status=409,
    )


def lock(petition_id: int) -> Petition:
    """The petition row locked for a change (FOR NO KEY UPDATE, docs/architecture.md). Only the
    petition's own row: locking the joined agency too would serialise every change in the
    agency and deadlock two changes that also lock another petition (a duplicate's original)."""
    return Petition.objects.select_for_update(no_key=True, of=("self",)) \
        .select_related("agency").get(pk=petition_id)
