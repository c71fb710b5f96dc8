"""Public one-stop pages (no login): the procedure catalogue, online application, dossier
look-up (by code + check digits, or the QR token) and the satisfaction rating."""

from django.urls import path  # noqa: F401

from . import views_catalogue

app_name = "public"

urlpatterns: list = [
    # --- catalogue (procedures) ---
    path("procedures/", views_catalogue.procedure_list, name="procedure_list"),
    path("procedures/<str:code>/", views_catalogue.procedure_detail, name="procedure_detail"),
    path("procedures/<str:code>/forms/<str:component>/", views_catalogue.procedure_form,
         name="procedure_form"),
    # --- online application ---
    # --- look-up and rating ---
]
