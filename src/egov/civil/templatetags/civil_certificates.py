"""{% event_certificates event user as box %}: what the event page's certificate panel
(civil/_event_certificates.html) shows — the event's certificates, the original its kind gets
(Luật Hộ tịch Điều 62–64) and whether the user may issue."""

from django import template

from ..models_certificates import CertificateType
from ..services import certificates

register = template.Library()


@register.simple_tag
def event_certificates(event, user) -> dict:
    rows = certificates.certificates_of(event)
    original = certificates.original_type(event)
    return {
        "certificates": rows,
        "original_type": original,
        "original_label": CertificateType(original).label,
        "original_issued": any(c.type != CertificateType.COPY and not c.revoked for c in rows),
        "may_issue": certificates.may_issue(user, event),
    }
