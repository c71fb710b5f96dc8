from django.urls import path  # noqa: F401

from .views import slips as slip_views

app_name = "onestop"

urlpatterns: list = [
    # --- desk (counter) and dossier pages ---
    # --- slips (PDF) ---
    path("slips/<int:pk>.pdf", slip_views.slip_pdf, name="slip_pdf"),
    path("dossiers/<str:code>/control-sheet.pdf", slip_views.control_sheet_pdf,
         name="control_sheet_pdf"),
    path("register.pdf", slip_views.register_pdf, name="register_pdf"),
    # --- statistics ---
]
