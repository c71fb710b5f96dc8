"""The civil-status home (the registrar's commune: recent events, the books, links), the person
search, the person's page and the event's page (issue 13)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from egov.core import policy
from egov.core.errors import InvalidInput
from egov.core.models import OrgUnit

from ..forms import SearchForm
from ..models import CivilEvent, EventKind, PartyRole, Person
from ..selectors import rules_expiry
from ..services import books as book_service
from ..services import identity as identity_service
from ..services import persons as person_service
from . import common


@login_required
@require_http_methods(["GET", "HEAD"])
def home(request):
    user = request.user
    common.require_read(user)
    communes = OrgUnit.objects.filter(pk__in=policy.agencies_for(user, common.READ)) \
        .order_by("name")
    recent = list(common.visible_events(user).select_related("book", "commune")
                  .order_by("-registered_on", "-id")[:15])
    books = list(book_service.books_visible(user).select_related("commune")
                 .order_by("-year", "kind", "number")[:12])
    return render(request, "civil/home.html", {
        "communes": communes, "recent": recent, "books": books,
        "may_register": common.may_register(user),
        "may_manage": identity_service.may_manage(user), "lapses": lapses(user)})


def lapses(user) -> list:
    """The kinds' rules about to lapse, for those who register or manage (selectors/
    rules_expiry): the registry must know it will refuse registrations from that day."""
    if not (common.may_register(user) or identity_service.may_manage(user)):
        return []
    labels = {**dict(EventKind.choices), "reregistration": _("re-registration")}
    # A kind has several rows (its foreign-element variant): each kind named once, capitalised.
    return [{"ends_on": lapse.ends_on, "refused_from": lapse.refused_from,
             "kinds": list(dict.fromkeys(capfirst(str(labels.get(k, k))) for k in lapse.kinds))}
            for lapse in rules_expiry.lapsing_rules()]


@login_required
@require_http_methods(["GET", "HEAD"])
def person_search(request):
    common.require_read(request.user)
    form = SearchForm(request.GET or None)
    page, status, searched = None, 200, False
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        searched = any(data[name] for name in form.CRITERIA)
        try:
            page = person_service.person_search(actor=request.user, q=data["q"],
                                                born=data["born"] or None,
                                                father=data["father"], mother=data["mother"],
                                                cursor=data["cursor"] or None, limit=25)
        except InvalidInput as err:
            fields = [f for f in (err.fields or {}) if f in form.CRITERIA]
            for name in fields or [None]:
                form.add_error(name, err.message)
            status = 422
    elif form.is_bound:
        status = 422
    return render(request, "civil/person_search.html",
                  {"form": form, "page": page, "searched": searched}, status=status)


@login_required
@require_http_methods(["GET", "HEAD"])
def person_detail(request, pk: int):
    person = common.person_get(request.user, pk, purpose="view")
    readable = Person.objects.filter(policy.unit_q(request.user, common.READ, field="commune"))
    children = list((readable.filter(father=person) | readable.filter(mother=person))
                    .order_by("birth_date", "id"))
    events = list(CivilEvent.objects.filter(parties__person=person)
                  .filter(policy.unit_q(request.user, common.READ, field="commune"))
                  .select_related("book").order_by("registered_on", "id").distinct())
    roles = dict(person.events.values_list("event_id", "role"))
    for e in events:
        e.my_role = PartyRole(roles[e.pk]).label if e.pk in roles else ""

    def link(p):
        return p if p is not None and policy.can(request.user, common.READ, p.commune) else None

    return render(request, "civil/person.html", {
        "person": person, "father": link(person.father), "mother": link(person.mother),
        "spouse": link(person.spouse), "children": children, "events": events,
        "father_hidden": person.father_id and link(person.father) is None,
        "mother_hidden": person.mother_id and link(person.mother) is None})


@login_required
@require_http_methods(["GET", "HEAD"])
def event_detail(request, pk: int):
    event = common.event_get(request.user, pk)
    parties = sorted(event.parties.all(), key=lambda p: list(PartyRole.values).index(p.role))
    return render(request, "civil/event.html", {"event": event, "parties": parties})
