"""Reads of the public procedure catalogue (no login: the catalogue is public by law, NĐ
118/2025 and the national TTHC database). Each read is a constant number of queries.

- `procedure_search(q, field, level, cursor, limit)`: procedures with a version in force today,
  searched without diacritics over code and name (egov.core.search.fold on both sides), keyset
  paginated by code; each item carries its version in force.
- `procedure_detail(code)`: the procedure by its current or an earlier code (code history), with
  the version in force today, its components and steps.
- `catalogue_fields()`: the fields (lĩnh vực) of the versions in force, for the filter.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from dataclasses import field as dc_field

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from egov.core.errors import NotFound
from egov.core.pagination import Page, keyset_page
from egov.core.search import FullTextIndex, words

from ..models import Procedure, ProcedureCode, ProcedureVersion

ORDER = ("code", "id")
# Only its folded_contains() is used: the catalogue is small (hundreds of rows per centre),
# a folded LIKE over code + name answers it without an index table.
_INDEX = FullTextIndex(table="onestop_procedure", name="onestop_procedure", columns=("name",))
_HAYSTACK = "(\"onestop_procedure\".\"code\" || ' ' || \"onestop_procedure\".\"name\")"


def in_force_q(day: dt.date, prefix: str = "") -> Q:
    return (Q(**{f"{prefix}effective_from__lte": day})
            & (Q(**{f"{prefix}effective_to__isnull": True})
               | Q(**{f"{prefix}effective_to__gte": day})))


def _versions_in_force(day: dt.date) -> QuerySet:
    return ProcedureVersion.objects.filter(in_force_q(day)).order_by("-effective_from", "-number")


@dataclass
class CatalogueItem:
    procedure: Procedure
    version: ProcedureVersion
    former_codes: list[str] = dc_field(default_factory=list)


def procedure_search(*, q: str = "", field: str = "", level: str = "", cursor: str | None = None,
                     limit: int = 20, day: dt.date | None = None) -> Page:
    """A page of CatalogueItem (2 queries)."""
    day = day or timezone.localdate()
    in_force = _versions_in_force(day).filter(procedure=OuterRef("pk"))
    if field:
        in_force = in_force.filter(field_name=field)
    if level:
        in_force = in_force.filter(level=level)
    qs = Procedure.objects.filter(Exists(in_force))
    for word in words(q):
        qs = _INDEX.folded_contains(qs, _HAYSTACK, word)
    qs = qs.prefetch_related(Prefetch("versions", queryset=_versions_in_force(day),
                                      to_attr="in_force"))
    page = keyset_page(qs, order=ORDER, cursor=cursor, limit=limit)
    page.items = [CatalogueItem(p, p.in_force[0]) for p in page.items if p.in_force]
    return page


def catalogue_fields(*, day: dt.date | None = None) -> list[str]:
    day = day or timezone.localdate()
    return sorted(set(ProcedureVersion.objects.filter(in_force_q(day))
                      .values_list("field_name", flat=True)))


def procedure_by_any_code(code: str) -> Procedure | None:
    code = (code or "").strip()[:20]
    proc = Procedure.objects.filter(code=code).first()
    if proc is None:
        old = (ProcedureCode.objects.filter(code=code).select_related("procedure")
               .order_by("-valid_from").first())
        proc = old.procedure if old else None
    return proc


def procedure_detail(code: str, *, day: dt.date | None = None) -> CatalogueItem:
    """The procedure (current or earlier code) and its version in force; NotFound otherwise."""
    day = day or timezone.localdate()
    proc = procedure_by_any_code(code)
    version = None
    if proc is not None:
        version = (_versions_in_force(day).filter(procedure=proc)
                   .select_related("competent_unit")
                   .prefetch_related("components__form_file", "steps").first())
    if version is None:
        raise NotFound(_("There is no procedure in force with the code %(code)s.")
                       % {"code": (code or "")[:20]})
    former = list(ProcedureCode.objects.filter(procedure=proc).exclude(code=proc.code)
                  .order_by("valid_from").values_list("code", flat=True))
    return CatalogueItem(proc, version, list(dict.fromkeys(former)))

