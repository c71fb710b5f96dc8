"""Web shell views (placeholder; filled by the web-shell work)."""

from django.http import HttpResponse


def _todo(request, *a, **k):
    return HttpResponse("todo")


inbox = login_view = logout_view = notifications = api_tokens = audit_log = _todo


def healthz(request):
    return HttpResponse("ok", content_type="text/plain")
