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
        from egov.core.nav import NavEntry, register_nav

        register_audit_labels({"directive.report.send": _("Directive report sent upward")})
        from .selectors import dashboard as dashboard_sel

        # The leader's dashboard for those who may report on an agency; a unit head's menu
        # opens the unit's dashboard instead (every menu entry must open: test_menu_entries).
        def dashboard_menu(user) -> str:
            """Which dashboard the menu opens: "agency", "unit" or "" — worked out once per
            request (the user object lives for the request) for both entries."""
            kind = getattr(user, "_directives_dashboard_menu", None)
            if kind is None:
                kind = ("agency" if dashboard_sel.report_agencies(user)
                        else "unit" if dashboard_sel.report_units(user) else "")
                user._directives_dashboard_menu = kind
            return kind

        register_nav(NavEntry("directives_dashboard", _("Directives dashboard"),
                              "directives:dashboard", action="directives.reports", order=262,
                              visible=lambda u: dashboard_menu(u) == "agency"))
        register_nav(NavEntry("directives_unit_dashboard", _("Directives dashboard"),
                              "directives:unit_dashboard", action="directives.reports",
                              order=262, visible=lambda u: dashboard_menu(u) == "unit"))
        register_nav(NavEntry("directives_report", _("Directive reports"), "directives:report",
                              action="directives.reports", order=263))
        # --- end reports ---
        # --- reminders, escalation digest (i12-remind) ---
        from django.conf import settings

        from egov.core import jobs, outbox

        from . import mail_templates, tasks_remind

        outbox.register_templates(mail_templates.template_rows())
        daily = float(getattr(settings, "EGOV_DIRECTIVES_DAILY_SECONDS", 900) or 0)
        if daily > 0:
            jobs.every("directives.daily", daily, tasks_remind.daily_sweep)
        # --- end reminders ---
        # --- upward sync (i12-sync) ---
        from django.conf import settings

        from egov.core import jobs

        from . import admin_sync, hooks  # noqa: F401  (admin pages of the endpoints)
        from .services import sync as sync_service

        hooks.subscribe("directives.sync", sync_service.on_directive_changed)
        jobs.every("directives.sync", settings.EGOV_SWEEP_SECONDS, sync_service.sync_sweep)
        # --- end sync ---
        # --- plan import, bulk progress, from documents (i12-import) ---
        from egov.core.nav import NavEntry, register_nav
        from egov.documents.page_extensions import register_panel

        from . import hooks as plan_hooks
        from .services import plan_inbox
        from .views.from_documents import incoming_panel, outgoing_panel

        plan_hooks.subscribe_batch("directives.inbox", plan_inbox.on_changed_many)
        register_panel("incoming", "directives", incoming_panel)
        register_panel("outgoing", "directives", outgoing_panel)
        register_nav(NavEntry(key="directives_bulk_progress", label=_("Progress of many tasks"),
                              url_name="directives:bulk_progress", action="directives.handle",
                              order=262))
        register_audit_labels({"directive.plan_import": _("Plan tasks imported")})
        # --- end import ---
        # The grants the migrations seed, again after a flush (egov.core.seeds).
        from egov.core.seeds import register_seed

        from .catalog import seed_role_grants

        register_seed("directives.grants", "core.RoleGrant", seed_role_grants)

