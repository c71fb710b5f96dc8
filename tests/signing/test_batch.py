"""Batch signing (issue 4): one background job, split into chunks, signs many approved documents
with the signer's server-side key; failures are recorded per document; progress through the API
and the pages; only the actor sees the job."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from egov.core import tokens
from egov.core.errors import InvalidInput, PermissionDenied
from egov.core.models import AuditEvent, Notification
from egov.documents import signing_flow as flow
from egov.documents.models import OutgoingDocument, OutgoingState
from egov.signing import batch
from egov.signing.models import BatchSigningJob, BatchState, SigningCertificate
from egov.signing.verify import verify_pdf
from tests.documents.conftest import docs_org  # noqa: F401 (fixture)
from tests.documents.test_outgoing_support import approved, make_draft
from tests.signing.conftest import pdfsig
from tests.signing.test_documents_flow import signing_org  # noqa: F401 (fixture)

pytestmark = pytest.mark.django_db

API = "/api/v1/signing/batches"


def _read(stored) -> bytes:
    from egov.core.files import file_open

    with file_open(stored) as fh:
        return fh.read()


@pytest.fixture
def enqueued(monkeypatch):
    """Record the chunk tasks instead of queueing them: [(job_id, [ids]), ...]."""
    from egov.signing import tasks

    calls: list[tuple[int, list[int]]] = []

    class FakeTask:
        def enqueue(self, job_id, document_ids):
            calls.append((job_id, list(document_ids)))

    monkeypatch.setattr(tasks, "sign_batch_chunk", FakeTask())
    return calls


@pytest.fixture
def o(signing_org):  # noqa: F811
    return signing_org


def _run(calls) -> None:
    for job_id, ids in calls:
        batch.batch_run_chunk(job_id=job_id, document_ids=ids)


def _api(user) -> Client:
    _token, raw = tokens.token_create(actor=user, name="test")
    return Client(HTTP_AUTHORIZATION=f"Bearer {raw}")


# --- creating ---------------------------------------------------------------------------------


def test_create_refuses_bad_ids_and_creates_nothing(o):
    good = approved(o)
    draft = make_draft(o)  # not approved yet
    audits = AuditEvent.objects.count()
    for ids in ([], "1,2", [0], [True], list(range(1, 1002))):
        with pytest.raises(InvalidInput) as exc:
            batch.batch_create(actor=o["leader"], document_ids=ids)
        assert "document_ids" in exc.value.fields
    with pytest.raises(InvalidInput) as exc:
        batch.batch_create(actor=o["leader"], document_ids=[good.pk, draft.pk, 999999])
    err = exc.value
    assert err.code == "not_signable"
    assert len(err.fields["document_ids"]) == 2
    assert str(draft.pk) in err.message and "999999" in err.message
    assert str(good.pk) not in err.fields["document_ids"][0]
    # Somebody else's documents: the officer may see the draft he made, but is not its signer.
    with pytest.raises(InvalidInput) as exc:
        batch.batch_create(actor=o["officer"], document_ids=[good.pk])
    assert exc.value.code == "not_signable"
    # Another agency's leader cannot even see them.
    with pytest.raises(InvalidInput):
        batch.batch_create(actor=o["justice_leader"], document_ids=[good.pk])
    with pytest.raises(PermissionDenied):
        batch.batch_create(actor=None, document_ids=[good.pk])
    assert BatchSigningJob.objects.count() == 0
    assert AuditEvent.objects.count() == audits


def test_create_without_certificate_creates_nothing(docs_org):  # noqa: F811
    doc = approved(docs_org)
    with pytest.raises(InvalidInput) as exc:
        batch.batch_create(actor=docs_org["leader"], document_ids=[doc.pk])
    assert exc.value.code == "no_certificate"
    assert BatchSigningJob.objects.count() == 0
    response = _api(docs_org["leader"]).post(API, {"document_ids": [doc.pk]},
                                             content_type="application/json")
    assert response.status_code == 422 and response.json()["code"] == "no_certificate"
    assert BatchSigningJob.objects.count() == 0


def test_create_splits_into_chunks_enqueued_on_commit(o, enqueued, monkeypatch,
                                                      django_capture_on_commit_callbacks):
    monkeypatch.setattr(batch, "CHUNK_SIZE", 2)
    docs = [approved(o) for _ in range(5)]
    ids = [d.pk for d in docs]
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        job = batch.batch_create(actor=o["leader"], document_ids=ids + [ids[0]])
    assert enqueued == []  # nothing before the commit
    for callback in callbacks:
        callback()
    assert enqueued == [(job.pk, ids[0:2]), (job.pk, ids[2:4]), (job.pk, ids[4:5])]
    job.refresh_from_db()
    assert (job.state, job.total, job.chunks_total, job.done) == (BatchState.QUEUED, 5, 3, 0)
    assert job.document_ids == ids  # duplicates dropped, order kept
    assert AuditEvent.objects.filter(action="signing.batch.create",
                                     object_id=str(job.pk)).exists()


# --- running ----------------------------------------------------------------------------------


def test_batch_signs_every_document_and_one_failure_is_recorded(
        o, enqueued, monkeypatch, nssdb, tmp_path,
        django_capture_on_commit_callbacks):
    monkeypatch.setattr(batch, "CHUNK_SIZE", 2)
    docs = [approved(o, subject=f"Quyết định số {n} về việc phê duyệt kế hoạch")
            for n in range(4)]
    with django_capture_on_commit_callbacks(execute=True):
        job = batch.batch_create(actor=o["leader"], document_ids=[d.pk for d in docs])
    leader = _api(o["leader"])
    body = leader.get(f"{API}/{job.pk}").json()
    assert (body["state"], body["progress"], body["total"]) == ("queued", 0, 4)

    # Meanwhile the leader signs the third document alone: the batch must not sign it again.
    flow.sign_approval(actor=o["leader"], document=docs[2])

    job_id, first = enqueued[0]
    batch.batch_run_chunk(job_id=job_id, document_ids=first)
    job.refresh_from_db()
    assert job.state == BatchState.RUNNING and job.started_at and job.finished_at is None
    assert (job.done, job.failed, job.chunks_done) == (2, 0, 1)
    assert leader.get(f"{API}/{job.pk}").json()["progress"] == 50
    page = Client()
    page.force_login(o["leader"])
    running = page.get(reverse("signing:batch_detail", args=[job.pk]), HTTP_HX_REQUEST="true")
    assert 'hx-trigger="every 1s"' in running.content.decode()
    assert running["Cache-Control"] == "no-store"

    _run(enqueued[1:])
    job.refresh_from_db()
    assert job.state == BatchState.DONE and job.finished_at is not None
    assert (job.done, job.failed, job.chunks_done) == (3, 1, 2)
    assert job.errors == [{"id": docs[2].pk, "code": "wrong_state",
                           "message": job.errors[0]["message"]}]
    for d in docs:
        d.refresh_from_db()
        assert d.state == OutgoingState.SIGNED and d.signed_file.derivation == "signed"
    for d in (docs[0], docs[1], docs[3]):
        report = verify_pdf(_read(d.signed_file))
        assert report.valid, report.reasons
        (sig,) = report.signatures
        assert sig.certifying and sig.trusted and sig.signer == "Trần Văn Lãnh"
    out = pdfsig(_read(docs[3].signed_file), nssdb, tmp_path)
    assert "Signature Validation: Signature is Valid." in out, out

    note = Notification.objects.get(user=o["leader"],
                                    url=reverse("signing:batch_detail", args=[job.pk]))
    assert "3" in note.subject and "1" in note.subject
    assert AuditEvent.objects.filter(action="signing.batch.finish",
                                     object_id=str(job.pk)).count() == 1

    body = leader.get(f"{API}/{job.pk}").json()
    assert (body["state"], body["done"], body["failed"], body["progress"]) == ("done", 3, 1, 100)
    assert body["errors"][0]["id"] == docs[2].pk and body["errors"][0]["code"] == "wrong_state"

    done = page.get(reverse("signing:batch_detail", args=[job.pk]))
    html = done.content.decode()
    assert done.status_code == 200 and "hx-trigger" not in html
    assert reverse("documents:outgoing_detail", args=[docs[2].pk]) in html
    assert docs[2].subject in html

    # A chunk task run twice changes nothing.
    _run(enqueued[:1])
    job.refresh_from_db()
    assert (job.done, job.failed, job.chunks_done) == (3, 1, 2)


def test_certificate_revoked_meanwhile_fails_the_batch(o, enqueued,
                                                       django_capture_on_commit_callbacks):
    docs = [approved(o) for _ in range(2)]
    with django_capture_on_commit_callbacks(execute=True):
        job = batch.batch_create(actor=o["leader"], document_ids=[d.pk for d in docs])
    from egov.signing.services import certificate_revoke

    certificate = SigningCertificate.objects.get(owner_user=o["leader"])
    certificate_revoke(actor=o["leader"], certificate=certificate, reason="Mất USB token")
    _run(enqueued)
    job.refresh_from_db()
    assert job.state == BatchState.FAILED and (job.done, job.failed) == (0, 2)
    assert {e["code"] for e in job.errors} == {"no_certificate"}
    assert OutgoingDocument.objects.filter(pk__in=[d.pk for d in docs],
                                           state=OutgoingState.APPROVED).count() == 2
    assert Notification.objects.filter(
        user=o["leader"], url=reverse("signing:batch_detail", args=[job.pk])).count() == 1


@pytest.mark.django_db(transaction=True)
def test_batch_through_the_worker(transactional_db, o):
    from django.core.management import call_command

    docs = [approved(o) for _ in range(2)]
    response = _api(o["leader"]).post(API, {"document_ids": [d.pk for d in docs]},
                                      content_type="application/json")
    assert response.status_code == 202, response.content
    body = response.json()
    assert (body["state"], body["total"], body["progress"]) == ("queued", 2, 0)

    call_command("worker", batch=True, startup_delay=False, verbosity=0)

    job = BatchSigningJob.objects.get(pk=body["id"])
    assert job.state == BatchState.DONE and job.done == 2, job.errors
    for d in docs:
        d.refresh_from_db()
        assert d.state == OutgoingState.SIGNED
        assert verify_pdf(_read(d.signed_file)).valid


# --- API and pages ----------------------------------------------------------------------------


def test_api_permissions_and_errors(o, enqueued, django_capture_on_commit_callbacks):
    doc = approved(o)
    leader = _api(o["leader"])
    response = leader.post(API, {"document_ids": [doc.pk, 424242]},
                           content_type="application/json")
    assert response.status_code == 422
    body = response.json()
    assert set(body) == {"code", "message", "fields"} and body["code"] == "not_signable"
    assert "424242" in body["fields"]["document_ids"][0]
    assert leader.post(API, {"document_ids": "x"},
                       content_type="application/json").status_code == 422
    with django_capture_on_commit_callbacks(execute=True):
        response = leader.post(API, {"document_ids": [doc.pk]}, content_type="application/json")
    assert response.status_code == 202
    job_id = response.json()["id"]
    assert len(enqueued) == 1
    assert leader.get(f"{API}/{job_id}").status_code == 200
    # Others get 404, not 403: they do not learn the job exists.
    assert _api(o["clerk"]).get(f"{API}/{job_id}").status_code == 404
    assert _api(o["clerk"]).get(f"{API}/{job_id}").json()["code"] == "not_found"
    assert leader.get(f"{API}/{job_id + 1000}").status_code == 404
    assert Client().get(f"{API}/{job_id}").status_code == 401
    page = Client()
    page.force_login(o["clerk"])
    assert page.get(reverse("signing:batch_detail", args=[job_id])).status_code == 404


def test_page_lists_my_documents_and_starts_a_batch(o, enqueued, client,
                                                     django_capture_on_commit_callbacks):
    mine = [approved(o, subject=f"Quyết định phê duyệt đợt {n}") for n in range(2)]
    draft = make_draft(o, subject="Dự thảo chưa duyệt")
    url = reverse("signing:batch")
    client.force_login(o["leader"])
    html = client.get(url).content.decode()
    for d in mine:
        assert f'name="document_ids" value="{d.pk}"' in html and d.subject in html
    assert draft.subject not in html
    assert 'data-select-all="document_ids"' in html
    assert 'data-testid="no-certificate"' not in html

    # Bad input: a message, the selection kept, nothing created.
    response = client.post(url, {"document_ids": [str(mine[0].pk), str(draft.pk)]})
    assert response.status_code == 422
    html = response.content.decode()
    assert 'data-testid="batch-error"' in html and str(draft.pk) in html
    assert f'value="{mine[0].pk}" id="doc-{mine[0].pk}" data-testid="doc-{mine[0].pk}" checked' \
        in html
    assert client.post(url, {}).status_code == 422
    assert BatchSigningJob.objects.count() == 0

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"document_ids": [str(d.pk) for d in mine]})
    job = BatchSigningJob.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("signing:batch_detail", args=[job.pk])
    html = client.get(response["Location"]).content.decode()
    assert 'hx-trigger="every 1s"' in html and "<progress" in html
    _run(enqueued)
    html = client.get(url).content.decode()
    assert 'data-testid="nothing-to-sign"' in html  # both signed now
    assert reverse("signing:batch_detail", args=[job.pk]) in html  # the last batches

    # Somebody without a certificate sees the warning; the officer has nothing to sign.
    client.force_login(o["officer"])
    html = client.get(url).content.decode()
    assert 'data-testid="no-certificate"' in html and 'data-testid="nothing-to-sign"' in html
    assert reverse("signing:batch_detail", args=[job.pk]) not in html
