from django.urls import path  # noqa: F401

from .views import bulk, from_documents, imports  # i12-import

app_name = "directives"

urlpatterns: list = [
    # --- pages (i12-pages) ---
    # --- end pages ---
    # --- reports (i12-reports) ---
    # --- end reports ---
    # --- import, bulk progress (i12-import) ---
    path("plans/template.xlsx", imports.plan_template, name="plan_template"),
    path("plans/<int:pk>/", imports.plan_page, name="plan"),
    path("plans/<int:pk>/check/", imports.plan_upload, name="plan_upload"),
    path("plans/<int:pk>/import/", imports.plan_confirm, name="plan_confirm"),
    path("plans/<int:pk>/entry/", imports.plan_entry, name="plan_entry"),
    path("from-incoming/<int:pk>/", from_documents.give_from_incoming,
         name="give_from_incoming"),
    path("progress/bulk/", bulk.bulk_progress, name="bulk_progress"),
    # --- end import ---
]
