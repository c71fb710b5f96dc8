"""The background workers' heartbeats (one row per running `egov worker`; see egov.core.jobs)."""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class WorkerHeartbeat(models.Model):
    """A running worker: written when it starts and every few seconds by its heartbeat thread,
    deleted when it stops cleanly. A row that is not refreshed within EGOV_JOB_STALE_SECONDS
    belongs to a dead worker: its running jobs are taken up again (egov.core.jobs.reap)."""

    worker_id = models.CharField(_("worker id"), max_length=64, primary_key=True)
    host = models.CharField(_("host"), max_length=255, blank=True)
    pid = models.PositiveIntegerField(_("process id"), default=0)
    queues = models.CharField(_("queues"), max_length=255, blank=True)
    started_at = models.DateTimeField(_("started at"), default=timezone.now)
    last_seen = models.DateTimeField(_("last seen"), default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("worker heartbeat")
        verbose_name_plural = _("worker heartbeats")

    def __str__(self) -> str:
        return f"{self.worker_id} ({self.host}:{self.pid})"
