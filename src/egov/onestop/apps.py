from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OnestopConfig(AppConfig):
    name = "egov.onestop"
    label = "onestop"
    verbose_name = _("One-stop desk")

    def ready(self) -> None:
        from egov.core.policy import register_action

        from .catalog import ACTIONS

        for code, label in ACTIONS.items():
            register_action(code, label)

        from egov.core.nav import register_module

        register_module("onestop", _("One-stop desk"))
        # Menu entries, subscribers (outbox, national sync) and signing subjects are registered
        # by the parts that own them (see docs/onestop.md).

        # --- desk pages (views/desk.py, views/dossier.py) ---
        from egov.core.nav import NavEntry, register_nav

        from .views.support import may_use_desk

        register_nav(NavEntry("onestop_desk", _("One-stop dossiers"), "onestop:desk", order=200,
                              visible=may_use_desk))
        register_nav(NavEntry("onestop_intake", _("Receive a dossier"), "onestop:intake_pick",
                              action="onestop.receive", order=205))
        # --- end desk pages ---
        # --- notify: applicant messages (outbox) and the national portal sync ---------------
        from django.conf import settings

        from egov.core import jobs, outbox

        from . import hooks, national, notify, notify_templates

        outbox.register_templates(notify_templates.template_rows())
        hooks.subscribe("onestop.notify", notify.on_dossier_changed)
        hooks.subscribe("onestop.national", national.on_dossier_changed)
        jobs.every("onestop.national", settings.EGOV_SWEEP_SECONDS,
                   national.national_sweep)
        # --- end notify ---------------------------------------------------------------------
        # --- statistics (i10-stats): the leader's page in the menu ---
        from egov.core.nav import NavEntry, register_nav

        register_nav(NavEntry("onestop_stats", _("One-stop statistics"), "onestop:stats",
                              action="onestop.reports", order=330))
        # --- dossier services (i10-services): audit labels ---
        from egov.core.audit_labels import register_audit_labels

        from .audit_labels_dossiers import LABELS as DOSSIER_AUDIT_LABELS

        register_audit_labels(DOSSIER_AUDIT_LABELS)
        # --- statistics summary (i10-summary): ended dossiers counted per day, kept by the
        # dossier services' hook in the writing transaction ---
        from .services import stats_summary

        hooks.subscribe("onestop.stats", stats_summary.on_dossier_changed)
        # The grants migration 0002 seeds, again after a flush (egov.core.seeds).
        from egov.core.seeds import register_seed

        from .catalog import seed_role_grants

        register_seed("onestop.grants", "core.RoleGrant", seed_role_grants)

