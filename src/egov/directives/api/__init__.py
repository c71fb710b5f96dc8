"""The directives module's API routers (mounted at /api/v1/directives/ by egov/urls.py; the
contract's `POST /api/v1/directives` without a slash is mounted at the API root too)."""

from ninja import Router

router = Router(tags=["directives"])

# --- directives: create, list, detail, actions (i12-core) ---
# --- end directives ---
# --- reports (i12-reports) ---
from .reports import router as reports_router  # noqa: E402

router.add_router("", reports_router)
# --- end reports ---
# --- import, bulk progress (i12-import) ---
# --- end import ---
