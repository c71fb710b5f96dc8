"""Staff API of petitions (issue 11 contract), mounted under /api/v1/petitions:

    GET /api/v1/petitions?q=&state=&kind=&channel=&overdue=&mine=&cursor=&limit=
        → {"items": [...], "next"}: only what the user may see; `q` matches the code, words of
          the (redacted) content without diacritics, and the petitioner's name only among the
          petitions whose identity the user may read (selectors.petitions).
    GET /api/v1/petitions/{id}
        → the petition; `identity` is an object for the receiving officer, the handler and the
          head of the agency (the read is audited, purpose "api") and null for everyone else.
"""

from __future__ import annotations

from django.urls import reverse
from ninja import Query, Router, Schema

from egov.core.api import ERRORS

from ..models import PetitionState
from ..selectors import petitions as sel
from .schemas_read import PetitionDetailOut, PetitionPageOut

router = Router(tags=["petitions"])
root_router = Router(tags=["petitions"])  # "/petitions" at the API root: see api/__init__.py


class ListParams(Schema):
    q: str = ""
    state: str = ""
    kind: str = ""
    channel: str = ""
    overdue: bool = False
    mine: bool = False
    cursor: str | None = None
    limit: int = 50


def row_out(p, now=None) -> dict:
    return {
        "id": p.pk, "code": p.code, "state": p.state,
        "state_label": str(PetitionState(p.state).label), "kind": p.kind,
        "channel": p.channel, "subject": p.subject, "agency": p.agency.name,
        "handling_unit": p.handling_unit.name if p.handling_unit else "",
        "handler": (p.handler.get_full_name() or p.handler.username) if p.handler else "",
        "received_at": p.received_at, "due_at": p.due_at,
        "overdue": sel.is_overdue(p, now),
        "url": reverse("petitions:petition", kwargs={"pk": p.pk}),
    }


def _list(request, params: ListParams):
    flt = sel.ListFilter(q=params.q, state=params.state, kind=params.kind,
                         channel=params.channel, overdue=params.overdue, mine=params.mine)
    page = sel.petition_list(actor=request.auth, flt=flt, cursor=params.cursor,
                             limit=params.limit)
    return {"items": [row_out(p) for p in page.items], "next": page.next}


@root_router.get("/petitions", response={200: PetitionPageOut, **ERRORS},
                 summary="Petitions (list, search)")
def petition_list(request, params: Query[ListParams]):
    return _list(request, params)


@router.get("", response={200: PetitionPageOut, **ERRORS}, summary="Petitions (list, search)",
            include_in_schema=False)
def petition_list_slash(request, params: Query[ListParams]):
    return _list(request, params)


def _file(row, *, identity: bool, petition_id: int) -> dict:
    name = "petition_identity_file" if identity else "petition_file"
    return {"id": row.pk, "name": row.file.original_name, "description": row.description,
            "url": reverse(f"petitions:{name}", kwargs={"pk": petition_id, "file_id": row.pk})}


def detail_out(d: sel.PetitionDetail) -> dict:
    p = d.petition
    out = row_out(p)
    out.pop("url")
    out.update({
        "eligible": p.eligible, "ineligible_reason": p.ineligible_reason,
        "competent": p.competent, "anonymous": p.anonymous,
        "duplicate_of": p.duplicate_of.code if p.duplicate_of_id else None,
        "signers": p.signers, "complexity": p.complexity, "remote_area": p.remote_area,
        "instance": p.instance, "content": p.content, "respondent": p.respondent,
        "accepted_at": p.accepted_at, "extensions": p.extensions,
        "resolved_at": p.resolved_at, "closed_at": p.closed_at, "outcome": p.outcome,
        "result_summary": p.result_summary, "transfer_to": p.transfer_to,
        "identity": None,
        "files": [_file(f, identity=False, petition_id=p.pk) for f in d.files],
        "identity_files": [_file(f, identity=True, petition_id=p.pk) for f in d.identity_files],
        "events": [{"at": e.at, "kind": e.kind, "state": e.state, "note": e.note,
                    "public": e.public} for e in d.events],
    })
    if d.identity is not None:
        i = d.identity
        out["identity"] = {
            "full_name": i.full_name, "personal_id": i.personal_id, "phone": i.phone,
            "email": i.email, "address": i.address, "others": i.others or [],
            "original_content": i.original_content,
            "confidentiality_waived": i.confidentiality_waived}
    return out


@router.get("/{int:pk}", response={200: PetitionDetailOut, **ERRORS}, summary="A petition")
def petition_get(request, pk: int):
    return detail_out(sel.petition_detail(actor=request.auth, pk=pk, purpose="api"))
