from django.urls import include, path  # noqa: F401

app_name = "directives"

urlpatterns: list = [
    # --- pages (i12-pages) ---
    path("", include("egov.directives.views.urls_pages")),
    # --- end pages ---
    # --- reports (i12-reports) ---
    # --- end reports ---
    # --- import, bulk progress (i12-import) ---
    # --- end import ---
]
