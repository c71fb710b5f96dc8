"""Labels of the documents module's audit event codes (the audit page, egov.core.audit_labels)."""

from django.utils.translation import gettext_lazy as _

LABELS = {
    "documents.incoming.register": _("Incoming document registered"),
    "documents.incoming.assign": _("Incoming document assigned"),
    "documents.incoming.reassign": _("Incoming document passed to a person"),
    "documents.incoming.forward": _("Incoming document forwarded"),
    "documents.incoming.return": _("Incoming document returned"),
    "documents.incoming.complete": _("Incoming document handled"),
    "documents.incoming.complete_by_reply": _("Incoming document handled by the reply"),
    "documents.incoming.cancel": _("Incoming document recalled by the issuer"),
    "documents.outgoing.create": _("Draft created"),
    "documents.outgoing.update": _("Draft changed"),
    "documents.outgoing.version": _("Draft version added"),
    "documents.outgoing.submit": _("Draft submitted"),
    "documents.outgoing.review": _("Draft reviewed"),
    "documents.outgoing.sign": _("Document signed"),
    "documents.outgoing.issue": _("Document issued"),
    "documents.outgoing.recall": _("Document recalled"),
    "documents.outgoing.replace": _("Document replaced"),
    "documents.register.create": _("Register created"),
    "documents.register.update": _("Register changed"),
    "documents.casefile.create": _("Case file created"),
    "documents.casefile.update": _("Case file changed"),
    "documents.casefile.open": _("Case file reopened"),
    "documents.casefile.close": _("Case file closed"),
    "documents.casefile.delete": _("Case file deleted"),
    "documents.casefile.transfer": _("Case file transferred to the archive"),
    "documents.casefile.transfer_warning": _("Case file transfer reminder"),
    "documents.casefile_plan.create": _("Case file plan created"),
}

GROUPS = {
    "documents.incoming": _("Incoming documents"),
    "documents.outgoing": _("Outgoing documents"),
    "documents.register": _("Registers"),
    "documents.casefile": _("Case files"),
    "documents.casefile_plan": _("Case files"),
}
