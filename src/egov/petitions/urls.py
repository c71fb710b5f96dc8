from django.urls import include, path  # noqa: F401

from .views import petition

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
    # --- end reports ---
]
