from django.urls import include, path  # noqa: F401

from .views import desk, dossier  # the desk's pages
from .views import slips as slip_views

app_name = "onestop"

urlpatterns: list = [
    # --- desk (counter) and dossier pages ---
    path("desk/", desk.dossier_list, name="desk"),
    path("desk/new/", desk.intake_pick, name="intake_pick"),
    path("desk/new/<str:code>/", desk.intake, name="intake"),
    path("dossiers/<str:code>/", dossier.dossier_detail, name="dossier"),
    path("dossiers/<str:code>/files/<int:pk>/", dossier.component_file, name="component_file"),
    path("dossiers/<str:code>/result/", dossier.result_file, name="result_file"),
    path("dossiers/<str:code>/do/<slug:action>/", dossier.dossier_action,
         name="dossier_action"),
    # --- slips (PDF) ---
    path("slips/<int:pk>.pdf", slip_views.slip_pdf, name="slip_pdf"),
    path("dossiers/<str:code>/control-sheet.pdf", slip_views.control_sheet_pdf,
         name="control_sheet_pdf"),
    path("register.pdf", slip_views.register_pdf, name="register_pdf"),
    # --- statistics ---
    path("", include("egov.onestop.views.stats")),
]
