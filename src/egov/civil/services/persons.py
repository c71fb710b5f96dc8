"""Finding persons (issue 13 "Lookup, privacy"): by name typed with or without diacritics
(the folded name: core.search.fold, đ → d) or by the 12-digit personal ID, only in the communes
the user may read (`civil.read`: the registrar's own commune; province supervisors all), in
keyset pages of the kernel (core.pagination: no count of all rows). A page that names people is
an audit event — the ids only, no personal data in the trail.

At a province's size (5,000,000 records in 100 communes; bench/bench_civil.py) a page is two
statements that PostgreSQL answers from indexes (migration 0003_search):
- the communes the user may read are resolved first into their ids (one small query on the
  units), so the statement names them as constants: `commune_id = 12` (a join to the units hid
  the indexes below);
- a search by name first picks the page's ids alone — for a common name ("nguyen": a third of
  all names) by reading the (commune, id) index backwards until the page is full; for a rare one
  by reading the commune's (commune, name) index with the ids included, without the table:
  ~50,000 short entries per commune, whatever the name — then reads those rows by their ids.
  (A pg_trgm index does not help here: Vietnamese names are made of a few very common words,
  so the trigrams of "nguyen van an" each match millions of rows; measured at 0.6 s.) Over
  every commune (a province supervisor) the (id) index is read backwards until the page is
  full: fast for a common name, a read of the whole table for a rare one (docs/civil.md,
  "Budgets").
- a text of three letters or more matches anywhere in the folded name (`nguyen van an` also
  finds "Nguyễn Văn Anh"); one or two letters match the start of a word only (`an`: "An",
  "Anh", not "Lan" or "Tuấn") — a fragment inside a word names nobody in particular.

Over more than one commune (a province or district supervisor) a text matches at the start of a
word ("nguyen van an", "van an", "tuyet"; not "guyen van") — across a province a fragment inside
a word names nobody in particular, and it lets an index answer. On PostgreSQL the page's ids
are then two statements at most, each bounded whatever the name:
1. the newest FIRST_WINDOW ids (from the cursor on) read backwards from the index (id) INCLUDE
   (name_folded) alone, stopped when the page is full — a common name ("nguyen van": 7 in 100)
   ends here;
2. when they hold fewer matches than a page, what they hold is a sample of the name's density:
   from DENSE matches on (1 in 500 or more) reading on backwards is cheaper than the index
   below, so the next ids are read the same way, as many as the page should need (x 1.5, at
   most WINDOW). Measured at 5,000,000 (EXPLAIN ANALYZE): an index entry read and matched
   costs ~0.5 µs, a match fetched through the GIN index below ~2 µs, so the window wins when
   the density squared is above ~13 / the table's size — 1 in 600 at 5,000,000. A fixed
   window of 50,000 cost ~27 ms for every rare name before it reached the index;
3. when the page is still not full (a rarer name), the
   older records through a GIN index of the name's "tags" (migration 0005_lookup:
   egov_name_tags('nguyen van an') = every prefix of each word, and each word followed by
   every prefix of the next: {n, …, nguyen, v, va, van, a, an, "nguyen v", …, "nguyen van",
   "van a", "van an"}). A text of two words or more asks for its adjacent pairs ("nguyen van",
   "van an"), one word for itself: a necessary condition that only matching names and a few
   others meet, read from the rarest tag's entries; the LIKE decides. The statement orders by
   `id + 0` so that the planner cannot read the (id) index instead (it would for a tag it
   thinks common). Only this path writes those expressions, so a registrar's statement on one
   commune keeps the btree plans (a trigram GIN was chosen wrongly there; docs/civil.md
   "Budgets").

The other criteria of issue 13 ("search by name typed without diacritics, ID, birth date,
parents' names"), each optional and combined with AND: `born` — an exact date of birth or a
year; `father` / `mother` — the parent's name, folded and matched as the name is. A parent's
name matches only on a parent's record the user may read (the person's page hides the others).
"""

from __future__ import annotations

import datetime as dt
import math
import re

from django.db import connection
from django.db.models import BooleanField, CharField, F, Func, Q
from django.db.models.expressions import RawSQL
from django.utils.translation import gettext as _

from egov.core import policy
from egov.core.audit import audit_log
from egov.core.errors import InvalidInput
from egov.core.models import OrgUnit
from egov.core.pagination import Page, check_limit, decode_cursor, encode_cursor, keyset_page
from egov.core.search import fold

from ..models import Person

READ = "civil.read"
# Below this many letters a text matches the start of a word only (see above).
WORD_START_BELOW = 3
TEXT_MAX = 200  # the longest name, parent's name or ID typed (Person.full_name's length)
YEARS = (1800, 2999)  # a year of birth outside these is a typing error
# A search over many communes: the newest records read backwards first, then — when they hold
# at least DENSE matches — up to WINDOW more, before the GIN index (see the module's text).
FIRST_WINDOW = 4_000
DENSE = 8
WINDOW = 100_000
_DAY = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$|^(\d{1,2})/(\d{1,2})/(\d{4})$")


class Spaced(Func):
    """`(' ' || name_folded)`: a text matching at the start of a word is `LIKE '% text%'`."""

    template = "(' ' || %(expressions)s)"
    output_field = CharField()


def _on_units(q: Q, prefix: str = "commune__") -> Q:
    """The same filter asked of the units themselves: `commune__path__startswith` →
    `path__startswith` (nested Q's, connectors and negations kept)."""
    out = Q()
    out.connector, out.negated = q.connector, q.negated
    for child in q.children:
        if isinstance(child, Q):
            out.children.append(_on_units(child, prefix))
        else:
            key, value = child
            out.children.append((key.removeprefix(prefix), value))
    return out


def _commune_ids(actor) -> list[int] | None:
    """The ids of the communes the actor may read; None for every commune."""
    q = policy.unit_q(actor, READ, field="commune")
    if q == policy.EVERYTHING:
        return None
    return list(OrgUnit.objects.filter(_on_units(q)).order_by("id").values_list("id", flat=True))


def readable_communes(actor) -> Q:
    """The filter on Person keeping the communes the actor may read, with their ids as
    constants (every commune: no condition)."""
    ids = _commune_ids(actor)
    return policy.EVERYTHING if ids is None else Q(commune_id__in=ids)


def name_q(text: str, field: str = "name_folded") -> Q:
    """The folded name in `field` matching `text` (already folded, single spaces)."""
    if len(text.replace(" ", "")) < WORD_START_BELOW:
        return Q(**{f"{field}__startswith": text}) | Q(**{f"{field}__contains": " " + text})
    return Q(**{f"{field}__contains": text})


def _tags(text: str) -> list[str]:
    """The tags (egov_name_tags) of every name matching `text` at the start of a word: its
    adjacent pairs of words, or its only word."""
    words = text.split()
    return [f"{a} {b}" for a, b in zip(words, words[1:], strict=False)] or words


def _tags_q(tags: list[str]) -> RawSQL:
    """`egov_name_tags(name_folded) @> ARRAY[…]`: the GIN index of migration 0005_lookup
    (written as the index's expression)."""
    return RawSQL('egov_name_tags("civil_person"."name_folded") @> %s::text[]', [tags],
                  output_field=BooleanField())


def _wide_page(qs, text: str, cursor: str | None, limit: int) -> Page:
    """The page's ids over many communes: `qs` (the other criteria) matching `text` at the
    start of a word, newest first (see the module's text)."""
    limit = check_limit(limit)
    qs = qs.alias(spaced_name=Spaced(F("name_folded"))).filter(spaced_name__contains=" " + text)
    if connection.vendor != "postgresql":
        return keyset_page(qs.only("id"), order=("-id",), cursor=cursor, limit=limit)
    newest = Person.objects.all()
    if cursor:
        below = Q(id__lt=_cursor_id(cursor))
        qs, newest = qs.filter(below), newest.filter(below)
    # The newest id, as a constant: the planner then knows how few rows each window holds (with
    # a subquery it guessed a third of the table and launched parallel workers for 4,000).
    top = newest.order_by("-id").values_list("id", flat=True).first() or 0
    ids: list[int] = []
    read, span = 0, FIRST_WINDOW
    while span:
        ids += list(qs.filter(id__gt=top - (read + span), id__lte=top - read).order_by("-id")
                    .values_list("id", flat=True)[:limit + 1 - len(ids)])
        read += span
        if len(ids) > limit or read >= top:
            break
        # The density so far says whether reading on beats the index (the module's text).
        span = (max(0, min(WINDOW - read, max(FIRST_WINDOW, math.ceil(
                    (limit + 1 - len(ids)) * read / len(ids) * 2))))
                if len(ids) * FIRST_WINDOW >= DENSE * read else 0)
    if len(ids) <= limit and read < top:
        # `id + 0`: the planner may neither read the (id) index backwards for a tag it thinks
        # common, nor AND the tag's bitmap with millions of ids of the primary key.
        older = (qs.filter(_tags_q(_tags(text)))
                 .alias(id_key=F("id") + 0).filter(id_key__lte=top - read).order_by("-id_key"))
        ids += list(older.values_list("id", flat=True)[:limit + 1 - len(ids)])
    more = len(ids) > limit
    ids = ids[:limit]
    return Page(items=[Person(pk=pk) for pk in ids],
                next=encode_cursor([ids[-1]]) if more and ids else None)


def _cursor_id(cursor: str) -> int:
    """The id a page's cursor resumes below (core.pagination's cursor of the order ("-id",))."""
    value = decode_cursor(cursor, 1)[0]
    if isinstance(value, bool) or not isinstance(value, int) or not 0 < value < 2**63:
        raise InvalidInput(_("The page cursor is not valid. Start again from the first page."),
                           fields={"cursor": [_("Invalid cursor.")]}, code="bad_cursor")
    return value


def _folded(value, field: str) -> str:
    text = " ".join(str(value or "").split())
    if len(text) > TEXT_MAX:
        message = _("At most %(n)d characters.") % {"n": TEXT_MAX}
        raise InvalidInput(message, fields={field: [message]})
    return " ".join(fold(text).split())


def parse_born(value) -> tuple[dt.date, dt.date] | None:
    """`born` as the first and last day it names: a date (a date, "YYYY-MM-DD" or
    "DD/MM/YYYY") or a year (an int or "YYYY"). Anything else → InvalidInput on "born"."""
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, dt.date):
        return value, value
    message = _("Give a date of birth (DD/MM/YYYY) or a year (YYYY).")
    text = str(value).strip() if not isinstance(value, bool) else ""
    if isinstance(value, int) and not isinstance(value, bool):
        text = str(value)
    try:
        if text.isdigit() and len(text) == 4 and YEARS[0] <= int(text) <= YEARS[1]:
            year = int(text)
            return dt.date(year, 1, 1), dt.date(year, 12, 31)
        m = _DAY.match(text)
        if m:
            y, mo, d = (m[1], m[2], m[3]) if m[1] else (m[6], m[5], m[4])
            day = dt.date(int(y), int(mo), int(d))
            if YEARS[0] <= day.year <= YEARS[1]:
                return day, day
    except ValueError:
        pass
    raise InvalidInput(message, fields={"born": [message]})


def person_search(*, actor, q: str = "", born=None, father: str = "", mother: str = "",
                  cursor: str | None = None, limit: int = 50) -> Page:
    """Newest records first. `q`: a name or a 12-digit personal ID; `born`: a date of birth or
    a year (parse_born); `father` / `mother`: the parent's name. Every criterion is optional;
    those given must all hold."""
    text = " ".join(str(q or "").split())
    if len(text) > TEXT_MAX:
        message = _("At most %(n)d characters.") % {"n": TEXT_MAX}
        raise InvalidInput(message, fields={"q": [message]})
    days = parse_born(born)
    parents = {"father": _folded(father, "father"), "mother": _folded(mother, "mother")}
    ids = _commune_ids(actor)
    qs = Person.objects.all() if ids is None else Person.objects.filter(commune_id__in=ids)
    if days is not None:
        qs = qs.filter(birth_date__range=days)
    for role, name in parents.items():
        if name:
            qs = qs.filter(name_q(name, f"{role}__name_folded"))
            if ids is not None:  # a parent's record the user may read (the person's page)
                qs = qs.filter(**{f"{role}__commune_id__in": ids})
    if text.isdigit() and len(text) == 12:
        page = keyset_page(qs.filter(personal_id=text).select_related("commune"),
                           order=("-id",), cursor=cursor, limit=limit)
    elif text or any(parents.values()):
        name = " ".join(fold(text).split())
        # The ids first (only the indexed columns are read), then their rows.
        if name and (ids is None or len(ids) > 1):
            found = _wide_page(qs, name, cursor, limit)  # many communes
        else:
            if name:
                qs = qs.filter(name_q(name))  # one commune: its (commune, name) index
            found = keyset_page(qs.only("id"), order=("-id",), cursor=cursor, limit=limit)
        rows = {p.pk: p for p in Person.objects.select_related("commune")
                .filter(pk__in=[p.pk for p in found.items])}
        page = Page(items=[rows[p.pk] for p in found.items if p.pk in rows], next=found.next)
    else:
        page = keyset_page(qs.select_related("commune"), order=("-id",), cursor=cursor,
                           limit=limit)
    if page.items:
        audit_log(actor=actor, action="civil.person.read", object_type="civil.person",
                  details={"purpose": "search", "ids": [p.pk for p in page.items]})
    return page
