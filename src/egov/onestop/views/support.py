"""What the desk's pages need beyond one service call: who may use which page, the list's tabs,
the list query (keyset, constant queries), the procedure search, and the actions a dossier
offers the user. The services (`services/intake.py`, `services/processing.py`) and the
selectors (`selectors/dossiers.py`) decide; this only prepares their input and output."""

from __future__ import annotations

import datetime as dt

from django.db.models import Exists, F, OuterRef, Q
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy

from egov.core import policy
from egov.core.models import OrgUnit
from egov.core.pagination import Page, keyset_page

from ..models import Dossier, DossierHandover, DossierState, Procedure, ProcedureVersion

RECEIVE, PROCESS, DECIDE, VIEW_ALL = ("onestop.receive", "onestop.process", "onestop.decide",
                                      "onestop.view_all")
DESK_ACTIONS = (RECEIVE, PROCESS, DECIDE, VIEW_ALL)
S = DossierState

# The desk's tabs: key → (label, states). "Chờ bổ sung" holds both the incomplete dossiers
# given guidance at intake and those paused for a supplement during processing.
TABS = [
    ("submitted", gettext_lazy("To check (online)"), [S.SUBMITTED]),
    ("received", gettext_lazy("Received"), [S.RECEIVED]),
    ("processing", gettext_lazy("Being processed"), [S.PROCESSING]),
    ("supplement", gettext_lazy("Waiting for a supplement"), [S.SUPPLEMENT, S.GUIDANCE]),
    ("resolved", gettext_lazy("Result ready"), [S.RESOLVED]),
    ("returned", gettext_lazy("Result returned"), [S.RETURNED]),
    ("refused", gettext_lazy("Refused"), [S.REFUSED]),
    ("ended", gettext_lazy("Stopped or withdrawn"), [S.STOPPED, S.WITHDRAWN]),
]
TAB_STATES = {key: states for key, _label, states in TABS}
LIST_ORDER = ("-id",)


def tabs() -> list[dict]:
    return [{"key": key, "label": label} for key, label, _states in TABS]


def may_use_desk(user) -> bool:
    return any(policy.can(user, a) for a in DESK_ACTIONS)


def default_tab(user) -> str:
    if policy.can(user, RECEIVE) or policy.can(user, VIEW_ALL):
        return "received"
    return "processing"


def receive_agencies(user) -> list[OrgUnit]:
    """The centres where the user receives dossiers (a superuser: every agency with an
    electronic id)."""
    if not getattr(user, "is_authenticated", False):
        return []
    if user.is_superuser:
        return list(OrgUnit.objects.filter(agency_id=F("pk"), electronic_id__isnull=False)
                    .order_by("name")[:200])
    ids = policy.agencies_for(user, RECEIVE)
    return list(OrgUnit.objects.filter(pk__in=ids).order_by("name")) if ids else []


def visible_q(actor) -> Q:
    """The dossiers the actor may see, as `selectors.dossiers.may_view` says it for one:
    `onestop.view_all` or `onestop.receive` on the dossier's agency or competent unit, or an
    assignee (person or unit) of one of its steps' work items."""
    if actor.is_superuser:
        return Q()
    q = Q(pk__in=[])
    for action in (VIEW_ALL, RECEIVE):
        if any(g.action == action for g in policy.grants_for(actor)):
            q |= policy.unit_q(actor, action, "agency")
            q |= policy.unit_q(actor, action, "competent_unit")
    units = policy.position_unit_ids(actor) or []
    mine = Q(work_item__assignee_user=actor)
    if units:
        mine |= Q(work_item__assignee_unit_id__in=units)
    q |= Exists(DossierHandover.objects.filter(mine, dossier=OuterRef("pk")))
    return q


def procedure_choices(user) -> list[Procedure]:
    return list(Procedure.objects.only("pk", "code", "name").order_by("code")[:300])


def procedure_search(q: str, limit: int = 50) -> list[dict]:
    """Procedures in force today, by code prefix or words of the name (each word must appear;
    accents ignored when the database folds them — SQLite and PostgreSQL compare the given
    text)."""
    today = timezone.localdate()
    versions = (ProcedureVersion.objects
                .filter(effective_from__lte=today)
                .filter(Q(effective_to__isnull=True) | Q(effective_to__gte=today))
                .select_related("procedure").order_by("procedure__code", "-effective_from"))
    q = (q or "").strip()
    if q:
        cond = Q(procedure__code__startswith=q)
        words = Q()
        for word in q.split()[:8]:
            words &= Q(name__icontains=word)
        versions = versions.filter(cond | words)
    out, seen = [], set()
    for v in versions[: limit * 3]:
        if v.procedure_id in seen:
            continue
        seen.add(v.procedure_id)
        out.append({"code": v.procedure.code, "name": v.name, "field_name": v.field_name})
        if len(out) >= limit:
            break
    return out


def due_state(dossier: Dossier, now: dt.datetime) -> str:
    """The list's badge: in time / overdue while open (paused while waiting for a supplement);
    early / on time / late once ended."""
    if dossier.outcome:
        return dossier.outcome
    if dossier.state == S.SUPPLEMENT:
        return "paused"
    if dossier.due_at and dossier.state in (S.RECEIVED, S.PROCESSING):
        return "overdue" if now > dossier.due_at else "in_time"
    return ""


def decorate(dossiers, now=None):
    now = now or timezone.now()
    for d in dossiers:
        d.due_state = due_state(d, now)
    return dossiers


def dossier_page(*, actor, tab: str, filters: dict, cursor: str | None, limit: int) -> Page:
    """One page of the tab's dossiers, newest first: one query for the rows (the version's
    name joined), whatever the page size."""
    qs = (Dossier.objects.filter(visible_q(actor), state__in=TAB_STATES[tab])
          .select_related("version")
          .only("id", "code", "state", "channel", "applicant_name", "received_at",
                "submitted_at", "due_at", "outcome", "agency_id", "version__name"))
    text = (filters.get("q") or "").strip()
    if text:
        qs = qs.filter(Q(code__icontains=text) | Q(applicant_name__icontains=text))
    if filters.get("procedure"):
        qs = qs.filter(procedure_id=filters["procedure"])
    page = keyset_page(qs, order=LIST_ORDER, cursor=cursor, limit=limit)
    decorate(page.items)
    return page


def bucket_page(*, actor, params, cursor: str | None, limit: int) -> Page:
    """The dossiers behind one count of the statistics page (`?bucket=…&from=&to=…`, the
    parameters of selectors.stats.list_url), with the same columns as the tabs."""
    from ..selectors import stats

    flt = stats.filter_from_params(params)
    key = (params.get("key") or "").strip() or None
    qs = (stats.bucket_queryset(actor=actor, flt=flt, bucket=params.get("bucket") or "",
                                key=key)
          .select_related("version")
          .only("id", "code", "state", "channel", "applicant_name", "received_at",
                "submitted_at", "due_at", "outcome", "agency_id", "version__name"))
    page = keyset_page(qs, order=LIST_ORDER, cursor=cursor, limit=limit)
    decorate(page.items)
    return page


def url_or(name: str, args: list, literal: str) -> str:
    """The URL of another part's view, or its agreed literal path while it is not merged."""
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return literal


def slip_url(slip) -> str:
    return url_or("onestop:slip_pdf", [slip.pk], f"/onestop/slips/{slip.pk}.pdf")


def control_sheet_url(dossier) -> str:
    return url_or("onestop:control_sheet_pdf", [dossier.code],
                  f"/onestop/dossiers/{dossier.code}/control-sheet.pdf")


def dossier_url(dossier) -> str:
    return reverse("onestop:dossier", args=[dossier.code])
