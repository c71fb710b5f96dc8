"""Lists and the detail of directives.

`directive_list` is keyset-paginated on `-id` (newest first; egov.core.pagination): one query
for the page whatever the filters (plus the constant few the access rules need), never a COUNT.
Filters:
- `role`: "given" (by the actor), "lead" (the actor is the lead person, or holds
  `directives.handle` on the lead unit), "support" / "inform" (the actor takes part in that
  role: as the person, or with `directives.handle` on the participant's unit); None: every
  directive the actor may see (access.visible_q);
- `bucket`: one of the four buckets (buckets.bucket_q, on `today`) or "cancelled"; with a
  bucket the recurring templates are left out (they are never judged, their periods are);
- `unit_id`: the lead unit; `q`: words of the title or the code; `due_from` / `due_to`: the
  deadline (`due_date`) between those days.
Bad filter values answer 422 naming the field.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Exists, OuterRef, Prefetch, Q, prefetch_related_objects
from django.utils import timezone
from django.utils.translation import gettext as _

from egov.core import fieldcheck as fc
from egov.core import policy
from egov.core.pagination import keyset_page

from .. import buckets
from ..models import (
    Bucket,
    Directive,
    DirectiveAssignee,
    DirectiveEvent,
    DirectiveState,
    ExtensionRequest,
    ProgressReport,
    Recurrence,
)
from . import access

ROLES = ("given", "lead", "support", "inform")
BUCKETS = (*Bucket.values, "cancelled")
MAX_LIMIT = 100
MAX_Q = 200


def _role_q(actor, role: str) -> Q:
    if role == "given":
        return Q(given_by=actor)
    if role == "lead":
        return Q(lead_user=actor) | policy.unit_q(actor, access.HANDLE, "lead_unit")
    part = DirectiveAssignee.objects.filter(directive=OuterRef("pk"), role=role).filter(
        Q(user=actor) | (Q(user__isnull=True) & policy.unit_q(actor, access.HANDLE, "unit")))
    return Q(Exists(part))


def _day(value, name: str, errors: fc.Errors) -> dt.date | None:
    from ..services.records import parse_date

    return parse_date(value, name, errors, required=False)


def directive_qs(*, actor, role=None, bucket=None, unit_id=None, q="", due_from=None,
                 due_to=None, today: dt.date | None = None):
    """The filtered queryset (unordered, not paginated): shared by the list and the pages."""
    today = today or timezone.localdate()
    errors: fc.Errors = {}
    if role not in (None, "") and role not in ROLES:
        fc.add(errors, "role", _("Choose one of: %(values)s.") % {"values": ", ".join(ROLES)})
    if bucket not in (None, "") and bucket not in BUCKETS:
        fc.add(errors, "bucket", _("Choose one of: %(values)s.")
               % {"values": ", ".join(BUCKETS)})
    unit = None
    if unit_id not in (None, ""):
        from ..services.records import _int

        unit = _int(unit_id)
        if unit is None or not 0 < unit < 2**63:
            fc.add(errors, "unit", _("Ids are whole numbers."))
    q = fc.text(q, "q", errors, max_length=MAX_Q)
    start, end = _day(due_from, "due_from", errors), _day(due_to, "due_to", errors)
    fc.fail(errors)
    qs = Directive.objects.filter(access.visible_q(actor))
    if role:
        qs = qs.filter(_role_q(actor, role))
    if bucket == "cancelled":
        qs = qs.filter(state=DirectiveState.CANCELLED)
    elif bucket:
        qs = qs.filter(buckets.bucket_q(bucket, today), recurrence=Recurrence.NONE)
    if unit is not None:
        qs = qs.filter(lead_unit_id=unit)
    if q:
        words = Q()
        for word in q.split()[:8]:
            words &= Q(title__icontains=word) | Q(code__icontains=word)
        qs = qs.filter(words)
    if start:
        qs = qs.filter(due_date__gte=start)
    if end:
        qs = qs.filter(due_date__lte=end)
    return qs


def directive_list(*, actor, role=None, bucket=None, unit_id=None, q="", due_from=None,
                   due_to=None, after=None, limit=50, today=None
                   ) -> tuple[list[Directive], str | None]:
    """One page of directives (newest first) and the cursor of the next page (None at the
    end). Each row has `bucket` set (the bucket on `today`, None when cancelled)."""
    today = today or timezone.localdate()
    qs = directive_qs(actor=actor, role=role, bucket=bucket, unit_id=unit_id, q=q,
                      due_from=due_from, due_to=due_to, today=today)
    qs = qs.select_related("lead_unit", "lead_user", "given_by")
    page = keyset_page(qs, order=("-id",), cursor=after or None, limit=limit,
                       max_limit=MAX_LIMIT)
    for d in page.items:
        d.bucket = buckets.directive_bucket(d, today)
    return page.items, page.next


def directive_detail(*, actor, pk) -> Directive:
    """The directive (404 unless visible) with its participants, reports (and files),
    extension requests, events and sub-directives loaded; `bucket` set for today."""
    from ..services.records import _int

    key = _int(pk)
    if key is None or not 0 < key < 2**63:
        from egov.core.errors import NotFound

        raise NotFound()
    d = access.directive_get(actor=actor, pk=key)
    prefetch_related_objects(
        [d],
        Prefetch("assignees", queryset=DirectiveAssignee.objects.select_related("unit", "user")
                 .order_by("id")),
        Prefetch("reports", queryset=ProgressReport.objects.select_related("reported_by")
                 .prefetch_related("files__file").order_by("reported_at", "id")),
        Prefetch("extensions", queryset=ExtensionRequest.objects.select_related(
            "requested_by", "decided_by").order_by("requested_at", "id")),
        Prefetch("events", queryset=DirectiveEvent.objects.select_related("actor")
                 .order_by("at", "id")),
        Prefetch("children", queryset=Directive.objects.select_related("lead_unit", "lead_user")
                 .order_by("id")),
        "files__file",
    )
    today = timezone.localdate()
    d.bucket = buckets.directive_bucket(d, today)
    for child in d.children.all():
        child.bucket = buckets.directive_bucket(child, today)
    return d
