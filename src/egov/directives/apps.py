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
        from egov.core import jobs

        from . import hooks
        from .services import inbox, recurring

        hooks.subscribe("directives.inbox", inbox.on_directive_changed)
        jobs.every("directives.recurring", 3600, recurring.enqueue_recurring)
        register_audit_labels({
            "directive.progress": _("Directive progress reported"),
            "directive.extension_request": _("Directive extension requested"),
            "directive.extension_approved": _("Directive extension approved"),
            "directive.extension_refused": _("Directive extension refused"),
            "directive.complete": _("Directive reported done"),
            "directive.accept": _("Directive result accepted"),
            "directive.return": _("Directive result returned"),
            "directive.cancel": _("Directive cancelled"),
            "directive.period_open": _("Recurring directive period opened"),
        })
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
