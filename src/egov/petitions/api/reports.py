"""The periodic report as JSON: GET /api/v1/petitions/reports?agency=&start=&end= (the same
figures as the page; counts only, never identity). 403 without `petitions.reports` on the
agency; 422 for bad dates."""

from __future__ import annotations

import datetime as dt

from ninja import Query, Router, Schema

from egov.core.api import ERRORS

from ..selectors import reports as sel
from .schemas_read import ReportOut

router = Router(tags=["petitions reports"])


class ReportParams(Schema):
    agency: int | None = None
    start: dt.date | None = None
    end: dt.date | None = None


@router.get("/reports", response={200: ReportOut, **ERRORS}, summary="Periodic report")
def report(request, params: Query[ReportParams]):
    period = sel.period_for(actor=request.auth, agency_id=params.agency, start=params.start,
                            end=params.end)
    r = sel.periodic_report(period)
    return {
        "agency": period.agency.name, "start": period.start, "end": period.end,
        "columns": [{"key": k, "label": str(label)} for k, label in sel.COLUMNS],
        "groups": {key: [{"key": str(row.key), "label": row.label, "values": row.values}
                         for row in r.groups.get(key, [])] for key, _l in sel.GROUPS},
        "totals": r.totals, "satisfaction": r.satisfaction,
    }
