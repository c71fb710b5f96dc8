"""Background jobs of the documents exports (queue "slow": long jobs never delay the mail
queue). Thin wrappers around services/exports.py."""

from __future__ import annotations

from django_tasks import task


@task(queue_name="slow")
def run_export(job_id: int) -> str:
    """Build the file of one ExportJob; returns the job's final state."""
    from .services.exports import exports_run

    job = exports_run(job_id=job_id)
    return job.state if job is not None else "missing"
