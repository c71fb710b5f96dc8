"""`GET /api/v1/directives/report?from=&to=&unit=` (issue 12 contract): the four buckets and
the overdue list of a period, per unit (directives led by the unit) or, without `unit`, per
giving agency (`agency=`, default the actor's). Period semantics: selectors/reports.py.

`from` / `to` are ISO dates (default: 1 January of this year / today); bad dates, a reversed
or too long period, an unknown unit → 422 with the fields named; a unit or agency the actor
may not report on → 403. Nothing is written."""

from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema

from egov.core.api import ERRORS
from egov.core.errors import InvalidInput

from ..selectors import reports as sel

router = Router(tags=["directives reports"])


class DirectiveReportParams(Schema):
    from_: str | None = Field(None, alias="from", max_length=40)
    to: str | None = Field(None, max_length=40)
    unit: str | None = Field(None, max_length=40)
    agency: str | None = Field(None, max_length=40)


class DirectiveOverdueOut(Schema):
    id: int
    code: str
    title: str
    lead_unit: str
    lead_user: str
    given_on: dt.date
    due_date: dt.date | None
    judged_due_date: dt.date
    days_late: int
    progress: int


class DirectiveNamedOut(Schema):
    id: int
    name: str


class DirectiveReportOut(Schema):
    from_: dt.date = Field(..., alias="from")
    to: dt.date
    as_of: dt.date
    unit: DirectiveNamedOut | None
    agency: DirectiveNamedOut | None
    done_on_time: int
    done_late: int
    open_on_time: int
    open_late: int
    total: int
    overdue: list[DirectiveOverdueOut]
    overdue_truncated: bool


def parse_date(value: str | None, name: str, errors: dict) -> dt.date | None:
    value = (value or "").strip()
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        errors[name] = [_("Enter a valid date (YYYY-MM-DD).")]
        return None


def parse_id(value: str | None, name: str, errors: dict) -> int | None:
    value = (value or "").strip()
    if not value:
        return None
    if not value.isdigit() or len(value) > 12:
        errors[name] = [_("Choose a unit from the list.")]
        return None
    return int(value)


def parse_params(raw: dict) -> dict:
    """{from, to, unit, agency} as strings → checked values (422 naming every bad field)."""
    errors: dict = {}
    out = {"start": parse_date(raw.get("from"), "from", errors),
           "end": parse_date(raw.get("to"), "to", errors),
           "unit_id": parse_id(raw.get("unit"), "unit", errors),
           "agency_id": parse_id(raw.get("agency"), "agency", errors)}
    if errors:
        raise InvalidInput(_("Check the highlighted fields."), fields=errors)
    return out


@router.get("/report", response={200: DirectiveReportOut, **ERRORS}, by_alias=True,
            summary="Periodic report: the four buckets and the overdue list")
def report(request, params: Query[DirectiveReportParams]):
    args = parse_params({"from": params.from_, "to": params.to, "unit": params.unit,
                         "agency": params.agency})
    period = sel.period_for(actor=request.auth, **args)
    return sel.periodic_report(period).as_json()
