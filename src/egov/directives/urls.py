from django.urls import include, path  # noqa: F401

from .views import bulk, from_documents, imports  # i12-import
from .views import dashboard as dashboard_views
from .views import reports as report_views

app_name = "directives"

urlpatterns: list = [
    # --- pages (i12-pages) ---
    path("", include("egov.directives.views.urls_pages")),
    # --- end pages ---
    # --- reports (i12-reports) ---
    path("dashboard/", dashboard_views.leader_page, name="dashboard"),
    path("dashboard/unit/", dashboard_views.unit_page, name="unit_dashboard"),
    path("dashboard/list/", dashboard_views.counted_list, name="dashboard_list"),
    path("reports/", report_views.report_page, name="report"),
    path("reports/report.<str:fmt>", report_views.report_file, name="report_file"),
    path("reports/send/", report_views.report_send, name="report_send"),
    path("reports/sent/", report_views.snapshot_list, name="snapshots"),
    path("reports/sent/<int:pk>/", report_views.snapshot_detail, name="snapshot"),
    path("reports/sent/<int:pk>.<str:fmt>", report_views.snapshot_file, name="snapshot_file"),
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
