"""Checkpoints of the audit chain's head, kept outside the database.

The keyed hash chain (egov.core.audit) shows an edited, inserted or deleted event, but somebody
who controls the database can still cut the chain's tail off and reset the head, or empty the
table: what is left is a valid, shorter chain. Transparency logs answer that by publishing their
head elsewhere; eGov appends the head — ``(seq, hash, time)`` — to a checkpoint log the database
administrator cannot reach, and ``egov audit verify`` checks that the database still holds every
checkpointed event with the checkpointed hash.

The log is a sequence of JSON lines, each::

    {"n": 7, "seq": 1234, "hash": "…", "at": "2026-12-05T12:30:00.123456+00:00",
     "key_id": "…", "prev_mac": "<mac of line 6>", "tst": "<base64 RFC 3161 token>" | null,
     "mac": "<HMAC-SHA256 of all other fields under the audit key>"}

``n`` counts lines from 1 and ``prev_mac`` chains each line to the one before, so a line removed,
reordered or edited in the log is seen as well; ``tst`` is a timestamp token over SHA-256 of the
canonical JSON of the fields ``n`` … ``prev_mac`` when a timestamp authority is configured
(``EGOV_TSA_URL``, as for signatures), proving the checkpoint existed at that time even to
someone who doubts the key's holder.

When: ``audit_log`` checks after its transaction commits (cheaply: a clock comparison, then one
read of the log's last line per interval and process) and writes a checkpoint once the newest is
older than ``EGOV_AUDIT_CHECKPOINT_SECONDS`` (default 300; 0 = off). With a TSA the write goes to
the background worker (task ``egov.core.tasks_audit.audit_checkpoint``) so no request waits for
the TSA. ``egov audit checkpoint`` writes one at once — run it from the daily cron job too.

Stores: ``EGOV_AUDIT_CHECKPOINT_STORE`` names a ``CheckpointStore`` subclass; the default
``FileCheckpointStore`` appends to ``EGOV_AUDIT_CHECKPOINT_DIR/audit-checkpoints.<db>.jsonl``
(one log per database, named from the settings by ``database_label``) under an exclusive file
lock, fsyncing each line. Keep that directory on a disk the database
administrator cannot write (another host, ``chattr +a``), or ship it off the host; an adapter for
an S3-compatible store with object lock implements ``append`` as a conditional put of object
``n`` and is not part of this release.
"""

from __future__ import annotations

import asyncio
import base64
import datetime as dt
import fcntl
import hashlib
import hmac
import json
import logging
import os
import re
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.utils import timezone
from django.utils.module_loading import import_string

from .audit_keys import checkpoint_key, key_id
from .models import AuditEvent

log = logging.getLogger("egov.audit")

GENESIS_MAC = "0" * 64
GENESIS_HASH = "0" * 64
BODY_FIELDS = ("n", "seq", "hash", "at", "key_id", "prev_mac")


class CheckpointError(Exception):
    """The checkpoint log cannot be read or extended."""


# --- Stores --------------------------------------------------------------------------------------


def database_label(using: str = DEFAULT_DB_ALIAS) -> str:
    """Which database a checkpoint log belongs to, from the settings (never from the database's
    contents), e.g. "sqlite-egov-1a2b3c4d", "postgresql-egov-5e6f7a8b": a demo switched between
    SQLite and PostgreSQL keeps one log per database."""
    connection = connections[using]
    db = connection.settings_dict
    name = str(db["NAME"])
    if connection.vendor == "sqlite":
        where, short = str(Path(name).resolve()), Path(name).stem
    else:
        where, short = f"{db.get('HOST') or ''}:{db.get('PORT') or ''}/{name}", name
    digest = hashlib.sha256(f"{connection.vendor}|{where}".encode()).hexdigest()[:8]
    return re.sub(r"[^A-Za-z0-9_.-]", "_", f"{connection.vendor}-{short}-{digest}")


class CheckpointStore:
    """An append-only sequence of text lines kept outside the database; one per database
    (`database_label(using)`)."""

    def __init__(self, using: str = DEFAULT_DB_ALIAS) -> None:
        self.using = using

    def describe(self) -> str:
        raise NotImplementedError

    def append(self, build: Callable[[str | None], str]) -> str:
        """Append ``build(last_line)`` (the last line, or None when empty) atomically: no other
        append runs between reading the last line and writing the new one. Returns the line."""
        raise NotImplementedError

    def lines(self) -> Iterator[str]:
        raise NotImplementedError

    def last_line(self) -> str | None:
        raise NotImplementedError


def _read_last_line(f) -> str | None:
    """The last newline-terminated line of the binary file `f`, read backwards in chunks."""
    f.seek(0, os.SEEK_END)
    end = f.tell()
    if end == 0:
        return None
    pos, tail = end, b""
    while pos > 0:
        step = min(65536, pos)
        pos -= step
        f.seek(pos)
        tail = f.read(step) + tail
        body = tail[:-1] if tail.endswith(b"\n") else tail
        cut = body.rfind(b"\n")
        if cut >= 0:
            return body[cut + 1:].decode("utf-8")
    body = tail[:-1] if tail.endswith(b"\n") else tail
    return body.decode("utf-8")


class FileCheckpointStore(CheckpointStore):
    """JSON lines in ``<directory>/audit-checkpoints.<database label>.jsonl`` (directory 0700,
    file 0600)."""

    def __init__(self, using: str = DEFAULT_DB_ALIAS,
                 directory: str | os.PathLike | None = None) -> None:
        super().__init__(using)
        base = directory or settings.EGOV_AUDIT_CHECKPOINT_DIR
        self.path = Path(base) / f"audit-checkpoints.{database_label(using)}.jsonl"

    def describe(self) -> str:
        return str(self.path)

    def append(self, build: Callable[[str | None], str]) -> str:
        self.path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_APPEND, 0o600)
        with os.fdopen(fd, "r+b") as f:
            fcntl.flock(f.fileno(), fcntl.LOCK_EX)
            try:
                line = build(_read_last_line(f))
                if "\n" in line:
                    raise ValueError("a checkpoint line must not contain a newline")
                f.write(line.encode("utf-8") + b"\n")
                f.flush()
                os.fsync(f.fileno())
            finally:
                fcntl.flock(f.fileno(), fcntl.LOCK_UN)
        return line

    def lines(self) -> Iterator[str]:
        try:
            f = open(self.path, encoding="utf-8")  # noqa: SIM115 - closed by the with below
        except FileNotFoundError:
            return
        with f:
            for line in f:
                yield line.rstrip("\n")

    def last_line(self) -> str | None:
        try:
            with open(self.path, "rb") as f:
                return _read_last_line(f)
        except FileNotFoundError:
            return None


def get_store(using: str = DEFAULT_DB_ALIAS) -> CheckpointStore:
    return import_string(settings.EGOV_AUDIT_CHECKPOINT_STORE)(using=using)


# --- Lines ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Checkpoint:
    n: int
    seq: int
    hash: str
    at: str
    key_id: str
    prev_mac: str
    tst: str | None
    mac: str

    def body(self) -> dict:
        return {name: getattr(self, name) for name in BODY_FIELDS}

    @property
    def at_datetime(self) -> dt.datetime:
        return dt.datetime.fromisoformat(self.at)


def _canonical(value: dict) -> bytes:
    return json.dumps(value, sort_keys=True, ensure_ascii=False,
                      separators=(",", ":")).encode("utf-8")


def _mac(fields: dict) -> str:
    return hmac.new(checkpoint_key(), _canonical(fields), hashlib.sha256).hexdigest()


def parse_line(line: str) -> Checkpoint:
    """A line as a Checkpoint (shape only; `check_line` checks its MAC). Raises ValueError."""
    data = json.loads(line)
    if not isinstance(data, dict) or set(data) != {*BODY_FIELDS, "tst", "mac"}:
        raise ValueError("not a checkpoint line")
    cp = Checkpoint(**data)
    if not (isinstance(cp.n, int) and isinstance(cp.seq, int) and cp.n >= 1 and cp.seq >= 0):
        raise ValueError("bad n or seq")
    if not all(isinstance(v, str) for v in (cp.hash, cp.at, cp.key_id, cp.prev_mac, cp.mac)):
        raise ValueError("bad field types")
    if cp.tst is not None and not isinstance(cp.tst, str):
        raise ValueError("bad tst")
    cp.at_datetime  # noqa: B018 - raises ValueError when not ISO 8601
    return cp


def _timestamp(digest: bytes) -> str | None:
    """An RFC 3161 token (base64 DER) over the SHA-256 `digest` from settings.EGOV_TSA_URL, or
    None without a TSA. Raises on TSA errors."""
    url = (getattr(settings, "EGOV_TSA_URL", "") or "").strip()
    if not url:
        return None
    from pyhanko.sign.timestamps import HTTPTimeStamper

    headers = None
    if getattr(settings, "EGOV_TSA_USER", ""):
        token = base64.b64encode(
            f"{settings.EGOV_TSA_USER}:{settings.EGOV_TSA_PASSWORD}".encode()).decode()
        headers = {"Authorization": f"Basic {token}"}
    stamper = HTTPTimeStamper(url, timeout=float(getattr(settings, "EGOV_TSA_TIMEOUT", 10) or 10),
                              headers=headers)
    token = asyncio.run(stamper.async_timestamp(digest, "sha256"))
    return base64.b64encode(token.dump()).decode("ascii")


def check_timestamp(cp: Checkpoint) -> tuple[dt.datetime | None, str]:
    """(time, error) of the checkpoint's RFC 3161 token: its imprint must be SHA-256 of the
    line's body and its signature intact. (None, "") when the line has no token."""
    if cp.tst is None:
        return None, ""
    from asn1crypto import cms
    from pyhanko.sign.validation.generic_cms import validate_tst_signed_data
    from pyhanko_certvalidator import ValidationContext

    # Checked: the token is intact and stamps this line. Not judged here: whether the TSA's
    # certificate chains to a trusted root (trust anchors belong to the signing module).
    context = ValidationContext(trust_roots=[], allow_fetching=False)
    body = _canonical(cp.body())
    try:
        signed_data = cms.ContentInfo.load(base64.b64decode(cp.tst, validate=True))["content"]
        status = asyncio.run(validate_tst_signed_data(
            signed_data, context, lambda algorithm: hashlib.new(algorithm, body).digest()))
    except Exception as exc:  # noqa: BLE001 - any malformed token is a broken checkpoint
        return None, f"unreadable timestamp token ({exc.__class__.__name__})"
    if not (status.get("intact") and status.get("valid")):
        return None, "the timestamp token does not match the checkpoint"
    return status.get("timestamp"), ""


# --- Writing -------------------------------------------------------------------------------------


def _latest_event(using: str) -> tuple[int, str]:
    row = (AuditEvent.objects.using(using).order_by("-seq")
           .values_list("seq", "hash").first())
    return row or (0, GENESIS_HASH)


def write_checkpoint(*, using: str = DEFAULT_DB_ALIAS, store: CheckpointStore | None = None,
                     timestamp: bool = True) -> Checkpoint:
    """Append a checkpoint of the newest committed event to the store (with an RFC 3161 token
    when a TSA is configured and `timestamp`; a TSA failure is logged and the checkpoint written
    without). Raises CheckpointError when the log's last line is not a checkpoint."""
    store = store or get_store(using)

    def build(last: str | None) -> str:
        # Read under the store's lock, so checkpoints never go back in seq.
        seq, digest = _latest_event(using)
        if last is None:
            n, prev_mac = 1, GENESIS_MAC
        else:
            try:
                prev = parse_line(last)
            except ValueError as exc:
                raise CheckpointError(
                    f"the last line of the checkpoint log {store.describe()} is not a "
                    f"checkpoint; not extending it") from exc
            n, prev_mac = prev.n + 1, prev.mac
            if prev.seq > seq:
                log.error("audit chain ends at seq %s but checkpoint %s recorded seq %s: events "
                          "were removed from the database; run `egov audit verify`",
                          seq, prev.n, prev.seq)
        body = {"n": n, "seq": seq, "hash": digest,
                "at": timezone.now().astimezone(dt.UTC).isoformat(timespec="microseconds"),
                "key_id": key_id(), "prev_mac": prev_mac}
        token = None
        if timestamp:
            try:
                token = _timestamp(hashlib.sha256(_canonical(body)).digest())
            except Exception:
                log.exception("audit checkpoint %s: the timestamp authority failed; "
                              "written without a timestamp", n)
        fields = {**body, "tst": token}
        return _canonical({**fields, "mac": _mac(fields)}).decode("utf-8")

    return parse_line(store.append(build))


def _tsa_configured() -> bool:
    return bool((getattr(settings, "EGOV_TSA_URL", "") or "").strip())


def newest_age_seconds(store: CheckpointStore | None = None,
                       using: str = DEFAULT_DB_ALIAS) -> float | None:
    """Seconds since the newest checkpoint, or None when there is none (or it is unreadable)."""
    last = (store or get_store(using)).last_line()
    if last is None:
        return None
    try:
        at = parse_line(last).at_datetime
    except ValueError:
        return None
    return (timezone.now() - at).total_seconds()


_next_check = 0.0  # time.monotonic() before which this process does not look again
_scheduled_until = 0.0  # a check is already waiting for a commit (a batch logs many events)


def schedule_after_commit(using: str = DEFAULT_DB_ALIAS) -> None:
    """Called by audit_log: when a check is due in this process, check after the transaction
    commits. Costs one clock comparison otherwise."""
    global _scheduled_until
    now = time.monotonic()
    if now < _next_check or now < _scheduled_until:
        return
    if getattr(settings, "EGOV_AUDIT_CHECKPOINT_SECONDS", 0) > 0:
        _scheduled_until = now + 1.0
        transaction.on_commit(lambda: checkpoint_if_due(using), using=using)


def checkpoint_if_due(using: str = DEFAULT_DB_ALIAS) -> bool:
    """Write (without a TSA) or enqueue (with one) a checkpoint when the newest is older than the
    interval. Never raises: a failure is logged and retried after a minute."""
    global _next_check
    interval = getattr(settings, "EGOV_AUDIT_CHECKPOINT_SECONDS", 0)
    now = time.monotonic()
    if interval <= 0 or now < _next_check:
        return False
    _next_check = now + min(interval, 60)
    try:
        store = get_store(using)
        age = newest_age_seconds(store)
        if age is not None and 0 <= age < interval:
            _next_check = now + (interval - age)
            return False
        if _tsa_configured():
            from .tasks_audit import audit_checkpoint

            audit_checkpoint.enqueue()
        else:
            write_checkpoint(using=using, store=store)
        _next_check = now + interval
        return True
    except Exception:
        log.exception("audit checkpoint failed")
        return False


def reset_schedule() -> None:
    """Forget when this process last looked (tests)."""
    global _next_check, _scheduled_until
    _next_check = _scheduled_until = 0.0


# --- Reading -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class LogCheck:
    """The checkpoints of an intact log (in order), or the first problem in it."""

    checkpoints: list[Checkpoint]
    error: str = ""
    timestamped: int = 0


def check_log(store: CheckpointStore | None = None, *, check_tokens: bool = True) -> LogCheck:
    """Read the whole log: lines numbered 1, 2, …, each chained to the one before (prev_mac),
    each MAC valid under the current key, times non-decreasing, and every timestamp token
    matching its line. Stops at the first problem."""
    store = store or get_store()
    expected_key = key_id()
    checkpoints: list[Checkpoint] = []
    timestamped = 0
    prev: Checkpoint | None = None

    def broken(reason: str) -> LogCheck:
        return LogCheck(checkpoints, f"checkpoint log {store.describe()}: {reason}", timestamped)

    for i, line in enumerate(store.lines(), 1):
        try:
            cp = parse_line(line)
        except (ValueError, TypeError):
            return broken(f"line {i} is not a checkpoint")
        if cp.n != i:
            return broken(f"line {i} is checkpoint {cp.n}: lines were removed or reordered")
        if cp.key_id != expected_key:
            return broken(f"checkpoint {i} was written with another audit key ({cp.key_id}, "
                          f"this key is {expected_key})")
        if not hmac.compare_digest(cp.mac, _mac({**cp.body(), "tst": cp.tst})):
            return broken(f"checkpoint {i} fails its MAC: the line was changed")
        if cp.prev_mac != (prev.mac if prev else GENESIS_MAC):
            return broken(f"checkpoint {i} does not follow checkpoint {i - 1}")
        if prev is not None and cp.at_datetime < prev.at_datetime:
            return broken(f"checkpoint {i} is older than checkpoint {i - 1}")
        if check_tokens and cp.tst is not None:
            _at, error = check_timestamp(cp)
            if error:
                return broken(f"checkpoint {i}: {error}")
            timestamped += 1
        checkpoints.append(cp)
        prev = cp
    return LogCheck(checkpoints, "", timestamped)
