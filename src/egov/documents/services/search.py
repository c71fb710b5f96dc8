"""Saved searches: a user keeps named document searches (the parameters of the search page and
of GET /api/v1/documents/search) and runs them again with one click. Personal data of the user,
not a legal act: no audit event, no document trail."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from egov.core.errors import InvalidInput, NotFound, PermissionDenied

from ..models import SavedSearch
from ..selectors.search import search_params

MAX_SAVED_SEARCHES = 50
MAX_NAME = 100


def _signed_in(actor) -> None:
    if actor is None or not getattr(actor, "is_authenticated", False) or not actor.is_active:
        raise PermissionDenied()


def saved_search_create(*, actor, name: str, params: Mapping[str, Any]) -> SavedSearch:
    """Save the search `params` (q, kind, type, issuer, unit, from, to, state, urgency — checked
    as the search checks them) under `name`, unique among the actor's saved searches."""
    _signed_in(actor)
    name = " ".join(str(name or "").split())
    if not name:
        raise InvalidInput(_("Give the search a name."), fields={"name": [
            _("This field is required.")]})
    if len(name) > MAX_NAME or "\x00" in name:
        raise InvalidInput(_("The name is too long."), fields={"name": [
            _("At most %(max)s characters.") % {"max": MAX_NAME}]})
    parsed = search_params(params or {})
    if parsed.is_empty:
        raise InvalidInput(_("Enter words to search for or choose a filter before saving."),
                           fields={"q": [_("Nothing to save: the search is empty.")]},
                           code="empty_search")
    with transaction.atomic():
        existing = SavedSearch.objects.select_for_update().filter(user=actor)
        names = set(existing.values_list("name", flat=True))
        if name in names:
            raise InvalidInput(_("You already have a saved search with this name."),
                               fields={"name": [_("Choose another name.")]},
                               code="duplicate_name")
        if len(names) >= MAX_SAVED_SEARCHES:
            raise InvalidInput(
                _("You can keep at most %(max)s saved searches. Delete one first.")
                % {"max": MAX_SAVED_SEARCHES}, code="too_many_saved_searches")
        try:
            with transaction.atomic():
                return SavedSearch.objects.create(user=actor, name=name,
                                                  params=parsed.as_query())
        except IntegrityError:  # the same name saved at the same moment in another request
            raise InvalidInput(_("You already have a saved search with this name."),
                               fields={"name": [_("Choose another name.")]},
                               code="duplicate_name") from None


def saved_search_delete(*, actor, saved_search_id: int) -> None:
    """Delete one of the actor's saved searches; another user's is "not found"."""
    _signed_in(actor)
    with transaction.atomic():
        deleted, _rows = SavedSearch.objects.filter(pk=saved_search_id, user=actor).delete()
    if not deleted:
        raise NotFound()
