"""The one permission policy of eGov.

Roles are data (Role + RoleGrant rows): a grant gives a role one action with a scope:
- "unit": the unit of the position that holds the role and every unit below it;
- "agency": the agency that unit belongs to (OrgUnit.agency) and that agency's internal
  divisions, not the agencies below it — a Văn phòng's clerk registers the committee's documents
  but not those of the departments under the committee;
- "all": every unit. A person holds roles
through their current Positions and through Delegations active today.

- `can(actor, action, obj=None)` answers one question;
- `unit_q(actor, action, field)` builds the queryset filter "what may this actor see";
- services call `require(actor, action, obj)`, which raises PermissionDenied.

Checks live in services and selectors, never only in templates.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .errors import PermissionDenied

# Every action a role can be granted. Modules add theirs with `register_action`.
ACTIONS: dict[str, object] = {
    "core.manage_orgs": _("Manage units, positions and delegations"),
    "core.manage_users": _("Manage user accounts"),
    "core.manage_calendar": _("Edit the working-day calendar"),
    "core.view_audit": _("Read the audit trail"),
    "core.view_unit_work": _("See the work items of a unit"),
    "core.assign_work": _("Assign work to people of a unit"),
}


def register_action(code: str, label) -> None:
    ACTIONS[code] = label


@dataclass(frozen=True)
class Grant:
    action: str
    scope: str  # "unit", "agency" or "all"
    unit_id: int
    unit_path: str
    agency_id: int | None = None


def _today():
    return timezone.localdate()


def grants_for(user) -> list[Grant]:
    """The grants a user holds today (own positions + active delegations); cached on the user."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return []
    cached = getattr(user, "_egov_grants", None)
    if cached is not None:
        return cached
    from .models import Position, RoleGrant

    today = _today()
    valid = Q(valid_from__lte=today) & (Q(valid_to__isnull=True) | Q(valid_to__gte=today))
    own = Q(user=user)
    delegated = Q(delegations__delegate=user, delegations__start__lte=today,
                  delegations__end__gte=today)
    # Own and delegated posts as a UNION: an OR across the delegation join made PostgreSQL
    # read every position (1.4 ms at 10,000 posts, on every page that checks a permission).
    fields = ("id", "org_unit_id", "org_unit__path", "org_unit__agency_id")
    base = Position.objects.filter(valid).order_by()
    positions = list(base.filter(own).values_list(*fields)
                     .union(base.filter(delegated).values_list(*fields)))
    # The units of these posts: what documents' current_unit_ids asks, without a query of its own.
    user._egov_position_units = sorted({p[1] for p in positions})
    result: list[Grant] = []
    if positions:
        rows = RoleGrant.objects.filter(
            role__positions__id__in=[p[0] for p in positions]
        ).values_list("action", "scope", "role__positions__id")
        by_pos = {p[0]: (p[1], p[2], p[3]) for p in positions}
        seen = set()
        for action, scope, pos_id in rows:
            unit_id, path, agency_id = by_pos[pos_id]
            key = (action, scope, unit_id)
            if key not in seen:
                seen.add(key)
                result.append(Grant(action, scope, unit_id, path, agency_id))
    user._egov_grants = result
    return result


def forget(user) -> None:
    """Drop the cached grants (after positions or roles changed in the same request)."""
    for attr in ("_egov_grants", "_egov_position_units", "_egov_current_units"):
        if hasattr(user, attr):
            delattr(user, attr)


def position_unit_ids(user) -> list[int] | None:
    """Ids of the units where the user holds a post today (own or delegated), read with the
    grants (no query of its own once grants_for ran); None for an inactive or anonymous user."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return None
    grants_for(user)
    return getattr(user, "_egov_position_units", None)


def _unit_of(obj):
    """The OrgUnit an object belongs to: the object itself, or its `policy_unit` / `org_unit`."""
    from .models import OrgUnit

    if obj is None:
        return None
    if isinstance(obj, OrgUnit):
        return obj
    for attr in ("policy_unit", "org_unit"):
        unit = getattr(obj, attr, None)
        if callable(unit):
            unit = unit()
        if unit is not None:
            return unit
    return None


def can(actor, action: str, obj=None) -> bool:
    if action not in ACTIONS:
        raise ValueError(f"unknown action {action!r}")
    if actor is None or not getattr(actor, "is_authenticated", False) or not actor.is_active:
        return False
    if actor.is_superuser:
        return True
    grants = [g for g in grants_for(actor) if g.action == action]
    if not grants:
        return False
    if obj is None:
        return True
    unit = _unit_of(obj)
    if unit is None:
        return any(g.scope == "all" for g in grants)
    return any(_covers(g, unit) for g in grants)


def _covers(grant: Grant, unit) -> bool:
    if grant.scope == "all":
        return True
    if grant.scope == "agency":
        return grant.agency_id is not None and unit.agency_id == grant.agency_id
    return unit.path.startswith(grant.unit_path)


def require(actor, action: str, obj=None) -> None:
    if not can(actor, action, obj):
        raise PermissionDenied()


# "Every row", as a filter that survives `|`: Django drops an empty Q() from an OR (`Q() | Q(x)`
# is `Q(x)`), so "see everything" OR'ed with a narrower right shrank to the narrower one (a
# superuser or a grant of scope "all" saw only what their other rights gave). The negated empty
# IN compiles to no condition at all, alone, inside `&` and inside `|`.
EVERYTHING = ~Q(pk__in=[])
NOTHING = Q(pk__in=[])


def unit_q(actor, action: str, field: str = "org_unit") -> Q:
    """A filter on `field` (a ForeignKey to OrgUnit) keeping the rows the actor may act on;
    safe to combine with `|` and `&` (EVERYTHING / NOTHING at the ends)."""
    if actor is not None and getattr(actor, "is_superuser", False) and actor.is_active:
        return EVERYTHING
    grants = [g for g in grants_for(actor) if g.action == action]
    if any(g.scope == "all" for g in grants):
        return EVERYTHING
    q = NOTHING
    for path in sorted({g.unit_path for g in grants if g.scope == "unit"}):
        q |= Q(**{f"{field}__path__startswith": path})
    agencies = sorted({g.agency_id for g in grants if g.scope == "agency" and g.agency_id})
    if agencies:
        q |= Q(**{f"{field}__agency_id__in": agencies})
    return q


def agencies_for(actor, action: str) -> list[int]:
    """Ids of the agencies where the actor holds `action` (any scope but "all")."""
    return sorted({g.agency_id for g in grants_for(actor) if g.action == action and g.agency_id})


def role_units(actor, action: str) -> list[int]:
    """Ids of the units where the actor holds `action` directly (not their sub-units)."""
    return sorted({g.unit_id for g in grants_for(actor) if g.action == action})
