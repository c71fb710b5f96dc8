"""Unexpected errors (HTTP 500) with a reference that the user sees and the log line carries.

Every unexpected exception is logged once by the `egov.server_error` logger, with its traceback
and a short random reference ("E-3F9A1C7B2D"). The answer shows the same reference:

- under /api/ the one error shape plus the reference:
  `{"code": "server_error", "message": …, "fields": {}, "reference": "E-…"}` (the API's
  catch-all handler in egov.core.api, and `server_error` below for errors outside Ninja);
- elsewhere the 500 page (templates/500.html), which asks the user to quote the reference.

`server_error` is Django's `handler500` (egov.urls). Django calls it inside the `except` block,
so sys.exc_info() still holds the exception.
"""

from __future__ import annotations

import json
import logging
import secrets
import sys

from django.http import HttpRequest, HttpResponse, HttpResponseServerError
from django.template import loader
from django.utils.translation import gettext as _

logger = logging.getLogger("egov.server_error")


def new_reference() -> str:
    return "E-" + secrets.token_hex(5).upper()


def log_server_error(request: HttpRequest, exc_info) -> str:
    """Log the exception with a new reference (once per request) and return the reference."""
    reference = getattr(request, "egov_error_reference", None)
    if reference:
        return reference
    reference = new_reference()
    request.egov_error_reference = reference
    logger.error("Server error %s on %s %s", reference, request.method,
                 request.get_full_path()[:500], exc_info=exc_info)
    return reference


def server_error_body(reference: str) -> dict:
    return {
        "code": "server_error",
        "message": _("The server could not finish this request. Quote the reference %(ref)s "
                     "to your administrator.") % {"ref": reference},
        "fields": {},
        "reference": reference,
    }


def server_error(request: HttpRequest) -> HttpResponse:
    """handler500: JSON under /api/, the 500 page elsewhere; both name the reference."""
    exc_info = sys.exc_info()
    reference = log_server_error(request, exc_info if exc_info[0] is not None else None)
    if request.path.startswith("/api/"):
        return HttpResponse(json.dumps(server_error_body(reference), ensure_ascii=False),
                            status=500, content_type="application/json; charset=utf-8")
    try:
        template = loader.get_template("500.html")
        body = template.render({"reference": reference})
    except Exception:  # the page itself failed (templates, static files): plain text
        body = _("Server error. Reference: %(ref)s") % {"ref": reference}
        return HttpResponseServerError(body, content_type="text/plain; charset=utf-8")
    return HttpResponseServerError(body)
