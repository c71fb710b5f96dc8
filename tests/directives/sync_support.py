"""A provincial endpoint on loopback for the upward-sync tests: a real HTTP server that keeps
each Idempotency-Key once (answering 409 to a key it has), records every request, and can be
cut off — answering 503, taking a change then hanging up, holding one request, or stopped
altogether (connection refused)."""

from __future__ import annotations

import json
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

TOKEN_ENV = "EGOV_TEST_DIRECTIVES_SYNC_TOKEN"
TOKEN = "tinh-T99-token"


class Receiver:
    def __init__(self) -> None:
        self.requests: list[dict] = []  # every request, duplicates included
        self.received: dict[str, dict] = {}  # each key once, in arrival order
        self.mode = "ok"  # "503", "drop" (keep the change, hang up), "400", "302"
        self.fail_after: int | None = None  # switch to 503 once this many changes are kept
        self.hold_at: int | None = None  # the n-th request waits for `release`
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
        return f"http://127.0.0.1:{self.port}/api/nhiem-vu/trang-thai"

    def start(self) -> None:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args) -> None:
                pass

            def do_POST(self) -> None:  # noqa: N802 - http.server's name
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                key = self.headers.get("Idempotency-Key") or ""
                with receiver.lock:
                    receiver.posts += 1
                    hold = receiver.posts == receiver.hold_at
                if hold:
                    receiver.holding.set()
                    receiver.release.wait(120)
                with receiver.lock:
                    receiver.requests.append({"key": key, "headers": dict(self.headers)})
                    if receiver.fail_after is not None and \
                            len(receiver.received) >= receiver.fail_after:
                        receiver.mode, receiver.fail_after = "503", None
                    if receiver.mode == "drop":
                        receiver.received.setdefault(key, json.loads(body))
                        self.close_connection = True
                        self.connection.shutdown(socket.SHUT_RDWR)
                        return
                    if receiver.mode == "503":
                        status, answer = 503, {"error": "bảo trì"}
                    elif receiver.mode == "302":
                        self.send_response(302)
                        self.send_header("Location", "/elsewhere")
                        self.send_header("Content-Length", "0")
                        self.end_headers()
                        return
                    elif receiver.mode == "400":
                        status, answer = 400, {"error": "Mã đơn vị không hợp lệ"}
                    elif key in receiver.received:
                        status, answer = 409, {"idempotency_key": key}
                    else:
                        receiver.received[key] = json.loads(body)
                        status, answer = 201, {"id": key}
                data = json.dumps(answer, ensure_ascii=False).encode()
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

    def keys_of(self, directive_id: int) -> list[str]:
        """The keys of one directive's changes in the order they arrived."""
        return [k for k, p in self.received.items() if p["directive"]["id"] == directive_id]


@pytest.fixture
def receiver(monkeypatch):
    monkeypatch.setenv(TOKEN_ENV, TOKEN)
    server = Receiver()
    server.start()
    try:
        yield server
    finally:
        server.release.set()
        server.stop()


def make_target(agency, receiver, **fields):
    from egov.directives.models import SyncTarget

    return SyncTarget.objects.create(
        agency=agency, name=fields.pop("name", "Hệ thống theo dõi nhiệm vụ của tỉnh"),
        url=fields.pop("url", receiver.url), token_env=fields.pop("token_env", TOKEN_ENV),
        **fields)
