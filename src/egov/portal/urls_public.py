"""Public one-stop pages (no login): the procedure catalogue, online application, dossier
look-up (by code + check digits, or the QR token) and the satisfaction rating."""

from django.urls import path  # noqa: F401

app_name = "public"

urlpatterns: list = [
    # --- catalogue (procedures) ---
    # --- online application ---
    # --- look-up and rating ---
]
