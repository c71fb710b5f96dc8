from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.urls import include, path

from egov.civil.api import router as civil_router
from egov.core.api import api
from egov.directives.api import router as directives_router
from egov.documents.api import router as documents_router
from egov.onestop.api import router as onestop_router
from egov.petitions.api import router as petitions_router
from egov.portal.api import router as portal_router
from egov.portal.api_civil import router as portal_civil_router
from egov.signing.api import router as signing_router
from egov.signing.api_batches import router as signing_batches_router
from egov.signing.api_certificates import router as signing_certificates_router
from egov.signing.api_sessions import router as signing_sessions_router

# Module routers are added here (the project level), so the shared kernel depends on no module.
api.add_router("/civil/", civil_router)
api.add_router("/directives/", directives_router)
api.add_router("/documents/", documents_router)
api.add_router("/onestop/", onestop_router)
api.add_router("/petitions/", petitions_router)
api.add_router("/portal/", portal_router)
api.add_router("/portal/", portal_civil_router)
api.add_router("", signing_router)
api.add_router("", signing_sessions_router)
api.add_router("", signing_batches_router)
api.add_router("", signing_certificates_router)

handler500 = "egov.core.server_errors.server_error"  # JSON under /api/, both with a reference

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("documents/", include("egov.documents.urls")),
    path("signing/", include("egov.signing.urls")),
    path("onestop/", include("egov.onestop.urls")),
    path("petitions/", include("egov.petitions.urls")),
    path("directives/", include("egov.directives.urls")),
    path("civil/", include("egov.civil.urls")),
    path("verify/", include("egov.portal.urls")),
    path("public/", include("egov.portal.urls_public")),
    path("", include("egov.core.urls")),
]
if settings.DEBUG:
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
