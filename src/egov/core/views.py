"""The web shell: sign-in, "Việc của tôi" (the inbox), notifications, API tokens, audit trail.

Views are thin: parse, call one service or selector, render. Every page works without
JavaScript; htmx only loads the next page of a list in place.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render, resolve_url
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_POST
from django_htmx.http import HttpResponseClientRedirect

from . import admin_site  # noqa: F401  (sets the admin's titles)
from .errors import AppError, InvalidInput, NotFound
from .forms import AuditFilterForm, LoginForm, TokenCreateForm, apply_app_error
from .models import AuditEvent, Notification
from .pagination import keyset_page

PAGE_SIZE = 50


def _is_htmx(request) -> bool:
    return bool(getattr(request, "htmx", False))


def _cursor(request) -> str | None:
    return (request.GET.get("cursor") or "").strip() or None


def _bad_cursor(request, url_name: str, err: AppError):
    """A cursor that does not decode: say so and show the first page (never a 500)."""
    messages.warning(request, err.message)
    url = reverse(url_name)
    query = request.GET.copy()
    query.pop("cursor", None)
    if query:
        url += "?" + query.urlencode()
    if _is_htmx(request):
        return HttpResponseClientRedirect(url)
    return redirect(url)


# --- sign in / out ------------------------------------------------------------------------------


def _safe_next(request) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return ""


@sensitive_post_parameters("password")
@csrf_protect
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def login_view(request):
    from .auth import authenticate_with_lockout

    next_url = _safe_next(request)
    if request.user.is_authenticated and request.method != "POST":
        return redirect(next_url or resolve_url(settings.LOGIN_REDIRECT_URL))
    form = LoginForm(request.POST if request.method == "POST" else None)
    status = 200
    retry_after = None
    if request.method == "POST" and form.is_valid():
        try:
            user = authenticate_with_lockout(
                request, form.cleaned_data["username"], form.cleaned_data["password"]
            )
        except AppError as err:
            form.add_error(None, err.message)
            status = err.status
            retry_after = getattr(err, "retry_after", None)
        else:
            login(request, user)
            return redirect(next_url or resolve_url(settings.LOGIN_REDIRECT_URL))
    elif request.method == "POST":
        status = 422
    response = render(request, "egov/login.html", {"form": form, "next": next_url},
                      status=status)
    if retry_after is not None:
        response["Retry-After"] = str(retry_after)
    return response


@require_POST
def logout_view(request):
    from .auth import audit_logout

    audit_logout(request)
    logout(request)
    messages.info(request, _("You have signed out."))
    return redirect(settings.LOGOUT_REDIRECT_URL)


# --- Việc của tôi --------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "HEAD"])
def inbox(request):
    from .selectors import inbox_page

    cursor = _cursor(request)
    try:
        page = inbox_page(actor=request.user, cursor=cursor, limit=PAGE_SIZE)
    except AppError as err:
        if cursor is None:
            raise
        return _bad_cursor(request, "inbox", err)
    context = {"page": page, "items": page.items, "cursor": cursor}
    if _is_htmx(request) and cursor:
        response = render(request, "egov/_inbox_rows.html", context)
    else:
        response = render(request, "egov/inbox.html", context)
    patch_vary_headers(response, ("HX-Request",))
    return response


@login_required
@require_http_methods(["GET", "HEAD"])
def workitem_detail(request, pk: int):
    """One work item: its link when it has one (a document…), else this page — items of the
    system ("Hệ thống") often have no page of their own. Opening records `opened_at`."""
    from .models import WorkItem
    from .selectors import _with_deadline_state
    from .services import _may_handle, workitem_open
    from .templatetags.egov import safe_href

    item = WorkItem.objects.select_related("assignee_unit", "assignee_user").filter(
        pk=pk).first()
    if item is None or not _may_handle(request.user, item):
        raise Http404
    if item.state == "open" and request.method == "GET":
        workitem_open(actor=request.user, item=item)
    href = safe_href(item.url)
    if href:
        return redirect(href)
    _with_deadline_state([item])
    return render(request, "egov/workitem.html", {"item": item})


# --- notifications ------------------------------------------------------------------------------


NOTIFICATION_ORDER = ("-created_at", "-id")


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def notifications(request):
    if request.method == "POST":
        from .notifications import mark_all_read

        count = mark_all_read(actor=request.user)
        if count:
            messages.success(request, _("All notifications are marked as read."))
        return redirect("notifications")
    cursor = _cursor(request)
    qs = Notification.objects.filter(user=request.user)
    try:
        page = keyset_page(qs, order=NOTIFICATION_ORDER, cursor=cursor, limit=PAGE_SIZE)
    except InvalidInput as err:
        return _bad_cursor(request, "notifications", err)
    return render(request, "egov/notifications.html",
                  {"page": page, "items": page.items, "cursor": cursor})


@login_required
@require_http_methods(["GET", "HEAD"])
def notification_open(request, pk: int):
    """Open a notification: mark it read (only the owner's, only once) and go to its target,
    or back to the list when it has none. A plain link, so it works without JavaScript."""
    from django.utils import timezone

    from .templatetags.egov import safe_href

    note = Notification.objects.filter(pk=pk, user=request.user).only("pk", "url").first()
    if note is None:
        raise Http404
    if request.method == "GET":
        Notification.objects.filter(pk=note.pk, read_at__isnull=True).update(
            read_at=timezone.now())
    return redirect(safe_href(note.url) or reverse("notifications"))


# --- API tokens ---------------------------------------------------------------------------------


@login_required
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def api_tokens(request):
    from .tokens import token_create, token_revoke

    form = TokenCreateForm()
    created = raw = None
    status = 200
    if request.method == "POST":
        if request.POST.get("op") == "revoke":
            try:
                token_revoke(actor=request.user, token_id=int(request.POST.get("token_id", "")))
            except (ValueError, NotFound):
                messages.error(request, _("This token does not exist."))
            else:
                messages.success(request, _("The token is revoked."))
            return redirect("api_tokens")
        form = TokenCreateForm(request.POST)
        if form.is_valid():
            try:
                created, raw = token_create(actor=request.user, name=form.cleaned_data["name"])
            except AppError as err:
                apply_app_error(form, err)
            else:
                form = TokenCreateForm()
        if form.errors:
            status = 422
    from .selectors import api_token_page

    cursor = _cursor(request) if request.method != "POST" else None
    try:
        page = api_token_page(actor=request.user, cursor=cursor, limit=PAGE_SIZE)
    except InvalidInput as err:
        return _bad_cursor(request, "api_tokens", err)
    return render(request, "egov/tokens.html", {
        "form": form, "tokens": page.items, "page": page, "cursor": cursor,
        "created": created, "raw_token": raw,
    }, status=status)


# --- audit trail --------------------------------------------------------------------------------


AUDIT_ORDER = ("-seq",)


@login_required
@require_http_methods(["GET", "HEAD"])
def audit_trail(request):
    from .policy import can

    if not can(request.user, "core.view_audit"):
        raise PermissionDenied
    form = AuditFilterForm(request.GET or None)
    qs = AuditEvent.objects.all()
    if form.is_bound and form.is_valid():
        action = form.cleaned_data["action"].strip()
        if action.endswith("."):
            qs = qs.filter(action__startswith=action)
        elif action:
            qs = qs.filter(action=action)
        if form.cleaned_data["object_type"].strip():
            qs = qs.filter(object_type=form.cleaned_data["object_type"].strip().lower())
        if form.cleaned_data["object_id"].strip():
            qs = qs.filter(object_id=form.cleaned_data["object_id"].strip())
        if form.cleaned_data["actor"].strip():
            qs = qs.filter(actor_name__icontains=form.cleaned_data["actor"].strip())
        qs = _audit_dates(qs, form.cleaned_data["date_from"], form.cleaned_data["date_to"])
    elif form.is_bound:
        qs = qs.none()
    cursor = _cursor(request)
    try:
        page = keyset_page(qs, order=AUDIT_ORDER, cursor=cursor, limit=PAGE_SIZE)
    except InvalidInput as err:
        return _bad_cursor(request, "audit_log", err)
    query = request.GET.copy()
    query.pop("cursor", None)
    from .audit_labels import audit_label, detail_items, object_type_label

    for e in page.items:
        e.label = audit_label(e.action)
        e.object_label = object_type_label(e.object_type)
        e.detail_items = detail_items(e.details)
    return render(request, "egov/audit.html", {
        "form": form, "page": page, "items": page.items, "cursor": cursor,
        "filter_query": query.urlencode(),
    })


def _audit_dates(qs, start, end):
    """Events from the start of `start` to the end of `end`, local days (Asia/Ho_Chi_Minh)."""
    import datetime as dt

    from django.utils import timezone

    tz = timezone.get_current_timezone()
    if start:
        qs = qs.filter(at__gte=dt.datetime.combine(start, dt.time.min, tzinfo=tz))
    if end:
        qs = qs.filter(at__lt=dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min,
                                                  tzinfo=tz))
    return qs


# --- health -------------------------------------------------------------------------------------


@never_cache
def healthz(request):
    """Liveness for load balancers and monitors (unauthenticated, two cheap queries): 200
    {"database": "ok", "worker": "ok"} when the database answers and at least one background
    worker has a fresh heartbeat; 503 naming what is down otherwise."""
    from django.db import DatabaseError, connection
    from django.http import JsonResponse

    from . import jobs

    status = {"database": "ok", "worker": "ok"}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        status = {"database": "down", "worker": "unknown"}
        try:
            connection.close()  # the next request reconnects
        except DatabaseError:
            pass
    else:
        uses_workers = "django_tasks_db" in settings.TASKS["default"]["BACKEND"]
        try:
            if uses_workers and not jobs.live_workers():
                status["worker"] = "down"
        except DatabaseError:
            status["worker"] = "unknown"
    healthy = all(value == "ok" for value in status.values())
    return JsonResponse(status, status=200 if healthy else 503)
