"""Batch signing: many approved documents signed by their signer with a server-side key, as one
background job split into chunks that several `egov worker` processes share (issue 4).

Signing knows no module: what a batch signs is a subject kind registered by a module
(egov.signing.subjects; the documents module registers ``"documents.outgoing"``, whose items are
signed by :func:`egov.documents.signing_flow.sign_approval`). The signer certifies each document
exactly as a single signature does (NĐ 30/2020 Điều 13.7: the competent person signs; Luật
Giao dịch điện tử 2023: with a valid, unrevoked certificate). A batch is only a convenience: every document is still checked and signed on its own, in its own
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
from django.utils.translation import gettext_noop as N_

from egov.core import jobs
from egov.core.audit import audit_log
from egov.core.errors import AppError, InvalidInput, NotFound, PermissionDenied
from egov.core.msgtext import Msg
from egov.core.notifications import notify
from egov.core.pagination import Page

from . import subjects
from .models import BatchSigningJob, BatchState
from .selectors import usable_certificate

log = logging.getLogger("egov.signing.batch")

MAX_DOCUMENTS = 1000
CHUNK_SIZE = 10  # small chunks: two workers finish within a few documents of each other
MAX_LISTED = 50  # bad ids named in the error message (all of them are in `fields`)
ORDER = ("-created_at", "-id")
DEFAULT_KIND = "documents.outgoing"  # the subject kind of batches that name none


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


def _batch_kind(kind: str) -> subjects.SubjectKind:
    """The registered subject kind that takes part in batches (a programming error else: the
    kind is not user input)."""
    found = [k for k in subjects.with_hook("batch_sign") if k.kind == kind]
    if not found:
        raise LookupError(f"no subject kind {kind!r} takes part in batch signing")
    return found[0]


def _chunks(ids: list[int], size: int) -> list[list[int]]:
    return [ids[i:i + size] for i in range(0, len(ids), size)]


def batch_create(*, actor, document_ids: Any, kind: str = DEFAULT_KIND,
                 otp: str | None = None) -> BatchSigningJob:
    """Record a batch signing job of 1–1000 documents and enqueue one task per chunk of
    :data:`CHUNK_SIZE` documents on commit (so several workers share the batch).

    Every document must be an outgoing document the actor may see, approved, with the actor as
    its signer (NĐ 30/2020 Điều 13.7); otherwise nothing is created and the error lists the bad
    ids. The actor needs a usable server-side certificate (code ``no_certificate``) and, when
    the agency requires it, the one-time code ``otp`` (egov.signing.second_factor)."""
    if actor is None or not getattr(actor, "is_authenticated", False) or not actor.is_active:
        raise PermissionDenied()
    ids = _clean_ids(document_ids)
    ok = _batch_kind(kind).batch_signable(actor, ids)
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
    # The signer's second factor when the agency requires it: one code starts the batch
    # (egov.signing.second_factor).
    from .second_factor import verify_for_batch

    verify_for_batch(actor=actor, code=otp)
    chunks = _chunks(ids, CHUNK_SIZE)
    with transaction.atomic():
        job = BatchSigningJob.objects.create(actor=actor, state=BatchState.QUEUED,
                                             subject_kind=kind, document_ids=ids, total=len(ids),
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


def _sign_one(actor, kind: str, job_id: int, document_id: int, *,
              resume: bool) -> dict | None:
    """Sign one subject in its own transaction (the kind's ``batch_sign``), counting it in the
    same transaction (so a crash never leaves a signed subject uncounted); None when signed or
    already handled, else the error entry. The kind locks the subject's row first, so two
    attempts never sign it twice, and on a re-run (``resume``) it passes over a subject that is
    no longer waiting (signed by the interrupted attempt) by returning False."""
    try:
        with transaction.atomic():
            signed = _batch_kind(kind).batch_sign(actor, document_id, resume=resume)
            if signed is not False:
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
        error = _sign_one(actor, job.subject_kind, job_id, document_id, resume=resume)
        if error is not None:
            _record_errors(job_id, [error])
        jobs.step_pause()
    return _finish_chunk(job_id)


def batch_chunk_failed(*, job_id: int, document_ids: list[int], reason: str) -> None:
    """The chunk's job ended failed (its worker died too often, or the database failed under
    it): the documents it left unsigned are recorded as failed with the reason and the chunk
    counts as finished, so the batch ends instead of showing "running" forever."""
    job = BatchSigningJob.objects.select_related("actor").filter(pk=job_id).first()
    if job is None or job.state in (BatchState.DONE, BatchState.FAILED):
        return
    # Still waiting for the signer's signature = left unsigned by the chunk.
    left = _batch_kind(job.subject_kind).batch_signable(job.actor, list(document_ids))
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
        subject = Msg(N_("Batch signing finished: %(done)d documents signed"), done=job.done)
    else:
        subject = Msg(N_("Batch signing finished: %(done)d signed, %(failed)d failed"),
                      done=job.done, failed=job.failed)
    notify(users=[job.actor], subject=subject,
           body=Msg(N_("Open the link to see the result of the batch.")), url=url, email=False)


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


def awaiting_my_signature(*, actor, cursor: str | None = None, limit: int = 100,
                          kind: str = DEFAULT_KIND) -> Page:
    """The subjects (approved outgoing documents) the actor is to sign, newest first (keyset,
    no count; the kind's ``batch_awaiting``), as :class:`egov.signing.subjects.SubjectRow`."""
    if actor is None or not getattr(actor, "is_authenticated", False) or not actor.is_active:
        return Page(items=[], next=None)
    found = [k for k in subjects.with_hook("batch_awaiting") if k.kind == kind]
    if not found:
        return Page(items=[], next=None)
    page = found[0].batch_awaiting(actor, cursor, limit)
    row = found[0].row or (lambda subject: subjects.SubjectRow(pk=subject.pk,
                                                               title=str(subject)))
    return Page(items=[row(item) for item in page.items], next=page.next)


def failed_documents(job: BatchSigningJob) -> list[dict]:
    """The job's errors with each subject's title where the actor can still see it."""
    ids = [e.get("id") for e in job.errors if isinstance(e.get("id"), int)]
    found = [k for k in subjects.with_hook("batch_titles") if k.kind == job.subject_kind]
    titles = found[0].batch_titles(job.actor, ids) if ids and found else {}
    url = (found[0].url if found else None) or (lambda pk: "")
    return [{**e, "subject": titles.get(e.get("id"), ""),
             "visible": e.get("id") in titles,
             "url": url(e["id"]) if e.get("id") in titles else ""} for e in job.errors]
