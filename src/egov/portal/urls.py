from django.urls import path

from . import views

app_name = "portal"

urlpatterns = [
    path("", views.verify, name="verify"),
    # The target of the QR code printed on issued documents (egov.signing.verification_codes).
    path("c/<str:code>/", views.verify_code, name="verify_code"),
]

# --- civil: the page a civil-status certificate's QR code opens (issue 13) ---
from . import views_civil  # noqa: E402

urlpatterns += [
    path("civil/<str:code>/", views_civil.civil_certificate, name="civil_certificate"),
]
# --- end civil ---
