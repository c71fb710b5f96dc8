from django.urls import include, path  # noqa: F401

from .views import desk, files, lists, petition, reception, reports
from .views import slips as slip_views

app_name = "petitions"

urlpatterns: list = [
    # --- petition pages (base) ---
    path("<int:pk>/", petition.petition_detail, name="petition"),
    path("<int:pk>/do/<slug:action>/", petition.petition_action, name="petition_action"),
    # --- intake (i11-intake) ---
    path("intake/", desk.intake_page, name="intake"),
    path("<int:pk>/receipt.pdf", desk.receipt_pdf, name="receipt_pdf"),
    path("reception/", reception.session_list, name="reception_sessions"),
    path("reception/<int:pk>/", reception.session_detail, name="reception_session"),
    path("reception/<int:pk>/close/", reception.session_close, name="reception_close"),
    # --- end intake ---
    # --- e-mail (i11-mail) ---
    # --- end e-mail ---
    # --- workflow (i11-workflow) ---
    # --- end workflow ---
    # --- slips and duplicates (i11-slips) ---
    path("slips/<int:pk>.pdf", slip_views.slip_pdf, name="slip_pdf"),
    # --- end slips ---
    # --- lists, search, reports (i11-reports) ---
    path("", lists.petition_list, name="list"),
    path("<int:pk>/files/<int:file_id>/", files.petition_file, name="petition_file"),
    path("<int:pk>/identity-files/<int:file_id>/", files.petition_identity_file,
         name="petition_identity_file"),
    path("reports/", reports.report_page, name="report"),
    path("reports/report.xlsx", reports.report_xlsx, name="report_xlsx"),
    path("reports/leader/", reports.leader_page, name="leader"),
    path("reports/registers/<slug:register>.<slug:fmt>", reports.register_export,
         name="register"),
    # --- end reports ---
]
