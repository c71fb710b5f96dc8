"""Civil-status pages: certificates (issue 13), included by civil/urls.py."""

from django.urls import path

from . import certificates

urlpatterns: list = [
    path("new/", certificates.certificate_new, name="certificate_new"),
    path("<int:pk>/", certificates.certificate_detail, name="certificate_detail"),
    path("<int:pk>/pdf", certificates.certificate_pdf, name="certificate_pdf"),
    path("<int:pk>/revoke/", certificates.certificate_revoke, name="certificate_revoke"),
]
