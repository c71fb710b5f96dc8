"""The directives module's API routers (mounted at /api/v1/directives/ by egov/urls.py; the
contract's `POST /api/v1/directives` without a slash is mounted at the API root too)."""

from ninja import Router

router = Router(tags=["directives"])

# --- directives: create, list, detail, actions (i12-core) ---
from .directives import router as _directives_router  # noqa: E402

router.add_router("", _directives_router)


def _mount_root_without_slash() -> None:
    """The contract's `POST /api/v1/directives` and `GET /api/v1/directives` (no trailing
    slash): egov/urls.py mounts this router at "/directives/", which gives "/api/v1/directives/"
    only; the same two operations are added at the API root as "/directives" (as petitions do)."""
    from egov.core.api import api

    from .directives import root_router

    if not getattr(api, "_egov_directives_root", False):
        api.add_router("", root_router)
        api._egov_directives_root = True


_mount_root_without_slash()
# --- end directives ---
# --- reports (i12-reports) ---
# --- end reports ---
# --- import, bulk progress (i12-import) ---
# --- end import ---
