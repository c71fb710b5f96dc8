from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CivilConfig(AppConfig):
    name = "egov.civil"
    label = "civil"
    verbose_name = _("Civil status")

    def ready(self) -> None:
        from egov.core.audit_labels import register_audit_labels
        from egov.core.nav import register_module
        from egov.core.policy import register_action

        from .catalog import ACTIONS

        for code, label in ACTIONS.items():
            register_action(code, label)
        register_module("civil", _("Civil status"))
        register_audit_labels({
            "civil.register": _("Civil-status event registered"),
            "civil.person.read": _("Personal civil-status record read"),
            "civil.book.close": _("Civil-status book closed"),
            "civil.intake.register": _("One-stop dossier registered in the civil-status books"),
            "civil.certificate.issue": _("Civil-status certificate issued"),
            "civil.certificate.download": _("Civil-status certificate downloaded"),
            "civil.certificate.revoke": _("Civil-status certificate revoked"),
        })
        # --- national databases' sync and one-stop intake (i13-sync) ---
        from django.conf import settings

        from egov.core import jobs
        from egov.onestop import hooks as onestop_hooks

        from . import hooks, sync
        from .services import intake

        hooks.subscribe("civil.national_sync", sync.on_event_registered)
        jobs.every("civil.national_sync", settings.EGOV_SWEEP_SECONDS, sync.sync_sweep)
        onestop_hooks.subscribe("civil.intake", intake.on_dossier_changed)
        intake.register_result_actions()
        # --- end national sync and intake ---
        # --- pages, books, demo (i13-pages) ---
        from egov.core.nav import NavEntry, register_nav

        register_nav(NavEntry("civil", _("Civil status"), "civil:home", action="civil.read",
                              order=300))
        # --- end pages ---
        # --- officers' civil records, fees (h-fees) ---
        register_audit_labels({
            "civil.officer.link": _("User linked to their civil record"),
            "civil.officer.unlink": _("User unlinked from their civil record"),
        })
        # --- end officers, fees ---
        # The catalogue rows (kinds of events and their time limits) and the grants are seeded
        # by the migrations; after a flush (transactional tests, `egov flush`) core's
        # post_migrate receiver puts them back (egov.core.seeds).
        from egov.core.seeds import register_seed

        from .catalog import seed_kind_rules, seed_role_grants

        register_seed("civil.kind_rules", "civil.KindRule", seed_kind_rules)
        register_seed("civil.grants", "core.RoleGrant", seed_role_grants)
