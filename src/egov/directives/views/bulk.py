"""The bulk progress page (/directives/progress/bulk/): a table of the open directives the
person leads, a percent and a text input per row; the rows filled in are saved together through
services.bulk.progress_bulk (all or nothing, errors shown by the row). Works without JavaScript.
Two queries for the list (keyset page by deadline, no count)."""

from __future__ import annotations

import datetime as dt
import re

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from egov.core import policy
from egov.core.errors import InvalidInput

from ..selectors import access
from ..services import bulk as svc

PAGE = 50
_CURSOR = re.compile(r"^(\d{4}-\d{2}-\d{2})_(\d{1,18})$")
_ROW = re.compile(r"^rows\[(\d+)\](?:\.(\w+))?$")


def _cursor(value: str | None):
    m = _CURSOR.match(value or "")
    if not m:
        return None
    try:
        return dt.date.fromisoformat(m.group(1)), int(m.group(2))
    except ValueError:
        return None


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def bulk_progress(request):
    user = request.user
    if not (user.is_superuser
            or any(g.action == access.HANDLE for g in policy.grants_for(user))):
        raise DjangoPermissionDenied
    source = request.POST if request.method == "POST" else request.GET
    unit_id = (source.get("unit") or "").strip()[:18] or None
    cursor_text = (source.get("cursor") or "").strip()[:40]
    after = _cursor(cursor_text)
    rows, next_cursor = svc.open_for_bulk(actor=user, unit_id=unit_id, after=after, limit=PAGE)
    entered: dict[int, dict] = {}
    row_errors: dict[int, dict[str, list[str]]] = {}  # by row: percent, text or row
    general: list[str] = []
    status = 200
    if request.method == "POST":
        ids = [int(x) for x in request.POST.getlist("id") if x.isdigit() and len(x) < 18]
        payload, order = [], []
        for pk in ids[:svc.MAX_ROWS]:
            pct = (request.POST.get(f"p-{pk}") or "").strip()[:10]
            text = (request.POST.get(f"t-{pk}") or "").strip()[:svc.MAX_TEXT + 1]
            entered[pk] = {"percent": pct, "text": text}
            if pct or text:
                payload.append({"directive_id": pk, "percent": pct, "text": text})
                order.append(pk)
        if not payload:
            general.append(_("Enter the progress of at least one directive."))
            status = 422
        else:
            try:
                reports = svc.progress_bulk(actor=user, rows=payload)
            except InvalidInput as err:
                status = 422
                # the rows' own messages follow in the summary, each linked to its input
                general.append(_("Nothing was saved: correct the rows marked.") if any(
                    _ROW.match(f) for f in err.fields) else err.message)
                for field, msgs in err.fields.items():
                    m = _ROW.match(field)
                    if m and int(m.group(1)) < len(order):
                        where = m.group(2) if m.group(2) in ("percent", "text") else "row"
                        row_errors.setdefault(order[int(m.group(1))], {}) \
                            .setdefault(where, []).extend(msgs)
                    else:
                        general.extend(msgs)
            else:
                messages.success(request, _("Progress saved for %(n)d directives.")
                                 % {"n": len(reports)})
                target = request.path
                query = "&".join(f"{k}={v}" for k, v in (("unit", unit_id or ""),
                                                          ("cursor", cursor_text)) if v)
                return redirect(target + ("?" + query if query else ""))
    table = [{"d": d, "percent": entered.get(d.pk, {}).get("percent", ""),
              "text": entered.get(d.pk, {}).get("text", ""),
              "errors": row_errors.get(d.pk, {})} for d in rows]
    # The summary names each wrong row and leads to its input.
    linked = [{"code": r["d"].code, "message": m,
               "anchor": f"{'t' if where == 'text' else 'p'}-{r['d'].pk}"}
              for r in table for where, msgs in r["errors"].items() for m in msgs]
    return render(request, "directives/bulk_progress.html", {
        "table": table, "general": general, "linked": linked, "unit": unit_id or "", "cursor": cursor_text,
        "next_cursor": f"{next_cursor[0].isoformat()}_{next_cursor[1]}" if next_cursor else "",
        "today": dt.date.today(),
    }, status=status)
