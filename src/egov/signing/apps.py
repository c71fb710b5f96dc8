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
        from django.db.models.signals import post_delete, post_save

        from egov.core.audit_labels import register_audit_labels
        from egov.core.nav import NavEntry, register_nav

        from . import audit_labels
        from .models import TrustAnchor
        from .trust import forget_trust_roots

        register_audit_labels(audit_labels.LABELS, audit_labels.GROUPS)

        post_save.connect(forget_trust_roots, sender=TrustAnchor,
                          dispatch_uid="signing.trust_roots.save")
        post_delete.connect(forget_trust_roots, sender=TrustAnchor,
                            dispatch_uid="signing.trust_roots.delete")

        register_nav(NavEntry("signing_certificates", _("My certificates"),
                              "signing:certificates", order=890))
