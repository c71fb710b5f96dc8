"""Checkpoints of the audit chain outside the database: written by audit_log after the interval,
by `egov audit checkpoint`, RFC 3161-timestamped by a (loopback) TSA when one is configured; the
log itself is tamper-evident; and the key behind it all."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import os
import stat
from io import StringIO
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from egov.core import audit_checkpoints, audit_keys
from egov.core.audit import audit_log, audit_verify
from egov.core.tasks_audit import audit_checkpoint
from tests.core.audit_tools import append, verify_fails, verify_passes


@pytest.fixture(autouse=True)
def checkpoint_file(settings, tmp_path) -> Path:
    settings.EGOV_AUDIT_CHECKPOINT_DIR = str(tmp_path / "checkpoints")
    audit_checkpoints.reset_schedule()
    yield audit_checkpoints.FileCheckpointStore().path
    audit_checkpoints.reset_schedule()


def _lines(path: Path) -> list[dict]:
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text().splitlines()]


@pytest.fixture(scope="module")
def loopback_tsa():
    from egov.signing import pki, tsa

    url, stop = tsa.serve_tsa(pki.create_root_ca("eGov Audit Test CA"))
    yield url
    stop()


# --- Writing -------------------------------------------------------------------------------------


def test_command_writes_a_checkpoint(db, checkpoint_file):
    events = append(3)
    out = StringIO()
    call_command("audit", "checkpoint", stdout=out)
    assert "Checkpoint 1 written without a timestamp: seq 3" in out.getvalue()
    [line] = _lines(checkpoint_file)
    assert (line["n"], line["seq"], line["hash"], line["tst"]) == (1, 3, events[-1].hash, None)
    assert stat.S_IMODE(os.stat(checkpoint_file).st_mode) == 0o600

    append(1)
    call_command("audit", "checkpoint", stdout=StringIO())
    second = _lines(checkpoint_file)[1]
    assert (second["n"], second["seq"], second["prev_mac"]) == (2, 4, line["mac"])
    assert "2 checkpoints intact (0 with an RFC 3161 timestamp); newest: seq 4" in verify_passes()


def test_command_if_due(db, settings, checkpoint_file):
    settings.EGOV_AUDIT_CHECKPOINT_SECONDS = 300
    append(1)
    call_command("audit", "checkpoint", "--if-due", stdout=StringIO())
    out = StringIO()
    call_command("audit", "checkpoint", "--if-due", stdout=out)
    assert "none due" in out.getvalue() and len(_lines(checkpoint_file)) == 1


def test_audit_log_writes_a_checkpoint_after_the_interval(
        db, settings, monkeypatch, checkpoint_file, django_capture_on_commit_callbacks):
    settings.EGOV_AUDIT_CHECKPOINT_SECONDS = 300
    with django_capture_on_commit_callbacks(execute=True):
        audit_log(actor=None, action="first")  # no checkpoint yet: one is due at once
    assert [c["seq"] for c in _lines(checkpoint_file)] == [1]

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        audit_log(actor=None, action="second")
    assert not callbacks  # within the interval: not even a check is scheduled
    audit_checkpoints.reset_schedule()  # another process, which has not looked yet
    with django_capture_on_commit_callbacks(execute=True):
        audit_log(actor=None, action="third")
    assert [c["seq"] for c in _lines(checkpoint_file)] == [1]  # the newest is still young

    # Five minutes later (wall clock and this process's monotonic clock).
    later = timezone.now() + dt.timedelta(seconds=301)
    monkeypatch.setattr(audit_checkpoints.timezone, "now", lambda: later)
    clock = audit_checkpoints.time.monotonic() + 301
    monkeypatch.setattr(audit_checkpoints.time, "monotonic", lambda: clock)
    with django_capture_on_commit_callbacks(execute=True):
        audit_log(actor=None, action="fourth")
    assert [c["seq"] for c in _lines(checkpoint_file)] == [1, 4]
    assert audit_verify().checkpoints == 2


def test_a_batch_schedules_one_check(db, settings, checkpoint_file,
                                     django_capture_on_commit_callbacks):
    settings.EGOV_AUDIT_CHECKPOINT_SECONDS = 300
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        append(50)
    assert len(callbacks) == 1
    assert [c["seq"] for c in _lines(checkpoint_file)] == [50]


def test_no_automatic_checkpoint_when_off(db, settings, checkpoint_file,
                                          django_capture_on_commit_callbacks):
    settings.EGOV_AUDIT_CHECKPOINT_SECONDS = 0
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        audit_log(actor=None, action="x")
    assert not callbacks and not checkpoint_file.exists()


def test_rolled_back_event_writes_no_checkpoint(db, settings, checkpoint_file,
                                                django_capture_on_commit_callbacks):
    from django.db import transaction

    settings.EGOV_AUDIT_CHECKPOINT_SECONDS = 300
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError):
        with transaction.atomic():
            audit_log(actor=None, action="rolled.back")
            raise RuntimeError
    assert not checkpoint_file.exists()


def test_checkpoint_timestamped_by_the_tsa(db, settings, loopback_tsa, checkpoint_file):
    settings.EGOV_TSA_URL = loopback_tsa
    append(2)
    out = StringIO()
    call_command("audit", "checkpoint", stdout=out)
    assert "with an RFC 3161 timestamp" in out.getvalue()
    [line] = _lines(checkpoint_file)
    cp = audit_checkpoints.parse_line(json.dumps(line))
    at, error = audit_checkpoints.check_timestamp(cp)
    assert not error and abs((at - cp.at_datetime).total_seconds()) < 60
    # The token belongs to this line only.
    other = dataclasses.replace(cp, seq=1)
    assert audit_checkpoints.check_timestamp(other)[1] == (
        "the timestamp token does not match the checkpoint")
    assert "1 checkpoints intact (1 with an RFC 3161 timestamp)" in verify_passes()


def test_with_a_tsa_audit_log_hands_the_checkpoint_to_the_worker(
        db, settings, loopback_tsa, checkpoint_file, django_capture_on_commit_callbacks):
    settings.EGOV_TSA_URL = loopback_tsa
    settings.EGOV_AUDIT_CHECKPOINT_SECONDS = 300
    before = DBTaskResult.objects.count()
    with django_capture_on_commit_callbacks(execute=True):
        audit_log(actor=None, action="x")
    assert not checkpoint_file.exists()  # the request did not wait for the TSA
    job = DBTaskResult.objects.order_by("-enqueued_at").first()
    assert DBTaskResult.objects.count() == before + 1
    assert job.task_path == "egov.core.tasks_audit.audit_checkpoint"

    assert audit_checkpoint.call() == 1  # what the worker runs
    [line] = _lines(checkpoint_file)
    assert line["seq"] == 1 and line["tst"]
    assert audit_checkpoint.call() == -1  # a second job finds a fresh checkpoint


def test_tsa_down_still_writes_the_checkpoint(db, settings, checkpoint_file):
    settings.EGOV_TSA_URL = "http://127.0.0.1:9/tsa"  # discard port: nothing answers
    settings.EGOV_TSA_TIMEOUT = 2
    append(1)
    call_command("audit", "checkpoint", stdout=StringIO())
    assert _lines(checkpoint_file)[0]["tst"] is None
    assert verify_passes()


def test_concurrent_writers_keep_one_log(transactional_db, checkpoint_file):
    """Writers appending events and checkpoints at the same time (each its own file handle and
    database connection): the lines stay numbered and chained, and the whole verifies."""
    from tests.concurrency import run_threads

    def worker(k: int) -> None:
        for i in range(5):
            audit_log(actor=f"system:thread-{k}", action="test.concurrent", details={"i": i})
            audit_checkpoints.write_checkpoint()

    errors = run_threads(worker, 4)
    assert not errors, errors
    lines = _lines(checkpoint_file)
    assert [c["n"] for c in lines] == list(range(1, 21))
    seqs = [c["seq"] for c in lines]
    assert seqs == sorted(seqs) and seqs[-1] == 20
    result = audit_verify()
    assert result.ok and result.checked == 20 and result.checkpoints == 20


# --- The log itself ------------------------------------------------------------------------------


def _three_checkpoints(checkpoint_file) -> list[str]:
    for _ in range(3):
        append(1)
        call_command("audit", "checkpoint", verbosity=0, stdout=StringIO())
    return checkpoint_file.read_text().splitlines()


def test_edited_checkpoint_line_is_detected(db, checkpoint_file):
    lines = _three_checkpoints(checkpoint_file)
    data = json.loads(lines[1])
    data["seq"] = 1
    lines[1] = json.dumps(data)
    checkpoint_file.write_text("\n".join(lines) + "\n")
    err = verify_fails()
    assert "checkpoint 2 fails its MAC" in err


def test_removed_checkpoint_line_is_detected(db, checkpoint_file):
    lines = _three_checkpoints(checkpoint_file)
    checkpoint_file.write_text("\n".join([lines[0], lines[2]]) + "\n")
    assert "line 2 is checkpoint 3" in verify_fails()


def test_garbage_in_the_log_is_detected_and_not_extended(db, checkpoint_file):
    _three_checkpoints(checkpoint_file)
    with checkpoint_file.open("a") as f:
        f.write("not json\n")
    assert "line 4 is not a checkpoint" in verify_fails()
    with pytest.raises(CommandError, match="not a checkpoint"):
        call_command("audit", "checkpoint", stdout=StringIO())


def test_checkpoints_of_another_key_are_named(db, settings, checkpoint_file):
    _three_checkpoints(checkpoint_file)
    settings.EGOV_AUDIT_KEY = "another-audit-key-of-at-least-32-characters"
    result = audit_verify()
    assert not result.ok and "another audit key" in result.reason


# --- The key -------------------------------------------------------------------------------------


def test_key_file_is_created_once_with_mode_0600(settings, tmp_path):
    settings.EGOV_AUDIT_KEY = ""
    settings.EGOV_AUDIT_KEY_FILE = str(tmp_path / "var" / "audit_key")
    key = audit_keys.chain_key()
    path = Path(settings.EGOV_AUDIT_KEY_FILE)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert len(path.read_text().strip()) >= 32
    assert [p.name for p in path.parent.iterdir()] == ["audit_key"]
    audit_keys._cache.clear()
    assert audit_keys.chain_key() == key  # read back, not replaced

    settings.EGOV_AUDIT_KEY_FILE = str(tmp_path / "other")
    assert audit_keys.chain_key() != key


def test_verify_never_invents_a_key(db, settings, tmp_path):
    """A host without the key cannot verify: it says so instead of creating a new key."""
    test_key = settings.EGOV_AUDIT_KEY
    settings.EGOV_AUDIT_KEY = ""
    settings.EGOV_AUDIT_KEY_FILE = str(tmp_path / "other" / "audit_key")
    assert audit_verify().ok  # nothing written yet: nothing to check
    settings.EGOV_AUDIT_KEY = test_key
    append(1)
    settings.EGOV_AUDIT_KEY = ""
    with pytest.raises(CommandError, match="no audit key"):
        call_command("audit", "verify", stdout=StringIO())
    assert not (tmp_path / "other").exists()


def test_short_key_is_refused(settings):
    settings.EGOV_AUDIT_KEY = "too-short"
    with pytest.raises(ImproperlyConfigured, match="32"):
        audit_keys.chain_key()
