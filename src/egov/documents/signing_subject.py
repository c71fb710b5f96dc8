"""Outgoing documents as a subject of the signing service (egov.signing.subjects, kind
``"documents.outgoing"``): registered in DocumentsConfig.ready(), so signing's own-token
sessions, batches and public verification codes work on documents without signing importing the
documents module (docs/architecture.md: signing knows no module).

- own-token sessions: the signer of an APPROVED document signs the prepared PDF of stage 1
  (:func:`egov.documents.signing_flow.approval_input`) in ``leader_signature``; the upload
  completes the approval (:func:`egov.documents.signing_flow.approval_finish`) when the document
  is still APPROVED with the same latest version;
- batches: approved documents the actor may see and is the signer of, each signed by
  :func:`egov.documents.signing_flow.sign_approval`;
- verification codes: :func:`egov.documents.verification_codes.public_record`.
"""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from egov.core import policy
from egov.core.errors import AppError, NotFound, PermissionDenied
from egov.signing.subjects import SubjectKind, SubjectRow, TokenSigning, register

from . import signing_flow as flow
from . import verification_codes as codes
from .models import OutgoingDocument, OutgoingState

KIND = codes.KIND


def _load(subject_id: int):
    return (OutgoingDocument.objects.select_related("agency", "doc_type")
            .filter(pk=subject_id).first())


def _get(actor, subject_id):
    from .selectors.outgoing import outgoing_get

    return outgoing_get(actor=actor, document_id=subject_id)


# ---------------------------------------------------------------- own-token sessions

def _token_check(actor, document) -> None:
    flow.approval_check(actor=actor, document=document)
    if not policy.can(actor, "documents.sign", document.agency):
        raise PermissionDenied()


def _token_prepare(actor, document) -> TokenSigning:
    version, prepared = flow.approval_input(actor=actor, document=document)
    return TokenSigning(original=version.pdf, prepared=prepared, field=flow.FIELD_LEADER,
                        appearance=flow.leader_stamp(actor=actor, document=document),
                        reason=flow.REASON_APPROVAL,
                        location=document.agency.place_name or "", certify=True,
                        details={"document": document.pk, "version": version.pk})


def _token_finish(actor, document, original_id: int, signed: bytes):
    """(d) still the same approved version; then the document becomes SIGNED."""
    from .selectors.outgoing import latest_version

    document.refresh_from_db()
    version = latest_version(document)
    if document.state != OutgoingState.APPROVED or version is None or (
            version.pdf_id != original_id):
        raise AppError("document_changed", _("The document changed while it was being "
                                             "signed; start the signing again."), status=409)
    flow.approval_finish(actor=actor, document=document, version=version, signed=signed)
    document.refresh_from_db()
    return document.signed_file


# ---------------------------------------------------------------- batches

def _batch_signable(actor, ids: list[int]) -> set[int]:
    """The ids among ``ids`` the actor may see, is the signer of, and that are APPROVED."""
    from .selectors.visibility import outgoing_visible_q

    return set(OutgoingDocument.objects
               .filter(outgoing_visible_q(actor), policy.unit_q(actor, "documents.sign",
                                                                "agency"),
                       pk__in=ids, signer=actor, state=OutgoingState.APPROVED)
               .values_list("pk", flat=True))


def _batch_sign(actor, subject_id: int, *, resume: bool = False) -> bool:
    """Sign one document of a batch (inside the batch's transaction). The row is locked first,
    so two attempts never sign it twice; a re-run (``resume``, its worker died) passes over a
    document that is no longer APPROVED — signed by the interrupted attempt — and returns
    False."""
    with transaction.atomic():
        document = (OutgoingDocument.objects.select_for_update(of=("self",))
                    .select_related("agency").defer("text_content")
                    .filter(pk=subject_id).first())
        if document is None:
            raise NotFound(_("The document no longer exists."))
        if resume and document.state != OutgoingState.APPROVED:
            return False
        flow.sign_approval(actor=actor, document=document)
    return True


def _batch_awaiting(actor, cursor, limit):
    """Approved outgoing documents the actor is to sign, newest first (keyset, no count)."""
    from egov.core.pagination import keyset_page

    # The signer always sees the documents they are to sign (`outgoing_visible_q`), so the
    # plain filter suffices and walks the index outgoing_signer_recent.
    qs = (OutgoingDocument.objects.filter(signer=actor, state=OutgoingState.APPROVED)
          .select_related("doc_type", "agency", "drafting_unit").defer("text_content"))
    return keyset_page(qs, order=("-created_at", "-id"), cursor=cursor, limit=limit,
                       max_limit=200)


def _batch_titles(actor, ids: list[int]) -> dict[int, str]:
    from .selectors.visibility import outgoing_visible_q

    return dict(OutgoingDocument.objects.filter(outgoing_visible_q(actor), pk__in=ids)
                .values_list("pk", "subject")) if ids else {}


def _url(subject_id: int) -> str:
    from django.urls import reverse

    return reverse("documents:outgoing_detail", args=[subject_id])


def _row(document) -> SubjectRow:
    return SubjectRow(pk=document.pk, title=document.subject, url=_url(document.pk),
                      type=document.doc_type.name, unit=document.agency.name,
                      created_at=document.created_at)


def register_subject() -> None:
    register(SubjectKind(
        kind=KIND, load=_load, get=_get, title=lambda d: d.subject,
        state=lambda d: d.state,
        token_check=_token_check, token_prepare=_token_prepare, token_finish=_token_finish,
        batch_signable=_batch_signable, batch_sign=_batch_sign,
        batch_awaiting=_batch_awaiting, batch_titles=_batch_titles, row=_row, url=_url,
        public_record=codes.public_record))
