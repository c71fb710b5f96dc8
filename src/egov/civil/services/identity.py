"""Linking a user to their own civil record (`OfficerIdentity`), so that a registrar is refused
their own or a relative's event (Luật Hộ tịch 2014, Điều 12.1.h; records.check_registrar).

Done by a civil-status manager (`civil.manage` on the person's commune; the administrator holds
it everywhere): find the person (the exact 12-digit personal ID, or a name in the communes
managed), link, unlink — each an audit event with ids only. Nobody links or unlinks their own
user: unlinking oneself would lift the check on one's own relatives.
"""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from egov.core import policy
from egov.core.audit import audit_log
from egov.core.errors import InvalidInput, NotFound, PermissionDenied
from egov.core.models import User
from egov.core.pagination import Page, keyset_page
from egov.core.search import fold

from ..models import OfficerIdentity, Person
from .persons import name_q

MANAGE = "civil.manage"
FOUND_MAX = 20
PAGE_SIZE = 50


def may_manage(actor) -> bool:
    return policy.can(actor, MANAGE)


def _require(actor) -> None:
    if not may_manage(actor):
        raise PermissionDenied(_("You may not manage the officers' civil records."))


def _managed(actor):
    return Person.objects.filter(policy.unit_q(actor, MANAGE, field="commune"))


def find_persons(*, actor, q: str) -> list[Person]:
    """At most FOUND_MAX records: by the exact personal ID, or by a name (folded, at least 3
    letters) in the communes the actor manages; the read is audited (ids only)."""
    _require(actor)
    text = (q or "").strip()[:200]
    if text.isdigit() and len(text) == 12:
        qs = _managed(actor).filter(personal_id=text)
    else:
        folded = fold(text)
        if len(folded.replace(" ", "")) < 3:
            raise InvalidInput(_("Type the personal ID (12 digits) or at least 3 letters of "
                                 "the name."), code="query_too_short",
                               fields={"q": [_("Type at least 3 letters.")]})
        qs = _managed(actor).filter(name_q(folded))
    found = list(qs.select_related("commune").order_by("id")[:FOUND_MAX])
    if found:
        audit_log(actor=actor, action="civil.person.read", object_type="civil.person",
                  details={"purpose": "officer_link", "ids": [p.pk for p in found]})
    return found


def link_page(*, actor, cursor: str | None = None) -> Page:
    """The links of the persons in the communes the actor manages, newest first (keyset)."""
    _require(actor)
    qs = (OfficerIdentity.objects.filter(policy.unit_q(actor, MANAGE, field="person__commune"))
          .select_related("user", "person", "person__commune"))
    return keyset_page(qs, order=("-id",), cursor=cursor, limit=PAGE_SIZE)


def _user(username) -> User:
    user = User.objects.filter(username=str(username or "")[:150], is_active=True).first()
    if user is None:
        raise InvalidInput(_("No active user has this user name."), code="no_such_user",
                           fields={"username": [_("No active user has this user name.")]})
    return user


def _not_self(actor, user) -> None:
    if user.pk == actor.pk:
        raise InvalidInput(_("Another manager links or unlinks your own civil record (Luật Hộ "
                             "tịch 2014, Điều 12.1.h)."), code="own_link",
                           fields={"username": [_("This is your own user.")]})


def link(*, actor, username, person_id) -> OfficerIdentity:
    """Link the user to the record (a user has one record: an earlier link is replaced)."""
    _require(actor)
    user = _user(username)
    _not_self(actor, user)
    person = None
    if isinstance(person_id, int) and not isinstance(person_id, bool) and 0 < person_id < 2**63:
        person = Person.objects.select_related("commune").filter(pk=person_id).first()
    if person is None or not policy.can(actor, MANAGE, person.commune):
        raise InvalidInput(_("No such person in the communes you manage."), code="no_such_person",
                           fields={"person_id": [_("No such person in the communes you "
                                                   "manage.")]})
    with transaction.atomic():
        before = OfficerIdentity.objects.select_for_update().filter(user=user).first()
        if before is not None and before.person_id != person.pk \
                and not policy.can(actor, MANAGE, before.person.commune):
            raise PermissionDenied(_("This user is linked to a record you do not manage."))
        row, _made = OfficerIdentity.objects.update_or_create(user=user,
                                                              defaults={"person": person})
        audit_log(actor=actor, action="civil.officer.link", obj=row,
                  details={"user": user.pk, "person": person.pk,
                           "replaced": before.person_id if before else None})
    return row


def unlink(*, actor, link_id) -> None:
    _require(actor)
    with transaction.atomic():
        row = None
        if isinstance(link_id, int) and 0 < link_id < 2**63:
            row = (OfficerIdentity.objects.select_for_update().select_related("person__commune")
                   .filter(pk=link_id).first())
        if row is None or not policy.can(actor, MANAGE, row.person.commune):
            raise NotFound(_("No such link."))
        _not_self(actor, row.user)
        audit_log(actor=actor, action="civil.officer.unlink", obj=row,
                  details={"user": row.user_id, "person": row.person_id})
        row.delete()
