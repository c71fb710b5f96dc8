"""Test dossiers for the notification and national-sync tests, built with the shared services
base (records.dossier_create + records.event_write, inside transaction.atomic()), which calls the
subscribers exactly as the intake and processing services do; and a real HTTP server on loopback
standing for the national portal."""

from __future__ import annotations

import datetime as dt
import json
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.db import transaction
from django.utils import timezone

from egov.onestop.models import (
    Dossier,
    Procedure,
    ProcedureComponent,
    ProcedureVersion,
)
from egov.onestop.services import records

APPLICANT = {"kind": "person", "full_name": "Nguyễn Văn An", "personal_id": "001203004567",
             "address": "12 Đường Hoa Sữa, xã An Bình", "phone": "0912 345 678",
             "email": "an.nguyen@example.vn"}


@pytest.fixture
def procedure(db):
    proc = Procedure.objects.create(code="9.001193", name="Đăng ký khai sinh")
    version = ProcedureVersion.objects.create(
        procedure=proc, number=1, name="Đăng ký khai sinh", field_name="Hộ tịch",
        processing_days=3, legal_basis="Luật Hộ tịch 2014", effective_from=dt.date(2025, 7, 1))
    ProcedureComponent.objects.create(version=version, code="TK", name="Tờ khai đăng ký khai sinh")
    ProcedureComponent.objects.create(version=version, code="GCS", name="Giấy chứng sinh",
                                      ordering=1)
    return version


@pytest.fixture
def intake(org, procedure):
    """intake(state="received", **applicant fields) → a dossier received at the counter (or in
    another first state), its event written in the same transaction."""

    def _intake(state: str = "received", kind: str | None = None, channel: str = "counter",
                missing: bool = False, **applicant) -> Dossier:
        comps = [{"component": c, "code": c.code, "name": c.name,
                  "provided": not (missing and c.code == "GCS")}
                 for c in procedure.components.all()]
        with transaction.atomic():
            dossier = records.dossier_create(
                actor=None, agency=org["commune"], competent_unit=org["commune"],
                version=procedure, channel=channel, state=state,
                applicant={**APPLICANT, **applicant}, components=comps)
            if state == "received":
                now = timezone.now()
                dossier.received_at = now
                dossier.due_at = dossier.original_due_at = now + dt.timedelta(days=4)
                dossier.save(update_fields=["received_at", "due_at", "original_due_at"])
            records.event_write(dossier=dossier, kind=kind or state, unit=org["commune"])
        return dossier

    return _intake


def change(dossier: Dossier, kind: str, state: str | None = None, details: dict | None = None,
           note: str = "", **fields):
    """One action on a dossier: lock, save the new state and fields, write the event."""
    with transaction.atomic():
        locked = Dossier.objects.select_for_update(no_key=True).get(pk=dossier.pk)
        if state:
            locked.state = state
        for name, value in fields.items():
            setattr(locked, name, value)
        locked.save()
        event = records.event_write(dossier=locked, kind=kind, details=details, note=note)
    return locked, event


# --- a national portal on loopback --------------------------------------------------------------


class Portal:
    """Records every request; keeps each idempotency key once (like the real receiver); can be
    switched to answer 500, to reject one key, or be stopped (connection refused)."""

    def __init__(self) -> None:
        self.requests: list[dict] = []  # every request, duplicates included
        self.received: dict[str, dict] = {}  # de-duplicated by key, in arrival order
        self.mode = "ok"  # "500", "drop" (take the change, then hang up), "slow"
        self.fail_after: int | None = None  # switch to 500 after so many accepted changes
        self.delay = 0.0
        self.in_flight = threading.Event()
        self.fail_keys: set[str] = set()
        self.reject_keys: set[str] = set()
        # hold_at = n: the n-th request waits (holding set) until `release` is set, then the
        # change arrives and is answered (the crash tests kill the worker meanwhile)
        self.hold_at: int | None = None
        self.holding = threading.Event()
        self.release = threading.Event()
        self.posts = 0
        self.lock = threading.Lock()
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.server: ThreadingHTTPServer | None = None
        self.thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/dvcqg/hoso"

    def start(self) -> None:
        portal = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args) -> None:
                pass

            def do_POST(self) -> None:  # noqa: N802 - http.server's name
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                key = self.headers.get("Idempotency-Key") or ""
                portal.in_flight.set()
                with portal.lock:
                    portal.posts += 1
                    hold = portal.posts == portal.hold_at
                if hold:
                    portal.holding.set()
                    portal.release.wait(120)
                if portal.mode == "slow":
                    time.sleep(portal.delay)
                with portal.lock:
                    portal.requests.append({"key": key, "headers": dict(self.headers),
                                            "path": self.path})
                    if portal.fail_after is not None and len(portal.received) >= \
                            portal.fail_after:
                        portal.mode, portal.fail_after = "500", None
                    if portal.mode == "drop":
                        # the change arrives, the answer is lost (a crash, a cut line)
                        portal.received.setdefault(key, json.loads(body))
                        self.close_connection = True
                        self.connection.shutdown(socket.SHUT_RDWR)
                        return
                    if portal.mode == "500" or key in portal.fail_keys:
                        status, answer = 500, {"error": "internal"}
                    elif key in portal.reject_keys:
                        status, answer = 400, {"error": "MaTTHC không hợp lệ"}
                    else:
                        if key not in portal.received:
                            portal.received[key] = json.loads(body)
                        status, answer = 200, {"id": f"dvc-{key}"}
                data = json.dumps(answer).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        ThreadingHTTPServer.allow_reuse_address = True
        self.server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def stop(self) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()
            self.thread.join(5)
            self.server = None

    def keys_of(self, code: str) -> list[str]:
        """The keys of one dossier in the order they arrived."""
        return [k for k in self.received if k.startswith(f"{code}:")]


@pytest.fixture
def portal(settings):
    from egov.onestop import national

    server = Portal()
    server.start()
    settings.EGOV_NATIONAL_PORTAL = "egov.onestop.national.HttpNationalPortal"
    settings.EGOV_NATIONAL_PORTAL_URL = server.url
    settings.EGOV_NATIONAL_PORTAL_TOKEN = "test-token-123"
    settings.EGOV_NATIONAL_PORTAL_TIMEOUT = 2
    national.reset_portal()
    try:
        yield server
    finally:
        server.stop()
        national.reset_portal()
