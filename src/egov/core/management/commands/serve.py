"""`egov serve`: the demo/production pair — gunicorn (with whitenoise) and one `egov worker` —
started together and stopped together. Production may run them separately instead."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Start the web server (gunicorn) and a background worker; stop both on Ctrl-C."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
        parser.add_argument("--port", default=os.environ.get("PORT", "8000"))
        parser.add_argument("--web-workers", type=int,
                            default=int(os.environ.get("EGOV_WEB_WORKERS", "3")))
        parser.add_argument("--no-worker", action="store_true",
                            help="Do not start a background worker.")

    def handle(self, *, host, port, web_workers, no_worker, **options) -> None:
        exe = sys.executable
        children: list[subprocess.Popen] = []
        if not no_worker:
            children.append(subprocess.Popen(
                [exe, "-m", "egov.cli", "worker", "--no-startup-delay", "--verbosity", "0"]
            ))
        children.append(subprocess.Popen([
            exe, "-m", "gunicorn", "egov.wsgi:application",
            "--bind", f"{host}:{port}", "--workers", str(web_workers),
            "--timeout", "120", "--access-logfile", "-",
        ]))

        stopping = False

        def stop(signum=None, frame=None):
            nonlocal stopping
            stopping = True
            for child in children:
                if child.poll() is None:
                    child.send_signal(signal.SIGTERM)

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        try:
            while not stopping:
                if any(c.poll() is not None for c in children):
                    self.stderr.write("A child process exited; stopping the others.")
                    stop()
                    break
                time.sleep(0.5)
        finally:
            deadline = time.time() + 15
            for child in children:
                try:
                    child.wait(timeout=max(0.1, deadline - time.time()))
                except subprocess.TimeoutExpired:
                    child.kill()
        codes = [c.returncode for c in children]
        if any(code not in (0, -signal.SIGTERM, None) for code in codes) and not stopping:
            sys.exit(1)
