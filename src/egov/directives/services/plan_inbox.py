"""The inbox items of a plan's tasks written in bulk (hooks.subscribe_batch for the subscriber
"directives.inbox" of services/inbox.py): for the "given" events of an import, the same items
`inbox.on_directive_changed` makes one by one — one for the lead (due at the end of the judged
deadline day), one per supporting participant, one per informed one — written with ONE query
for the participants and the kernel's `workitem_create_many` (bulk inserts, and an audit event
per item under one lock of the chain; 5,000 tasks one by one cost about 14 queries each, far
over the import's 30 s budget). Any other event is passed to the per-event subscriber."""

from __future__ import annotations

from django.contrib.contenttypes.models import ContentType

from egov.core.services import workitem_create_many

from ..models import AssigneeRole, Directive, DirectiveAssignee
from . import inbox


def on_changed_many(*, pairs) -> None:
    given = []
    for d, e in pairs:
        if e.kind == "given" and not d.is_template:
            given.append((d, e))
        else:
            inbox.on_directive_changed(directive=d, event=e)
    if not given:
        return
    by_id = {d.pk: d for d, _e in given}
    actor = given[0][1].actor
    ct = ContentType.objects.get_for_model(Directive)
    # The directive's address, built once (a failing reverse() per item costs milliseconds).
    first = given[0][0]
    sample = inbox.directive_url(first)
    tail = f"/{first.pk}/"
    if sample.endswith(tail):
        stem = sample[: -len(tail)]

        def url(d):
            return f"{stem}/{d.pk}/"
    else:
        url = inbox.directive_url
    items = []
    for row in (DirectiveAssignee.objects.filter(directive_id__in=list(by_id))
                .order_by("directive_id", "id")):
        d = by_id[row.directive_id]
        role = AssigneeRole(row.role)
        due = None
        if role == AssigneeRole.LEAD:
            due = inbox.end_of_day(d.due_date)
        elif role == AssigneeRole.SUPPORT:
            due = inbox.end_of_day(row.due_date or d.due_date)
        items.append({
            "module": inbox.MODULE, "kind": inbox.KIND[role],
            "title": inbox._title(inbox.TITLE[role], d), "url": url(d)[:500],
            "assignee_user_id": row.user_id, "assignee_unit_id": row.unit_id,
            "role": inbox.ROLE[role], "due_at": due,
            "urgency": d.priority if d.priority != "normal" else "",
            "subject_type": ct, "subject_id": d.pk})
    workitem_create_many(actor=actor, items=items)
