"""Tiny background jobs for the worker tests (imported by the real `egov worker` subprocess)."""

from __future__ import annotations

import time

from django_tasks import task


@task(queue_name="default")
def probe(n: int) -> int:
    """Returns its argument: proves a worker ran a job."""
    return n


@task(queue_name="mail")
def mail_probe(n: int) -> int:
    return n


@task(queue_name="cpu")
def busy(seconds: float) -> float:
    """Occupies a cpu-queue worker for ``seconds``."""
    time.sleep(seconds)
    return seconds


@task(queue_name="default")
def unlucky(n: int) -> int:
    """A job whose failure hooks the tests observe (see test_jobs)."""
    return n


@task(queue_name="default")
def attempt_probe() -> int:
    """Returns the attempt the worker says this run is."""
    from egov.core import jobs

    return jobs.attempt()
