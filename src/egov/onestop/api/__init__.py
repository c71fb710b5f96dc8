"""The one-stop module's API routers (mounted at /api/v1/onestop/ by egov/urls.py)."""

from ninja import Router

router = Router(tags=["onestop"])

# --- dossiers (staff API) ---
from . import dossiers as _dossiers  # noqa: E402

router.add_router("", _dossiers.router)
# --- catalogue (public) ---
from .procedures import router as procedures_router  # noqa: E402

router.add_router("", procedures_router)
# --- statistics (i10-stats) ---
from .stats import router as stats_router  # noqa: E402

router.add_router("", stats_router)
