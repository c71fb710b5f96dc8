"""Reading dossiers: one dossier for an actor who may see it, the desk's lists (keyset, a
constant number of queries), and a dossier's steps, hand-overs, pauses and events."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.contrib.contenttypes.models import ContentType
from django.db.models import Q

from egov.core import policy
from egov.core.errors import NotFound
from egov.core.models import OrgUnit, WorkItem
from egov.core.pagination import Page, keyset_page
from egov.core.selectors import inbox_unit_ids

from ..models import Dossier, DossierEvent, DossierHandover, DossierPause, DossierState, Slip

RECEIVE, VIEW_ALL = "onestop.receive", "onestop.view_all"


def desk_agencies(actor) -> list:
    """The receiving centres (OrgUnits) where the actor may receive dossiers
    (`onestop.receive`), ordered by name."""
    if getattr(actor, "is_superuser", False):
        return list(OrgUnit.objects.exclude(electronic_id="").filter(kind__in=[
            "commune_committee", "service_centre", "province_committee", "agency"])
            .order_by("name"))
    ids = policy.agencies_for(actor, RECEIVE)
    return list(OrgUnit.objects.filter(pk__in=ids).order_by("name"))


def visible_q(actor) -> Q:
    """The dossiers of the agencies (or competent units) where the actor sees every dossier or
    receives them: the desk's lists. Assignees see their dossiers through their inbox."""
    q = (policy.unit_q(actor, VIEW_ALL, "agency") | policy.unit_q(actor, VIEW_ALL,
                                                                  "competent_unit")
         | policy.unit_q(actor, RECEIVE, "agency"))
    return q


def may_view(actor, dossier: Dossier) -> bool:
    """Whether the actor may see the dossier: `onestop.view_all` (or `onestop.receive`) on its
    agency or competent unit, or an assignee (person or unit) of one of its work items."""
    if any(policy.can(actor, a, u) for a in (VIEW_ALL, RECEIVE)
           for u in (dossier.agency, dossier.competent_unit)):
        return True
    if not getattr(actor, "is_authenticated", False):
        return False
    return WorkItem.objects.filter(
        Q(assignee_user=actor) | Q(assignee_unit_id__in=inbox_unit_ids(actor)),
        module="onestop", subject_type=ContentType.objects.get_for_model(Dossier),
        subject_id=str(dossier.pk)).exists()


def dossier_get(*, actor, code: str) -> Dossier:
    """The dossier with this code if the actor may see it (404 `not_found` otherwise, the same
    answer for an unknown code), with its procedure, version, agency and competent unit."""
    dossier = (Dossier.objects.select_related("procedure", "version", "agency",
                                              "competent_unit")
               .filter(code=(code or "").strip()).first())
    if dossier is None or not may_view(actor, dossier):
        raise NotFound()
    return dossier


def desk_list(*, actor, agency=None, state: str | None = None, cursor: str | None = None,
              limit: int = 50) -> Page:
    """The desk's list of dossiers of the agencies the actor may see (`agency` narrows to one),
    in one state or all, newest first, keyset-paginated (no COUNT, constant queries)."""
    qs = Dossier.objects.filter(visible_q(actor)).select_related("procedure", "agency")
    if agency is not None:
        qs = qs.filter(agency=agency)
    if state:
        if state not in DossierState.values:
            qs = qs.none()
        qs = qs.filter(state=state)
    return keyset_page(qs, order=("-id",), cursor=cursor, limit=limit)


@dataclass
class StepView:
    """One line of the dossier's steps: the procedure step, who holds it, its due time and,
    once handed on, when and how it ended."""

    step_no: int
    name: str
    unit_name: str
    due_at: dt.datetime | None
    received_at: dt.datetime | None = None
    handed_at: dt.datetime | None = None
    outcome: str = ""
    current: bool = False


@dataclass
class DossierDetail:
    dossier: Dossier
    steps: list[StepView] = field(default_factory=list)
    handovers: list = field(default_factory=list)
    pauses: list = field(default_factory=list)
    events: list = field(default_factory=list)
    slips: list = field(default_factory=list)
    components: list = field(default_factory=list)


def dossier_steps(dossier: Dossier, handovers: list | None = None) -> list[StepView]:
    """The desk (step 0) and the procedure's steps with their due times (the hand-over rows where
    a step was reached; planned due times otherwise)."""
    from ..services.workflow import step_plan, version_steps

    if handovers is None:
        handovers = list(DossierHandover.objects.filter(dossier=dossier)
                         .select_related("unit").order_by("received_at", "id"))
    reached = {h.step_no: h for h in handovers}
    out = []
    for h in handovers:
        out.append(StepView(step_no=h.step_no, name=h.name, unit_name=h.unit.name,
                            due_at=h.due_at, received_at=h.received_at, handed_at=h.handed_at,
                            outcome=h.outcome, current=h.handed_at is None))
    if dossier.state in (DossierState.RECEIVED, DossierState.PROCESSING,
                         DossierState.SUPPLEMENT):
        for p in step_plan(dossier, version_steps(dossier)):
            if p["step_no"] not in reached:
                out.append(StepView(step_no=p["step_no"], name=p["name"],
                                    unit_name=p["unit"].name, due_at=p["due_at"]))
    return out


def dossier_detail(*, actor, code: str) -> DossierDetail:
    """Everything the dossier page and the API show, in a constant number of queries."""
    dossier = dossier_get(actor=actor, code=code)
    handovers = list(DossierHandover.objects.filter(dossier=dossier)
                     .select_related("unit", "received_by", "handed_by")
                     .order_by("received_at", "id"))
    return DossierDetail(
        dossier=dossier, steps=dossier_steps(dossier, handovers), handovers=handovers,
        pauses=list(DossierPause.objects.filter(dossier=dossier).order_by("started_at")),
        events=list(DossierEvent.objects.filter(dossier=dossier).select_related("actor")
                    .order_by("at", "id")),
        slips=list(Slip.objects.filter(dossier=dossier).order_by("created_at", "id")),
        components=list(dossier.components.order_by("id")),
    )
