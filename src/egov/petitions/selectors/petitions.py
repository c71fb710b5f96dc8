"""Lists and search of petitions: what the user may see (`access.visible_q`), filtered, searched,
keyset-paginated (`egov.core.pagination`: never a COUNT, a constant number of queries per page).

Search `q` (services.md §2.5; issue 11 contract `GET /api/v1/petitions?q=`) matches

- the code: the same code, or a code starting with `q` (case-insensitive);
- the words of the content, compared without diacritics (`egov.core.search.fold` on SQLite,
  its SQL twin `egov_search_fold` on PostgreSQL, with a pg_trgm index on the folded content —
  migration 0003_reports_search). The content is the REDACTED text (identity removed at
  intake), so a word of the name never matches it;
- the petitioner's NAME, only among the petitions whose identity the user may read: the set
  `received_by = me OR handler = me OR agency IN (agencies where I hold petitions.head)` is
  computed in SQL (`identity_readable_q`), with no superuser exception. A name that matches a
  petition outside that set changes nothing in the answer (Luật Tố cáo 25/2018 Art.47.2, 56):
  the result set never tells that the name exists elsewhere.

The rows carry no identity; nothing here reads `PetitionIdentity` except the EXISTS on the
name inside the readable set.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import connection
from django.db.models import CharField, Func, Q, QuerySet
from django.db.models.expressions import RawSQL
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from egov.core import policy
from egov.core.pagination import Page, keyset_page
from egov.core.search import words

from ..models import (
    OPEN_STATES,
    Channel,
    Petition,
    PetitionIdentity,
    PetitionKind,
    PetitionState,
)
from . import access

MAX_LIMIT = 100
DUE_SOON_DAYS = 3


class Folded(Func):
    """The folded text (lower case, no diacritics, đ → d) in SQL: `egov_search_fold` on
    PostgreSQL (punctuation → space), `egov_fold` (egov.core.search) on SQLite."""

    function = "egov_search_fold"
    output_field = CharField()

    def as_sqlite(self, compiler, connection, **extra):
        return super().as_sql(compiler, connection, function="egov_fold", **extra)


def head_agency_filter(actor, prefix: str = "") -> Q | None:
    """Q on Petition keeping the petitions of the agencies where the actor holds
    `petitions.head` (the same reading of the grants as `access.is_agency_head`), or None when
    the actor holds it nowhere. No superuser exception: the grants themselves are read."""
    grants = [g for g in policy.grants_for(actor) if g.action == access.HEAD]
    if not grants:
        return None
    if any(g.scope == "all" for g in grants):
        return Q(**{f"{prefix}pk__isnull": False})
    q = Q(**{f"{prefix}pk__in": []})
    agencies = sorted({g.agency_id for g in grants if g.scope == "agency" and g.agency_id})
    if agencies:
        q |= Q(**{f"{prefix}agency__agency_id__in": agencies})
    for path in sorted({g.unit_path for g in grants if g.scope == "unit"}):
        q |= Q(**{f"{prefix}agency__path__startswith": path})
    return q


def identity_readable_q(actor, prefix: str = "") -> Q:
    """The petitions whose identity the actor may read, as SQL: the receiving officer, the
    assigned handler, the head of the agency (`access.may_see_identity` row by row).
    `prefix` reaches the petition from another model ("petition__")."""
    if not access._active(actor):
        return Q(pk__in=[])
    q = Q(**{f"{prefix}received_by": actor}) | Q(**{f"{prefix}handler": actor})
    head = head_agency_filter(actor, prefix)
    return q | head if head is not None else q


@dataclass(frozen=True)
class ListFilter:
    q: str = ""
    state: str = ""
    kind: str = ""
    channel: str = ""
    overdue: bool = False
    mine: bool = False
    agency_id: int | None = None
    due_soon: bool = False  # open, due within DUE_SOON_DAYS (the leader's chart)
    open_only: bool = False
    unassigned: bool = False  # no handling unit yet

    def query_string(self) -> str:
        from urllib.parse import urlencode

        pairs = [(k, v) for k, v in (("q", self.q), ("state", self.state), ("kind", self.kind),
                                     ("channel", self.channel)) if v]
        if self.overdue:
            pairs.append(("overdue", "1"))
        if self.mine:
            pairs.append(("mine", "1"))
        for key, on in (("due_soon", self.due_soon), ("open", self.open_only),
                        ("unassigned", self.unassigned)):
            if on:
                pairs.append((key, "1"))
        if self.agency_id:
            pairs.append(("agency", str(self.agency_id)))
        return urlencode(pairs)


def _looks_like_code(q: str) -> bool:
    return len(q) >= 3 and " " not in q and any(ch.isdigit() for ch in q)


def visible_q(actor) -> Q:
    """The petitions the actor may see (`access.visible_q`; seeing a petition is not reading its
    identity)."""
    return access.visible_q(actor)


def _content_matching(terms: list[str]) -> QuerySet:
    """Petitions whose folded content holds every word. PostgreSQL reads the stored folded
    column (`content_folded`, kept by a trigger, migration 0003: not a model field); SQLite
    folds on the fly with `egov_fold`. The words are letters and digits only (`words`)."""
    qs = Petition.objects.all()
    if connection.vendor == "postgresql":
        # Unqualified: inside the sub-select it names the sub-select's own table.
        return qs.extra(where=["content_folded LIKE %s"] * len(terms),
                        params=[f"%{w}%" for w in terms])
    qs = qs.annotate(folded=Folded("content"))
    for w in terms:
        qs = qs.filter(folded__contains=w)
    return qs


def search_q(actor, q: str) -> Q | None:
    """The search condition for `q` (None: nothing to search): `id IN (<code matches> UNION
    <content matches> UNION <name matches among the readable>)` — one sub-select, so the
    database starts from the (usually few) matches instead of walking every visible row."""
    q = " ".join((q or "").split())[:200]
    if not q:
        return None
    code = Petition.objects.filter(code__iexact=q)
    if _looks_like_code(q):
        code = Petition.objects.filter(code__istartswith=q)
    parts = [code.values("pk")]
    terms = words(q)
    if terms:
        parts.append(_content_matching(terms).values("pk"))
        names = PetitionIdentity.objects.annotate(folded=Folded("full_name"))
        for w in terms:
            names = names.filter(folded__contains=w)
        # The name counts only where the user may read the identity: elsewhere the same name
        # selects nothing.
        parts.append(names.filter(identity_readable_q(actor, prefix="petition__"))
                     .values("petition_id"))
    sqls, params = [], []
    for part in parts:
        sql, p = part.query.sql_with_params()
        sqls.append(f"SELECT * FROM ({sql}) AS m{len(sqls)}")
        params.extend(p)
    return Q(pk__in=RawSQL(" UNION ".join(sqls), params))


def petition_qs(*, actor, flt: ListFilter, now: dt.datetime | None = None) -> QuerySet:
    """The petitions the actor may see, filtered (not ordered, not paginated)."""
    qs = Petition.objects.filter(visible_q(actor))
    if flt.state:
        qs = qs.filter(state=flt.state) if flt.state in PetitionState.values else qs.none()
    if flt.kind:
        qs = qs.filter(kind=flt.kind) if flt.kind in PetitionKind.values else qs.none()
    if flt.channel:
        qs = qs.filter(channel=flt.channel) if flt.channel in Channel.values else qs.none()
    if flt.overdue:
        qs = qs.filter(due_at__lt=now or timezone.now(), state__in=list(OPEN_STATES))
    if flt.mine:
        qs = qs.filter(Q(handler=actor) | Q(received_by=actor))
    if flt.open_only:
        qs = qs.filter(state__in=list(OPEN_STATES))
    if flt.unassigned:
        qs = qs.filter(handling_unit__isnull=True)
    if flt.due_soon:
        now = now or timezone.now()
        qs = qs.filter(due_at__gte=now, due_at__lt=now + dt.timedelta(days=DUE_SOON_DAYS),
                       state__in=list(OPEN_STATES))
    if flt.agency_id:
        qs = qs.filter(Q(agency_id=flt.agency_id) | Q(handling_unit_id=flt.agency_id))
    cond = search_q(actor, flt.q)
    if cond is not None:
        qs = qs.filter(cond)
    return qs


def petition_list(*, actor, flt: ListFilter | None = None, cursor: str | None = None,
                  limit: int = 50, now: dt.datetime | None = None) -> Page:
    """One page of the list, newest first (keyset on id), with the agency, unit and handler
    joined: one statement per page whatever the filters."""
    qs = petition_qs(actor=actor, flt=flt or ListFilter(), now=now).select_related(
        "agency", "handling_unit", "handler")
    return keyset_page(qs, order=("-id",), cursor=cursor, limit=limit, max_limit=MAX_LIMIT)


def is_overdue(petition: Petition, now: dt.datetime | None = None) -> bool:
    return bool(petition.due_at and petition.state in OPEN_STATES
                and petition.due_at < (now or timezone.now()))


# The event kinds (docs/petitions.md: the verbs every part writes) as the timeline shows them.
EVENT_LABELS = {
    "submit": _("Submitted"), "receive": _("Received"), "register": _("Registered"),
    "classify": _("Classified"), "split": _("Split"), "assign": _("Assigned"),
    "accept": _("Accepted for resolution"), "not_accept": _("Not accepted"),
    "transfer": _("Transferred"), "guide": _("Guidance given"), "file": _("Filed"),
    "extend": _("Deadline extended"), "suspend": _("Suspended"), "resume": _("Resumed"),
    "resolve": _("Resolved"), "notify": _("Petitioner notified"), "close": _("Closed"),
    "withdraw": _("Withdrawn"), "reopen": _("Second instance opened"),
    "reply": _("Reply attached"), "satisfaction": _("Satisfaction answer"),
}


def event_label(kind: str) -> str:
    return str(EVENT_LABELS.get(kind, kind))


# --- one petition: detail and files ---------------------------------------------------------


@dataclass
class PetitionDetail:
    petition: Petition
    identity: object | None  # PetitionIdentity, only for those who may read it (audited)
    files: list
    identity_files: list  # empty unless the identity may be read
    events: list
    slips: list
    deadlines: list


def petition_detail(*, actor, pk: int, purpose: str) -> PetitionDetail:
    """Everything the page and the API show, in a constant number of queries. The identity and
    the identity files are read (and audited, `purpose`) only for the receiving officer, the
    handler and the head of the agency."""
    petition = access.petition_get(actor=actor, pk=pk)
    identity = access.identity_for(actor, petition, purpose=purpose)
    identity_files = (list(petition.identity_files.select_related("file"))
                      if identity is not None else [])
    return PetitionDetail(
        petition=petition, identity=identity,
        files=list(petition.files.select_related("file")), identity_files=identity_files,
        events=_labelled(petition.events.select_related("actor", "unit").order_by("at", "id")),
        slips=list(petition.slips.order_by("created_at", "id")),
        deadlines=list(petition.deadlines.order_by("started_at", "id")),
    )


def _fixed_notes() -> dict:
    """The intake services' fixed timeline notes, stored in Vietnamese (data), in the reader's
    language; an officer's own note is shown as written."""
    from ..services import intake

    return {intake.NOTE_SUBMITTED: _("Sent through the portal, waiting to be registered"),
            intake.NOTE_RECEIVED: _("The petition was received")}


def _labelled(events) -> list:
    out = list(events)
    fixed = _fixed_notes()
    for e in out:
        e.label = event_label(e.kind)
        e.note_text = str(fixed[e.note]) if e.note in fixed else e.note  # the page's; API: note
    return out


def petition_file(*, actor, petition: Petition, pk: int):
    """A non-identifying attachment of a petition the actor may see (404 otherwise)."""
    from egov.core.errors import NotFound

    row = petition.files.select_related("file").filter(pk=pk).first()
    if row is None:
        raise NotFound()
    return row.file


def identity_file(*, actor, petition: Petition, pk: int):
    """A scan of the letter or an identity paper: only for those who may read the identity
    (the read is audited with purpose "file"); 404 for everyone else, the same answer as for
    an unknown file."""
    from egov.core.errors import NotFound

    if not access.may_see_identity(actor, petition):
        raise NotFound()
    row = petition.identity_files.select_related("file").filter(pk=pk).first()
    if row is None:
        raise NotFound()
    access.identity_for(actor, petition, purpose="file")
    return row.file
