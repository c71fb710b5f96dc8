"""The portal's public API (no login), mounted at /api/v1/portal/ by egov/urls.py.

    GET /api/v1/portal/dossiers/{code}?check=NNNN
        → 200 the public timeline of a one-stop dossier (egov.onestop.selectors.public: no
          personal data); 404 {"code": "not_found"} for an unknown code AND for a wrong check
          (the same body); 422 {"code": "invalid"} when `check` is not 4 digits; more than
          EGOV_ONESTOP_LOOKUP_RATE look-ups per client → 429 {"code": "rate_limited"} with
          Retry-After (egov.portal.limits).

Fast path: one statement for the limit, one for the dossier; the JSON body is memoised per
timeline (the selector's key changes whenever the dossier's public facts do).
"""

from __future__ import annotations

import json
import threading
from collections import OrderedDict

from django.http import HttpResponse
from django.utils.translation import gettext as _
from ninja import Router

from egov.core.api import ErrorOut, error_response
from egov.core.errors import AppError
from egov.onestop.selectors import public as public_sel

from . import limits

router = Router(tags=["portal"])

_BODIES: OrderedDict[tuple, bytes] = OrderedDict()
_BODIES_MAX = 2048
_LOCK = threading.Lock()


def _body(timeline) -> bytes:
    body = _BODIES.get(timeline.key)
    if body is None:
        body = json.dumps(public_sel.as_json(timeline.data), ensure_ascii=False).encode()
        with _LOCK:
            _BODIES[timeline.key] = body
            while len(_BODIES) > _BODIES_MAX:
                _BODIES.popitem(last=False)
    return body


@router.get("/dossiers/{code}", auth=None,
            response={200: dict, 404: ErrorOut, 422: ErrorOut, 429: ErrorOut},
            summary="The public status timeline of a one-stop dossier (no login)")
def dossier_lookup(request, code: str):
    """`check`: the last 4 digits of the applicant's phone or ID number. A wrong check answers
    exactly like an unknown code."""
    verdict = limits.hit(request, "lookup")
    if not verdict.allowed:
        response = error_response(request, 429, "rate_limited",
                                  _("Too many look-ups. Try again later."))
        response["Retry-After"] = str(verdict.retry_after)
        return response
    check = (request.GET.get("check") or "").strip()
    if not public_sel.valid_check(check):
        message = _("Enter the last 4 digits of the phone number or ID number.")
        raise AppError("invalid", message, fields={"check": [message]}, status=422)
    timeline = public_sel.public_dossier(code, check)
    return HttpResponse(_body(timeline), content_type="application/json")


# --- petitions: submission and look-up (i11-intake) ---
from .api_petitions import router as _petitions_router  # noqa: E402

router.add_router("", _petitions_router)
# --- end petitions ---
