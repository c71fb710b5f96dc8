"""Web pages of the documents module under /documents/."""

from django.urls import include, path

app_name = "documents"

urlpatterns = [
    path("incoming/", include("egov.documents.views.incoming")),
    path("incoming/", include("egov.documents.views.returning")),
    path("outgoing/", include("egov.documents.views.outgoing")),
    path("outgoing/", include("egov.documents.views.outgoing_layout")),
    path("registers/", include("egov.documents.views.registers")),
    path("files/", include("egov.documents.views.casefiles")),
    path("search/", include("egov.documents.views.search")),
    path("dashboard/", include("egov.documents.views.dashboard")),
    path("print/", include("egov.documents.views.printing")),
]
