"""Reading the sổ tiếp công dân: the sessions of the agencies where the actor receives citizens
(keyset pages), one session with its visits (Mẫu 03/TCD columns; the visitor's identity is not
read here — only the petition's redacted content and the visit's own columns)."""

from __future__ import annotations

from egov.core import policy
from egov.core.errors import NotFound
from egov.core.pagination import Page, keyset_page

from ..models import ReceptionSession, ReceptionVisit
from .access import RECEIVE, VIEW_ALL


def sessions_q(actor):
    return policy.unit_q(actor, RECEIVE, "agency") | policy.unit_q(actor, VIEW_ALL, "agency")


def session_list(*, actor, cursor: str | None = None, limit: int = 30) -> Page:
    qs = (ReceptionSession.objects.filter(sessions_q(actor))
          .select_related("agency", "leader", "officer"))
    return keyset_page(qs, order=("-day", "-id"), cursor=cursor, limit=limit)


def session_get(*, actor, pk: int) -> ReceptionSession:
    session = (ReceptionSession.objects.filter(sessions_q(actor), pk=pk)
               .select_related("agency", "leader", "officer").first())
    if session is None:
        raise NotFound()
    return session


def session_visits(session: ReceptionSession) -> list[ReceptionVisit]:
    """Every row of the session, in register order (one query)."""
    return list(ReceptionVisit.objects.filter(session=session)
                .select_related("petition", "officer").order_by("number"))
