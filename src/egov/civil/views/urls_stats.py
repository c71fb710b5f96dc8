"""Civil-status pages: stats (issue 13), included by civil/urls.py at /civil/statistics/."""

from django.urls import path

from .stats import statistics

urlpatterns: list = [path("", statistics, name="statistics")]
