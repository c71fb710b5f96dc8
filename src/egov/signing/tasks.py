"""Background jobs of the signing module (run by `egov worker`): thin wrappers around services.

Queue "slow": a chunk signs :data:`egov.signing.batch.CHUNK_SIZE` documents (a few seconds), like
the documents exports, so it never delays the "mail" queue.
"""

from __future__ import annotations

from django_tasks import task


@task(queue_name="slow")
def sign_batch_chunk(job_id: int, document_ids: list[int]) -> str:
    """Sign one chunk of a batch signing job; returns the job's state afterwards."""
    from .batch import batch_run_chunk

    job = batch_run_chunk(job_id=job_id, document_ids=list(document_ids))
    return job.state if job is not None else "missing"
