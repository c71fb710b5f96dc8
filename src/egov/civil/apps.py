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
        })
        # --- pages, books, demo (i13-pages) ---
        from egov.core.nav import NavEntry, register_nav

        register_nav(NavEntry("civil", _("Civil status"), "civil:home", action="civil.read",
                              order=300))
        # --- end pages ---
