from django.urls import include, path  # noqa: F401

app_name = "onestop"

urlpatterns: list = [
    # --- desk (counter) and dossier pages ---
    # --- slips (PDF) ---
    # --- statistics ---
    path("", include("egov.onestop.views.stats")),
]
