"""Settings of the HTTP bench (bench_public_and_search.py): egov's own settings with the URLs of
bench_urls (egov's plus one trivial view, the baseline the public pages are compared with).
Only the bench uses it (gunicorn runs with DJANGO_SETTINGS_MODULE=bench_site, bench/ on the
path)."""

from egov.settings import *  # noqa: F403 - the real settings, unchanged but for the URLs

ROOT_URLCONF = "bench_urls"
