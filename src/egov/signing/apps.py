from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SigningConfig(AppConfig):
    name = "egov.signing"
    label = "signing"
    verbose_name = _("Digital signatures")

    def ready(self) -> None:
        # Signing knows no module (docs/architecture.md): modules register their subjects
        # (egov.signing.subjects), their signature check of incoming PDFs and their own menu
        # entries for signing pages in their AppConfig.ready().
        from egov.core.audit_labels import register_audit_labels
        from egov.core.nav import NavEntry, register_nav

        from . import audit_labels

        register_audit_labels(audit_labels.LABELS, audit_labels.GROUPS)

        register_nav(NavEntry("signing_certificates", _("My certificates"),
                              "signing:certificates", order=890))
