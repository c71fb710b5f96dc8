"""Public one-stop pages (no login): the procedure catalogue, online application, dossier
look-up (by code + check digits, or the QR token) and the satisfaction rating."""

from django.urls import path  # noqa: F401

from . import views_apply, views_catalogue, views_lookup

app_name = "public"

urlpatterns: list = [
    # --- catalogue (procedures) ---
    path("procedures/", views_catalogue.procedure_list, name="procedure_list"),
    path("procedures/<str:code>/", views_catalogue.procedure_detail, name="procedure_detail"),
    path("procedures/<str:code>/forms/<str:component>/", views_catalogue.procedure_form,
         name="procedure_form"),
    # --- online application ---
    path("apply/<str:code>/", views_apply.apply, name="apply"),
    path("apply/<str:code>/sent/", views_apply.apply_sent, name="apply_sent"),
    path("confirm/<str:token>/", views_apply.apply_confirm, name="apply_confirm"),
    # --- look-up and rating ---
    path("lookup/", views_lookup.lookup, name="lookup"),
    path("d/<str:token>/", views_lookup.dossier_token, name="dossier_token"),
    path("d/<str:token>/rate/", views_lookup.dossier_rate_view, name="dossier_rate"),
]

# --- petitions: form, confirmation, look-up, receipt (i11-intake) ---
from . import views_petitions  # noqa: E402

urlpatterns += [
    path("petitions/new/", views_petitions.petition_new, name="petition_new"),
    path("petitions/sent/", views_petitions.petition_sent, name="petition_sent"),
    path("petitions/lookup/", views_petitions.petition_lookup, name="petition_lookup"),
    path("petitions/<str:code>/receipt.pdf", views_petitions.petition_receipt,
         name="petition_receipt"),
]
# --- end petitions ---
# --- petitions: the question after closing (i11-reports) ---
from egov.petitions.views import satisfaction as petition_satisfaction  # noqa: E402

urlpatterns += [
    path("petitions/answer/<str:token>/", petition_satisfaction.answer,
         name="petition_answer"),
]
# --- end petitions satisfaction ---
