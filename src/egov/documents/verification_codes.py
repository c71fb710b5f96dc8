"""The verification codes of outgoing documents (issue 4), on the signing service's generic codes
(:mod:`egov.signing.verification_codes`, subject kind :data:`KIND`).

- :func:`code_for` — one code per document, drawn at stage 1 when the PDF is prepared for the
  leader's signature (printed with its QR code in the top margin), reused when the document is
  prepared again after a new version.
- :func:`bind_issued_file` — at issue, the code points at the issued PDF. Decision: a document
  issued without a prepared PDF (no leader's digital signature: the approved version's PDF is
  issued as it is) still gets a code row bound to its issued file, so staff can read the code
  and give it to whoever asks; that PDF simply does not carry the printed mark.
- :func:`public_record` — what the public verification page shows: only documents that were
  issued (then perhaps recalled or replaced) answer; a code drawn at stage 1 for a document that
  is not issued yet stays unknown to the public.
- :func:`forget_public_on_state_change` — the cached public page of a code
  (egov.signing.verification_codes.public_page) is dropped when its document is recalled or
  replaced (a post_save receiver, connected in DocumentsConfig.ready), so every path that
  changes the state is covered.
"""

from __future__ import annotations

from egov.signing import verification_codes as vcodes

KIND = "documents.outgoing"


def code_for(document):
    """The document's VerificationCode (get or create)."""
    return vcodes.code_for(KIND, document.pk)


def codes_of(document):
    """The document's VerificationCode rows (a queryset)."""
    from egov.signing.models import VerificationCode

    return VerificationCode.objects.filter(subject_kind=KIND, subject_id=document.pk)


def bind_issued_file(document):
    """At issue: the document's code points at its issued PDF (document.issued_file)."""
    return vcodes.bind_file(KIND, document.pk, document.issued_file_id)


def public_state(document) -> str:
    """"issued", "recalled" (NĐ 30/2020 Điều 19: thu hồi) or "replaced" (thay thế)."""
    return document.state if document.state in ("recalled", "replaced") else "issued"


def replacement_of(document):
    """(the issued document that replaced ``document``, its verification code or None), or
    (None, None)."""
    newer = (document.replaced_by.filter(issued_at__isnull=False).order_by("-issued_at", "-pk")
             .first())
    if newer is None:
        return None, None
    vc = codes_of(newer).filter(file__isnull=False).order_by("pk").first()
    return newer, vc


def public_record(document, vc) -> dict | None:
    """The facts of an issued document for the public page (signing adds the code and the
    file's SHA-256); None for a document that is not issued."""
    if document.issued_at is None:
        return None
    newer, newer_vc = replacement_of(document)
    state = public_state(document)
    return {
        "document": {
            "number": document.code,
            "issued_date": document.issued_date.isoformat() if document.issued_date else None,
            "agency": document.agency.name,
            "type": document.doc_type.name,
            "subject": document.subject,
            "medium": document.medium,  # "paper": the original is the printed copy (issue 9)
        },
        "state": state,
        "recalled_at": (document.recalled_at.isoformat()
                        if state == "recalled" and document.recalled_at else None),
        "recall_reason": document.recall_reason if state == "recalled" else "",
        "replaced_by": ({"number": newer.code,
                         "code": vcodes.display(newer_vc.code) if newer_vc else None}
                        if newer is not None else None),
    }


PUBLIC_STATES_CHANGED = ("recalled", "replaced")


def forget_public(document) -> None:
    """Drop the cached public pages of the document's code now and again after the commit (a
    reader between the two would otherwise cache the state being replaced)."""
    from django.db import transaction

    document_id = document.pk
    vcodes.forget_public(KIND, document_id)
    transaction.on_commit(lambda: vcodes.forget_public(KIND, document_id))


def forget_public_on_state_change(sender, instance, update_fields=None, **kwargs) -> None:
    """post_save of OutgoingDocument: a recalled or replaced document's public page changes."""
    if instance.state not in PUBLIC_STATES_CHANGED:
        return
    if update_fields is not None and "state" not in update_fields:
        return
    forget_public(instance)
