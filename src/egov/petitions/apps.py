from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PetitionsConfig(AppConfig):
    name = "egov.petitions"
    label = "petitions"
    verbose_name = _("Petitions and citizen reception")

    def ready(self) -> None:
        from egov.core.nav import register_module
        from egov.core.policy import register_action

        from .catalog import ACTIONS

        for code, label in ACTIONS.items():
            register_action(code, label)
        register_module("petitions", _("Petitions"))
        # Menu entries, subscribers, periodic jobs and audit labels are registered by the parts
        # that own them, each in its own marked block below (docs/petitions.md).

        # --- petition pages (views/petition.py, views/lists.py) ---
        # --- end petition pages ---
        # --- intake: desk, reception sessions, portal (i11-intake) ---
        # --- end intake ---
        # --- e-mail: mailbox polling and acknowledgements (i11-mail) ---
        # --- end e-mail ---
        # --- workflow and deadlines (i11-workflow) ---
        # --- end workflow ---
        # --- slips and duplicates (i11-slips) ---
        # --- end slips ---
        # --- protection, search, reports (i11-reports) ---
        from egov.core import outbox
        from egov.core.nav import NavEntry, register_nav

        from . import hooks
        from .services import satisfaction
        from .views.lists import may_use_list

        register_nav(NavEntry("petitions_list", _("Petitions"), "petitions:list", order=210,
                              visible=may_use_list))
        register_nav(NavEntry("petitions_reports", _("Petition reports"), "petitions:report",
                              action="petitions.reports", order=335))
        outbox.register_templates(satisfaction.template_rows())
        # The petitioner's address in an outbox row is confidential (Luật Tố cáo Art.47.2).
        outbox.register_confidential_module("petitions")
        hooks.subscribe("petitions.satisfaction", satisfaction.on_petition_changed)
        # --- end reports ---
