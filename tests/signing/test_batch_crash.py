"""Batch signing survives a killed worker (issue 8 §2): `kill -9` of the worker in the middle of a
chunk leaves the batch "running"; a second worker takes the chunk up again and the batch
finishes with every document signed exactly once. When the job has used up its attempts, the
documents it left are recorded as failed with the reason and the batch ends."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from django_tasks_db.models import DBTaskResult
from pyhanko.pdf_utils.reader import PdfFileReader

from egov.core import jobs
from egov.documents.models import DocumentEvent, OutgoingDocument, OutgoingState
from egov.signing import batch
from egov.signing.models import BatchSigningJob, BatchState
from tests import jobs_support as js
from tests.documents.conftest import docs_org  # noqa: F401 (fixture)
from tests.documents.test_outgoing_support import approved
from tests.signing.test_documents_flow import signing_org  # noqa: F401 (fixture)


@pytest.fixture
def o(signing_org):  # noqa: F811
    return signing_org


def _signatures(document: OutgoingDocument) -> int:
    import io

    from egov.core.files import file_open

    with file_open(document.signed_file) as fh:
        return len(PdfFileReader(io.BytesIO(fh.read())).embedded_signatures)


def _job(job_id: int) -> BatchSigningJob:
    return BatchSigningJob.objects.get(pk=job_id)


@pytest.mark.django_db(transaction=True)
def test_killed_worker_mid_chunk_the_batch_completes_each_document_signed_once(
        transactional_db, o, tmp_path, monkeypatch):
    monkeypatch.setattr(batch, "CHUNK_SIZE", 3)
    docs = [approved(o) for _ in range(6)]
    log = tmp_path / "worker.log"
    first = js.start_worker(log, "--queue-name", "cpu", EGOV_JOB_STEP_DELAY="1.5")
    try:
        job = batch.batch_create(actor=o["leader"], document_ids=[d.pk for d in docs])
        js.wait_for(lambda: _job(job.pk).done >= 1, 90, "a first signature", log)
        js.kill9(first.pid)
        first.wait(timeout=10)
    finally:
        js.stop(first)
    stuck = _job(job.pk)
    assert stuck.state == BatchState.RUNNING and stuck.done < 6  # what the finding saw

    second = js.start_worker(log, "--queue-name", "cpu")
    try:
        js.wait_for(lambda: _job(job.pk).state == BatchState.DONE, 120, "the batch to finish",
                    log)
    finally:
        js.stop(second)
    done = _job(job.pk)
    assert (done.done, done.failed, done.errors, done.chunks_done) == (6, 0, [], 2)
    assert batch.progress(done) == 100
    for d in docs:
        d.refresh_from_db()
        assert d.state == OutgoingState.SIGNED
        assert _signatures(d) == 1
        assert DocumentEvent.objects.filter(outgoing=d, action="signed").count() == 1
    attempts = sorted(len(r.worker_ids) for r in DBTaskResult.objects.filter(
        task_path__endswith="sign_batch_chunk"))
    assert attempts[-1] == 2  # the killed chunk ran twice, its documents were signed once


@pytest.mark.django_db
def test_chunk_out_of_attempts_records_its_documents_as_failed_and_the_batch_ends(
        o, settings, monkeypatch, django_capture_on_commit_callbacks):
    """The reaper's last word on a chunk (its worker died on every attempt): the documents it
    did not sign are listed with the reason; the batch is not left "running"."""
    from egov.signing.tasks import sign_batch_chunk

    settings.EGOV_JOB_MAX_ATTEMPTS = 2
    monkeypatch.setattr(batch, "CHUNK_SIZE", 2)
    docs = [approved(o) for _ in range(3)]
    with django_capture_on_commit_callbacks(execute=True):
        job = batch.batch_create(actor=o["leader"], document_ids=[d.pk for d in docs])
    results = {tuple(r.args_kwargs["args"][1]): r
               for r in DBTaskResult.objects.filter(task_path__endswith="sign_batch_chunk")}
    assert set(results) == {(docs[0].pk, docs[1].pk), (docs[2].pk,)}
    # the second chunk is signed; the first one's workers died twice, after one signature
    batch.batch_run_chunk(job_id=job.pk, document_ids=[docs[2].pk])
    assert batch._sign_one(o["leader"], job.subject_kind, job.pk, docs[0].pk, resume=False) is None
    assert _job(job.pk).state == BatchState.RUNNING
    DBTaskResult.objects.filter(pk=results[(docs[0].pk, docs[1].pk)].pk).update(
        status="RUNNING", worker_ids=["w1", "w2"],
        started_at=timezone.now() - dt.timedelta(hours=1))
    assert sign_batch_chunk.module_path in jobs._failure_handlers

    assert len(jobs.reap()["failed"]) == 1

    ended = _job(job.pk)
    assert ended.state == BatchState.DONE and ended.chunks_done == 2
    assert (ended.done, ended.failed) == (2, 1)
    assert [(e["id"], e["code"]) for e in ended.errors] == [(docs[1].pk, "job_failed")]
    assert "worker died" in ended.errors[0]["message"]
    assert batch.progress(ended) == 100


@pytest.mark.django_db
def test_a_rerun_chunk_passes_over_signed_documents_and_counts_nothing_twice(o, monkeypatch):
    """Attempt 2 of a chunk: the documents the dead attempt signed (and counted) are neither
    signed nor counted again; a document failed by the dead attempt is not retried."""
    monkeypatch.setattr(batch, "CHUNK_SIZE", 10)
    docs = [approved(o) for _ in range(3)]
    job = batch.batch_create(actor=o["leader"], document_ids=[d.pk for d in docs])
    ids = [d.pk for d in docs]
    # attempt 1 signs the first document, records the second as failed, then dies
    assert batch._sign_one(o["leader"], job.subject_kind, job.pk, ids[0], resume=False) is None
    batch._record_errors(job.pk, [{"id": ids[1], "code": "x", "message": "broken"}])
    token = jobs.set_attempt(2)
    try:
        batch.batch_run_chunk(job_id=job.pk, document_ids=ids)
    finally:
        jobs.reset_attempt(token)
    ended = _job(job.pk)
    assert (ended.state, ended.done, ended.failed) == (BatchState.DONE, 2, 1)
    assert [e["id"] for e in ended.errors] == [ids[1]]
    for d in (docs[0], docs[2]):
        d.refresh_from_db()
        assert DocumentEvent.objects.filter(outgoing=d, action="signed").count() == 1
    docs[1].refresh_from_db()
    assert docs[1].state == OutgoingState.APPROVED
