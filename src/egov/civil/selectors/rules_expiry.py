"""The kinds' catalogue rows about to lapse (law as data): a rule in force that ends within
HORIZON_DAYS with no row taking over the next day. From that day every registration of the kind
is refused (`no_rule_in_force`, catalog.kind_rule) — the registry must know before. Seeded rows
end 28/2/2027: Luật Hộ tịch 03/2026/QH16 takes over on 1/3/2027, its content unverified
(services.md §3.1), so its rows are the administrator's to add."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Q
from django.utils import timezone

from ..models import KindRule

HORIZON_DAYS = 90


@dataclass(frozen=True)
class Lapse:
    ends_on: dt.date
    kinds: list[str]

    @property
    def refused_from(self) -> dt.date:
        return self.ends_on + dt.timedelta(days=1)


def lapsing_rules(on: dt.date | None = None, horizon: int = HORIZON_DAYS) -> list[Lapse]:
    """The rules in force on `on` ending within `horizon` days without a successor, grouped by
    their last day (two queries)."""
    day = on or timezone.localdate()
    ending = list(KindRule.objects.filter(effective_from__lte=day, effective_to__gte=day,
                                          effective_to__lte=day + dt.timedelta(days=horizon))
                  .order_by("effective_to", "kind"))
    if not ending:
        return []
    later = list(KindRule.objects.filter(kind__in={r.kind for r in ending},
                                         effective_from__gt=day)
                 .filter(Q(effective_to__isnull=True) | Q(effective_to__gt=day))
                 .values_list("kind", "variant", "effective_from"))
    out: dict[dt.date, list[str]] = {}
    for rule in ending:
        # a successor of the same kind and variant (an ordinary row does not take over a
        # foreign-element one); a kind is named once even when both its variants lapse
        follows = any(kind == rule.kind and variant == rule.variant
                      and start <= rule.effective_to + dt.timedelta(days=1)
                      for kind, variant, start in later)
        kinds = out.setdefault(rule.effective_to, [])
        if not follows and rule.kind not in kinds:
            kinds.append(rule.kind)
    return [Lapse(ends_on=end, kinds=kinds) for end, kinds in sorted(out.items()) if kinds]
