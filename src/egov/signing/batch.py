"""Batch signing: many approved documents signed by their signer with a server-side key, as one
background job split into chunks that several `egov worker` processes share (issue 4).

The signer certifies each document exactly as a single signature does
(:func:`egov.signing.documents_flow.sign_approval`; NĐ 30/2020 Điều 13.7: the competent person
signs; Luật Giao dịch điện tử 2023: with a valid, unrevoked certificate). A batch is
only a convenience: every document is still checked and signed on its own, in its own
transaction, so one failure (the document left APPROVED meanwhile, the certificate revoked
meanwhile) is recorded and the others go on.

Services: :func:`batch_create`, :func:`batch_run_chunk` (the chunk task's body).
Selectors: :func:`batch_get`, :func:`batch_recent`, :func:`awaiting_my_signature`.
"""

from __future__ import annotations

import logging
from typing import Any

from django.db import DatabaseError, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from egov.core import jobs
from egov.core.audit import audit_log
from egov.core.errors import AppError, InvalidInput, NotFound, PermissionDenied
from egov.core.notifications import notify
from egov.core.pagination import Page, keyset_page

from .models import BatchSigningJob, BatchState
from .selectors import usable_certificate

log = logging.getLogger("egov.signing.batch")

MAX_DOCUMENTS = 1000
CHUNK_SIZE = 10  # small chunks: two workers finish within a few documents of each other
MAX_LISTED = 50  # bad ids named in the error message (all of them are in `fields`)
ORDER = ("-created_at", "-id")


# ---------------------------------------------------------------- services

def _clean_ids(document_ids: Any) -> list[int]:
    """The ids as a list of positive ints without duplicates (order kept), or InvalidInput."""
    def bad(message: str) -> InvalidInput:
        return InvalidInput(message, fields={"document_ids": [message]})

    if not isinstance(document_ids, list | tuple):
        raise bad(_("Give a list of document ids."))
    ids: list[int] = []
    seen: set[int] = set()
    for value in document_ids:
        if isinstance(value, bool) or not isinstance(value, int) or not 0 < value < 2**63:
            raise bad(_("Every document id must be a positive whole number."))
        if value not in seen:
            seen.add(value)
            ids.append(value)
    if not ids:
        raise bad(_("Choose at least one document."))
    if len(ids) > MAX_DOCUMENTS:
        raise bad(_("At most %(n)d documents can be signed in one batch.") % {"n": MAX_DOCUMENTS})
    return ids


def _signable_ids(actor, ids: list[int]) -> set[int]:
    """The ids among ``ids`` the actor may see, is the signer of, and that are APPROVED."""
    from egov.core import policy
    from egov.documents.models import OutgoingDocument, OutgoingState
    from egov.documents.selectors.visibility import outgoing_visible_q

    return set(OutgoingDocument.objects
               .filter(outgoing_visible_q(actor), policy.unit_q(actor, "documents.sign",
                                                                "agency"),
                       pk__in=ids, signer=actor, state=OutgoingState.APPROVED)
               .values_list("pk", flat=True))


def _chunks(ids: list[int], size: int) -> list[list[int]]:
    return [ids[i:i + size] for i in range(0, len(ids), size)]


def batch_create(*, actor, document_ids: Any) -> BatchSigningJob:
    """Record a batch signing job of 1–1000 documents and enqueue one task per chunk of
    :data:`CHUNK_SIZE` documents on commit (so several workers share the batch).

    Every document must be an outgoing document the actor may see, approved, with the actor as
    its signer (NĐ 30/2020 Điều 13.7); otherwise nothing is created and the error lists the bad
    ids. The actor needs a usable server-side certificate (code ``no_certificate``)."""
    if actor is None or not getattr(actor, "is_authenticated", False) or not actor.is_active:
        raise PermissionDenied()
    ids = _clean_ids(document_ids)
    ok = _signable_ids(actor, ids)
    bad = [i for i in ids if i not in ok]
    if bad:
        shown = ", ".join(str(i) for i in bad[:MAX_LISTED]) + (" …" if len(bad) > MAX_LISTED
                                                                else "")
        raise InvalidInput(
            _("These documents cannot be signed in this batch (not found, not approved or not "
              "yours to sign): %(ids)s.") % {"ids": shown},
            fields={"document_ids": [
                _("Document %(id)d is not an approved document awaiting your signature.")
                % {"id": i} for i in bad]},
            code="not_signable")
    certificate = usable_certificate(user=actor)
    if certificate is None:
        raise InvalidInput(_("You have no usable signing certificate on the server; an "
                             "administrator registers one."),
                           fields={"certificate": [_("No usable certificate.")]},
                           code="no_certificate")
    chunks = _chunks(ids, CHUNK_SIZE)
    with transaction.atomic():
        job = BatchSigningJob.objects.create(actor=actor, state=BatchState.QUEUED,
                                             document_ids=ids, total=len(ids),
                                             chunks_total=len(chunks))

        def _enqueue(job_id: int = job.pk, chunks: list[list[int]] = chunks) -> None:
            from .tasks import sign_batch_chunk

            for chunk in chunks:
                sign_batch_chunk.enqueue(job_id, chunk)

        transaction.on_commit(_enqueue)
        audit_log(actor=actor, action="signing.batch.create", obj=job,
                  details={"documents": len(ids), "chunks": len(chunks),
                           "certificate": certificate.fingerprint_sha256})
    return job


def _sign_one(actor, job_id: int, document_id: int, *, resume: bool) -> dict | None:
    """Sign one document in its own transaction, counting it in the same transaction (so a
    crash never leaves a signed document uncounted); None when signed or already handled, else
    the error entry. The document's row is locked first: two attempts never sign it twice, and
    a re-run (``resume``) passes over a document no longer APPROVED (signed by the interrupted
    attempt)."""
    from egov.documents.models import OutgoingDocument, OutgoingState

    from .documents_flow import sign_approval

    try:
        with transaction.atomic():
            document = (OutgoingDocument.objects.select_for_update(of=("self",))
                        .select_related("agency").defer("text_content")
                        .filter(pk=document_id).first())
            if document is None:
                raise NotFound(_("The document no longer exists."))
            if resume and document.state != OutgoingState.APPROVED:
                return None
            sign_approval(actor=actor, document=document)
            BatchSigningJob.objects.filter(pk=job_id).update(done=F("done") + 1)
    except AppError as err:
        return {"id": document_id, "code": err.code, "message": err.message}
    except DatabaseError:
        if jobs.connection_lost():
            raise  # the database itself is gone: the job is taken up again (egov.core.jobs)
        log.exception("batch signing: document %s failed", document_id)
        return {"id": document_id, "code": "signing_failed",
                "message": _("The document could not be signed. Try again or ask the "
                             "administrator.")}
    except Exception:  # one broken document must not stop the batch
        log.exception("batch signing: document %s failed", document_id)
        return {"id": document_id, "code": "signing_failed",
                "message": _("The document could not be signed. Try again or ask the "
                             "administrator.")}
    return None


def _record_errors(job_id: int, errors: list[dict]) -> None:
    """Add the errors of documents not yet recorded (a re-run records each document once)."""
    if not errors:
        return
    with transaction.atomic():
        job = BatchSigningJob.objects.select_for_update().filter(pk=job_id).first()
        if job is None:
            return
        known = {e.get("id") for e in job.errors}
        new = [e for e in errors if e["id"] not in known]
        if new:
            job.errors = [*job.errors, *new]
            job.failed += len(new)
            job.save(update_fields=["errors", "failed"])


def batch_run_chunk(*, job_id: int, document_ids: list[int]) -> BatchSigningJob | None:
    """Sign the documents of one chunk of a job (the chunk task's body). Counters move in the
    transaction of each document (several workers update the same job); the chunk that
    completes the job sets its final state and notifies the actor. A re-run after its worker
    died (egov.core.jobs.attempt() > 1) goes on where the dead attempt stopped. Returns the
    job, or None when it does not exist."""
    job = BatchSigningJob.objects.select_related("actor").filter(pk=job_id).first()
    if job is None:
        return None
    if job.state in (BatchState.DONE, BatchState.FAILED):
        return job  # a task run twice changes nothing
    BatchSigningJob.objects.filter(pk=job_id, state=BatchState.QUEUED).update(
        state=BatchState.RUNNING, started_at=timezone.now())
    resume = jobs.attempt() > 1
    recorded = {e.get("id") for e in job.errors} if resume else set()
    actor = job.actor
    for document_id in document_ids:
        if document_id in recorded:
            continue
        error = _sign_one(actor, job_id, document_id, resume=resume)
        if error is not None:
            _record_errors(job_id, [error])
        jobs.step_pause()
    return _finish_chunk(job_id)


def batch_chunk_failed(*, job_id: int, document_ids: list[int], reason: str) -> None:
    """The chunk's job ended failed (its worker died too often, or the database failed under
    it): the documents it left unsigned are recorded as failed with the reason and the chunk
    counts as finished, so the batch ends instead of showing "running" forever."""
    from egov.documents.models import OutgoingDocument, OutgoingState

    job = BatchSigningJob.objects.filter(pk=job_id).first()
    if job is None or job.state in (BatchState.DONE, BatchState.FAILED):
        return
    left = set(OutgoingDocument.objects.filter(pk__in=document_ids, state=OutgoingState.APPROVED)
               .values_list("pk", flat=True))
    message = _("The background job stopped before this document was signed (%(reason)s). "
                "Sign it again.") % {"reason": reason}
    _record_errors(job_id, [{"id": i, "code": "job_failed", "message": message}
                            for i in document_ids if i in left])
    _finish_chunk(job_id)


def _finish_chunk(job_id: int) -> BatchSigningJob | None:
    with transaction.atomic():
        BatchSigningJob.objects.filter(pk=job_id).update(chunks_done=F("chunks_done") + 1)
        job = BatchSigningJob.objects.select_for_update().filter(pk=job_id).first()
        if job is None:  # deleted meanwhile (its actor was deleted)
            return None
        last = job.chunks_done >= job.chunks_total
        if last:
            # Decision: a batch with some failures is DONE (the failures are listed); FAILED
            # only when no document at all could be signed.
            job.state = BatchState.FAILED if job.done == 0 else BatchState.DONE
            job.finished_at = timezone.now()
            job.started_at = job.started_at or job.finished_at
            job.save(update_fields=["state", "finished_at", "started_at"])
            _notify_finished(job)
            audit_log(actor=job.actor, action="signing.batch.finish", obj=job,
                      details={"state": job.state, "done": job.done, "failed": job.failed})
    return job


def _notify_finished(job: BatchSigningJob) -> None:
    url = reverse("signing:batch_detail", args=[job.pk])
    if job.failed == 0:
        subject = _("Batch signing finished: %(done)d documents signed") % {"done": job.done}
    else:
        subject = (_("Batch signing finished: %(done)d signed, %(failed)d failed")
                   % {"done": job.done, "failed": job.failed})
    notify(users=[job.actor], subject=subject,
           body=_("Open the link to see the result of the batch."), url=url, email=False)


# ---------------------------------------------------------------- selectors

def progress(job: BatchSigningJob) -> int:
    """Percent of the documents handled (signed or failed), 0–100."""
    if job.state in (BatchState.DONE, BatchState.FAILED) or not job.total:
        return 100 if job.state in (BatchState.DONE, BatchState.FAILED) else 0
    return min(100, (job.done + job.failed) * 100 // job.total)


def batch_get(*, actor, job_id: Any) -> BatchSigningJob:
    """A batch job of the actor (only the actor sees it; NotFound otherwise)."""
    if isinstance(job_id, bool):
        raise NotFound()
    try:
        pk = int(job_id)
    except (TypeError, ValueError):
        raise NotFound() from None
    if not 0 < pk < 2**63 or actor is None or not getattr(actor, "is_authenticated", False):
        raise NotFound()
    job = BatchSigningJob.objects.filter(pk=pk, actor=actor).first()
    if job is None:
        raise NotFound()
    return job


def batch_recent(*, actor, limit: int = 10) -> list[BatchSigningJob]:
    """The actor's latest batch jobs, newest first (one bounded query)."""
    if actor is None or not getattr(actor, "is_authenticated", False):
        return []
    return list(BatchSigningJob.objects.filter(actor=actor)
                .defer("document_ids", "errors").order_by(*ORDER)[:limit])


def awaiting_my_signature(*, actor, cursor: str | None = None, limit: int = 100) -> Page:
    """Approved outgoing documents the actor is to sign, newest first (keyset, no count)."""
    from egov.documents.models import OutgoingDocument, OutgoingState

    if actor is None or not getattr(actor, "is_authenticated", False) or not actor.is_active:
        return Page(items=[], next=None)
    # The signer always sees the documents they are to sign (`outgoing_visible_q`), so the
    # plain filter suffices and walks the index outgoing_signer_recent.
    qs = (OutgoingDocument.objects.filter(signer=actor, state=OutgoingState.APPROVED)
          .select_related("doc_type", "agency", "drafting_unit").defer("text_content"))
    return keyset_page(qs, order=ORDER, cursor=cursor, limit=limit, max_limit=200)


def failed_documents(job: BatchSigningJob) -> list[dict]:
    """The job's errors with each document's subject where the actor can still see it."""
    from egov.documents.models import OutgoingDocument
    from egov.documents.selectors.visibility import outgoing_visible_q

    ids = [e.get("id") for e in job.errors if isinstance(e.get("id"), int)]
    subjects = dict(OutgoingDocument.objects.filter(outgoing_visible_q(job.actor), pk__in=ids)
                    .values_list("pk", "subject")) if ids else {}
    return [{**e, "subject": subjects.get(e.get("id"), ""),
             "visible": e.get("id") in subjects} for e in job.errors]
