from django.urls import path

from . import views

app_name = "portal"

urlpatterns = [
    path("", views.verify, name="verify"),
    # The target of the QR code printed on issued documents (egov.signing.verification_codes).
    path("c/<str:code>/", views.verify_code, name="verify_code"),
]
