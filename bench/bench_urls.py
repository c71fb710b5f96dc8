"""URLs of the HTTP bench (see bench_site.py): egov's URLs plus the trivial baseline view."""

from django.http import HttpResponse
from django.urls import include, path


def trivial(request):
    """The baseline: Django's whole middleware stack, no query, a few bytes."""
    return HttpResponse(b"ok", content_type="text/plain")


urlpatterns = [
    path("bench/trivial/", trivial),
    path("", include("egov.urls")),
]
