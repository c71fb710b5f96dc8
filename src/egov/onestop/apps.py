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

        # --- statistics (i10-stats): the leader's page in the menu ---
        from egov.core.nav import NavEntry, register_nav

        register_nav(NavEntry("onestop_stats", _("One-stop statistics"), "onestop:stats",
                              action="onestop.reports", order=330))
