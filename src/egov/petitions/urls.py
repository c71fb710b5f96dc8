from django.urls import include, path  # noqa: F401

from .views import petition
from .views import slips as slip_views  # i11-slips

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
    path("slips/<int:pk>.pdf", slip_views.slip_pdf, name="slip_pdf"),
    # --- end slips ---
    # --- lists, search, reports (i11-reports) ---
    # --- end reports ---
]
