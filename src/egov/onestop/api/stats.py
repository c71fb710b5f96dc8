"""Statistics of the one-stop desk under /api/v1/onestop/:

    GET /stats?from=YYYY-MM-DD&to=YYYY-MM-DD[&unit=ID][&procedure=ID|code][&channel=…][&group=…]

→ the counts of every bucket and `on_time_rate` for the whole selection (top level), the same
per group row (`rows`, by competent unit unless `group` says agency / procedure / channel), and
the QĐ 766 indicators with their formulas. Bad dates or filters → 422 with `fields`; without
the `onestop.reports` permission over the unit → 403.
"""

from __future__ import annotations

import datetime as dt

from ninja import Field, Router, Schema

from egov.core.api import ERRORS

from ..selectors import stats as sel
from ..selectors.indicators import indicators

router = Router(tags=["onestop: statistics"])


class StatsRowOut(Schema):
    key: int | str | None = Field(None, description="unit / procedure id, or channel code")
    name: str
    received: int = Field(..., description="dossiers received or processed in the period")
    new: int
    carried_over: int
    early: int
    on_time: int
    late: int
    in_time: int
    overdue: int
    resolved: int
    supplemented: int
    stopped: int
    withdrawn: int
    refused: int
    on_time_rate: float | None = None


class IndicatorOut(Schema):
    code: str
    name: str
    formula: str
    numerator: float
    denominator: int
    value: float | None = None
    unit: str


class SolvingOut(Schema):
    procedure_id: int
    code: str
    name: str
    resolved: int
    working_days: int
    average_days: float | None = None


class StatsOut(StatsRowOut):
    from_: dt.date = Field(..., alias="from")
    to: dt.date
    as_of: dt.datetime
    group: str
    rows: list[StatsRowOut]
    indicators: list[IndicatorOut]
    solving_time: list[SolvingOut]


@router.get("/stats", response={200: StatsOut, **ERRORS}, by_alias=True,
            summary="Dossier counts per bucket and the national index's on-time rate")
def stats(request):
    flt = sel.filter_from_params(request.GET)
    report = sel.stats_report(actor=request.user, flt=flt)
    return {**report.totals.as_dict(), "from": flt.start, "to": flt.end,
            "as_of": report.as_of, "group": flt.group,
            "rows": [r.as_dict() for r in report.rows],
            "indicators": [i.as_dict() for i in indicators(report)],
            "solving_time": report.solving}
