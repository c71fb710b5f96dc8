"""Signing API: batch signing (paths under /api/v1/signing/...).

    POST /signing/batches {"document_ids": [...]}   → 202 {"id", "state", "total", ...}
    GET  /signing/batches/{id}                      state, counters, errors, progress (0–100)

Only the actor who started a batch sees it (404 for anybody else)."""

from __future__ import annotations

import datetime as dt

from ninja import Field, Path, Router, Schema, Status

from egov.core.api import BIGINT, ERRORS
from egov.core.schemas import InputSchema

from . import batch

router = Router(tags=["signing"])


class BatchIn(InputSchema):
    document_ids: list[int] = Field(..., description="1–1000 ids of APPROVED outgoing documents "
                                                     "the caller is to sign")
    otp: str | None = Field(None, max_length=12, description=(
        "the one-time code when the agency requires a second factor for server-side signing"))


class BatchError(Schema):
    id: int | None = None
    code: str
    message: str


class BatchOut(Schema):
    id: int
    state: str = Field(..., description="queued | running | done | failed")
    total: int
    done: int
    failed: int
    progress: int = Field(..., description="documents handled (signed or failed), 0–100")
    errors: list[BatchError]
    created_at: dt.datetime
    started_at: dt.datetime | None = None
    finished_at: dt.datetime | None = None


def batch_out(job) -> dict:
    return {
        "id": job.pk, "state": job.state, "total": job.total, "done": job.done,
        "failed": job.failed, "progress": batch.progress(job), "errors": job.errors,
        "created_at": job.created_at, "started_at": job.started_at,
        "finished_at": job.finished_at,
    }


@router.post("/signing/batches", response={202: BatchOut, **ERRORS},
             summary="Sign many approved documents with your server-side key (background job)")
def batch_create(request, payload: BatchIn):
    job = batch.batch_create(actor=request.user, document_ids=payload.document_ids,
                             otp=payload.otp)
    return Status(202, batch_out(job))


@router.get("/signing/batches/{job_id}", response={200: BatchOut, **ERRORS},
            summary="A batch signing job: state, counters, failures and progress")
def batch_detail(request, job_id: int = Path(..., ge=1, le=BIGINT)):
    return batch_out(batch.batch_get(actor=request.user, job_id=job_id))
