from django.urls import path  # noqa: F401

app_name = "onestop"

urlpatterns: list = [
    # --- desk (counter) and dossier pages ---
    # --- slips (PDF) ---
    # --- statistics ---
]
