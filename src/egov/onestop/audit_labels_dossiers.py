"""Labels of the dossier services' audit event codes (the audit page, egov.core.audit_labels)."""

from django.utils.translation import gettext_lazy as _

LABELS = {
    "onestop.dossier.receive": _("Dossier received"),
    "onestop.dossier.guide": _("Incomplete dossier: supplement guidance given"),
    "onestop.dossier.refuse": _("Dossier refused"),
    "onestop.dossier.accept": _("Online dossier checked"),
    "onestop.dossier.forward": _("Dossier forwarded"),
    "onestop.dossier.request_supplement": _("Supplement requested"),
    "onestop.dossier.supplement_received": _("Supplement received"),
    "onestop.dossier.apologise": _("Apology and new date given"),
    "onestop.dossier.resolve": _("Dossier result recorded"),
    "onestop.dossier.return": _("Dossier result returned"),
    "onestop.dossier.stop": _("Dossier stopped"),
    "onestop.dossier.withdraw": _("Dossier withdrawn"),
    # egov onestop_stats_rebuild (services/stats_summary.py)
    "onestop.stats.rebuild": _("One-stop statistics summary rebuilt"),
}
