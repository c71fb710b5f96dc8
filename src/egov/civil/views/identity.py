"""The page linking users to their own civil record (Luật Hộ tịch 2014, Điều 12.1.h): for a
civil-status manager (`civil.manage`) or the administrator — find the person, link a user to
them, unlink; each step audited by the service (services/identity.py)."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l
from django.views.decorators.http import require_http_methods

from egov.core.errors import AppError, InvalidInput

from ..services import identity as service
from . import pages


class FindForm(forms.Form):
    q = forms.CharField(label=_l("Personal ID or name"), max_length=200)


class LinkForm(forms.Form):
    username = forms.CharField(label=_l("User name"), max_length=150)
    person_id = forms.IntegerField(label=_l("Civil record"), min_value=1,
                                   max_value=2**63 - 1, widget=forms.HiddenInput)


def _fields_to(form, err: InvalidInput) -> None:
    names = [f for f in (err.fields or {}) if f in form.fields]
    for name in names or [None]:
        form.add_error(name, err.message)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def officer_links(request):
    user = request.user
    if not service.may_manage(user):
        raise DjangoPermissionDenied(_("You may not manage the officers' civil records."))
    status, found = 200, None
    find = FindForm(request.GET if "q" in request.GET else None)
    link_form = LinkForm()
    if request.method == "POST":
        try:
            if request.POST.get("action") == "unlink":
                service.unlink(actor=user, link_id=_int(request.POST.get("link_id")))
                messages.success(request, _("The link is removed."))
                return redirect("civil:officer_links")
            link_form = LinkForm(request.POST)
            if link_form.is_valid():
                service.link(actor=user, username=link_form.cleaned_data["username"],
                             person_id=link_form.cleaned_data["person_id"])
                messages.success(request, _("The user is linked to the civil record."))
                return redirect("civil:officer_links")
            status = 422
        except InvalidInput as err:
            _fields_to(link_form, err)
            status = 422
        except AppError as err:
            messages.error(request, err.message)
            status = err.status
    if find.is_bound:
        if find.is_valid():
            try:
                found = service.find_persons(actor=user, q=find.cleaned_data["q"])
            except InvalidInput as err:
                _fields_to(find, err)
                status = 422
        else:
            status = 422
    cursor = (request.GET.get("cursor") or "")[:1000] or None
    try:
        page = service.link_page(actor=user, cursor=cursor)
    except InvalidInput:
        page = service.link_page(actor=user)
    return render(request, "civil/officer_links.html", {
        "find": find, "found": found, "link_form": link_form, "page": page,
        "lapses": pages.lapses(user)}, status=status)


def _int(value) -> int | None:
    try:
        return int(str(value)[:20])
    except ValueError:
        return None
