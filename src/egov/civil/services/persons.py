"""Finding persons (issue 13 "Lookup, privacy"): by name typed with or without diacritics
(the folded name: core.search.fold, đ → d) or by the 12-digit personal ID, only in the communes
the user may read (`civil.read`: the registrar's own commune; province supervisors all), in
keyset pages of the kernel (core.pagination: no count of all rows). A page that names people is
an audit event — the ids only, no personal data in the trail.

At a province's size (5,000,000 records; bench/bench_civil.py) the search is one statement on
`civil_person` that PostgreSQL answers from an index (migration 0003_search):
- the communes the user may read are resolved first into their ids (one small query on the
  units), so the statement names them as constants — `commune_id = 12` reads the (commune, id)
  index backwards and stops at the page's LIMIT for a common name, and the (commune, trigrams)
  GIN index for a rare one; a join to the units hid both;
- a text of three letters or more matches anywhere in the folded name (`nguyen van an` also
  finds "Nguyễn Văn Anh"); one or two letters match the start of a word only (`an`: "An",
  "Anh", not "Lan" or "Tuấn") — a fragment inside a word names nobody in particular, and the
  trigram index can answer a word's start but not two letters anywhere.
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
        qs = qs.filter(personal_id=text)
    elif text:
        qs = qs.filter(name_q(" ".join(fold(text).split())))
    page = keyset_page(qs, order=("-id",), cursor=cursor, limit=limit)
    if page.items:
        audit_log(actor=actor, action="civil.person.read", object_type="civil.person",
                  details={"purpose": "search", "ids": [p.pk for p in page.items]})
    return page
