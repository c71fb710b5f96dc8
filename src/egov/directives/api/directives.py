"""The directives API (issue 12 contract), mounted at /api/v1/directives:

    POST /api/v1/directives            {"title", "content", "source_document_id"?, "lead":
                                        {"unit_id" | "user_id"}, "support": [...], "due_date",
                                        "inform"?, "priority"?, "guidance"?, "recurrence"?,
                                        "recurrence_day"?, "recurrence_until"?, "parent_id"?}
                                        → 201 the directive {"id", "status", ...}
    GET  /api/v1/directives?role=&bucket=&unit=&q=&due_from=&due_to=&cursor=&limit=
                                        → {"items": [...], "next"}
    GET  /api/v1/directives/{id}        → the directive with participants, reports, extension
                                          requests, events and parts
    POST /api/v1/directives/{id}/progress                 {"percent", "text"?, "assignee_id"?} → 201
    POST /api/v1/directives/{id}/extension-requests       {"reason", "proposed_date"} → 201
    POST /api/v1/directives/{id}/extension-requests/{rid}/decide
                                        {"approve": bool, "note"?, "date"?} → 200
    POST /api/v1/directives/{id}/complete   {"result_text"?, "result_document_id"?} → 200
    POST /api/v1/directives/{id}/accept     {"note"?} → 200
    POST /api/v1/directives/{id}/return     {"note"} → 200
    POST /api/v1/directives/{id}/cancel     {"reason"} → 200

`status` is one of open_on_time, open_late, done_on_time, done_late (or "cancelled"). Errors:
{code, message, fields}: 404 for a directive the user may not see, 403 without the right, 409
`invalid_state` for the wrong state (and `extension_pending`, `already_decided`), 422 for bad
input with every field named — and nothing changed. The collection paths answer with and
without the trailing slash (the slash-less ones at the API root: see api/__init__.py).
"""

from __future__ import annotations

import datetime as dt

from ninja import Field, Query, Router, Schema, Status

from egov.core.api import ERRORS, ErrorOut
from egov.core.api_openapi import CURSOR_PATTERN
from egov.core.schemas import optional_body

from ..selectors import access
from ..selectors import directives as sel
from ..services import completion, extensions, lifecycle, progress, records
from . import schemas as s

router = Router(tags=["directives"])
root_router = Router(tags=["directives"])  # "/directives" at the API root: see api/__init__.py

ERRORS_409 = {**ERRORS, 409: ErrorOut}


class DirectiveListParams(Schema):
    role: str | None = Field(None, max_length=16, description="given, lead, support, inform")
    bucket: str | None = Field(None, max_length=16,
                               description="open_on_time, open_late, done_on_time, done_late, "
                                           "cancelled")
    unit: int | None = Field(None, ge=1, le=s.BIGINT, description="The lead unit")
    q: str = Field("", max_length=200)
    due_from: dt.date | None = None
    due_to: dt.date | None = None
    cursor: str | None = Field(None, max_length=1000, pattern=CURSOR_PATTERN)
    limit: int = Field(50, ge=1, le=100)


def _create(request, body: s.DirectiveIn):
    data = body.model_dump(exclude_unset=True)
    parent = None
    if body.parent_id is not None:
        parent = access.directive_get(actor=request.auth, pk=body.parent_id)

    def party(p):
        if isinstance(p, int) and not isinstance(p, bool):
            return {"unit_id": p}
        return {k: v for k, v in p.items() if v is not None} if isinstance(p, dict) else p

    kwargs = {k: data[k] for k in (
        "content", "guidance", "source_kind", "source_document_id", "source_text", "given_on",
        "priority", "recurrence", "recurrence_day", "recurrence_until", "agency_id", "weight")
        if k in data}
    d = records.directive_create(
        actor=request.auth, title=body.title, lead=party(data.get("lead")),
        support=[party(p) for p in data.get("support", [])],
        inform=[party(p) for p in data.get("inform", [])],
        due_date=body.due_date, parent=parent, **kwargs)
    return Status(201, s.directive_out(d))


@root_router.post("/directives", response={201: s.DirectiveOut, **ERRORS_409},
                  summary="Give a directive")
def directive_create(request, body: s.DirectiveIn):
    return _create(request, body)


@router.post("", response={201: s.DirectiveOut, **ERRORS_409}, summary="Give a directive",
             include_in_schema=False)
def directive_create_slash(request, body: s.DirectiveIn):
    return _create(request, body)


def _list(request, params: DirectiveListParams):
    items, nxt = sel.directive_list(
        actor=request.auth, role=params.role or None, bucket=params.bucket or None,
        unit_id=params.unit, q=params.q, due_from=params.due_from, due_to=params.due_to,
        after=params.cursor, limit=params.limit)
    return {"items": [s.directive_out(d) for d in items], "next": nxt}


@root_router.get("/directives", response={200: s.DirectivePageOut, **ERRORS}, summary="Directives (list)")
def directive_list(request, params: Query[DirectiveListParams]):
    return _list(request, params)


@router.get("", response={200: s.DirectivePageOut, **ERRORS}, summary="Directives (list)",
            include_in_schema=False)
def directive_list_slash(request, params: Query[DirectiveListParams]):
    return _list(request, params)


@router.get("/{int:pk}", response={200: s.DirectiveDetailOut, **ERRORS}, summary="A directive")
def directive_get(request, pk: int):
    return s.detail_out(sel.directive_detail(actor=request.auth, pk=pk))


def _body(request, schema):
    return optional_body(request, schema, form_keys=tuple(schema.model_fields),
                         default_field="body")


def _seen(request, pk: int):
    """404 before reading the body, for a directive the user may not see."""
    if not 0 < pk <= s.BIGINT:
        from egov.core.errors import NotFound

        raise NotFound()
    access.directive_get(actor=request.auth, pk=pk)


def _fresh(pk: int):
    from ..models import Directive

    return Directive.objects.select_related("lead_unit").get(pk=pk)


@router.post("/{int:pk}/progress", response={201: s.DirectiveActionOut, **ERRORS_409},
             openapi_extra=s.body_schema(s.DirectiveProgressIn), summary="Report progress")
def directive_progress(request, pk: int):
    _seen(request, pk)
    b = _body(request, s.DirectiveProgressIn)
    r = progress.progress_report(actor=request.auth, directive_id=pk, percent=b.percent,
                                 text=b.text, assignee_id=b.assignee_id)
    return Status(201, {**s.directive_out(_fresh(pk)), "report": s.report_out(r)})


@router.post("/{int:pk}/extension-requests", response={201: s.DirectiveActionOut, **ERRORS_409},
             openapi_extra=s.body_schema(s.DirectiveExtensionIn), summary="Ask for an extension")
def directive_extension_request(request, pk: int):
    _seen(request, pk)
    b = _body(request, s.DirectiveExtensionIn)
    e = extensions.extension_request(actor=request.auth, directive_id=pk, reason=b.reason,
                                     proposed_date=b.proposed_date)
    return Status(201, {**s.directive_out(_fresh(pk)), "extension": s.extension_out(e)})


@router.post("/{int:pk}/extension-requests/{int:rid}/decide",
             response={200: s.DirectiveActionOut, **ERRORS_409}, openapi_extra=s.body_schema(s.DirectiveDecideIn),
             summary="Approve or refuse an extension")
def directive_extension_decide(request, pk: int, rid: int):
    _seen(request, pk)
    if not 0 < rid <= s.BIGINT:
        from egov.core.errors import NotFound

        raise NotFound()
    b = _body(request, s.DirectiveDecideIn)
    e = extensions.extension_decide(actor=request.auth, directive_id=pk, request_id=rid,
                                    approve=b.approve, note=b.note, decided_date=b.date)
    return {**s.directive_out(_fresh(pk)), "extension": s.extension_out(e)}


@router.post("/{int:pk}/complete", response={200: s.DirectiveActionOut, **ERRORS_409},
             openapi_extra=s.body_schema(s.DirectiveCompleteIn), summary="Report the directive done")
def directive_complete(request, pk: int):
    _seen(request, pk)
    b = _body(request, s.DirectiveCompleteIn)
    d = completion.completion_report(actor=request.auth, directive_id=pk,
                                     result_text=b.result_text,
                                     result_document_id=b.result_document_id)
    return s.directive_out(d)


@router.post("/{int:pk}/accept", response={200: s.DirectiveActionOut, **ERRORS_409},
             openapi_extra=s.body_schema(s.DirectiveNoteIn), summary="Accept the result")
def directive_accept(request, pk: int):
    _seen(request, pk)
    b = _body(request, s.DirectiveNoteIn)
    return s.directive_out(completion.completion_accept(actor=request.auth, directive_id=pk,
                                                        note=b.note))


@router.post("/{int:pk}/return", response={200: s.DirectiveActionOut, **ERRORS_409},
             openapi_extra=s.body_schema(s.DirectiveNoteIn), summary="Return the result")
def directive_return(request, pk: int):
    _seen(request, pk)
    b = _body(request, s.DirectiveNoteIn)
    return s.directive_out(completion.completion_return(actor=request.auth, directive_id=pk,
                                                        note=b.note))


@router.post("/{int:pk}/cancel", response={200: s.DirectiveActionOut, **ERRORS_409},
             openapi_extra=s.body_schema(s.DirectiveCancelIn), summary="Cancel the directive")
def directive_cancel(request, pk: int):
    _seen(request, pk)
    b = _body(request, s.DirectiveCancelIn)
    return s.directive_out(lifecycle.directive_cancel(actor=request.auth, directive_id=pk,
                                                      reason=b.reason))
