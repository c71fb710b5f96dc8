"""The public procedure catalogue (no login): search by field, level and text without
diacritics; a procedure's page with its components, fees, times, legal basis, the blank forms
to download and the link to apply online. Reads in egov.onestop.selectors.procedures."""

from __future__ import annotations

from urllib.parse import urlencode

from django import forms
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from egov.core.errors import AppError, NotFound
from egov.core.files import file_response
from egov.core.forms import EgovForm
from egov.onestop.models import Level
from egov.onestop.selectors import procedures as sel

PAGE_SIZE = 20


class CatalogueSearchForm(EgovForm):
    q = forms.CharField(label=_("Search"), required=False, max_length=200,
                        help_text=_("Name or code of the procedure; accents are optional."))
    field = forms.ChoiceField(label=_("Field"), required=False)
    level = forms.ChoiceField(label=_("Level"), required=False,
                              choices=[("", _("All levels")), *Level.choices])

    def __init__(self, *args, fields: list[str] = (), **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["field"].choices = [("", _("All fields")), *((f, f) for f in fields)]


def vnd(amount) -> str:
    """2000 → "2.000" (Vietnamese digit grouping; Django's vi format does not group)."""
    if isinstance(amount, bool) or not isinstance(amount, int | float):
        return ""
    return f"{int(amount):,}".replace(",", ".")


def apply_url(code: str) -> str:
    """The online application page (built by the portal's online part); the literal path when
    its URL name is not there yet."""
    try:
        return reverse("public:apply", args=[code])
    except NoReverseMatch:
        return f"/public/apply/{code}/"


@require_GET
def procedure_list(request):
    form = CatalogueSearchForm(request.GET or None, fields=sel.catalogue_fields())
    cursor = request.GET.get("cursor") or None
    params = {"q": "", "field": "", "level": ""}
    if form.is_bound and form.is_valid():
        params = {k: form.cleaned_data[k] or "" for k in params}
    elif form.is_bound:
        cursor = None
    try:
        page = sel.procedure_search(**params, cursor=cursor, limit=PAGE_SIZE)
    except AppError:  # a forged cursor: start again
        page = sel.procedure_search(**params, cursor=None, limit=PAGE_SIZE)
        cursor = None
    query = urlencode({k: v for k, v in params.items() if v})
    return render(request, "portal/catalogue/list.html", {
        "form": form, "page": page, "cursor": cursor, "filter_query": query,
        "searched": any(params.values()),
    })


@require_GET
def procedure_detail(request, code: str):
    try:
        item = sel.procedure_detail(code)
    except NotFound:
        raise Http404 from None
    if item.procedure.code != code:  # an earlier code: show the page under the current one
        return redirect("public:procedure_detail", code=item.procedure.code, permanent=False)
    version = item.version
    return render(request, "portal/catalogue/detail.html", {
        "procedure": item.procedure, "version": version, "former_codes": item.former_codes,
        "components": list(version.components.all()), "steps": list(version.steps.all()),
        "fees": [{**f, "amount_text": vnd(f.get("amount"))}
                 for f in version.fees or [] if isinstance(f, dict)],
        "apply_url": apply_url(item.procedure.code),
        "can_apply": version.online_level != "none",
    })


@require_GET
def procedure_form(request, code: str, component: str):
    """The blank form (mẫu đơn, tờ khai) of a component of the version in force."""
    try:
        item = sel.procedure_detail(code)
    except NotFound:
        raise Http404 from None
    for c in item.version.components.all():
        if c.code == component and c.form_file_id:
            return file_response(c.form_file)
    raise Http404
