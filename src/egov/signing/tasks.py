"""Background jobs of the signing module (run by `egov worker`): thin wrappers around services.

Queue "cpu": a chunk signs :data:`egov.signing.batch.CHUNK_SIZE` documents (a few seconds), like
the documents exports, on the CPU-heavy queue, so it never delays the "mail" queue. A chunk whose
worker died runs again and goes on where it stopped (egov.core.jobs); when it ends failed, its
unsigned documents are recorded as failed so the batch finishes.
"""

from __future__ import annotations

from django_tasks import task

from egov.core import jobs


@task(queue_name="cpu")
def sign_batch_chunk(job_id: int, document_ids: list[int]) -> str:
    """Sign one chunk of a batch signing job; returns the job's state afterwards."""
    from .batch import batch_run_chunk

    job = batch_run_chunk(job_id=job_id, document_ids=list(document_ids))
    return job.state if job is not None else "missing"


@jobs.on_failure(sign_batch_chunk)
def _chunk_failed(job_id: int, document_ids: list[int], *, reason: str) -> None:
    from .batch import batch_chunk_failed

    batch_chunk_failed(job_id=job_id, document_ids=list(document_ids), reason=reason)
