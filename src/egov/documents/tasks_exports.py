"""Background jobs of the documents exports (queue "cpu": long CPU-heavy jobs never delay the
mail queue). Thin wrappers around services/exports.py; an export whose job ends failed (its
worker died too often) ends failed with the reason (egov.core.jobs)."""

from __future__ import annotations

from django_tasks import task

from egov.core import jobs


@task(queue_name="cpu")
def run_export(job_id: int) -> str:
    """Build the file of one ExportJob; returns the job's final state."""
    from .services.exports import exports_run

    job = exports_run(job_id=job_id)
    return job.state if job is not None else "missing"


@jobs.on_failure(run_export)
def _export_failed(job_id: int, *, reason: str) -> None:
    from .services.exports import exports_job_failed

    exports_job_failed(job_id=job_id, reason=reason)
