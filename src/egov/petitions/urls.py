from django.urls import include, path  # noqa: F401

from .views import files, lists, petition, reports

app_name = "petitions"

urlpatterns: list = [
    # --- petition pages (base) ---
    path("<int:pk>/", petition.petition_detail, name="petition"),
    path("<int:pk>/do/<slug:action>/", petition.petition_action, name="petition_action"),
    # --- intake (i11-intake) ---
    # --- end intake ---
    # --- e-mail (i11-mail) ---
    # --- end e-mail ---
    # --- workflow (i11-workflow) ---
    # --- end workflow ---
    # --- slips and duplicates (i11-slips) ---
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
