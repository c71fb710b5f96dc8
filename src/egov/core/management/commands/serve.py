"""`egov serve`: the demo/production set — gunicorn (with whitenoise) and two `egov worker`
processes (one for the CPU-heavy "cpu" queue, one for every other queue, so a long batch or
export never delays mail) — started together. Production may run them separately instead.

A worker that dies (killed, out of memory) is started again with backoff (1 s, 2 s, … 60 s); its
running job is taken up by the heartbeat reaper (egov.core.jobs). The web server never stops
because of a worker. If gunicorn itself dies, `serve` stops the workers and exits with an error.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field

from django.core.management.base import BaseCommand

MAX_BACKOFF = 60.0
STABLE_AFTER = 60.0  # a worker that ran this long before dying is restarted after 1 s again


@dataclass
class Child:
    name: str
    args: list[str]
    restart: bool
    process: subprocess.Popen | None = None
    started: float = 0.0
    backoff: float = 1.0
    due: float = 0.0  # when a dead worker is started again
    restarts: int = field(default=0)

    def start(self) -> None:
        self.process = subprocess.Popen(self.args)
        self.started = time.monotonic()

    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None


class Command(BaseCommand):
    help = ("Start the web server (gunicorn) and the background workers; restart a dead worker; "
            "stop everything on Ctrl-C.")

    def add_arguments(self, parser) -> None:
        parser.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
        parser.add_argument("--port", default=os.environ.get("PORT", "8000"))
        parser.add_argument("--web-workers", type=int,
                            default=int(os.environ.get("EGOV_WEB_WORKERS", "3")))
        parser.add_argument("--no-worker", action="store_true",
                            help="Do not start background workers.")

    def handle(self, *, host, port, web_workers, no_worker, **options) -> None:
        exe = sys.executable
        worker = [exe, "-m", "egov.cli", "worker", "--no-startup-delay", "--verbosity", "0"]
        children: list[Child] = []
        if not no_worker:
            children.append(Child("worker (cpu)", [*worker, "--queue-name", "cpu"], True))
            children.append(Child("worker", [*worker, "--queue-name", "*",
                                             "--exclude-queues", "cpu"], True))
        web = Child("gunicorn", [
            exe, "-m", "gunicorn", "egov.wsgi:application",
            "--bind", f"{host}:{port}", "--workers", str(web_workers),
            "--timeout", "120", "--access-logfile", "-",
        ], False)
        children.append(web)
        for child in children:
            child.start()

        stopping = False

        def stop(signum=None, frame=None):
            nonlocal stopping
            stopping = True

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        failed = False
        try:
            while not stopping:
                if not web.alive():
                    self.stderr.write(f"gunicorn exited ({web.process.returncode}); stopping.")
                    failed = True
                    break
                for child in children:
                    if child.restart:
                        self._supervise(child)
                time.sleep(0.5)
        finally:
            self._stop_all(children)
        if failed:
            sys.exit(1)

    def _supervise(self, child: Child) -> None:
        """Start a dead worker again once its backoff has passed."""
        now = time.monotonic()
        if child.alive():
            return
        if child.due == 0.0:  # just found dead
            if now - child.started > STABLE_AFTER:
                child.backoff = 1.0
            child.due = now + child.backoff
            self.stderr.write(f"{child.name} exited ({child.process.returncode}); starting it "
                              f"again in {child.backoff:.0f} s.")
            child.backoff = min(MAX_BACKOFF, child.backoff * 2)
            return
        if now >= child.due:
            child.due = 0.0
            child.restarts += 1
            child.start()

    @staticmethod
    def _stop_all(children: list[Child]) -> None:
        for child in children:
            if child.alive():
                child.process.send_signal(signal.SIGTERM)
        deadline = time.time() + 15
        for child in children:
            if child.process is None:
                continue
            try:
                child.process.wait(timeout=max(0.1, deadline - time.time()))
            except subprocess.TimeoutExpired:
                child.process.kill()
                child.process.wait()
