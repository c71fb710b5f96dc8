"""Export to the national civil-registry and population databases (services.md §3.6; issue 13).

Every registered event (birth, death, marriage; later the changes and corrections) is entered
in the electronic database right after the book and pushed to the national population
database; a birth obtains the child's personal ID from it; a death locks the record (done by
the registration itself) — Luật Hộ tịch 2014, Điều 5.6, 16.2, 34.2, 60.

- Queue: :func:`on_event_registered` (a subscriber of egov.civil.hooks, called inside the
  registration's transaction) writes one :class:`~egov.civil.models.CivilSync` row with the
  payload and the idempotency key ``civil-event:<id>``: a registration that rolls back queues
  nothing, one that commits loses nothing, and an event is queued once (unique key and event).
- Sending: the job ``egov.civil.tasks_sync.civil_sync_push`` (after the commit, and from the
  workers' periodic pass when retries fall due) takes the due rows with the core outbox push
  (egov.core.outbox_push, on egov.core.outbox.claim_next: FOR NO KEY UPDATE SKIP LOCKED on
  PostgreSQL, a lease on SQLite) and marks each in the transaction that took it (mark_taken; a lost connection
  remembers the mark and writes it when the database is back: flush_unmarked). A failure is
  retried with exponential backoff (EGOV_CIVIL_SYNC_BACKOFF_SECONDS, capped); a payload the
  database refuses ends failed, for an administrator (`egov civil_sync --failures`,
  GET /api/v1/civil/sync/failures).
- Order: a row waits while an earlier event of one of its persons is still queued (a death is
  never pushed before that person's birth).
- Never twice: the key goes with every push; a worker killed after the database took a push
  pushes the same key again and the receiver answers with its first answer (the test double
  does exactly that).

Plugins, chosen by EGOV_CIVIL_NATIONAL_DB (dotted path):

- :class:`InMemoryNationalDatabase` — the test double (the default): in-process, records what it
  received once per key, issues 12-digit personal IDs for births, and can be told to fail or to
  time out N times (`fail_next`, `timeout_next`).
- :class:`HttpNationalDatabase` — a skeleton of the real adapter: JSON over HTTP(S) with a
  bearer token and an ``Idempotency-Key`` header (EGOV_CIVIL_NATIONAL_DB_URL, _TOKEN,
  _TIMEOUT). The national databases' interface specification is not public: its field names
  are this module's (UNVERIFIED), and only this module knows them.
"""

from __future__ import annotations

import json
import logging
import os
import threading
import urllib.error
import urllib.request
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef
from django.utils.module_loading import import_string

from egov.core.outbox_push import OutboxPush, exponential_backoff

from .models import CivilEvent, CivilSync, CivilSyncState, EventKind, EventParty, Person

log = logging.getLogger("egov.civil.sync")

DEFAULT_ADAPTER = "egov.civil.sync.InMemoryNationalDatabase"


def _setting(name: str, default: str = "") -> str:
    """A Django setting, else the environment (a worker started with EGOV_CIVIL_* variables)."""
    value = getattr(settings, name, None)
    return str(value) if value not in (None, "") else os.environ.get(name, default)


# --- the plugin interface -----------------------------------------------------------------------


class NationalDbError(Exception):
    """The push did not go through."""


class NationalDbUnavailable(NationalDbError):
    """Down, timed out, 5xx, throttled: try again later."""


class NationalDbRejected(NationalDbError):
    """The database refused this payload (4xx): the same payload cannot succeed."""


@dataclass(frozen=True)
class Answer:
    """The national database's answer: its reference for the event, and for a birth the
    personal ID it issued to the child."""

    ref: str
    personal_id: str | None = None


class NationalDatabase:
    """The plugin interface: push one event (with its idempotency key); the answer."""

    def push(self, *, key: str, payload: dict) -> Answer:  # pragma: no cover - interface
        raise NotImplementedError


class InMemoryNationalDatabase(NationalDatabase):
    """The test double, in-process. Keeps what it received once per key and answers a repeated
    key with its first answer (no duplicates); gives a birth a new 12-digit personal ID. Set
    `fail_next` / `timeout_next` to fail that many pushes (unavailable, or received but the
    answer lost: a timeout), `reject_keys` to refuse payloads for good."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.reset()

    def reset(self) -> None:
        self.received: dict[str, dict] = {}  # key → payload, first arrival only
        self.answers: dict[str, Answer] = {}
        self.calls: list[str] = []  # every push, repeats included
        self.fail_next = 0
        self.timeout_next = 0
        self.reject_keys: set[str] = set()
        self.next_id = 1

    def push(self, *, key: str, payload: dict) -> Answer:
        with self.lock:
            self.calls.append(key)
            if self.fail_next > 0:
                self.fail_next -= 1
                raise NationalDbUnavailable("the national database is unavailable (double)")
            if key in self.reject_keys:
                raise NationalDbRejected("payload refused (double)")
            if key not in self.answers:
                self.received[key] = payload
                pid = None
                if payload.get("kind") == EventKind.BIRTH:
                    # A personal ID of the double: "0" + a test province "99" + a counter.
                    pid, self.next_id = f"099{self.next_id:09d}", self.next_id + 1
                self.answers[key] = Answer(ref=f"mem-{len(self.answers) + 1}", personal_id=pid)
            answer = self.answers[key]
            if self.timeout_next > 0:  # the database has it; its answer never arrives
                self.timeout_next -= 1
                raise TimeoutError("the national database did not answer in time (double)")
            return answer


class HttpNationalDatabase(NationalDatabase):
    """A skeleton of the real adapter: POST the payload as JSON with the key in an
    ``Idempotency-Key`` header; the answer {"id", "personal_id"?}. 409 = the key arrived before
    (the answer's body, when any, is read as the first answer)."""

    def __init__(self, url: str | None = None, token: str | None = None,
                 timeout: float | None = None) -> None:
        self.url = url if url is not None else _setting("EGOV_CIVIL_NATIONAL_DB_URL")
        self.token = token if token is not None else _setting("EGOV_CIVIL_NATIONAL_DB_TOKEN")
        self.timeout = float(timeout if timeout is not None
                             else _setting("EGOV_CIVIL_NATIONAL_DB_TIMEOUT", "10"))

    def push(self, *, key: str, payload: dict) -> Answer:
        if not self.url:
            raise NationalDbUnavailable("EGOV_CIVIL_NATIONAL_DB_URL is not set")
        headers = {"Content-Type": "application/json; charset=utf-8",
                   "Accept": "application/json", "Idempotency-Key": key}
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        request = urllib.request.Request(
            self.url, data=json.dumps(payload, ensure_ascii=False).encode(), method="POST",
            headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                body = response.read(65536)
        except urllib.error.HTTPError as exc:
            body = exc.read(2000)
            if exc.code == 409:
                return self._answer(body, key)
            detail = f"HTTP {exc.code}: {body[:500].decode(errors='replace')}"
            if 400 <= exc.code < 500 and exc.code not in (408, 425, 429):
                raise NationalDbRejected(detail) from exc
            raise NationalDbUnavailable(detail) from exc
        except (urllib.error.URLError, OSError, TimeoutError) as exc:
            raise NationalDbUnavailable(f"{type(exc).__name__}: {exc}") from exc
        return self._answer(body, key)

    @staticmethod
    def _answer(body: bytes, key: str) -> Answer:
        try:
            data = json.loads(body or b"{}")
        except ValueError:
            data = {}
        if not isinstance(data, dict):
            data = {}
        pid = data.get("personal_id")
        pid = pid if isinstance(pid, str) and len(pid) == 12 and pid.isdigit() else None
        return Answer(ref=str(data.get("id") or key)[:200], personal_id=pid)


_adapter: NationalDatabase | None = None


def get_adapter() -> NationalDatabase:
    """The plugin named by EGOV_CIVIL_NATIONAL_DB (the test double by default), kept."""
    global _adapter
    path = _setting("EGOV_CIVIL_NATIONAL_DB", DEFAULT_ADAPTER)
    if _adapter is None or f"{type(_adapter).__module__}.{type(_adapter).__qualname__}" != path:
        _adapter = import_string(path)()
    return _adapter


def reset_adapter() -> None:
    """Forget the kept plugin (settings changed: tests)."""
    global _adapter
    _adapter = None


# --- the payload and the queue ------------------------------------------------------------------

# The facts the national database needs per role (no address, no phone, no officer's name).
_BASE = ("full_name", "sex", "birth_date", "personal_id")
_CHILD = _BASE + ("birth_place", "hometown", "ethnicity", "nationality")


def sync_key(event: CivilEvent) -> str:
    return f"civil-event:{event.pk}"


def _iso(value) -> str | None:
    return value.isoformat() if value else None


def event_payload(event: CivilEvent) -> dict:
    """The event as the national database reads it."""
    persons = []
    for party in event.parties.select_related("person").order_by("pk"):
        fields = _CHILD if party.role == "child" else _BASE
        row = {"role": party.role}
        for name in fields:
            value = getattr(party.person, name)
            row[name] = _iso(value) if name == "birth_date" else (value or None)
        if party.role == "deceased":
            row["death_date"] = _iso(party.person.death_date)
        persons.append(row)
    return {
        "kind": event.kind,
        "commune": event.commune.electronic_id or str(event.commune_id),
        "book_year": event.book.year, "book_number": event.book.number,
        "entry_number": event.entry_number,
        "registered_on": _iso(event.registered_on), "event_date": _iso(event.event_date),
        "late": event.late, "persons": persons,
    }


def on_event_registered(*, event: CivilEvent) -> CivilSync:
    """The hooks subscriber: queue the event, inside the registration's transaction."""
    row = CivilSync.objects.create(event=event, key=sync_key(event),
                                   payload=event_payload(event))
    QUEUE.kick_after_commit()
    return row


# --- pushing ------------------------------------------------------------------------------------


def backoff_seconds(attempts: int) -> float:
    """base × 2^(attempts-1), capped: an outage is waited out, never given up (only a payload
    the database refuses ends failed)."""
    return exponential_backoff(
        attempts, base=float(_setting("EGOV_CIVIL_SYNC_BACKOFF_SECONDS", "30")),
        cap=float(_setting("EGOV_CIVIL_SYNC_BACKOFF_MAX_SECONDS", "3600")))


def _due(now):
    """Queued rows that are due, none of whose persons has an earlier event still queued."""
    persons = EventParty.objects.filter(event_id=OuterRef(OuterRef("event_id"))) \
        .values("person_id")
    earlier = CivilSync.objects.filter(state=CivilSyncState.QUEUED, pk__lt=OuterRef("pk"),
                                       event__parties__person_id__in=persons)
    return (CivilSync.objects.filter(state=CivilSyncState.QUEUED, next_attempt_at__lte=now)
            .exclude(Exists(earlier)).order_by("next_attempt_at", "id"))


def _fresh(row: CivilSync) -> dict:
    """The payload with the personal IDs known now (a parent's or the deceased's ID issued
    after the event was queued)."""
    payload = dict(row.payload)
    ids = dict(EventParty.objects.filter(event_id=row.event_id)
               .values_list("role", "person__personal_id"))
    payload["persons"] = [{**p, "personal_id": p.get("personal_id") or ids.get(p["role"])}
                          for p in payload.get("persons", [])]
    return payload


def apply_personal_ids(rows=None) -> int:
    """Give each child of a sent birth the personal ID the national database issued, when the
    child has none and no other record holds it (the ID is unique). Returns how many."""
    qs = CivilSync.objects.filter(state=CivilSyncState.SENT, event__kind=EventKind.BIRTH) \
        .exclude(personal_id="")
    if rows is not None:
        qs = qs.filter(pk__in=rows)
    done = 0
    for sync_id, event_id, pid in qs.values_list("pk", "event_id", "personal_id"):
        child = EventParty.objects.filter(event_id=event_id, role="child",
                                          person__personal_id__isnull=True) \
            .values_list("person_id", flat=True).first()
        if child is None:
            continue
        if Person.objects.filter(personal_id=pid).exists():
            log.error("civil sync %s: personal ID already held by another record", sync_id)
            continue
        try:
            with transaction.atomic():
                done += Person.objects.filter(pk=child, personal_id__isnull=True) \
                    .update(personal_id=pid)
        except IntegrityError:
            log.error("civil sync %s: personal ID taken meanwhile", sync_id)
    return done


QUEUE = OutboxPush(model=CivilSync, task="egov.civil.tasks_sync.civil_sync_push", due=_due,
                   refused=NationalDbRejected, backoff=lambda n: backoff_seconds(n),
                   name="civil sync", log=log)


def push_due(*, limit: int = 500, now=None) -> dict[str, int]:
    """Push up to `limit` due events, one at a time, each marked in the transaction that took
    it (egov.core.outbox_push); a birth's personal ID is given to the child in that same
    transaction. Returns counts by outcome."""
    adapter = get_adapter()

    def push(row: CivilSync) -> dict:
        answer = adapter.push(key=row.key, payload=_fresh(row))
        return {"remote_ref": answer.ref[:200], "personal_id": answer.personal_id or ""}

    def on_sent(row: CivilSync, fields: dict) -> None:
        if fields["personal_id"]:
            apply_personal_ids([row.pk])

    # Outcomes written after a lost connection: pushed already, never again; their IDs now.
    return QUEUE.push_due(push, limit=limit, now=now, on_sent=on_sent,
                          on_flushed=lambda _n: apply_personal_ids())


def sync_sweep() -> bool:
    """The periodic pass: enqueue a push job when events are due and none is waiting."""
    return QUEUE.sweep()


def failures():
    """Rows that ended failed or are waiting for a retry (attempts > 0), newest first."""
    from django.db.models import Q

    return (CivilSync.objects.filter(Q(state=CivilSyncState.FAILED)
                                     | Q(state=CivilSyncState.QUEUED, attempts__gt=0))
            .select_related("event").order_by("-id"))
