"""Directives from documents (issue 12): the "Giao nhiệm vụ" choice beside the leader's
instruction on an incoming document, and an issued plan's tasks from its outgoing document.

The documents module does not import directives (layers): it offers a tiny extension point,
`egov.documents.page_extensions`, and apps.py (block i12-import) registers the two panels below.
The give page is prefilled from the document: source incoming, title = trích yếu (subject),
guidance = the leader's instruction; the directive keeps the link (`source_incoming`), and the
document page lists the directives given from it.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from egov.core.errors import AppError, NotFound, PermissionDenied
from egov.core.forms import EgovForm, apply_app_error

from ..models import Directive, Priority, SourceKind
from ..selectors import access
from ..services import plan_import, records

MAX_LISTED = 20


def directive_url(pk: int) -> str:
    """The directive's page (views of i12-pages), or its API answer until that page exists."""
    for name in ("directives:detail", "directives:directive"):
        try:
            return reverse(name, args=[pk])
        except NoReverseMatch:
            continue
    return f"/api/v1/directives/{pk}"


# --- the panels on the documents' pages (registered in apps.py) ------------------------------


def incoming_panel(actor, document):
    """On an incoming document: "Giao nhiệm vụ" for those who may give directives in its
    agency, and the directives given from it that the person may see (one query)."""
    from egov.documents.page_extensions import Link, Panel

    can_give = (access.active(actor) and document.state not in ("cancelled", "returned")
                and access.may_give(actor, document.agency))
    given = list(Directive.objects.filter(access.visible_q(actor), source_incoming=document)
                 .order_by("id").only("id", "code", "title", "due_date")[:MAX_LISTED])
    if not can_give and not given:
        return None
    panel = Panel(key="directives", title=_("Directives (nhiệm vụ) from this document"),
                  empty=_("No directive has been given from this document yet."))
    if can_give:
        panel.actions.append(Link(_("Giao nhiệm vụ"),
                                  reverse("directives:give_from_incoming", args=[document.pk]),
                                  _("a task tracked to completion, from this instruction")))
    panel.items = [Link(f"{d.code} — {d.title[:100]}", directive_url(d.pk),
                        _("due %(date)s") % {"date": d.due_date.strftime("%d/%m/%Y")}
                        if d.due_date else "") for d in given]
    return panel


def outgoing_panel(actor, document):
    """On an issued outgoing document (a plan): its tasks page, for those who may give
    directives in its agency, and the first tasks given from it."""
    from egov.documents.page_extensions import Link, Panel

    if document.state != "issued":
        return None
    can_give = access.may_give(actor, document.agency)
    tasks = list(Directive.objects.filter(access.visible_q(actor), source_outgoing=document,
                                          source_kind=SourceKind.PLAN)
                 .order_by("id").only("id", "code", "title")[:MAX_LISTED])
    if not can_give and not tasks:
        return None
    panel = Panel(key="plan-tasks", title=_("Tasks of the plan"),
                  empty=_("No task has been given from this plan yet."))
    if can_give:
        panel.actions.append(Link(_("Enter or import the plan's tasks"),
                                  reverse("directives:plan", args=[document.pk])))
    panel.items = [Link(f"{d.code} — {d.title[:100]}", directive_url(d.pk)) for d in tasks]
    return panel


# --- giving a directive from an incoming document ------------------------------------------


class GiveFromDocumentForm(EgovForm):
    title = forms.CharField(label=gettext_lazy("Title"), max_length=500,
                            widget=forms.Textarea(attrs={"rows": 2, "maxlength": 500}))
    guidance = forms.CharField(label=gettext_lazy("Leader's guidance"), required=False,
                               max_length=5000, widget=forms.Textarea(attrs={"rows": 3}))
    content = forms.CharField(label=gettext_lazy("Details"), required=False, max_length=20000,
                              widget=forms.Textarea(attrs={"rows": 3}))
    lead_unit = forms.TypedChoiceField(label=gettext_lazy("Lead unit"), coerce=int)
    support_units = forms.TypedMultipleChoiceField(
        label=gettext_lazy("Supporting units"), coerce=int, required=False,
        widget=forms.CheckboxSelectMultiple)
    due_date = forms.DateField(label=gettext_lazy("Deadline"),
                               widget=forms.DateInput(attrs={"type": "date"},
                                                      format="%Y-%m-%d"))
    priority = forms.ChoiceField(label=gettext_lazy("Priority"), choices=Priority.choices,
                                 initial=Priority.NORMAL)

    def __init__(self, *args, units=(), **kwargs):
        super().__init__(*args, **kwargs)
        choices = [(u.pk, u.name) for u in units]
        self.fields["lead_unit"].choices = [("", "—")] + choices
        self.fields["support_units"].choices = choices

    def clean(self):
        data = super().clean()
        lead = data.get("lead_unit")
        if lead and lead in (data.get("support_units") or []):
            self.add_error("support_units", _("The lead unit is not also a supporting unit."))
        return data


def _instruction(document, actor) -> str:
    """The leader's instruction on the document: the actor's latest, else the latest given."""
    rows = [a for a in document.assignments.all() if a.instruction]
    mine = [a for a in rows if a.assigned_by_id == actor.pk]
    chosen = (mine or rows)[-1:] if rows else []
    return chosen[0].instruction if chosen else ""


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def give_from_incoming(request, pk: int):
    from egov.documents.selectors.incoming import incoming_get

    try:
        document = incoming_get(actor=request.user, id=pk)
    except NotFound:
        raise Http404 from None
    if not access.may_give(request.user, document.agency):
        raise DjangoPermissionDenied
    agency = records.giver_agency(request.user, document.agency_id)
    units = [u for u in plan_import._Units(agency).units if u.pk != agency.pk]
    initial = {"title": document.subject, "guidance": _instruction(document, request.user),
               "priority": Priority.URGENT if document.urgency != "normal"
               else Priority.NORMAL, "due_date": document.handling_due_date or document.due_date}
    status = 200
    if request.method == "POST":
        form = GiveFromDocumentForm(request.POST, units=units)
        if form.is_valid():
            data = form.cleaned_data
            try:
                d = records.directive_create(
                    actor=request.user, title=data["title"], content=data["content"],
                    guidance=data["guidance"], lead={"unit_id": data["lead_unit"]},
                    support=[{"unit_id": u} for u in data["support_units"]],
                    due_date=data["due_date"], priority=data["priority"],
                    source_kind=SourceKind.INCOMING, source_document_id=document.pk,
                    agency_id=agency.pk)
            except PermissionDenied:
                raise DjangoPermissionDenied from None
            except AppError as err:
                apply_app_error(form, err)
            else:
                messages.success(request, _("Directive %(code)s given.") % {"code": d.code})
                return HttpResponseRedirect(reverse("documents:incoming_detail",
                                                    args=[document.pk]))
        status = 422
    else:
        form = GiveFromDocumentForm(initial=initial, units=units)
    return render(request, "directives/from_incoming.html",
                  {"doc": document, "form": form, "agency": agency}, status=status)
