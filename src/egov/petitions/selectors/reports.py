"""Petition reports: the periodic report, the registers (sổ tiếp công dân Mẫu 03/TCD, sổ theo dõi
đơn) and the leader's overdue chart. Counts only — no identity — except the registers' name,
address and ID columns, filled only for the head of the agency (`may_read_identities`), who may
read every identity of the agency (Luật Tố cáo 25/2018 Art.47.2, 56; NĐ 154/2026 Art.27 for the
register); an export with identities is audited by the caller (views/reports.py).

Periodic report columns (services.md §2.4 "Periodic report columns", the layout seen in public
petition software; its legal basis TT 02/2021/TT-TTCP is UNVERIFIED): received in the period vs
carried over (many / single signer), eligible, by content (kind), by competence, by stage
(not settled / settled at first instance / later instance), guidance and forwarded letters,
on time / late, and the satisfaction answers (resolved / not resolved / no answer).

Every figure is one grouped statement per grouping (no per-row queries).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Count, Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from egov.core import calendar, policy
from egov.core.errors import InvalidInput, PermissionDenied
from egov.core.models import OrgUnit

from ..models import (
    ENDED_STATES,
    OPEN_STATES,
    Channel,
    Outcome,
    Petition,
    PetitionEvent,
    PetitionKind,
    ReceptionVisit,
    Satisfaction,
)
from . import access

REPORTS = "petitions.reports"
MAX_DAYS = 3 * 366

# (key, label): the columns of every row of the periodic report.
COLUMNS: list[tuple[str, object]] = [
    ("total", _("In the period")),
    ("received", _("Received in the period")),
    ("carried", _("Carried over")),
    ("many_signers", _("Signed by several people")),
    ("single_signer", _("Signed by one person")),
    ("eligible", _("Eligible for processing")),
    ("competent", _("Within competence")),
    ("anonymous", _("Anonymous")),
    ("open", _("Not settled")),
    ("settled_first", _("Settled, first instance")),
    ("settled_later", _("Settled, later instance")),
    ("guided", _("Guidance given")),
    ("transferred", _("Forwarded")),
    ("on_time", _("On time")),
    ("late", _("Late")),
    ("overdue", _("Open and overdue")),
]

GROUPS: list[tuple[str, object]] = [
    ("kind", _("By kind")),
    ("channel", _("By channel")),
    ("competence", _("By competence")),
    ("stage", _("By stage")),
]


@dataclass(frozen=True)
class Period:
    agency: OrgUnit
    start: dt.date
    end: dt.date


def _start(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.min, tzinfo=calendar.LOCAL_TZ)


def report_agencies(actor) -> list[OrgUnit]:
    """The agencies whose reports the actor may see (`petitions.reports`)."""
    if (getattr(actor, "is_superuser", False) and actor.is_active) or any(
            g.scope == "all" and g.action == REPORTS for g in policy.grants_for(actor)):
        # Every agency that receives petitions (not only those that already have one: the
        # report of an agency with none is an empty report, not a refusal).
        return list(OrgUnit.objects.exclude(kind="division").order_by("name", "id"))
    ids = policy.agencies_for(actor, REPORTS)
    return list(OrgUnit.objects.filter(pk__in=ids).order_by("name"))


def period_for(*, actor, agency_id, start, end) -> Period:
    """The period asked for, checked: dates in order and at most three years; the agency one
    the actor may report on (403 otherwise)."""
    today = timezone.localdate()
    start = start or today.replace(day=1)
    end = end or today
    if end < start:
        raise InvalidInput(_("The end of the period is before its start."),
                           fields={"end": [_("Choose a day after the start.")]})
    if (end - start).days > MAX_DAYS:
        raise InvalidInput(_("The period is too long (at most three years)."),
                           fields={"start": [_("Choose a shorter period.")]})
    agency = None
    if agency_id:
        agency = OrgUnit.objects.filter(pk=agency_id).first()
    else:
        agencies = report_agencies(actor)
        agency = agencies[0] if agencies else None
    if agency is None or not policy.can(actor, REPORTS, agency):
        raise PermissionDenied()
    return Period(agency=agency, start=start, end=end)


def period_qs(period: Period):
    """The petitions of the agency handled in the period: received in it, or received before
    and not closed before it started."""
    start, end = _start(period.start), _start(period.end + dt.timedelta(days=1))
    return Petition.objects.filter(agency=period.agency, received_at__lt=end).filter(
        Q(received_at__gte=start) | Q(closed_at__isnull=True) | Q(closed_at__gte=start))


def _aggregates(period: Period, now: dt.datetime) -> dict:
    start, end = _start(period.start), _start(period.end + dt.timedelta(days=1))
    cutoff = min(now, end)
    ended = list(ENDED_STATES)
    guided = PetitionEvent.objects.filter(petition=OuterRef("pk"), kind="guide")
    transferred = PetitionEvent.objects.filter(petition=OuterRef("pk"), kind="transfer")
    # Named "c_<column>": a few columns share a name with a model field.
    return {"c_" + k: v for k, v in {
        "total": Count("id"),
        "received": Count("id", filter=Q(received_at__gte=start)),
        "carried": Count("id", filter=Q(received_at__lt=start)),
        "many_signers": Count("id", filter=Q(signers__gt=1)),
        "single_signer": Count("id", filter=Q(signers__lte=1)),
        "eligible": Count("id", filter=Q(eligible=True)),
        "competent": Count("id", filter=Q(competent=True)),
        "anonymous": Count("id", filter=Q(anonymous=True)),
        "open": Count("id", filter=Q(state__in=list(OPEN_STATES))),
        "settled_first": Count("id", filter=Q(state__in=ended, instance__lte=1)),
        "settled_later": Count("id", filter=Q(state__in=ended, instance__gt=1)),
        "guided": Count("id", filter=Q(Exists(guided))),
        "transferred": Count("id", filter=Q(Exists(transferred))),
        "on_time": Count("id", filter=Q(outcome=Outcome.ON_TIME)),
        "late": Count("id", filter=Q(outcome=Outcome.LATE)),
        "overdue": Count("id", filter=Q(state__in=list(OPEN_STATES), due_at__lt=cutoff)),
    }.items()}


def _strip(values: dict) -> dict[str, int]:
    return {c: values["c_" + c] or 0 for c, _label in COLUMNS}


@dataclass
class ReportRow:
    key: str
    label: str
    values: dict[str, int]


@dataclass
class PeriodicReport:
    period: Period
    groups: dict[str, list[ReportRow]] = field(default_factory=dict)
    totals: dict[str, int] = field(default_factory=dict)
    satisfaction: dict[str, int] = field(default_factory=dict)


def _stage_label(key: str) -> str:
    return str({"open": _("Not settled"), "first": _("Settled, first instance"),
                "later": _("Settled, later instance")}[key])


def periodic_report(period: Period, *, now: dt.datetime | None = None) -> PeriodicReport:
    now = now or timezone.now()
    aggs = _aggregates(period, now)
    base = period_qs(period).order_by()
    report = PeriodicReport(period=period)
    report.totals = _strip(base.aggregate(**aggs))

    def rows(values, key_of, label_of, keys_order, name_of=lambda k: k or "none"):
        got = {key_of(v): _strip(v) for v in values}
        out = []
        for k in keys_order:
            vals = got.get(k)
            if vals is None:
                continue
            out.append(ReportRow(key=name_of(k), label=label_of(k), values=vals))
        return out

    kinds = list(PetitionKind.values) + [""]
    report.groups["kind"] = rows(
        base.values("kind").annotate(**aggs), lambda v: v["kind"],
        lambda k: str(PetitionKind(k).label) if k else str(_("Not yet classified")), kinds)
    report.groups["channel"] = rows(
        base.values("channel").annotate(**aggs), lambda v: v["channel"],
        lambda k: str(Channel(k).label), list(Channel.values))
    report.groups["competence"] = rows(
        base.values("competent").annotate(**aggs), lambda v: v["competent"],
        lambda k: str({True: _("Within competence"), False: _("Not within competence"),
                       None: _("Not yet decided")}[k]), [True, False, None],
        lambda k: {True: "yes", False: "no", None: "undecided"}[k])
    # Stage: open / settled at first instance / settled at a later one.
    stage = []
    ended = list(ENDED_STATES)
    for key, cond in (("open", Q(state__in=list(OPEN_STATES))),
                      ("first", Q(state__in=ended, instance__lte=1)),
                      ("later", Q(state__in=ended, instance__gt=1))):
        vals = _strip(base.filter(cond).aggregate(**aggs))
        if vals["total"]:
            stage.append(ReportRow(key=key, label=_stage_label(key), values=vals))
    report.groups["stage"] = stage
    report.satisfaction = satisfaction_counts(period)
    return report


def satisfaction_counts(period: Period) -> dict[str, int]:
    """Among the petitions closed in the period whose petitioner was asked: resolved, not
    resolved, no answer."""
    start, end = _start(period.start), _start(period.end + dt.timedelta(days=1))
    qs = Satisfaction.objects.filter(petition__agency=period.agency,
                                     petition__closed_at__gte=start,
                                     petition__closed_at__lt=end)
    got = qs.aggregate(n_asked=Count("pk"), n_resolved=Count("pk", filter=Q(resolved=True)),
                       n_not_resolved=Count("pk", filter=Q(resolved=False)),
                       n_no_answer=Count("pk", filter=Q(answered_at__isnull=True)))
    return {k.removeprefix("n_"): v or 0 for k, v in got.items()}


# --- the leader's chart: open petitions per unit against their deadlines ----------------------


@dataclass
class UnitLoad:
    unit_id: int | None
    name: str
    open: int
    overdue: int
    due_soon: int

    @property
    def in_time(self) -> int:
        return self.open - self.overdue


def overdue_by_unit(*, actor, agency: OrgUnit, now: dt.datetime | None = None,
                    soon_days: int = 3) -> list[UnitLoad]:  # = petitions.DUE_SOON_DAYS
    """For each handling unit of the agency (and "not yet assigned"): the open petitions, those
    past their legal deadline (`due_at`, from the deadline rules) and those due within
    `soon_days` — one grouped statement."""
    if not policy.can(actor, REPORTS, agency):
        raise PermissionDenied()
    now = now or timezone.now()
    soon = now + dt.timedelta(days=soon_days)
    rows = (Petition.objects.filter(agency=agency, state__in=list(OPEN_STATES)).order_by()
            .values("handling_unit_id", "handling_unit__name")
            .annotate(open=Count("id"), overdue=Count("id", filter=Q(due_at__lt=now)),
                      due_soon=Count("id", filter=Q(due_at__gte=now, due_at__lt=soon))))
    out = [UnitLoad(unit_id=r["handling_unit_id"],
                    name=r["handling_unit__name"] or str(_("Not yet assigned")),
                    open=r["open"], overdue=r["overdue"], due_soon=r["due_soon"])
           for r in rows]
    out.sort(key=lambda u: (-u.overdue, -u.open, u.name))
    return out


# --- registers ----------------------------------------------------------------------------------


def may_read_identities(actor, agency: OrgUnit) -> bool:
    """The head of the agency (`petitions.head` covering it, read on the grants with no superuser
    exception, as `access.is_agency_head`): the only exporter whose registers carry names,
    addresses and ID numbers."""
    if not access._active(actor):
        return False
    for g in policy.grants_for(actor):
        if g.action != access.HEAD:
            continue
        if g.scope == "all" or (g.scope == "agency" and g.agency_id == agency.agency_id) \
                or (g.scope == "unit" and agency.path.startswith(g.unit_path)):
            return True
    return False


REDACTED_CELL = "[…]"


def _kind_short(kind: str) -> str:
    # Mẫu 03/TCD column 6: KN (khiếu nại), TC (tố cáo), KN (kiến nghị), PA (phản ánh).
    return {"complaint": "KN", "denunciation": "TC", "proposal": "KNg",
            "feedback": "PA"}.get(kind or "", "")


def reception_register(period: Period, *, with_identity: bool) -> list[list[str]]:
    """The rows of the sổ tiếp công dân (Mẫu 03/TCD, NĐ 154/2026): 13 columns; (3) name and
    address and (4) ID number only `with_identity`."""
    start, end = period.start, period.end
    visits = (ReceptionVisit.objects.filter(session__agency=period.agency,
                                            session__day__gte=start, session__day__lte=end)
              .select_related("session", "petition")
              .order_by("session__day", "session_id", "number"))
    if with_identity:
        visits = visits.select_related("petition__identity", "visitor_identity")
    rows = []
    for i, v in enumerate(visits, start=1):
        if with_identity:
            ident = None
            if v.petition_id is not None:
                ident = getattr(v.petition, "identity", None)
            if ident is None:
                ident = getattr(v, "visitor_identity", None)
            name = ", ".join(x for x in (getattr(ident, "full_name", ""),
                                         getattr(ident, "address", "")) if x)
            pid = getattr(ident, "personal_id", "") or ""
        else:
            name = pid = REDACTED_CELL
        summary = v.summary or (v.petition.subject if v.petition_id else "")
        rows.append([
            str(i), v.session.day.strftime("%d/%m/%Y"), name, pid, summary,
            _kind_short(v.kind or (v.petition.kind if v.petition_id else "")),
            str(v.people), v.previous_body, "x" if v.competent else "", v.guided_to,
            v.forwarded_to, v.follow_up, v.note,
        ])
    return rows


RECEPTION_HEADINGS = [
    "STT", "Ngày tiếp", "Họ tên, địa chỉ", "Số CCCD/Hộ chiếu", "Nội dung vụ việc",
    "Phân loại đơn/vụ việc", "Số người", "Cơ quan đã giải quyết", "Thuộc thẩm quyền",
    "Hướng dẫn, chuyển đơn (cơ quan, số văn bản)", "Cơ quan thụ lý (số văn bản chuyển)",
    "Theo dõi kết quả giải quyết", "Ghi chú",
]

TRACKING_HEADINGS = [
    "STT", "Mã đơn", "Ngày nhận", "Nguồn đơn", "Họ tên, địa chỉ người gửi", "Số CCCD",
    "Loại đơn", "Nội dung (đã ẩn danh tính)", "Thuộc thẩm quyền", "Đơn vị xử lý",
    "Hạn giải quyết", "Tình trạng", "Kết quả",
]


def tracking_register(period: Period, *, with_identity: bool) -> list[list[str]]:
    """The sổ theo dõi đơn (TT 05/2021/TT-TTCP; form number UNVERIFIED): the petitions received
    in the period, one row each; name/address and ID only `with_identity`."""
    start, end = _start(period.start), _start(period.end + dt.timedelta(days=1))
    qs = (Petition.objects.filter(agency=period.agency, received_at__gte=start,
                                  received_at__lt=end)
          .select_related("handling_unit").order_by("received_at", "id"))
    if with_identity:
        qs = qs.select_related("identity")
    rows = []
    for i, p in enumerate(qs, start=1):
        if with_identity:
            ident = getattr(p, "identity", None)
            name = ", ".join(x for x in (getattr(ident, "full_name", ""),
                                         getattr(ident, "address", "")) if x)
            pid = getattr(ident, "personal_id", "") or ""
        else:
            name = pid = REDACTED_CELL
        due = calendar.localtime(p.due_at).strftime("%d/%m/%Y") if p.due_at else ""
        content = p.subject or p.content
        rows.append([
            str(i), p.code, calendar.localtime(p.received_at).strftime("%d/%m/%Y"),
            str(Channel(p.channel).label), name, pid,
            str(PetitionKind(p.kind).label) if p.kind else "",
            content[:300], {True: "x", False: "", None: ""}[p.competent],
            p.handling_unit.name if p.handling_unit else "", due, p.get_state_display(),
            p.get_outcome_display() if p.outcome else "",
        ])
    return rows
