"""Keeping the statistics summary of ended dossiers (`StatsDay`, `StatsDossier`) up to date.

`dossier_refresh` is the one way a dossier's share of the summary changes. It runs inside the
transaction that changed the dossier — called by the dossier services' hook
(`hooks.dossier_changed`, from `records.event_write`) and by the rating service — so the summary
commits or rolls back with the change. It compares what the dossier should add now (`share_of`)
with what it added before (its `StatsDossier` row) and, when they differ, decrements the old
row and increments the new one with `UPDATE … SET n = n ± 1` / `INSERT … ON CONFLICT DO UPDATE`
(never read-modify-write: two dossiers ending on the same day and key in parallel transactions
both count). `rebuild` recomputes everything from the dossiers (`egov onestop_stats_rebuild`).

A dossier has a share when it was received (with a promised time) and has ended: its judgement
is then `rules.judge_end(ended_at, due_at)` whatever the period (QĐ 766 formula sheet: a
finished dossier is judged at NgayKetThucXuLy against NgayHenTra).
"""

from __future__ import annotations

import datetime as dt
from array import array
from collections.abc import Mapping
from dataclasses import dataclass

from django.db import connection, transaction
from django.db.models import Exists, F, OuterRef

from egov.core import calendar
from egov.core.audit import audit_log

from .. import rules
from ..models import Dossier, DossierState, Rating, ResultMedium, StatsDay, StatsDossier

_RESOLVED = (DossierState.RESOLVED, DossierState.RETURNED)
# The counts of a StatsDay row a dossier may add 1 to, with the bit StatsDossier.flags keeps.
FLAGS = (("resolved", 1), ("supplemented", 2), ("stopped", 4), ("withdrawn", 8),
         ("dissatisfied", 16), ("not_paper", 32), ("electronic", 64))
KEY = ("day", "competent_unit_id", "agency_id", "procedure_id", "channel", "kind")
MEASURES = ("n", *(name for name, _bit in FLAGS), "solved_days")
# The dossier fields a share is computed from.
FIELDS = ("received_at", "due_at", "ended_at", "state", "supplement_requests", "result_medium",
          "paused_days", "channel", "competent_unit_id", "agency_id", "procedure_id")


@dataclass(frozen=True)
class Share:
    """What one ended dossier adds to the summary: the row's key, the flags and (resolved
    dossiers) its working days for QĐ 766 indicator 2.2."""

    key: tuple
    flags: int
    solved_days: int

    def measures(self, sign: int = 1) -> dict[str, int]:
        out = {"n": sign}
        for name, bit in FLAGS:
            if self.flags & bit:
                out[name] = sign
        if self.solved_days:
            out["solved_days"] = sign * self.solved_days
        return out


def working_days_signed(start: dt.date, end: dt.date) -> int:
    """W(end) − W(start) with W the working days up to a day (negative when end < start), as
    the report's live statement computes it."""
    return (calendar.working_days_between(start, end)
            - calendar.working_days_between(end, start))


def share_of(facts: Mapping, dissatisfied: bool) -> Share | None:
    """The dossier's share of the summary, or None when it has none (not received, no promised
    time, or not ended). `facts` maps FIELDS to the dossier's values."""
    received, due, ended = facts["received_at"], facts["due_at"], facts["ended_at"]
    if received is None or due is None or ended is None:
        return None
    state = facts["state"]
    resolved = state in _RESOLVED
    medium = facts["result_medium"]
    flags = ((1 if resolved else 0)
             | (2 if (facts["supplement_requests"] or 0) >= 1 else 0)
             | (4 if state == DossierState.STOPPED else 0)
             | (8 if state == DossierState.WITHDRAWN else 0)
             | (16 if dissatisfied else 0)
             | (32 if medium != ResultMedium.PAPER else 0)
             | (64 if resolved and medium == ResultMedium.ELECTRONIC else 0))
    end_day = calendar.localtime(ended).date()
    solved = 0
    if resolved:  # QĐ 766 indicator 2.2: working days receipt → result, less the pauses
        solved = (working_days_signed(calendar.localtime(received).date(), end_day)
                  - int(facts["paused_days"] or 0))
    key = (end_day, facts["competent_unit_id"], facts["agency_id"], facts["procedure_id"],
           facts["channel"], rules.judge_end(ended, due))
    return Share(key=key, flags=flags, solved_days=solved)


# --- incremental: one dossier, inside its transaction -------------------------------------------


def on_dossier_changed(*, dossier, event=None) -> None:
    """The hooks.dossier_changed subscriber."""
    dossier_refresh(dossier)


def dossier_refresh(dossier: Dossier) -> None:
    """Bring the dossier's share of the summary up to date (see the module doc). Must run inside
    the transaction that changed the dossier, after the dossier row was saved; `dossier` holds
    the saved values."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("dossier_refresh() must run inside transaction.atomic()")
    facts = {f: getattr(dossier, f) for f in FIELDS}
    # FOR UPDATE: waits for a running rebuild (which locks the tables) and reads its result.
    old_entry = (StatsDossier.objects.select_for_update(of=("self",)).select_related("row")
                 .filter(pk=dossier.pk).first())
    new = None
    if facts["received_at"] and facts["due_at"] and facts["ended_at"]:
        unhappy = Rating.objects.filter(dossier_id=dossier.pk, satisfied=False).exists()
        new = share_of(facts, unhappy)
    old = None
    if old_entry is not None:
        row = old_entry.row
        old = Share(key=tuple(getattr(row, k) for k in KEY), flags=old_entry.flags,
                    solved_days=old_entry.solved_days)
    if old == new:
        return
    if old is not None and new is not None and old.key == new.key:
        delta = _delta(old.measures(-1), new.measures(1))
        if delta:
            StatsDay.objects.filter(pk=old_entry.row_id).update(
                **{m: F(m) + v for m, v in delta.items()})
        StatsDossier.objects.filter(pk=dossier.pk).update(flags=new.flags,
                                                          solved_days=new.solved_days)
        return
    # Two rows: touch them in key order (two moves crossing each other cannot deadlock).
    new_row_id = None
    steps = []
    if old is not None:
        steps.append((old.key, "old"))
    if new is not None:
        steps.append((new.key, "new"))
    for _key, which in sorted(steps, key=lambda s: _sortable(s[0])):
        if which == "old":
            StatsDay.objects.filter(pk=old_entry.row_id).update(
                **{m: F(m) + v for m, v in old.measures(-1).items()})
        else:
            new_row_id = _upsert(new.key, new.measures(1))
    if new is None:
        StatsDossier.objects.filter(pk=dossier.pk).delete()
    elif old_entry is None:
        StatsDossier.objects.create(dossier_id=dossier.pk, row_id=new_row_id, flags=new.flags,
                                    solved_days=new.solved_days)
    else:
        StatsDossier.objects.filter(pk=dossier.pk).update(row_id=new_row_id, flags=new.flags,
                                                          solved_days=new.solved_days)


def _sortable(key: tuple) -> tuple:
    return tuple(str(k) for k in key)


def _delta(minus: dict[str, int], plus: dict[str, int]) -> dict[str, int]:
    out = {m: minus.get(m, 0) + plus.get(m, 0) for m in {*minus, *plus}}
    return {m: v for m, v in out.items() if v}


def _upsert(key: tuple, measures: dict[str, int]) -> int:
    """Add `measures` to the row of `key` (created when missing) in one statement; its id."""
    table = StatsDay._meta.db_table
    values = [connection.ops.adapt_datefield_value(key[0]), *key[1:],
              *(measures.get(m, 0) for m in MEASURES)]
    columns = (*KEY, *MEASURES)
    sets = ", ".join(f"{m} = {table}.{m} + excluded.{m}" for m in MEASURES)
    sql = (f"INSERT INTO {table} ({', '.join(columns)}) "
           f"VALUES ({', '.join(['%s'] * len(columns))}) "
           f"ON CONFLICT ({', '.join(KEY)}) DO UPDATE SET {sets} RETURNING id")
    with connection.cursor() as cur:
        cur.execute(sql, values)
        return cur.fetchone()[0]


# --- rebuild: everything from the dossiers -------------------------------------------------------


def rebuild(*, chunk: int = 20000, stdout=None, audit: bool = True) -> dict[str, int]:
    """Recompute the whole summary from the dossiers, in one transaction (idempotent). On
    PostgreSQL both tables are locked against writes first (reports keep reading the old rows
    until the commit); a dossier change waiting on the lock then moves the rebuilt share.
    `audit`: log `onestop.stats.rebuild` (the migration that fills the tables does not)."""
    table_day, table_dossier = StatsDay._meta.db_table, StatsDossier._meta.db_table
    with transaction.atomic():
        with connection.cursor() as cur:
            if connection.vendor == "postgresql":
                cur.execute(f"LOCK TABLE {table_dossier}, {table_day} IN EXCLUSIVE MODE")
            cur.execute(f"DELETE FROM {table_dossier}")
            cur.execute(f"DELETE FROM {table_day}")
        rows: dict[tuple, dict[str, int]] = {}
        keys: dict[tuple, int] = {}
        ids, key_ix, flags, solved = array("q"), array("l"), array("l"), array("l")
        unhappy = Rating.objects.filter(dossier=OuterRef("pk"), satisfied=False)
        qs = (Dossier.objects.filter(received_at__isnull=False, due_at__isnull=False,
                                     ended_at__isnull=False)
              .annotate(unhappy=Exists(unhappy)).values_list("pk", "unhappy", *FIELDS))
        for pk, dissatisfied, *values in qs.iterator(chunk_size=chunk):
            share = share_of(dict(zip(FIELDS, values, strict=True)), dissatisfied)
            acc = rows.get(share.key)
            if acc is None:
                acc = rows[share.key] = dict.fromkeys(MEASURES, 0)
                keys[share.key] = len(keys)
            for m, v in share.measures().items():
                acc[m] += v
            ids.append(pk)
            key_ix.append(keys[share.key])
            flags.append(share.flags)
            solved.append(share.solved_days)
        made = StatsDay.objects.bulk_create(
            [StatsDay(**dict(zip(KEY, key, strict=True)), **acc) for key, acc in rows.items()],
            batch_size=2000)
        row_ids = array("q", (r.pk for r in made))  # same order as `keys`
        for lo in range(0, len(ids), chunk):
            StatsDossier.objects.bulk_create(
                [StatsDossier(dossier_id=ids[i], row_id=row_ids[key_ix[i]], flags=flags[i],
                              solved_days=solved[i]) for i in range(lo, min(lo + chunk,
                                                                             len(ids)))],
                batch_size=chunk)
            if stdout is not None:
                stdout.write(f"  {min(lo + chunk, len(ids)):,} / {len(ids):,} dossiers")
        counts = {"rows": len(rows), "dossiers": len(ids)}
        if audit:
            audit_log(actor=None, action="onestop.stats.rebuild", details=counts)
    return counts
