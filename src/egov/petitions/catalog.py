"""Catalogue data of the petitions module: policy actions and the roles' starting grants."""

from django.utils.translation import gettext_lazy as _

from egov.core.catalog import seed_module_grants

ACTIONS = {
    "petitions.receive": _("Receive petitions and citizens (reception, one-stop desk)"),
    "petitions.process": _("Handle the petitions assigned to one's unit"),
    "petitions.assign": _("Assign petitions to units and officers"),
    "petitions.decide": _("Decide on petitions: accept, transfer, extend, resolve, close"),
    "petitions.view_all": _("See every petition of the agency (without the identity)"),
    # The head of the agency (Thủ trưởng): may read petitioners' identities (Luật Tố cáo
    # 25/2018 Art.47, 56). Seeded for the leader role; administrators should keep it to the
    # head and the deputy the head names.
    "petitions.head": _("Head of the agency for petitions (may read petitioners' identities)"),
    "petitions.reports": _("See petition reports and registers"),
    "petitions.manage_rules": _("Manage petition deadline rules and mailboxes"),
}

# role code → [(action, scope)]; seeded by migration, edited in the admin afterwards.
ROLE_GRANTS = {
    "admin": [("petitions.manage_rules", "all")],
    "petition_officer": [("petitions.receive", "agency"), ("petitions.view_all", "agency"),
                         ("petitions.process", "agency"), ("petitions.reports", "agency")],
    "onestop_officer": [("petitions.receive", "agency")],
    "officer": [("petitions.process", "unit")],
    "unit_head": [("petitions.process", "unit"), ("petitions.assign", "unit")],
    "leader": [("petitions.assign", "agency"), ("petitions.decide", "agency"),
               ("petitions.view_all", "agency"), ("petitions.head", "agency"),
               ("petitions.reports", "agency"), ("petitions.process", "agency")],
}


def seed_role_grants(apps) -> None:
    seed_module_grants(apps, ROLE_GRANTS)


def seed_deadline_rules(apps) -> None:
    """The time limits of services.md §2.3 (egov.petitions.rules.RULES) as DeadlineRule rows,
    as migration 0004 seeds them; rows already there are left as they are."""
    from .rules import RULES

    DeadlineRule = apps.get_model("petitions", "DeadlineRule")
    for row in RULES:
        DeadlineRule.objects.get_or_create(
            code=row["code"], effective_from=row["effective_from"],
            defaults={k: v for k, v in row.items() if k not in ("code", "effective_from")})
