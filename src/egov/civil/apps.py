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
            "civil.certificate.issue": _("Civil-status certificate issued"),
            "civil.certificate.download": _("Civil-status certificate downloaded"),
            "civil.certificate.revoke": _("Civil-status certificate revoked"),
        })
