"""Finding persons (issue 13 "Lookup, privacy"): by name typed with or without diacritics
(the folded name: core.search.fold, đ → d) or by the 12-digit personal ID, only in the communes
the user may read (`civil.read`: the registrar's own commune; province supervisors all), in
keyset pages of the kernel (core.pagination: no count of all rows). A page that names people is
an audit event — the ids only, no personal data in the trail."""

from __future__ import annotations

from egov.core import policy
from egov.core.audit import audit_log
from egov.core.pagination import Page, keyset_page
from egov.core.search import fold

from ..models import Person

READ = "civil.read"


def person_search(*, actor, q: str = "", cursor: str | None = None, limit: int = 50) -> Page:
    """Newest records first."""
    qs = Person.objects.filter(policy.unit_q(actor, READ, field="commune"))
    text = " ".join((q or "").split())
    if text.isdigit() and len(text) == 12:
        qs = qs.filter(personal_id=text)
    elif text:
        qs = qs.filter(name_folded__contains=fold(text))
    page = keyset_page(qs, order=("-id",), cursor=cursor, limit=limit)
    if page.items:
        audit_log(actor=actor, action="civil.person.read", object_type="civil.person",
                  details={"purpose": "search", "ids": [p.pk for p in page.items]})
    return page
