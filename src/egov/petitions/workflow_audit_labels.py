"""Labels of the workflow's audit events on the audit trail page (display only)."""

from django.utils.translation import gettext_lazy as _

LABELS = {
    "petition.register": _("Petition registered"),
    "petition.classify": _("Petition classified"),
    "petition.split": _("Petition split by kind"),
    "petition.assign": _("Petition assigned"),
    "petition.accept": _("Petition accepted (thụ lý)"),
    "petition.not_accept": _("Petition not accepted"),
    "petition.transfer": _("Petition transferred"),
    "petition.guide": _("Petitioner guided to the competent body"),
    "petition.extend": _("Petition time limit extended"),
    "petition.suspend": _("Petition resolution suspended"),
    "petition.resume": _("Petition resolution resumed"),
    "petition.resolve": _("Petition result recorded"),
    "petition.close": _("Petition closed"),
    "petition.withdraw": _("Petition withdrawn"),
    "petition.file": _("Petition filed without action"),
    "petition.reopen": _("Second-instance complaint received"),
    "petitions.deadline.remind": _("Petition deadline reminder sent"),
}
