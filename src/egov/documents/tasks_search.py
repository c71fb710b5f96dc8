"""Background job of the search: the text of a document's PDF (queue "cpu", CPU-heavy, so a long
PDF never delays mail or the interactive queues; pdftotext runs within limits, see
textextract). Run by `egov worker` (all queues) or a worker of its own (--queue-name cpu)."""

from __future__ import annotations

from django_tasks import task


@task(queue_name="cpu")
def extract_document_text(kind: str, document_id: int) -> int:
    """Fill text_content of one document ("incoming" / "outgoing") and reindex it; returns the
    number of characters extracted. Idempotent: running it twice gives the same text."""
    from .search import document_text_extract

    return document_text_extract(kind=kind, document_id=document_id)
