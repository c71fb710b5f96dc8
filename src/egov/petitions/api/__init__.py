"""The petitions module's API routers (mounted at /api/v1/petitions/ by egov/urls.py). The
public endpoints (/api/v1/portal/petitions…) live in egov.portal.api, above this module."""

from ninja import Router

router = Router(tags=["petitions"])

# --- list, search and detail (i11-reports) ---
from .petitions import router as _list_router  # noqa: E402
from .reports import router as _reports_router  # noqa: E402

router.add_router("", _reports_router)
router.add_router("", _list_router)


def _mount_list_without_slash() -> None:
    """The contract's `GET /api/v1/petitions?q=` (no trailing slash): egov/urls.py mounts this
    router at "/petitions/", which gives the list "/api/v1/petitions/" only; the same list is
    added at the API root as "/petitions" (the core API answers unknown paths with 404)."""
    from egov.core.api import api

    from .petitions import root_router

    if not getattr(api, "_egov_petitions_root", False):
        api.add_router("", root_router)
        api._egov_petitions_root = True


_mount_list_without_slash()
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
