from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    """Public pages, open without an account (the verification of signed documents)."""

    name = "egov.portal"
    label = "portal"
    verbose_name = _("Public portal")
