"""Exports survive a killed worker (issue 8 §2): `kill -9` of the worker while an export is at
50 % leaves it "running"; a second worker takes the job up and the export ends done with one
file. An export whose job ends failed (out of attempts) shows failed with the reason."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from egov.core import jobs
from egov.core.models import StoredFile
from egov.documents.models import ExportJob
from egov.documents.services.exports import export_request
from tests import jobs_support as js
from tests.documents.test_exports import incoming_docs  # noqa: F401 (fixture)
from tests.documents.test_registers_views import (  # noqa: F401 - the `reg` fixture
    YEAR,
    reg_fixture,
)


def _state(job_id: int) -> tuple[str, int]:
    job = ExportJob.objects.get(pk=job_id)
    return job.state, job.progress


@pytest.mark.django_db(transaction=True)
def test_killed_worker_mid_export_the_export_completes_with_one_file(
        transactional_db, reg, incoming_docs, tmp_path):  # noqa: F811
    log = tmp_path / "worker.log"
    first = js.start_worker(log, "--queue-name", "cpu", EGOV_JOB_STEP_DELAY="30")
    try:
        job = export_request(actor=reg["leader"], kind="incoming_register", format="pdf",
                             params={"agency_id": reg["province"].pk, "year": YEAR})
        js.wait_for(lambda: _state(job.pk) == ("running", 50), 60, "the export at 50 %", log)
        js.kill9(first.pid)
        first.wait(timeout=10)
    finally:
        js.stop(first)
    files_before = StoredFile.objects.count()
    assert _state(job.pk) == ("running", 50)  # what the finding saw: forever, before the fix

    second = js.start_worker(log, "--queue-name", "cpu")
    try:
        js.wait_for(lambda: _state(job.pk)[0] == "done", 90, "the export to finish", log)
    finally:
        js.stop(second)
    done = ExportJob.objects.get(pk=job.pk)
    assert done.progress == 100 and done.result.content_type == "application/pdf"
    assert StoredFile.objects.count() == files_before + 1  # the file, once
    result = DBTaskResult.objects.get(task_path__endswith="run_export")
    assert result.status == "SUCCESSFUL" and len(result.worker_ids) == 2


@pytest.mark.django_db
def test_export_out_of_attempts_ends_failed_with_the_reason(
        reg, settings, client, django_capture_on_commit_callbacks):
    settings.EGOV_JOB_MAX_ATTEMPTS = 2
    with django_capture_on_commit_callbacks(execute=True):
        job = export_request(actor=reg["leader"], kind="incoming_register", format="xlsx",
                             params={"agency_id": reg["province"].pk, "year": YEAR})
    ExportJob.objects.filter(pk=job.pk).update(state="running", progress=50)
    DBTaskResult.objects.filter(task_path__endswith="run_export").update(
        status="RUNNING", worker_ids=["w1", "w2"],
        started_at=timezone.now() - dt.timedelta(hours=1))

    assert len(jobs.reap()["failed"]) == 1

    job.refresh_from_db()
    assert job.state == "failed" and job.finished_at is not None
    assert "worker died" in job.error
    client.force_login(reg["leader"])
    page = client.get(reverse("documents:export_detail", args=[job.pk])).content.decode()
    assert "worker died" in page and 'hx-trigger="every 2s"' not in page
