"""Catalogue data of the directives module: policy actions and the roles' starting grants."""

from django.utils.translation import gettext_lazy as _

from egov.core.catalog import seed_module_grants

ACTIONS = {
    "directives.give": _("Give directives (leaders)"),
    "directives.handle": _("Carry out the directives given to one's unit: report progress, "
                           "ask for extensions, report completion"),
    "directives.assign": _("Split a directive inside one's unit (sub-directives)"),
    "directives.view_all": _("Follow every directive of the agency (văn phòng theo dõi)"),
    "directives.reports": _("See directive dashboards and reports, send reports upward"),
    "directives.manage": _("Manage the upward-sync endpoints of directives"),
}

# role code → [(action, scope)]; seeded by migration, edited in the admin afterwards.
ROLE_GRANTS = {
    "admin": [("directives.manage", "all")],
    "leader": [("directives.give", "agency"), ("directives.view_all", "agency"),
               ("directives.reports", "agency")],
    "unit_head": [("directives.handle", "unit"), ("directives.assign", "unit"),
                  ("directives.reports", "unit")],
    "officer": [("directives.handle", "unit")],
    "clerk": [("directives.view_all", "agency")],
}


def seed_role_grants(apps) -> None:
    seed_module_grants(apps, ROLE_GRANTS)
