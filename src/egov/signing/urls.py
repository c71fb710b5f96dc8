"""Web pages of the signing module under /signing/."""

from django.urls import include, path

app_name = "signing"

urlpatterns = [
    path("certificates/", include("egov.signing.views.certificates")),
    path("batches/", include("egov.signing.views.batches")),
    path("sessions/", include("egov.signing.views.sessions")),
    path("second-factor/", include("egov.signing.views.second_factor")),
]
