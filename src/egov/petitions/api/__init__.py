"""The petitions module's API routers (mounted at /api/v1/petitions/ by egov/urls.py). The
public endpoints (/api/v1/portal/petitions…) live in egov.portal.api, above this module."""

from ninja import Router

router = Router(tags=["petitions"])

# --- list, search and detail (i11-reports) ---
# --- end list ---
# --- actions (i11-workflow) ---
from .actions import router as _actions_router  # noqa: E402

router.add_router("", _actions_router)
# --- end actions ---
# --- intake by staff (i11-intake) ---
from .intake import router as _intake_router  # noqa: E402

router.add_router("", _intake_router)
# --- end intake ---
# --- slips and duplicates (i11-slips) ---
from .duplicates import router as _duplicates_router  # noqa: E402

router.add_router("", _duplicates_router)
# --- end slips ---
