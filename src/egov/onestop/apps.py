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

        # --- dossier services (i10-services): audit labels ---
        from egov.core.audit_labels import register_audit_labels

        from .audit_labels_dossiers import LABELS as DOSSIER_AUDIT_LABELS

        register_audit_labels(DOSSIER_AUDIT_LABELS)
