"""Public dossier look-up pages (no login): /public/lookup/ (the dossier code + the last 4 digits
of the applicant's phone or ID number, sent by POST so the digits stay out of addresses and
logs), /public/d/<token>/ (the QR code printed on Mẫu 01) and /public/d/<token>/rate/ (the
satisfaction rating once the result is returned, QĐ 766 indicator 5.4).

The timeline is egov.onestop.selectors.public's: no personal data. A wrong check is answered
exactly like an unknown code. Every look-up and rating counts against the per-client limit
(egov.portal.limits); over it → 429 with Retry-After.

The QR page is the hot path: an anonymous GET reuses what this process rendered for the same
timeline (the selector's key), with the visitor's own CSRF token put in (as /verify/c/<code>/
does, egov.portal.views).
"""

from __future__ import annotations

import threading
from collections import OrderedDict

from django.contrib import messages
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from egov.core.errors import AppError, NotFound
from egov.core.forms import apply_app_error
from egov.onestop.selectors import public as public_sel
from egov.onestop.services.rating import dossier_rate

from . import limits
from .forms_onestop import LookupForm, RateForm
from .views import _CSRF_INPUT, CSRF_PLACEHOLDER


def _limited(request):
    verdict = limits.hit(request, "lookup")
    if verdict.allowed:
        return None
    response = render(request, "portal/lookup/limited.html",
                      {"retry_minutes": max(1, (verdict.retry_after + 59) // 60)}, status=429)
    response["Retry-After"] = str(verdict.retry_after)
    return response


@require_http_methods(["GET", "HEAD", "POST"])
def lookup(request):
    """GET: the form; POST: the timeline, or the same "not found" for an unknown code and a
    wrong check (status 404, the form kept with the code)."""
    timeline = None
    not_found = False
    status = 200
    if request.method == "POST":
        limited = _limited(request)
        if limited is not None:
            return limited
        form = LookupForm(request.POST)
        if form.is_valid():
            try:
                timeline = public_sel.public_dossier(form.cleaned_data["code"],
                                                     form.cleaned_data["check"])
            except NotFound:
                not_found = True
                status = 404
        else:
            status = 422
    else:
        form = LookupForm()
    return render(request, "portal/lookup/lookup.html", {
        "form": form, "t": timeline.data if timeline else None, "not_found": not_found,
    }, status=status)


# What dossier_token rendered for anonymous GETs, per process: (timeline key, path) → the page
# with its CSRF token replaced by a placeholder (each visitor gets their own token).
_RENDERED: OrderedDict[tuple, str] = OrderedDict()
_RENDERED_MAX = 1024
_RENDERED_LOCK = threading.Lock()


def _memo_key(request, timeline) -> tuple | None:
    if request.method != "GET" or request.GET or request.COOKIES.get("messages"):
        return None
    if getattr(request, "user", None) is not None and request.user.is_authenticated:
        return None  # the header shows who is signed in
    return (timeline.key, translation.get_language(), request.path)


def _remember(key: tuple, html: str) -> None:
    tokens = set(_CSRF_INPUT.findall(html))
    if len(tokens) != 1:
        return
    with _RENDERED_LOCK:
        _RENDERED[key] = html.replace(tokens.pop(), CSRF_PLACEHOLDER)
        while len(_RENDERED) > _RENDERED_MAX:
            _RENDERED.popitem(last=False)


def forget() -> None:
    with _RENDERED_LOCK:
        _RENDERED.clear()


@require_http_methods(["GET", "HEAD"])
def dossier_token(request, token: str):
    limited = _limited(request)
    if limited is not None:
        return limited
    try:
        timeline = public_sel.public_dossier_by_token(token)
    except NotFound:
        return render(request, "portal/lookup/unknown.html", {}, status=404)
    key = _memo_key(request, timeline)
    if key is not None:
        html = _RENDERED.get(key)
        if html is not None:
            return HttpResponse(html.replace(CSRF_PLACEHOLDER, get_token(request)))
    response = render(request, "portal/lookup/dossier.html",
                      {"t": timeline.data, "token": token, "rate_form": RateForm()})
    if key is not None:
        _remember(key, response.content.decode())
    return response


@require_http_methods(["GET", "HEAD", "POST"])
def dossier_rate_view(request, token: str):
    """GET → the dossier page (the form is on it); POST: the rating, once."""
    if request.method != "POST":
        return redirect("public:dossier_token", token=token)
    limited = _limited(request)
    if limited is not None:
        return limited
    try:
        timeline = public_sel.public_dossier_by_token(token)
    except NotFound:
        return render(request, "portal/lookup/unknown.html", {}, status=404)
    form = RateForm(request.POST)
    status = 422
    if form.is_valid():
        try:
            dossier_rate(token=token, satisfied=form.cleaned_data["satisfied"],
                         score=form.cleaned_data.get("score"),
                         comment=form.cleaned_data.get("comment", ""))
        except AppError as err:
            if err.code in ("already_rated", "not_returned"):
                messages.warning(request, err.message)
                return redirect("public:dossier_token", token=token)
            apply_app_error(form, err)
            status = err.status
        else:
            messages.success(request, _("Thank you: your rating has been recorded."))
            return redirect("public:dossier_token", token=token)
    return render(request, "portal/lookup/dossier.html",
                  {"t": timeline.data, "token": token, "rate_form": form}, status=status)
