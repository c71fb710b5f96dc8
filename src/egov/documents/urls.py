"""Web pages of the documents module under /documents/."""

from django.urls import include, path

app_name = "documents"

urlpatterns = [
    path("incoming/", include("egov.documents.views.incoming")),
    path("outgoing/", include("egov.documents.views.outgoing")),
    path("registers/", include("egov.documents.views.registers")),
    path("files/", include("egov.documents.views.casefiles")),
    path("search/", include("egov.documents.views.search")),
    path("dashboard/", include("egov.documents.views.dashboard")),
    path("print/", include("egov.documents.views.printing")),
]
