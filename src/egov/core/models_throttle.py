"""The fixed-window rate-limit counters (egov.core.throttle): one row per (scope, client,
window). Incremented by one atomic statement (INSERT … ON CONFLICT DO UPDATE … RETURNING);
rows of windows that ended are deleted by the workers' periodic pass (egov.core.jobs.reap),
never on the request path."""

from __future__ import annotations

from django.db import models


class RateCounter(models.Model):
    """How many events of a scope one client made in one window. ``bucket`` is
    "<scope>:<client hash>:<seconds>:<window number>"; ``expires`` is the end of the window."""

    bucket = models.CharField(max_length=160, primary_key=True)
    count = models.PositiveIntegerField(default=0)
    expires = models.DateTimeField(db_index=True)

    class Meta:
        verbose_name = "rate counter"
        verbose_name_plural = "rate counters"

    def __str__(self) -> str:
        return f"{self.bucket}: {self.count}"
