"""Background jobs of the documents module: thin wrappers around services (run by `egov worker`).

Queues: "slow" for LibreOffice conversions (about a second each), "mail" for e-mails.
"""

from __future__ import annotations

from django_tasks import task


@task(queue_name="slow")
def convert_draft_version(version_id: int) -> str:
    """Convert a .docx draft version to PDF (idempotent)."""
    from .models import DraftVersion
    from .services.outgoing import outgoing_convert_version

    version = DraftVersion.objects.filter(pk=version_id).first()
    if version is None:
        return "missing"
    version = outgoing_convert_version(version=version)
    return "converted" if version.pdf_id else f"failed: {version.conversion_error}"


@task(queue_name="mail")
def send_outgoing_mail(document_id: int, kind: str = "issue", reason: str = "") -> int:
    """E-mail an issued document, or a recall / replacement notice, to its external recipients
    (idempotent per recipient)."""
    from .services.outgoing import outgoing_send_mail

    return outgoing_send_mail(document_id=document_id, kind=kind, reason=reason)


@task(queue_name="default")
def dispatch_outgoing(document_id: int) -> None:
    """Deliver an issued document to the recipients who do not have it yet (idempotent)."""
    from .models import OutgoingDocument
    from .services.outgoing import outgoing_dispatch

    document = OutgoingDocument.objects.filter(pk=document_id).first()
    if document is not None:
        outgoing_dispatch(document=document)
