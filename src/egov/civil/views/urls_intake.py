"""Civil-status pages: intake (issue 13), included by civil/urls.py."""

from django.urls import path

from . import intake

urlpatterns: list = [
    path("", intake.intake_list, name="intake_list"),
    path("<int:pk>/", intake.intake_detail, name="intake_detail"),
]
