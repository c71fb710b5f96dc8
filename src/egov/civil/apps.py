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
        # The catalogue rows (kinds of events and their time limits) are seeded by migration
        # 0003_events; a flush (transactional tests, `egov flush`) empties them, and its
        # post_migrate signal puts them back.
        from django.db.models.signals import post_migrate

        post_migrate.connect(_reseed_catalogue, sender=self,
                             dispatch_uid="civil.reseed_catalogue")


def _reseed_catalogue(sender, using="default", apps=None, **kwargs) -> None:
    from django.apps import apps as global_apps
    from django.db import connections

    from .catalog import seed_kind_rules

    apps = apps or global_apps  # a flush sends no `apps`; migrate sends its state's
    if "civil_kindrule" not in connections[using].introspection.table_names():
        return
    if not apps.get_model("civil", "KindRule").objects.using(using).exists():
        seed_kind_rules(apps)
