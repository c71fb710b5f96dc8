"""The public look-up of a dossier (no login): by its code and the last 4 digits of the
applicant's phone or ID number, or by the random token of the QR code printed on Mẫu 01.

What it shows is the status timeline WITHOUT personal data (issue 10, "Public side"): the
procedure, the receiving centre, the state (Vietnamese label and DVCQG TrangThaiHoSo, services.md
§1.8), the received and promised times, while paused the date the promise moves to if the
supplement arrived today, the apology's new date (Mẫu 04), the public events (what, when, the
unit it waits on — never an officer's name, never the applicant's data, never free-text notes)
and the procedure's steps.

A wrong check answers exactly like an unknown code: the same exception, after the same single
statement, the check compared in constant time against both check fields (a dummy row's when
the code is unknown). Fast by construction (the page is a QR target, budget p95 ≤ 20 ms): one
statement reads the dossier with everything the answer depends on — including the last event's
id and whether a rating exists — and the timeline built from it is memoised in this process
under that row (a new event, state or date is a new row, so a memo is never stale); a miss adds
one statement for the events (and one for the pauses while paused). Steps are memoised per
procedure version for a minute.
"""

from __future__ import annotations

import datetime as dt
import hmac
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass

from django.db import connection
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy

from egov.core import calendar
from egov.core.errors import NotFound

from .. import rules
from ..models import NATIONAL_STATUS, DossierState

# Public wording of the states (the model's labels are the officers'); context "public state".
STATE_LABELS = {
    "submitted": pgettext_lazy("public state", "Submitted online, waiting for the desk's check"),
    "guidance": pgettext_lazy("public state", "Incomplete: waiting for the missing papers"),
    "refused": pgettext_lazy("public state", "Not accepted"),
    "received": pgettext_lazy("public state", "Received"),
    "processing": pgettext_lazy("public state", "Being processed"),
    "supplement": pgettext_lazy("public state", "Waiting for your supplement"),
    "resolved": pgettext_lazy("public state", "Result ready"),
    "returned": pgettext_lazy("public state", "Result returned"),
    "stopped": pgettext_lazy("public state", "Stopped at the applicant's request"),
    "withdrawn": pgettext_lazy("public state", "Withdrawn"),
}

# Event kinds written by the services (records.event_write); an unknown kind shows the label of
# the state it led to.
EVENT_LABELS = {
    "submitted": pgettext_lazy("public event", "Submitted online"),
    "accepted": pgettext_lazy("public event", "Accepted by the desk"),
    "received": pgettext_lazy("public event", "Received"),
    "guidance": pgettext_lazy("public event", "Missing papers listed (Mẫu 02)"),
    "refused": pgettext_lazy("public event", "Not accepted (Mẫu 03)"),
    "forwarded": pgettext_lazy("public event", "Handed on to the next step"),
    "forward": pgettext_lazy("public event", "Handed on to the next step"),
    "supplement_requested": pgettext_lazy("public event", "Supplement requested"),
    "request_supplement": pgettext_lazy("public event", "Supplement requested"),
    "supplement_received": pgettext_lazy("public event", "Supplement received"),
    "apologised": pgettext_lazy("public event", "Apology with a new date (Mẫu 04)"),
    "apology": pgettext_lazy("public event", "Apology with a new date (Mẫu 04)"),
    "resolved": pgettext_lazy("public event", "Result ready"),
    "returned": pgettext_lazy("public event", "Result returned"),
    "stopped": pgettext_lazy("public event", "Stopped (Mẫu 05)"),
    "withdrawn": pgettext_lazy("public event", "Withdrawn"),
}
# The services write verbs (services/intake.py, services/processing.py): the same labels.
EVENT_LABELS.update({
    "accept": EVENT_LABELS["accepted"], "receive": EVENT_LABELS["received"],
    "refuse": EVENT_LABELS["refused"], "apologise": EVENT_LABELS["apologised"],
    "resolve": EVENT_LABELS["resolved"], "return": EVENT_LABELS["returned"],
    "stop": EVENT_LABELS["stopped"], "withdraw": EVENT_LABELS["withdrawn"],
})

# One statement: the dossier and all the answer depends on (names, the version's clock data, the
# last event, the rating). `{where}` is "d.code = %s" or "d.public_token = %s".
_ROW_SQL = """
SELECT d.id, d.code, d.public_token, d.state, d.check_phone, d.check_id, d.submitted_at,
       d.received_at, d.due_at, d.rescheduled_at, d.paused_since, d.current_step,
       d.version_id, d.resolved_at, d.returned_at,
       v.name, v.processing_days, v.next_day_after_cutoff, a.name, cu.name,
       -- "+ 0": the (dossier_id) index, not a backward scan of the primary key
       (SELECT max(e.id + 0) FROM onestop_dossierevent e WHERE e.dossier_id = d.id),
       (SELECT r.id FROM onestop_rating r WHERE r.dossier_id = d.id)
  FROM onestop_dossier d
  JOIN onestop_procedureversion v ON v.id = d.version_id
  JOIN core_orgunit a ON a.id = d.agency_id
  JOIN core_orgunit cu ON cu.id = d.competent_unit_id
 WHERE {where}
"""
_BY_CODE = _ROW_SQL.format(where="d.code = %s")
_BY_TOKEN = _ROW_SQL.format(where="d.public_token = %s")
_EVENTS_SQL = """
SELECT e.kind, e.state, e.at, u.name FROM onestop_dossierevent e
  LEFT JOIN core_orgunit u ON u.id = e.unit_id
 WHERE e.dossier_id = %s AND e.public ORDER BY e.at, e.id
"""
_PAUSES_SQL = "SELECT started_at, ended_at FROM onestop_dossierpause WHERE dossier_id = %s"
_STEPS_SQL = """
SELECT s.ordering, s.name, u.name FROM onestop_procedurestep s
  LEFT JOIN core_orgunit u ON u.id = s.unit_id
 WHERE s.version_id = %s ORDER BY s.ordering
"""
_DUMMY_CHECK = "\x00\x00\x00\x00"

CODE_MAX = 64
TOKEN_MAX = 64


@dataclass(frozen=True)
class Timeline:
    """The public answer. `key` identifies it (same key, same content) for the views' memo."""

    key: tuple
    data: dict


def _aware(value) -> dt.datetime | None:
    if value is None:
        return None
    if isinstance(value, str):  # SQLite returns text for raw SELECTs
        value = dt.datetime.fromisoformat(value)
    if timezone.is_naive(value):
        value = value.replace(tzinfo=dt.UTC)
    return calendar.localtime(value)


def _fetch(sql: str, value: str) -> tuple | None:
    with connection.cursor() as cursor:
        cursor.execute(sql, [value])
        return cursor.fetchone()


def _not_found() -> NotFound:
    return NotFound(_("No dossier matches this code and these check digits. Check the code on "
                      "the receipt (Mẫu 01) and the last 4 digits of the phone number or ID "
                      "number given at submission."))


def check_matches(row: tuple | None, check: str) -> bool:
    """Constant-time: compares `check` with both check fields, a dummy row's when none."""
    phone = (row[4] if row else "") or _DUMMY_CHECK
    ident = (row[5] if row else "") or _DUMMY_CHECK
    by_phone = hmac.compare_digest(check.encode(), phone.encode())
    by_id = hmac.compare_digest(check.encode(), ident.encode())
    return row is not None and (by_phone | by_id)


def valid_check(check: str | None) -> bool:
    return bool(check) and len(check) == 4 and check.isascii() and check.isdigit()


def public_dossier(code: str, check: str) -> Timeline:
    """The timeline of the dossier `code` when `check` is the last 4 digits of its applicant's
    phone or ID number; NotFound (the same one) for an unknown code and for a wrong check."""
    code = (code or "").strip()[:CODE_MAX]
    check = (check or "").strip()
    row = _fetch(_BY_CODE, code)
    if not (check_matches(row, check) and valid_check(check)):
        raise _not_found()
    return _timeline(row)


def public_dossier_by_token(token: str) -> Timeline:
    """The timeline of the dossier whose QR token is `token`; NotFound otherwise."""
    token = (token or "").strip()[:TOKEN_MAX]
    row = _fetch(_BY_TOKEN, token) if token else None
    if row is None or not hmac.compare_digest(row[2].encode(), token.encode()):
        raise _not_found()
    return _timeline(row)


# --- the timeline, memoised per row ------------------------------------------------------------

_MEMO: OrderedDict[tuple, dict] = OrderedDict()
_MEMO_MAX = 2048
_STEPS: dict[int, tuple[float, list]] = {}
_STEPS_SECONDS = 60.0
_LOCK = threading.Lock()


def forget() -> None:
    """Drop the memos (tests)."""
    with _LOCK:
        _MEMO.clear()
        _STEPS.clear()


def _timeline(row: tuple) -> Timeline:
    paused = row[10] is not None
    # While paused the expected date depends on today; otherwise the row is the whole key.
    today = calendar.localtime(timezone.now()).date() if paused else None
    key = (tuple(row[:4]) + tuple(row[6:]), translation.get_language(), today)
    data = _MEMO.get(key)
    if data is None:
        data = _build(row)
        with _LOCK:
            _MEMO[key] = data
            while len(_MEMO) > _MEMO_MAX:
                _MEMO.popitem(last=False)
    return Timeline(key=key, data=data)


def _steps(version_id: int) -> list:
    now = time.monotonic()
    cached = _STEPS.get(version_id)
    if cached is not None and now - cached[0] < _STEPS_SECONDS:
        return cached[1]
    with connection.cursor() as cursor:
        cursor.execute(_STEPS_SQL, [version_id])
        steps = cursor.fetchall()
    with _LOCK:
        _STEPS[version_id] = (now, steps)
    return steps


def _iso(value: dt.datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _build(row: tuple) -> dict:
    (dossier_id, code, token, state, _phone, _ident, submitted_at, received_at, due_at,
     rescheduled_at, paused_since, current_step, version_id, resolved_at, returned_at,
     procedure, processing_days, next_day_after_cutoff, agency, competent, _last_event,
     rating_id) = row
    received = _aware(received_at)
    due = _aware(due_at)
    expected = None
    if paused_since is not None and received is not None:
        # The promise moves by the working days the supplement takes (QĐ 766 formula sheet):
        # the expected date if it arrived now = the due time with the open pause ended now.
        with connection.cursor() as cursor:
            cursor.execute(_PAUSES_SQL, [dossier_id])
            now = timezone.now()
            pauses = [(_aware(b), _aware(e) or now) for b, e in cursor.fetchall()]
        expected = rules.due_at(received, processing_days,
                                next_day_after_cutoff=bool(next_day_after_cutoff),
                                pauses=pauses)
    with connection.cursor() as cursor:
        cursor.execute(_EVENTS_SQL, [dossier_id])
        events = [{"kind": kind, "label": str(EVENT_LABELS.get(kind)
                                              or STATE_LABELS.get(ev_state, kind)),
                   "state": ev_state, "at": _aware(at), "unit": unit or ""}
                  for kind, ev_state, at, unit in cursor.fetchall()]
    finished = state in ("resolved", "returned")
    # stopped, withdrawn or refused: the steps not reached will never be carried out
    ended = state in ("stopped", "withdrawn", "refused")
    steps = []
    for ordering, name, unit in _steps(version_id):
        if finished or ((state in ("processing", "supplement") or ended)
                        and ordering < (current_step or 0)):
            status = "done"
        elif state in ("processing", "supplement") and ordering == current_step:
            status = "current"
        elif ended:
            status = "dropped"
        else:
            status = "pending"
        steps.append({"no": ordering, "name": name, "unit": unit or competent,
                      "status": status})
    return {
        "code": code, "token": token, "procedure": procedure, "agency": agency,
        "competent_unit": competent, "state": state,
        "state_label": str(STATE_LABELS.get(state, state)),
        "national_status": NATIONAL_STATUS[DossierState(state)],
        "submitted_at": _aware(submitted_at), "received_at": received, "due_at": due,
        "paused": paused_since is not None, "paused_since": _aware(paused_since),
        "expected_due_at": expected, "rescheduled_at": _aware(rescheduled_at),
        "resolved_at": _aware(resolved_at), "returned_at": _aware(returned_at),
        "events": events, "steps": steps,
        "can_rate": state == "returned" and rating_id is None,
        "rated": rating_id is not None,
    }


def as_json(data: dict) -> dict:
    """The API's body (datetimes as ISO 8601 in Vietnamese time); no token, no rating state."""
    return {
        "code": data["code"], "procedure": data["procedure"], "agency": data["agency"],
        "competent_unit": data["competent_unit"], "status": data["state"],
        "status_label": data["state_label"], "national_status": data["national_status"],
        "submitted_at": _iso(data["submitted_at"]), "received_at": _iso(data["received_at"]),
        "due_at": _iso(data["due_at"]), "paused": data["paused"],
        "paused_since": _iso(data["paused_since"]),
        "expected_due_at": _iso(data["expected_due_at"]),
        "rescheduled_at": _iso(data["rescheduled_at"]),
        "resolved_at": _iso(data["resolved_at"]), "returned_at": _iso(data["returned_at"]),
        "events": [{"kind": e["kind"], "label": e["label"], "status": e["state"],
                    "at": _iso(e["at"]), "unit": e["unit"]} for e in data["events"]],
        "steps": data["steps"],
    }
