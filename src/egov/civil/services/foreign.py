"""Events with a foreign element (có yếu tố nước ngoài; issue 13: "marriage, with a foreign
party too"). Since 1/7/2025 the commune registers them all (NĐ 120/2025/NĐ-CP; services.md §3.2),
under the kind's "foreign" catalogue row (`catalog.kind_rule(kind, on, foreign=True)`: its own
limits) and in the same book as the kind's other events (Luật Hộ tịch 2014, Điều 58).

- An event has a foreign element when the registrar (or the API) says so — e.g. a Vietnamese
  citizen settled abroad — or when a party's nationality is not Vietnamese (detected here).
- A foreign party — one declared `"foreign": true`, or one whose nationality is not Vietnamese —
  gives a nationality other than Việt Nam and an identity document (passport or travel document,
  its number, and the issuing country): a foreigner has no personal ID, and the marriage
  certificate states the identity document (Luật Hộ tịch 2014, Điều 17.2).
- A marriage with a foreign element in Việt Nam: each party follows the law of their own
  country, and the foreign party also the conditions of Vietnamese law (Luật Hôn nhân và gia
  đình 2014, Điều 126.1) — the same checks of age, marriage, relation, sex and presence apply,
  their refusals citing Điều 126 too (`cite_article_126`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from django.utils.translation import gettext as _

from egov.core.errors import InvalidInput
from egov.core.search import fold

from ..models import Person

# The folded spellings of Việt Nam's nationality (core.search.fold: no diacritics, lower case).
VIETNAM = frozenset({"viet nam", "vietnam", "vn", "vnm", "cong hoa xa hoi chu nghia viet nam",
                     "nuoc cong hoa xa hoi chu nghia viet nam", "viet nam (vn)"})


def is_vietnamese(nationality: str | None) -> bool:
    """A blank nationality is Việt Nam (the record's default); a dual nationality naming Việt
    Nam ("Việt Nam, Pháp") is a Vietnamese citizen (Luật Quốc tịch 2008, Điều 4: in Việt Nam the
    State recognises their Vietnamese nationality)."""
    text = fold(nationality)
    if not text:
        return True
    parts = [p.strip(" .-") for p in text.replace(";", ",").replace("/", ",").split(",")]
    return any(p in VIETNAM for p in parts if p)


def is_foreigner(person: Person) -> bool:
    return not is_vietnamese(person.nationality)


def check_parties(parties: Iterable[tuple[str, Person, object]], flag: bool = False) -> bool:
    """Whether the event has a foreign element — `flag` or a foreign party among `parties`
    ((field, person, the spec given)) — after checking each foreign party: a nationality other
    than Việt Nam and an identity document. 422 by the field otherwise, nothing written."""
    errors: dict[str, list[str]] = {}
    foreign = flag is True
    for field, person, spec in parties:
        if person is None:
            continue
        declared = isinstance(spec, Mapping) and spec.get("foreign") is True
        alien = is_foreigner(person)
        if declared and not alien:
            errors.setdefault(f"{field}.nationality", []).append(
                _("A foreign party has a nationality other than Việt Nam: give it."))
        if (declared or alien) and not (person.identity_document or "").strip():
            # Luật Hộ tịch 2014, Điều 17.2: the identity document is written in the book and on
            # the certificate; a foreigner has no Vietnamese personal ID.
            errors.setdefault(f"{field}.identity_document", []).append(
                _("A party of foreign nationality gives a passport or another identity document: "
                  "its number and the country that issued it (Luật Hộ tịch 2014, Điều 17.2)."))
        foreign = foreign or declared or alien
    if errors:
        missing = any(k.endswith(".identity_document") for k in errors)
        message = next(iter(errors.values()))[0]
        raise InvalidInput(message, fields=errors,
                           code="identity_document_required" if missing
                           else "foreign_nationality_required")
    return foreign


def cite_article_126(err: InvalidInput) -> InvalidInput:
    """The refusal of a marriage condition, for a marriage with a foreign element: the same
    code and fields, its message citing Luật Hôn nhân và gia đình 2014, Điều 126 as well."""
    article = _("With a foreign element, each party follows the marriage conditions of their "
                "own country's law and, registered in Việt Nam, the foreign party also those of "
                "Vietnamese law (Luật Hôn nhân và gia đình 2014, Điều 126.1).")
    message = f"{err.message} {article}"
    fields = {k: [message if m == err.message else m for m in v] for k, v in err.fields.items()}
    return InvalidInput(message, code=err.code, fields=fields or None)
