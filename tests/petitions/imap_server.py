"""A real IMAP server for the mailbox tests and the bench: Debian's Dovecot, started as an
unprivileged process (the current user, or `nobody` when the tests run as root) with a config
generated in a temporary directory — Maildir storage there, one test user in a passwd-file, no
SSL, listening on 127.0.0.1 on a free port, in the foreground (`-F`).

`CuttingProxy` sits between the poller and Dovecot on another loopback port and closes both
sockets once it has passed `cut_after` bytes from the server to the client: the connection
dropped in the middle of a poll, at a point the test chooses.
"""

from __future__ import annotations

import imaplib
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import threading
import time
from pathlib import Path

DOVECOT = shutil.which("dovecot") or "/usr/sbin/dovecot"
USER = "hopthu"
PASSWORD = "Mat-khau-imap-2026"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Dovecot:
    """start() / stop(); `port`, `user`, `password`; append() and expunge_all() over IMAP."""

    def __init__(self) -> None:
        self.dir = Path(tempfile.mkdtemp(prefix="egov-dovecot-"))
        self.port = free_port()
        self.user, self.password = USER, PASSWORD
        self.proc: subprocess.Popen | None = None
        if os.geteuid() == 0:
            self.run_as = pwd.getpwnam("nobody")
        else:
            self.run_as = pwd.getpwuid(os.getuid())

    def _config(self) -> str:
        d, run_as = self.dir, self.run_as
        return f"""
base_dir = {d}/run
state_dir = {d}/state
instance_name = egov-test-{self.port}
listen = 127.0.0.1
protocols = imap
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
log_path = {d}/dovecot.log
info_log_path = {d}/dovecot.log
default_internal_user = {run_as.pw_name}
default_internal_group = {_group(run_as)}
default_login_user = {run_as.pw_name}
first_valid_uid = {run_as.pw_uid}
last_valid_uid = 0
mail_location = maildir:{d}/mail/%u/Maildir
mail_uid = {run_as.pw_uid}
mail_gid = {run_as.pw_gid}
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {d}/passwd
}}
userdb {{
  driver = static
  args = uid={run_as.pw_uid} gid={run_as.pw_gid} home={d}/mail/%u
}}
service imap-login {{
  chroot =
  user = {run_as.pw_name}
  inet_listener imap {{
    address = 127.0.0.1
    port = {self.port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
service imap {{
  process_limit = 50
}}
service auth {{
  user = {run_as.pw_name}
}}
service auth-worker {{
  user = {run_as.pw_name}
}}
service anvil {{
  chroot =
}}
service stats {{
  chroot =
}}
service log {{
  chroot =
}}
service config {{
  chroot =
}}
"""

    def start(self, timeout: float = 20.0) -> Dovecot:
        for sub in ("run", "state", "mail"):
            (self.dir / sub).mkdir(exist_ok=True)
        (self.dir / "dovecot.conf").write_text(self._config())
        (self.dir / "passwd").write_text(f"{self.user}:{{PLAIN}}{self.password}::::::\n")
        for path in [self.dir, *self.dir.rglob("*")]:
            os.chown(path, self.run_as.pw_uid, self.run_as.pw_gid)
        kwargs = {}
        if os.geteuid() == 0:
            kwargs = {"user": self.run_as.pw_uid, "group": self.run_as.pw_gid,
                      "extra_groups": []}
        self.proc = subprocess.Popen(
            [DOVECOT, "-F", "-c", str(self.dir / "dovecot.conf")], cwd=self.dir,
            stdout=subprocess.DEVNULL, stderr=open(self.dir / "stderr.log", "wb"),  # noqa: SIM115
            start_new_session=True, **kwargs)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"dovecot exited: {self.log()}")
            try:
                conn = imaplib.IMAP4("127.0.0.1", self.port, timeout=2)
                conn.login(self.user, self.password)
                conn.logout()
                return self
            except (OSError, imaplib.IMAP4.error):
                time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"dovecot did not start: {self.log()}")

    def log(self) -> str:
        out = []
        for name in ("stderr.log", "dovecot.log"):
            path = self.dir / name
            if path.exists():
                out.append(path.read_text(errors="replace")[-3000:])
        return "\n".join(out)

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)
        self.proc = None
        shutil.rmtree(self.dir, ignore_errors=True)

    # --- the mailbox, over IMAP ---

    def connect(self) -> imaplib.IMAP4:
        conn = imaplib.IMAP4("127.0.0.1", self.port, timeout=10)
        conn.login(self.user, self.password)
        return conn

    def append(self, *messages: bytes, folder: str = "INBOX") -> None:
        conn = self.connect()
        try:
            for raw in messages:
                typ, data = conn.append(folder, "", None, raw)
                if typ != "OK":
                    raise RuntimeError(f"APPEND failed: {data}")
        finally:
            conn.logout()

    def recreate_folder(self, folder: str = "INBOX.Don") -> None:
        """Delete and create `folder` again: the server gives it a new UIDVALIDITY."""
        conn = self.connect()
        try:
            conn.delete(folder)
            conn.create(folder)
        finally:
            conn.logout()

    def flags(self, folder: str = "INBOX") -> dict[int, str]:
        conn = self.connect()
        try:
            conn.select(folder, readonly=True)
            typ, data = conn.uid("FETCH", "1:*", "(FLAGS)")
            out = {}
            for line in data or []:
                if not line:
                    continue
                text = line.decode() if isinstance(line, bytes) else str(line)
                uid = int(text.split("UID ", 1)[1].split()[0].rstrip(")"))
                out[uid] = text
            return out
        finally:
            conn.logout()


def _group(user: pwd.struct_passwd) -> str:
    import grp

    return grp.getgrgid(user.pw_gid).gr_name


class CuttingProxy:
    """A loopback TCP proxy to `port` that drops the connection (both sides) after passing
    `cut_after` bytes from the server to the client; None = never. `cuts` counts the drops."""

    def __init__(self, port: int, cut_after: int | None = None) -> None:
        self.target = port
        self.cut_after = cut_after
        self.cuts = 0
        self.passed = 0  # bytes passed from the server to the client, all connections
        self._server = socket.create_server(("127.0.0.1", 0))
        self.port = self._server.getsockname()[1]
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        self._server.settimeout(0.2)
        while not self._stop.is_set():
            try:
                client, _ = self._server.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            upstream = socket.create_connection(("127.0.0.1", self.target))
            limit = self.cut_after
            threading.Thread(target=self._pipe, args=(client, upstream, None),
                             daemon=True).start()
            threading.Thread(target=self._pipe, args=(upstream, client, limit),
                             daemon=True).start()

    def _pipe(self, src: socket.socket, dst: socket.socket, limit: int | None) -> None:
        passed = 0
        try:
            while True:
                data = src.recv(65536)
                if not data:
                    break
                if limit is not None and passed + len(data) >= limit:
                    dst.sendall(data[: max(0, limit - passed)])
                    self.cuts += 1
                    break
                dst.sendall(data)
                passed += len(data)
                if limit is not None or src.getpeername()[1] == self.target:
                    self.passed += len(data)
        except OSError:
            pass
        finally:
            for s in (src, dst):
                try:
                    s.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
                s.close()

    def close(self) -> None:
        self._stop.set()
        self._server.close()


class HoldingProxy:
    """A loopback TCP proxy to `port` that holds the client's `hold_at`-th command containing
    `command` (counted over all connections) until `release` is set; `holding` is set when it
    does. With a batch of one message, holding the n-th ``UID FETCH`` stops the poller after
    n - 1 messages were imported (each committed before the next fetch): the point where the
    crash tests kill the worker or end its database connection."""

    def __init__(self, port: int, command: bytes = b"UID FETCH", hold_at: int | None = None):
        self.target = port
        self.command = command
        self.hold_at = hold_at
        self.seen = 0
        self.holding = threading.Event()
        self.release = threading.Event()
        self._server = socket.create_server(("127.0.0.1", 0))
        self.port = self._server.getsockname()[1]
        self._stop = threading.Event()
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        self._server.settimeout(0.2)
        while not self._stop.is_set():
            try:
                client, _ = self._server.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            upstream = socket.create_connection(("127.0.0.1", self.target))
            threading.Thread(target=self._pipe, args=(client, upstream, True), daemon=True).start()
            threading.Thread(target=self._pipe, args=(upstream, client, False),
                             daemon=True).start()

    def _pipe(self, src: socket.socket, dst: socket.socket, from_client: bool) -> None:
        pending = b""
        try:
            while True:
                data = src.recv(65536)
                if not data:
                    break
                if from_client:
                    pending += data
                    *lines, pending = pending.split(b"\r\n")
                    for line in lines:  # client commands, one a line (no literals sent here)
                        if self.command in line.upper():
                            self.seen += 1
                            if self.seen == self.hold_at:
                                self.holding.set()
                                self.release.wait(120)
                        dst.sendall(line + b"\r\n")
                else:
                    dst.sendall(data)
            if pending:
                dst.sendall(pending)
        except OSError:
            pass
        finally:
            for s in (src, dst):
                try:
                    s.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
                s.close()

    def close(self) -> None:
        self.release.set()
        self._stop.set()
        self._server.close()
