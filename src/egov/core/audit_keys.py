"""The audit trail's key, kept outside the database, and the record of the chain's scheme.

Key
---
Each audit event's hash is an HMAC-SHA256 under a key the database never sees, so somebody who
can rewrite the table (a database administrator, a stolen backup restored elsewhere) cannot
recompute a valid chain. The key is, in order:

1. ``settings.EGOV_AUDIT_KEY`` (environment ``EGOV_AUDIT_KEY``, at least 32 characters);
2. the file ``settings.EGOV_AUDIT_KEY_FILE`` (default ``VAR_DIR/audit_key``, beside the demo's
   secret key), created with mode 0600 and a random 64-character key by the first writer that
   needs it (``egov migrate``, ``audit_log``); verification never creates it.

Several hosts must share one key (set ``EGOV_AUDIT_KEY`` on every web and worker host). Losing
the key makes the trail unverifiable; changing it makes every later event fail verification:
back it up apart from the database and never rotate it.

Purpose keys are derived from it (HMAC(key, "egov-audit:<purpose>")): ``chain`` for event
hashes, ``checkpoint`` for the checkpoint log, ``scheme`` for the scheme record; ``key_id()`` is
a public fingerprint written into checkpoints so a wrong key is named as such.

Scheme record
-------------
Chains written before the keyed scheme (eGov ≤ 0.1 demo databases) hash with plain SHA-256.
Migration 0006 records, in the one-row table ``egov_audit_scheme`` (not a Django model, so the
test suite's flush keeps it), the first keyed seq ``keyed_from`` together with an HMAC of it:
events below ``keyed_from`` verify with plain SHA-256, the rest with the key. Without the key
nobody can move the boundary up to pass a chain recomputed with plain SHA-256; a missing record
means ``keyed_from = 1`` (every event keyed), which only makes verification stricter.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import DEFAULT_DB_ALIAS, connections

KEY_MIN_CHARS = 32
SCHEME_TABLE = "egov_audit_scheme"

_cache: dict[tuple[str, str], dict[str, bytes]] = {}


def _source() -> tuple[str, str]:
    env_key = getattr(settings, "EGOV_AUDIT_KEY", "") or ""
    path = getattr(settings, "EGOV_AUDIT_KEY_FILE", "") or str(
        Path(settings.VAR_DIR) / "audit_key")
    return env_key, str(path)


def _create_key_file(path: Path) -> None:
    """Write a new random key to `path` unless it exists, atomically (a temporary file hard-linked
    into place), so two processes starting together end with one key."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "w") as f:
            f.write(secrets.token_urlsafe(48) + "\n")
            f.flush()
            os.fsync(f.fileno())
        try:
            os.link(tmp, path)
        except FileExistsError:
            pass  # another process was first: use its key
    finally:
        tmp.unlink(missing_ok=True)


class KeyMissing(ImproperlyConfigured):
    """No audit key, and the caller only reads (verification must not invent a key)."""


def _load(env_key: str, path: str, create: bool) -> bytes:
    if env_key:
        if len(env_key) < KEY_MIN_CHARS:
            raise ImproperlyConfigured(
                f"EGOV_AUDIT_KEY must have at least {KEY_MIN_CHARS} characters")
        return env_key.encode("utf-8")
    key_path = Path(path)
    if not key_path.exists():
        if not create:
            raise KeyMissing(f"no audit key: set EGOV_AUDIT_KEY or restore the key file "
                             f"{key_path} (EGOV_AUDIT_KEY_FILE)")
        _create_key_file(key_path)
    text = key_path.read_text(encoding="utf-8").strip()
    if len(text) < KEY_MIN_CHARS:
        raise ImproperlyConfigured(
            f"the audit key file {key_path} must hold at least {KEY_MIN_CHARS} characters")
    return text.encode("utf-8")


def _keys(create: bool = True) -> dict[str, bytes]:
    source = _source()
    keys = _cache.get(source)
    if keys is None:
        master = _load(*source, create=create)
        keys = {
            purpose: hmac.new(master, f"egov-audit:{purpose}".encode(), hashlib.sha256).digest()
            for purpose in ("chain", "checkpoint", "scheme", "key-id")
        }
        _cache.clear()
        _cache[source] = keys
    return keys


def chain_key(*, create: bool = True) -> bytes:
    """The HMAC key of event hashes; `create=False` raises KeyMissing instead of creating the
    key file."""
    return _keys(create)["chain"]


def checkpoint_key() -> bytes:
    """The HMAC key of checkpoint lines."""
    return _keys()["checkpoint"]


def key_id() -> str:
    """A public fingerprint of the key (16 hex digits)."""
    return _keys()["key-id"].hex()[:16]


def scheme_mac(keyed_from: int) -> str:
    return hmac.new(_keys()["scheme"], f"keyed_from:{int(keyed_from)}".encode(),
                    hashlib.sha256).hexdigest()


def read_scheme(using: str = DEFAULT_DB_ALIAS) -> tuple[int, str]:
    """(keyed_from, error): the first seq hashed with the key, and "" or why the stored record
    cannot be trusted (then keyed_from is 1: every event must carry a keyed hash)."""
    connection = connections[using]
    if SCHEME_TABLE not in connection.introspection.table_names():
        return 1, ""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT keyed_from, mac FROM {SCHEME_TABLE} WHERE id = 1")
        row = cursor.fetchone()
    if row is None:
        return 1, ""
    keyed_from, mac = int(row[0]), str(row[1])
    if not hmac.compare_digest(mac, scheme_mac(keyed_from)):
        return 1, (f"the chain's scheme record (keyed from seq {keyed_from}) does not carry the "
                   f"key's MAC: it was changed, or the audit key is not the one it was made with")
    return keyed_from, ""
