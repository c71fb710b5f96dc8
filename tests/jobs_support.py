"""Real background workers for the crash tests: `egov worker` / `egov serve` started as
subprocesses against the test database (SQLite file or PostgreSQL), killed for real, and small
polling helpers. The test must use a transactional database (the workers see committed rows
only)."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

from django.conf import settings
from django.db import connection

ROOT = Path(__file__).resolve().parent.parent


def database_env(name: str | None = None) -> dict[str, str]:
    """Environment variables that point `egov` at the test database (or at database ``name``
    on the same server / in the same directory)."""
    s = connection.settings_dict
    if s["ENGINE"].endswith("sqlite3"):
        return {"EGOV_SQLITE_PATH": name or str(s["NAME"]), "EGOV_DATABASE_URL": ""}
    user = s.get("USER") or "postgres"
    password = f":{s['PASSWORD']}" if s.get("PASSWORD") else ""
    host, port = s.get("HOST") or "127.0.0.1", s.get("PORT") or 5432
    return {"EGOV_DATABASE_URL": f"postgres://{user}{password}@{host}:{port}/{name or s['NAME']}"}


def egov_env(**extra: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update({
        "DJANGO_SETTINGS_MODULE": "egov.settings_test",
        "EGOV_TESTING": "1",
        "EGOV_VAR_DIR": str(settings.VAR_DIR),
        "EGOV_TEST_MEDIA_ROOT": str(settings.MEDIA_ROOT),
        "EGOV_JOB_HEARTBEAT_SECONDS": "0.5",
        "EGOV_JOB_STALE_SECONDS": "3",
        "PYTHONUNBUFFERED": "1",
    })
    env.update(database_env())
    env.update(extra)
    if not env.get("EGOV_DATABASE_URL"):
        env.pop("EGOV_DATABASE_URL", None)
    return env


def start(args: list[str], log: Path, **extra: str) -> subprocess.Popen:
    """Start `python -m egov.cli ARGS` in its own process group, output to ``log``."""
    out = open(log, "ab")  # noqa: SIM115 - closed with the process by stop()
    process = subprocess.Popen([sys.executable, "-m", "egov.cli", *args], cwd=ROOT,
                               env=egov_env(**extra), stdout=out, stderr=subprocess.STDOUT,
                               start_new_session=True)
    process._egov_log = out  # type: ignore[attr-defined]
    return process


def start_worker(log: Path, *args: str, **extra: str) -> subprocess.Popen:
    return start(["worker", "--no-startup-delay", "--interval", "0.2", "--verbosity", "2",
                  *args], log, **extra)


def stop(process: subprocess.Popen) -> None:
    """Stop a process started by start() and everything in its group (by its own id)."""
    if process.poll() is None:
        try:
            os.killpg(process.pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
    else:
        try:  # children left behind by a dead parent
            os.killpg(process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    log = getattr(process, "_egov_log", None)
    if log is not None:
        log.close()


def kill9(pid: int) -> None:
    os.kill(pid, signal.SIGKILL)


def wait_for(condition: Callable[[], object], timeout: float, what: str,
             log: Path | None = None, interval: float = 0.2):
    """Poll until ``condition()`` is truthy; fail naming ``what`` (and show the log)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(interval)
    tail = log.read_text(errors="replace")[-4000:] if log is not None and log.exists() else ""
    raise AssertionError(f"timed out after {timeout} s waiting for {what}\n{tail}")


def children(pid: int) -> list[int]:
    """The direct children of process ``pid`` (Linux /proc)."""
    found: list[int] = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            found += [int(p) for p in (task / "children").read_text().split()]
        except OSError:
            pass
    return found


def cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]
