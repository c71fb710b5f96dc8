"""Directives from documents (issue 12): the "Giao nhiệm vụ" choice beside the leader's
instruction on an incoming document, and an issued plan's tasks from its outgoing document.

The documents module does not import directives (layers): it offers a tiny extension point,
`egov.documents.page_extensions`, and apps.py (block i12-import) registers the two panels below.
"Giao nhiệm vụ" opens the one give page (views/give.py, ``?incoming=<id>``), prefilled from the
document: source incoming, title = trích yếu (subject), guidance = the leader's instruction;
the directive keeps the link (`source_incoming`), and the document page lists the directives
given from it.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpResponseRedirect
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from ..models import Directive, SourceKind
from ..selectors import access

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
    panel = Panel(key="directives", title=_("Directives given from this document"),
                  empty=_("No directive has been given from this document yet."))
    if can_give:
        panel.actions.append(Link(_("Give a directive"),  # "Giao nhiệm vụ"
                                  give_url(document.pk),
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


# --- the former "give from an incoming document" address ---------------------------------------


@login_required
@require_http_methods(["GET", "HEAD"])
def give_from_incoming(request, pk: int):
    """Kept for bookmarks: the give page itself is prefilled from the document."""
    return HttpResponseRedirect(give_url(pk))


def give_url(incoming_id: int) -> str:
    return f"{reverse('directives:give')}?incoming={int(incoming_id)}"
