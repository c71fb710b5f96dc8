from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DirectivesConfig(AppConfig):
    name = "egov.directives"
    label = "directives"
    verbose_name = _("Directives")

    def ready(self) -> None:
        from egov.core.nav import register_module
        from egov.core.policy import register_action

        from .catalog import ACTIONS

        for code, label in ACTIONS.items():
            register_action(code, label)
        register_module("directives", _("Directives"))
        # Menu entries, subscribers, periodic jobs and audit labels are registered by the parts
        # that own them, each in its own marked block below (docs/directives.md).

        # --- base: audit labels ---
        from egov.core.audit_labels import register_audit_labels

        register_audit_labels({"directive.give": _("Directive given")})
        # --- end base ---
        # --- handling: progress, extensions, completion (i12-core) ---
        # --- end handling ---
        # --- pages: lists, detail, dashboards, creation (i12-pages) ---
        from egov.core.nav import NavEntry, register_nav

        from .views import common as page_common

        register_nav(NavEntry("directives_received", _("Directives of my unit"),
                              "directives:received", order=250,
                              visible=page_common.may_receive))
        register_nav(NavEntry("directives_given", _("Directives I gave"), "directives:given",
                              action="directives.give", order=251,
                              visible=page_common.may_give_somewhere))
        # --- end pages ---
        # --- reports, snapshots (i12-reports) ---
        # --- end reports ---
        # --- reminders, escalation digest (i12-remind) ---
        # --- end reminders ---
        # --- upward sync (i12-sync) ---
        # --- end sync ---
        # --- plan import, bulk progress, from documents (i12-import) ---
        # --- end import ---
