from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.urls import include, path

from egov.core.api import api
from egov.documents.api import router as documents_router
from egov.signing.api import router as signing_router

# Module routers are added here (the project level), so the shared kernel depends on no module.
api.add_router("/documents/", documents_router)
api.add_router("", signing_router)

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("documents/", include("egov.documents.urls")),
    path("verify/", include("egov.portal.urls")),
    path("", include("egov.core.urls")),
]
if settings.DEBUG:
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
