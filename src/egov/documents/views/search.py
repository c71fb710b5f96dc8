"""Search page (/documents/search/): search box, filters, results, save this search, the user's
saved searches. Thin: parse, call one selector or service, render. Works without JavaScript;
htmx only loads the next results in place."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.forms.utils import ErrorDict
from django.http import QueryDict
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from egov.core.errors import AppError, InvalidInput, NotFound
from egov.core.forms import EgovForm, apply_app_error
from egov.core.models import OrgUnit
from egov.core.text import clean_field

from ..models import DocumentType, IncomingState, OutgoingState, Urgency
from ..selectors.search import PARAM_KEYS, document_search, saved_search_list, search_params
from ..selectors.visibility import current_unit_ids
from ..services.search import saved_search_create, saved_search_delete

PAGE_SIZE = 20


class SearchForm(EgovForm):
    """Only renders the fields and carries their messages; `search_params` checks the values."""

    q = forms.CharField(
        label=gettext_lazy("Search"), required=False,
        help_text=gettext_lazy("Words from the subject, the issuer, the signer or the text of "
                               "the document, with or without diacritics; or a number and "
                               "notation such as 123/QĐ-UBND."),
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off",
                                      "spellcheck": "false", "maxlength": 200}),
    )

    def __init__(self, data, *, types, units):
        super().__init__(data)
        # Never validated by itself: messages come from search_params / the services.
        self.cleaned_data = {}
        self._errors = ErrorDict()
        blank = [("", _("All"))]
        self.fields["kind"] = forms.ChoiceField(
            label=_("Direction"), required=False,
            choices=blank + [("incoming", _("Incoming")), ("outgoing", _("Outgoing"))])
        self.fields["type"] = forms.ChoiceField(
            label=_("Document type"), required=False,
            choices=blank + [(t.code, t.name) for t in types])
        self.fields["issuer"] = forms.CharField(
            label=_("Issuing agency"), required=False,
            widget=forms.TextInput(attrs={"autocomplete": "off", "maxlength": 200}))
        self.fields["unit"] = forms.ChoiceField(
            label=_("Unit"), required=False, choices=blank + [(str(u.pk), u.name) for u in units])
        self.fields["from"] = forms.CharField(
            label=_("From (date)"), required=False,
            widget=forms.DateInput(attrs={"type": "date"}))
        self.fields["to"] = forms.CharField(
            label=_("To (date)"), required=False,
            widget=forms.DateInput(attrs={"type": "date"}))
        states = {}
        for value, label in [*IncomingState.choices, *OutgoingState.choices]:
            states.setdefault(value, label)
        self.fields["state"] = forms.ChoiceField(
            label=_("State"), required=False, choices=blank + list(states.items()))
        self.fields["urgency"] = forms.ChoiceField(
            label=_("Urgency"), required=False, choices=blank + list(Urgency.choices))


class SaveSearchForm(EgovForm):
    name = forms.CharField(
        label=gettext_lazy("Name of this search"), required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "maxlength": 100}))


def _params_query(data) -> QueryDict:
    query = QueryDict(mutable=True)
    for key in PARAM_KEYS:
        value = (data.get(key) or "").strip()
        if value:
            query[key] = value
    return query


def _choices_for(user):
    types = list(DocumentType.objects.filter(valid_to__isnull=True).order_by("ordering", "name"))
    units = list(OrgUnit.objects.filter(pk__in=current_unit_ids(user)).order_by("name"))
    return types, units


@login_required
@require_http_methods(["GET", "HEAD"])
def search_page(request):
    types, units = _choices_for(request.user)
    form = SearchForm(request.GET, types=types, units=units)
    params_query = _params_query(request.GET)
    cursor = (request.GET.get("cursor") or "").strip() or None
    page, status, params = None, 200, None
    try:
        params = search_params(request.GET)
        if not params.is_empty:  # an empty form shows no list (the lists are elsewhere)
            page = document_search(actor=request.user, q=params.q, filters=request.GET,
                                   cursor=cursor, limit=PAGE_SIZE)
    except InvalidInput as err:
        if err.code == "bad_cursor":
            messages.warning(request, err.message)
            url = reverse("documents:search")
            return redirect(f"{url}?{params_query.urlencode()}" if params_query else url)
        apply_app_error(form, err)
        status = 422
    context = {
        "form": form, "page": page, "items": page.items if page else [], "cursor": cursor,
        "params_query": params_query.urlencode(), "has_params": bool(params_query),
        "params_pairs": list(params_query.items()), "mode": params.mode if params else "",
        "saved": saved_search_list(actor=request.user), "save_form": SaveSearchForm(),
    }
    if getattr(request, "htmx", False) and cursor and page is not None:
        response = render(request, "documents/search/_rows.html", context)
    else:
        response = render(request, "documents/search/search.html", context, status=status)
    patch_vary_headers(response, ("HX-Request",))
    return response


@login_required
@require_POST
def saved_search_create_view(request):
    save_form = SaveSearchForm(request.POST)
    save_form.is_valid()
    params_query = _params_query(request.POST)
    try:
        saved = saved_search_create(actor=request.user,
                                    name=clean_field(request.POST.get("name", ""), "name"),
                                    params=params_query.dict())
    except AppError as err:
        apply_app_error(save_form, err)
        types, units = _choices_for(request.user)
        form = SearchForm(params_query, types=types, units=units)
        for key in PARAM_KEYS:
            for message in err.fields.get(key, []):
                if key in form.fields:
                    form.add_error(key, message)
        return render(request, "documents/search/search.html", {
            "form": form, "page": None, "items": [], "cursor": None,
            "params_query": params_query.urlencode(), "has_params": bool(params_query),
            "params_pairs": list(params_query.items()), "mode": "",
            "saved": saved_search_list(actor=request.user), "save_form": save_form,
        }, status=err.status)
    messages.success(request, _("The search “%(name)s” is saved.") % {"name": saved.name})
    return redirect(f"{reverse('documents:search')}?{params_query.urlencode()}")


@login_required
@require_POST
def saved_search_delete_view(request, saved_search_id: int):
    try:
        saved_search_delete(actor=request.user, saved_search_id=saved_search_id)
    except NotFound:
        messages.error(request, _("This saved search does not exist."))
    else:
        messages.success(request, _("The saved search is deleted."))
    return redirect("documents:search")


urlpatterns = [
    path("", search_page, name="search"),
    path("saved/", saved_search_create_view, name="saved_search_create"),
    path("saved/<int:saved_search_id>/delete/", saved_search_delete_view,
         name="saved_search_delete"),
]
