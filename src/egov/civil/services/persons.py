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
"""

from __future__ import annotations

from django.db.models import Q

from egov.core import policy
from egov.core.audit import audit_log
from egov.core.models import OrgUnit
from egov.core.pagination import Page, keyset_page
from egov.core.search import fold

from ..models import Person

READ = "civil.read"
# Below this many letters a text matches the start of a word only (see above).
WORD_START_BELOW = 3


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


def readable_communes(actor) -> Q:
    """The filter on Person keeping the communes the actor may read, with their ids as
    constants (every commune: no condition)."""
    q = policy.unit_q(actor, READ, field="commune")
    if q == policy.EVERYTHING:
        return q
    ids = list(OrgUnit.objects.filter(_on_units(q)).order_by("id")
               .values_list("id", flat=True))
    return Q(commune_id__in=ids)


def name_q(text: str) -> Q:
    """The folded name matching `text` (already folded, single spaces)."""
    if len(text.replace(" ", "")) < WORD_START_BELOW:
        return Q(name_folded__startswith=text) | Q(name_folded__contains=" " + text)
    return Q(name_folded__contains=text)


def person_search(*, actor, q: str = "", cursor: str | None = None, limit: int = 50) -> Page:
    """Newest records first."""
    qs = Person.objects.filter(readable_communes(actor))
    text = " ".join((q or "").split())
    if text.isdigit() and len(text) == 12:
        page = keyset_page(qs.filter(personal_id=text), order=("-id",), cursor=cursor,
                           limit=limit)
    elif text:
        # The ids first (only the indexed columns are read), then their rows.
        ids = keyset_page(qs.filter(name_q(" ".join(fold(text).split()))).only("id"),
                          order=("-id",), cursor=cursor, limit=limit)
        rows = {p.pk: p for p in Person.objects.filter(pk__in=[p.pk for p in ids.items])}
        page = Page(items=[rows[p.pk] for p in ids.items if p.pk in rows], next=ids.next)
    else:
        page = keyset_page(qs, order=("-id",), cursor=cursor, limit=limit)
    if page.items:
        audit_log(actor=actor, action="civil.person.read", object_type="civil.person",
                  details={"purpose": "search", "ids": [p.pk for p in page.items]})
    return page
