"""The documents API under /api/v1/documents/: one sub-router per concern."""

from ninja import Router

from . import (
    casefiles,
    incoming,
    outgoing,
    outgoing_layout,
    registers,
    returning,
    search,
    signing,
)

router = Router(tags=["documents"])
router.add_router("", search.router)
router.add_router("", incoming.router)
router.add_router("", outgoing_layout.router)  # before /outgoing/{id}
router.add_router("", returning.router)
router.add_router("", outgoing.router)
router.add_router("", signing.router)
router.add_router("", registers.router)
router.add_router("", casefiles.router)
