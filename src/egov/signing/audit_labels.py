"""Labels of the signing service's audit event codes (the audit page, egov.core.audit_labels)."""

from django.utils.translation import gettext_lazy as _

LABELS = {
    "signing.certificate.register": _("Signing certificate registered"),
    "signing.certificate.revoke": _("Signing certificate revoked"),
    "signing.certificate.expiry_warning": _("Certificate expiry warning sent"),
    "signing.trust_anchor.add": _("Trust anchor added"),
    "signing.trust_anchor.deactivate": _("Trust anchor deactivated"),
    "signing.session.create": _("Signing session started"),
    "signing.session.accept": _("Signature accepted"),
    "signing.session.reject": _("Signature refused"),
    "signing.batch.create": _("Batch signing started"),
    "signing.batch.finish": _("Batch signing finished"),
    "signing.appearance_image.set": _("Signature image set"),
}

GROUPS = {
    "signing.certificate": _("Signing certificates"),
    "signing.trust_anchor": _("Trust anchors"),
    "signing.session": _("Signing"),
    "signing.batch": _("Sign in batch"),
    "signing.appearance_image": _("Signing"),
}
