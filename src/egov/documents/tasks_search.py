"""Background job of the search: the text of a document's PDF (queue "slow", so a long PDF never
delays the interactive queues). Run by `egov worker` (db_worker --queue-name '*')."""

from __future__ import annotations

from django_tasks import task


@task(queue_name="slow")
def extract_document_text(kind: str, document_id: int) -> int:
    """Fill text_content of one document ("incoming" / "outgoing") and reindex it; returns the
    number of characters extracted. Idempotent: running it twice gives the same text."""
    from .search import document_text_extract

    return document_text_extract(kind=kind, document_id=document_id)
