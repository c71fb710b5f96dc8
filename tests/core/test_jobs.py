"""Jobs and processes survive crashes (issue 8 §2): the reaper takes up the jobs of dead workers
(again, or failed with the reason through the module's hook), /healthz names what is down, the
worker outlives a lost database, and `egov serve` restarts a killed worker without taking the
web server down. Real processes, really killed."""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import time
import urllib.error
import urllib.request

import pytest
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from egov.core import jobs
from egov.core.models import WorkerHeartbeat
from tests import jobs_support as js
from tests import jobs_tasks


def _running(task, *args, workers: list[str], age: float = 600) -> DBTaskResult:
    """A job as a worker left it: RUNNING, claimed by ``workers`` (one per attempt)."""
    result = task.enqueue(*args)
    started = timezone.now() - dt.timedelta(seconds=age)
    DBTaskResult.objects.filter(pk=result.id).update(status="RUNNING", started_at=started,
                                                     worker_ids=workers)
    return DBTaskResult.objects.get(pk=result.id)


# --- the reaper ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_reaper_runs_a_dead_workers_job_again_and_leaves_live_ones(settings):
    settings.EGOV_JOB_STALE_SECONDS = 60
    dead = _running(jobs_tasks.probe, 1, workers=["dead-worker"])
    jobs.beat("live-worker", "*")
    live = _running(jobs_tasks.probe, 2, workers=["live-worker"])
    young = _running(jobs_tasks.probe, 3, workers=["unknown"], age=5)  # just claimed

    moved = jobs.reap()

    assert moved == {"requeued": [str(dead.pk)], "failed": []}
    assert DBTaskResult.objects.get(pk=dead.pk).status == "READY"
    assert DBTaskResult.objects.get(pk=live.pk).status == "RUNNING"
    assert DBTaskResult.objects.get(pk=young.pk).status == "RUNNING"
    # a stale heartbeat is a dead worker too
    WorkerHeartbeat.objects.filter(pk="live-worker").update(
        last_seen=timezone.now() - dt.timedelta(seconds=120))
    assert jobs.reap()["requeued"] == [str(live.pk)]


@pytest.mark.django_db
def test_reaper_fails_a_job_after_the_last_attempt_and_runs_the_modules_hook(settings):
    settings.EGOV_JOB_MAX_ATTEMPTS = 3
    seen: list[tuple] = []

    @jobs.on_failure(jobs_tasks.unlucky)
    def hook(n, *, reason):
        seen.append((n, reason))

    try:
        twice = _running(jobs_tasks.unlucky, 7, workers=["w1", "w2"])
        assert jobs.reap()["requeued"] == [str(twice.pk)]  # a third attempt is left
        assert seen == []
        thrice = _running(jobs_tasks.unlucky, 8, workers=["w1", "w2", "w3"])
        assert jobs.reap()["failed"] == [str(thrice.pk)]
    finally:
        jobs._failure_handlers[jobs_tasks.unlucky.module_path].remove(hook)
    result = DBTaskResult.objects.get(pk=thrice.pk)
    assert result.status == "FAILED" and result.finished_at is not None
    assert result.exception_class_path == "egov.core.jobs.WorkerDied"
    assert seen == [(8, "egov.core.jobs.WorkerDied: worker died: the worker stopped while "
                        "running this job 3 times")]


@pytest.mark.django_db
def test_attempt_is_the_number_of_claims():
    """A job's body learns it is a re-run: the worker sets the attempt from worker_ids."""
    from egov.core.management.commands.worker import EgovWorker

    worker = EgovWorker(queue_names=["*"], interval=0, batch=True, backend_name="default",
                        startup_delay=False, max_tasks=None, worker_id="w-now",
                        excluded_queue_names=[])
    result = _running(jobs_tasks.attempt_probe, workers=["dead", "w-now"])
    worker.run_task(result)
    result.refresh_from_db()
    assert (result.status, result.return_value) == ("SUCCESSFUL", 2)
    assert jobs.attempt() == 1  # reset after the job


# --- /healthz -----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_healthz_names_a_missing_worker(client, settings):
    settings.EGOV_JOB_STALE_SECONDS = 60
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json() == {"database": "ok", "worker": "down"}

    jobs.beat("w-healthy", "*")
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"database": "ok", "worker": "ok"}
    assert "no-cache" in response["Cache-Control"]

    WorkerHeartbeat.objects.update(last_seen=timezone.now() - dt.timedelta(seconds=61))
    assert client.get("/healthz").status_code == 503


def _get(url: str, timeout: float = 5) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:  # noqa: S310 - loopback
            return response.status, response.read()
    except urllib.error.HTTPError as err:
        return err.code, err.read()
    except OSError:
        return 0, b""


def test_healthz_answers_503_when_the_database_is_down(tmp_path):
    """A real server whose database does not exist: 503 naming the database, not "ok"."""
    from django.db import connection

    port = js.free_port()
    if connection.vendor == "sqlite":
        missing = js.database_env(str(tmp_path / "no-such-dir" / "egov.sqlite3"))
    else:
        missing = js.database_env("egov_no_such_database")
    log = tmp_path / "serve.log"
    serve = js.start(["serve", "--no-worker", "--port", str(port), "--web-workers", "1"], log,
                     **missing)
    try:
        status, body = js.wait_for(
            lambda: (r := _get(f"http://127.0.0.1:{port}/healthz"))[0] and r, 60,
            "the server", log)
        assert status == 503, body
        assert json.loads(body) == {"database": "down", "worker": "unknown"}
    finally:
        js.stop(serve)


# --- the worker outlives a lost database --------------------------------------------------------


def _status(result_id) -> str:
    return DBTaskResult.objects.filter(pk=result_id).values_list("status", flat=True).first()


@pytest.mark.django_db(transaction=True)
def test_worker_outlives_a_lost_database_and_runs_the_next_job(tmp_path):
    """PostgreSQL: every connection of the worker is ended by pg_terminate_backend. SQLite: the
    database file is missing when the worker starts and appears later. Either way the worker
    keeps running (it waits with backoff) and then runs the next job."""
    from django.db import connection

    log = tmp_path / "worker.log"
    extra = {}
    if connection.vendor == "sqlite":
        later = tmp_path / "later"
        extra = js.database_env(str(later / "egov.sqlite3"))
    worker = js.start_worker(log, **extra)
    try:
        if connection.vendor == "sqlite":
            js.wait_for(lambda: "database unavailable" in log.read_text(), 60,
                        "the worker to meet the missing database", log)
            time.sleep(1)
            assert worker.poll() is None, log.read_text()
            later.mkdir()
            os.symlink(connection.settings_dict["NAME"], later / "egov.sqlite3")
        first = jobs_tasks.probe.enqueue(1)
        js.wait_for(lambda: _status(first.id) == "SUCCESSFUL", 60, "the first job", log)
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                               "WHERE datname = current_database() AND pid <> pg_backend_pid()")
                assert cursor.fetchall(), "the worker had no connection to end"
        second = jobs_tasks.probe.enqueue(2)
        js.wait_for(lambda: _status(second.id) == "SUCCESSFUL", 60, "the next job", log)
        assert worker.poll() is None, log.read_text()
        assert "database unavailable" in log.read_text()
    finally:
        js.stop(worker)
        if connection.vendor == "sqlite":
            shutil.rmtree(tmp_path / "later", ignore_errors=True)


# --- egov serve ---------------------------------------------------------------------------------


def _workers(serve_pid: int) -> dict[int, str]:
    return {pid: js.cmdline(pid) for pid in js.children(serve_pid)
            if " worker " in js.cmdline(pid)}


@pytest.mark.django_db(transaction=True)
def test_serve_restarts_a_killed_worker_and_the_site_stays_up(tmp_path):
    port = js.free_port()
    base = f"http://127.0.0.1:{port}"
    log = tmp_path / "serve.log"
    serve = js.start(["serve", "--port", str(port), "--web-workers", "1"], log)
    try:
        status, body = js.wait_for(
            lambda: (r := _get(f"{base}/healthz"))[0] == 200 and r, 90, "a healthy site", log)
        assert json.loads(body) == {"database": "ok", "worker": "ok"}
        workers = js.wait_for(lambda: len(w := _workers(serve.pid)) == 2 and w, 30,
                              "two workers", log)
        assert sorted("--queue-name cpu" in c for c in workers.values()) == [False, True]
        web = [pid for pid in js.children(serve.pid) if "gunicorn" in js.cmdline(pid)]

        # a busy cpu worker does not delay mail: the other worker takes the mail job
        busy = jobs_tasks.busy.enqueue(8)
        js.wait_for(lambda: _status(busy.id) == "RUNNING", 30, "the busy job", log)
        mail = jobs_tasks.mail_probe.enqueue(1)
        js.wait_for(lambda: _status(mail.id) == "SUCCESSFUL", 6, "mail beside a busy job", log)
        assert _status(busy.id) == "RUNNING"

        for pid in workers:
            js.kill9(pid)
        restarted = js.wait_for(
            lambda: len(w := _workers(serve.pid)) == 2 and not set(w) & set(workers) and w,
            30, "both workers started again", log)
        assert serve.poll() is None
        assert [pid for pid in js.children(serve.pid) if "gunicorn" in js.cmdline(pid)] == web
        assert _get(f"{base}/login/")[0] == 200
        # the killed cpu worker's job is taken up by its successor and completes
        js.wait_for(lambda: _status(busy.id) == "SUCCESSFUL", 60, "the busy job again", log)
        assert len(DBTaskResult.objects.get(pk=busy.id).worker_ids) == 2
        assert restarted and _get(f"{base}/healthz")[0] == 200

        # gunicorn itself dies: serve stops the workers and exits with an error
        js.kill9(web[0])
        assert js.wait_for(lambda: serve.poll() is not None, 30, "serve to exit", log)
        assert serve.returncode == 1
        assert not any(js.cmdline(pid) for pid in restarted)
    finally:
        js.stop(serve)
