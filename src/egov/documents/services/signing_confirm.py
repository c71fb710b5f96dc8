"""The signer's confirmed signature (issue 9 §1): "Ký số" after a confirmation step with the
preview of the PDF as it will be issued, and "Ký duyệt" — approve and sign in one action.

Both sign with the key the server holds for the signer (egov.documents.signing_flow.
sign_approval) and first check the signer's second factor when the agency requires one
(egov.signing.second_factor).

"Ký duyệt" is the signer's approval (NĐ 30/2020 Điều 13: the competent person approves the
draft) and personal digital signature (Điều 13.7) in ONE transaction: the approval is recorded
(trail + audit ``documents.outgoing.review``), then the approved PDF is signed (trail + audit
``documents.outgoing.sign``); if the signing fails, the approval is rolled back too, so the
document stays where it was.
"""

from __future__ import annotations

from django.db import transaction

from egov.core.errors import PermissionDenied
from egov.signing import second_factor, stamping
from egov.signing.selectors import usable_certificate

from ..models import ApprovalStep, Decision, OutgoingState
from ..selectors.outgoing import review_next_step


def can_approve_and_sign(actor, document) -> bool:
    """The signer's approval is the next review step and ``actor`` is the signer."""
    return (document.state == OutgoingState.IN_REVIEW
            and getattr(actor, "pk", None) == document.signer_id
            and review_next_step(document) == ApprovalStep.SIGNER)


def _server_key(actor):
    certificate = usable_certificate(user=actor)
    if certificate is None:
        raise stamping.no_certificate()
    return certificate


def outgoing_sign_confirmed(*, actor, document, otp: str | None = None):
    """"Ký số" on the confirmation page or by API: the second factor, then the signature."""
    from ..signing_flow import approval_check, sign_approval

    approval_check(actor=actor, document=document)
    _server_key(actor)
    second_factor.verify(actor=actor, unit=document.agency, code=otp)
    return sign_approval(actor=actor, document=document)


def outgoing_approve_and_sign(*, actor, document, comment: str = "", otp: str | None = None):
    """"Ký duyệt": the signer approves the draft and signs it in one transaction."""
    from ..signing_flow import sign_approval
    from . import outgoing as out_svc

    if not can_approve_and_sign(actor, document):
        if getattr(actor, "pk", None) != document.signer_id:
            raise PermissionDenied()
        raise out_svc.wrong_state(document)
    _server_key(actor)
    second_factor.verify(actor=actor, unit=document.agency, code=otp)
    with transaction.atomic():
        out_svc.outgoing_review(actor=actor, document=document, step=ApprovalStep.SIGNER,
                                decision=Decision.APPROVED, comment=comment)
        document.refresh_from_db()
        return sign_approval(actor=actor, document=document)
