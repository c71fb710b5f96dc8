from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SigningConfig(AppConfig):
    name = "egov.signing"
    label = "signing"
    verbose_name = _("Digital signatures")

    def ready(self) -> None:
        # NĐ 30/2020, Điều 21.2: incoming electronic documents are checked before registration.
        from egov.documents.verification import register_verifier

        from .incoming_verifier import verify_stored_pdf

        register_verifier(verify_stored_pdf)

        from egov.core.nav import NavEntry, register_nav

        register_nav(NavEntry("signing_batch", _("Sign in batch"), "signing:batch",
                              action="documents.sign", order=115))
        register_nav(NavEntry("signing_certificates", _("My certificates"),
                              "signing:certificates", order=890))
