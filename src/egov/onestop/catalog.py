"""Catalogue data of the one-stop module: policy actions and the roles' starting grants."""

from django.utils.translation import gettext_lazy as _

from egov.core.catalog import seed_module_grants

ACTIONS = {
    "onestop.receive": _("Receive dossiers and return results at the one-stop desk"),
    "onestop.process": _("Process one-stop dossiers"),
    "onestop.decide": _("Approve one-stop results, apologies and stops"),
    "onestop.view_all": _("See every one-stop dossier of the agency"),
    "onestop.reports": _("See one-stop statistics"),
    "onestop.manage_catalogue": _("Manage the procedure catalogue"),
}

# role code → [(action, scope)]; seeded by migration, edited in the admin afterwards.
ROLE_GRANTS = {
    "admin": [("onestop.manage_catalogue", "all")],
    "onestop_officer": [("onestop.receive", "agency"), ("onestop.view_all", "agency"),
                        ("onestop.reports", "agency")],
    "officer": [("onestop.process", "unit")],
    "unit_head": [("onestop.process", "unit"), ("onestop.reports", "unit")],
    "leader": [("onestop.decide", "agency"), ("onestop.view_all", "agency"),
               ("onestop.reports", "agency"), ("onestop.process", "agency")],
}


def seed_role_grants(apps) -> None:
    """The roles' starting grants (migration 0002; the procedure seed is the catalogue part's)."""
    seed_module_grants(apps, ROLE_GRANTS)
