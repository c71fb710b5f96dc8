"""What the directive pages share: the choices of units and people a form offers (inside an
agency's or a unit's subtree), the status badge of a directive and the menu's preconditions."""

from __future__ import annotations

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from egov.core import policy
from egov.core.models import OrgUnit, Position

from .. import buckets
from ..models import Bucket, DirectiveState
from ..selectors import access

# The four buckets in the words of the Government's reports (Báo cáo 1270/BC-TCTTTg; GLOSSARY:
# hoàn thành đúng hạn / quá hạn, chưa hoàn thành trong hạn / quá hạn).
LABELS = {
    Bucket.DONE_ON_TIME: pgettext_lazy("directive status", "Done on time"),
    Bucket.DONE_LATE: pgettext_lazy("directive status", "Done late"),
    Bucket.OPEN_ON_TIME: pgettext_lazy("directive status", "Not done, in time"),
    Bucket.OPEN_LATE: pgettext_lazy("directive status", "Not done, overdue"),
}
# The badge of each bucket: text plus a symbol (egov.css), never colour only.
BADGE_CSS = {
    Bucket.OPEN_ON_TIME: "badge--ok", Bucket.OPEN_LATE: "badge--danger",
    Bucket.DONE_ON_TIME: "badge--ok", Bucket.DONE_LATE: "badge--warn",
}


def status_of(directive, today=None) -> dict:
    """{"code", "label", "css"}: one of the four buckets, or cancelled."""
    today = today or timezone.localdate()
    code = buckets.directive_bucket(directive, today)
    if code is None:
        return {"code": "cancelled", "label": _("Cancelled"), "css": "badge--neutral"}
    return {"code": code, "label": LABELS[code], "css": BADGE_CSS[code]}


def with_status(directives, today=None) -> list:
    today = today or timezone.localdate()
    for d in directives:
        d.status = status_of(d, today)
        d.awaiting = d.state == DirectiveState.SUBMITTED
    return list(directives)


def _current(qs, prefix: str = ""):
    today = timezone.localdate()
    return qs.filter(Q(**{f"{prefix}valid_to__isnull": True})
                     | Q(**{f"{prefix}valid_to__gte": today}))


def units_under(root: OrgUnit, limit: int = 2000) -> list[OrgUnit]:
    """The current units of `root`'s subtree (itself first), in tree order."""
    return list(_current(OrgUnit.objects.filter(path__startswith=root.path))
                .order_by("path")[:limit])


def people_under(root: OrgUnit, limit: int = 2000) -> list[tuple[str, str]]:
    """("p<user id>", "Name — title, unit") for the current posts in `root`'s subtree."""
    today = timezone.localdate()
    posts = (_current(Position.objects.filter(org_unit__path__startswith=root.path,
                                              valid_from__lte=today, user__is_active=True))
             .select_related("user", "org_unit").order_by("org_unit__path", "user__last_name",
                                                          "user_id")[:limit])
    seen, out = set(), []
    for p in posts:
        if p.user_id in seen:
            continue
        seen.add(p.user_id)
        name = p.user.get_full_name() or p.user.username
        out.append((f"p{p.user_id}", f"{name} — {p.title}, {p.org_unit.abbreviation or p.org_unit.name}"))
    return out


def give_agencies(user) -> list[OrgUnit]:
    """The agencies in whose name the user may give directives."""
    if not access.active(user):
        return []
    ids = policy.agencies_for(user, access.GIVE)
    if not ids and user.is_superuser:
        root = OrgUnit.objects.filter(parent__isnull=True).order_by("id").first()
        return [root] if root else []
    return list(OrgUnit.objects.filter(pk__in=ids).order_by("path"))


def may_give_somewhere(user) -> bool:
    return bool(give_agencies(user))


def handled_units(user) -> list[OrgUnit]:
    """The units whose directives the user follows (handle / reports / view_all grants)."""
    if not access.active(user):
        return []
    ids = set()
    for g in policy.grants_for(user):
        if g.action in (access.HANDLE, access.REPORTS, access.VIEW_ALL):
            ids.add(g.agency_id if g.scope != "unit" and g.agency_id else g.unit_id)
    roots = list(OrgUnit.objects.filter(pk__in=ids).order_by("path"))
    out: dict[int, OrgUnit] = {}
    for root in roots:
        for u in units_under(root, limit=300):
            out.setdefault(u.pk, u)
    return list(out.values())


def may_receive(user) -> bool:
    """Whether "directives received" makes sense for the user: a grant to carry out or follow
    directives, or being a superuser (people named personally see them there too)."""
    if not access.active(user):
        return False
    if user.is_superuser:
        return True
    return any(g.action in (access.HANDLE, access.REPORTS, access.VIEW_ALL, access.GIVE)
               for g in policy.grants_for(user))
