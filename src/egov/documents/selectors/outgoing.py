"""Reads of outgoing documents (văn bản đi), already filtered by what the actor may see.

Lists are keyset-paginated on (-created_at, -id) with a constant number of queries; nothing here
counts rows or writes.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from egov.core import policy
from egov.core.errors import InvalidInput, NotFound
from egov.core.models import Delegation, OrgUnit, OrgUnitKind, Position, User
from egov.core.pagination import Page, check_limit, cursor_values, encode_cursor, keyset_page

from ..models import (
    Approval,
    ApprovalStep,
    Comment,
    Decision,
    Direction,
    DocumentEvent,
    DocumentType,
    DraftVersion,
    IncomingDocument,
    IncomingState,
    OutgoingDocument,
    OutgoingState,
    Recipient,
    Register,
)
from . import lists
from .visibility import incoming_visible_q, outgoing_visible_q

ORDER = ("-created_at", "-id")
STEPS = (ApprovalStep.CONTENT, ApprovalStep.FORMAT, ApprovalStep.SIGNER)
FROZEN = (OutgoingState.RECALLED, OutgoingState.REPLACED)
AWAITING_ISSUE = (OutgoingState.APPROVED, OutgoingState.SIGNED)


# --- who holds an action --------------------------------------------------------------------------


def _valid_today(prefix: str = "") -> Q:
    today = timezone.localdate()
    return Q(**{f"{prefix}valid_from__lte": today}) & (
        Q(**{f"{prefix}valid_to__isnull": True}) | Q(**{f"{prefix}valid_to__gte": today})
    )


def action_holders(action: str, unit: OrgUnit) -> list[User]:
    """The active people who hold `action` over `unit` today, through their own posts or a
    delegation in force (the same rules as policy.can): used to address work items to the
    unit head, the office, the signer, the clerks. Two queries."""
    ancestor_ids = [int(part) for part in unit.path.strip("/").split("/") if part]
    today = timezone.localdate()
    positions = list(
        Position.objects.filter(_valid_today())
        .filter(
            Q(roles__grants__action=action)
            & (Q(roles__grants__scope="all")
               | Q(roles__grants__scope="unit", org_unit_id__in=ancestor_ids)
               | Q(roles__grants__scope="agency", org_unit__agency_id=unit.agency_id))
        )
        .values_list("id", "user_id")
        .distinct()
    )
    if not positions:
        return []
    position_ids = [p for p, _u in positions]
    delegates = Delegation.objects.filter(position_id__in=position_ids, start__lte=today,
                                         end__gte=today).values("delegate_id")
    return list(
        User.objects.filter(Q(pk__in=[u for _p, u in positions]) | Q(pk__in=Subquery(delegates)),
                            is_active=True)
        .order_by("id")
    )


# --- review state -------------------------------------------------------------------------------


def latest_version(document: OutgoingDocument) -> DraftVersion | None:
    """The newest draft version (uses prefetched versions when present)."""
    cache = getattr(document, "_prefetched_objects_cache", {})
    if "versions" in cache:
        versions = list(cache["versions"])
        return max(versions, key=lambda v: v.number) if versions else None
    return document.versions.select_related("file", "pdf").order_by("-number").first()


def current_approvals(document: OutgoingDocument,
                      version: DraftVersion | None = None) -> dict[str, Approval]:
    """Approvals in force: those given to the latest version (a new version resets them,
    NĐ 30/2020 Điều 11.2: any change goes back through review to the signer)."""
    version = version or latest_version(document)
    if version is None:
        return {}
    cache = getattr(document, "_prefetched_objects_cache", {})
    rows = (cache["approvals"] if "approvals" in cache
            else document.approvals.filter(version=version))
    return {a.step: a for a in rows
            if a.version_id == version.pk and a.decision == Decision.APPROVED}


def review_next_step(document: OutgoingDocument,
                     version: DraftVersion | None = None) -> str | None:
    """The review step that is due: content, then format, then the signer (Điều 11–12); None
    when every step approved the latest version or the document is not in review."""
    if document.state != OutgoingState.IN_REVIEW:
        return None
    approved = current_approvals(document, version)
    for step in STEPS:
        if step not in approved:
            return step
    return None


def returned_on_latest(document: OutgoingDocument, version: DraftVersion | None = None) -> bool:
    version = version or latest_version(document)
    if version is None:
        return False
    return Approval.objects.filter(document=document, version=version,
                                   decision=Decision.RETURNED).exists()


def may_review(actor, document: OutgoingDocument, step: str) -> bool:
    if step == ApprovalStep.CONTENT:
        return policy.can(actor, "documents.review_content", document.drafting_unit)
    if step == ApprovalStep.FORMAT:
        return policy.can(actor, "documents.review_format", document.agency)
    if step == ApprovalStep.SIGNER:
        return (getattr(actor, "pk", None) == document.signer_id
                and policy.can(actor, "documents.sign", document.agency))
    return False


def may_edit(actor, document: OutgoingDocument) -> bool:
    """Who may upload a new version: the drafter, and those who review it (Điều 10.1.c: the
    competent person may correct the draft in the System)."""
    if getattr(actor, "pk", None) == document.drafter_id:
        return True
    return any(may_review(actor, document, step) for step in STEPS)


# --- single documents ---------------------------------------------------------------------------


def _detail_qs(actor) -> QuerySet:
    return (
        OutgoingDocument.objects.filter(outgoing_visible_q(actor))
        .select_related("agency", "drafting_unit", "drafter", "doc_type", "signer", "register",
                        "issued_by", "replaces", "signed_file", "issued_file")
        .prefetch_related(
            Prefetch("versions", queryset=DraftVersion.objects.select_related(
                "file", "pdf", "uploaded_by").order_by("number")),
            Prefetch("approvals", queryset=Approval.objects.select_related("by", "version")
                     .order_by("at", "id")),
            Prefetch("comments", queryset=Comment.objects.select_related("author", "version")
                     .order_by("created_at", "id")),
            Prefetch("recipients", queryset=Recipient.objects.select_related("unit")
                     .order_by("id")),
            Prefetch("attachments"),
            Prefetch("in_reply_to", queryset=IncomingDocument.objects.defer(
                "text_content", "signature_report")),
            Prefetch("replaced_by", queryset=OutgoingDocument.objects.defer("text_content")),
        )
    )


def outgoing_get(*, actor, document_id: Any) -> OutgoingDocument:
    """One outgoing document with everything its page shows (a fixed number of queries), or
    NotFound when it does not exist or the actor may not see it."""
    if isinstance(document_id, bool) or not isinstance(document_id, int) or not (
            0 < document_id < 2**63):
        raise NotFound()
    document = _detail_qs(actor).filter(pk=document_id).first()
    if document is None:
        raise NotFound()
    return document


def outgoing_version(*, actor, document_id: int, number: Any) -> DraftVersion:
    document = outgoing_get(actor=actor, document_id=document_id)
    for version in document.versions.all():
        if version.number == number:
            return version
    raise NotFound()


def outgoing_trail(*, actor, document: OutgoingDocument) -> list[DocumentEvent]:
    """The document's trail, oldest first (the actor must be able to see the document)."""
    if not OutgoingDocument.objects.filter(outgoing_visible_q(actor), pk=document.pk).exists():
        raise NotFound()
    return list(DocumentEvent.objects.filter(outgoing=document)
                .select_related("actor", "actor_unit").order_by("at", "id"))


# --- lists --------------------------------------------------------------------------------------


def _list_qs(actor) -> QuerySet:
    return (OutgoingDocument.objects.filter(outgoing_visible_q(actor))
            .select_related("agency", "doc_type", "drafter", "signer", "drafting_unit"))


LIST_FILTERS = {"state", "mine", "type_code", "agency_id"}


# Read on the document's agency / on its drafting unit (as in `outgoing_visible_q`).
AGENCY_ACTIONS = ("documents.view_all", "documents.review_format", "documents.issue")
UNIT_ACTIONS = ("documents.review_content",)


def outgoing_list(*, actor, cursor: str | None = None, limit: int = 50,
                  filters: dict | None = None) -> Page:
    """Outgoing documents the actor may see (`outgoing_visible_q`), newest first. Filters:
    `state` (one of OutgoingState), `mine` (true: drafted by the actor), `type_code`,
    `agency_id`.

    Served as a union of index-ordered branches (see `selectors.lists`): one per agency the
    actor sees entirely (view_all, review_format, issue), one per drafting unit whose content
    they review, their own drafts and the documents they are to sign. Queries: grants (cached
    on the actor) + units (1, only for unit-scoped grants) + keys (1) + rows (1)."""
    filters = filters or {}
    errors: dict[str, list[str]] = {}
    where = Q()
    state = filters.get("state")
    if state:
        if state not in OutgoingState.values:
            errors["state"] = [_("Choose one of: %(values)s.")
                               % {"values": ", ".join(OutgoingState.values)}]
        else:
            where &= Q(state=state)
    if filters.get("type_code"):
        where &= Q(doc_type__code=filters["type_code"])
    agency_id = filters.get("agency_id")
    if agency_id not in (None, ""):
        try:
            agency_id = int(agency_id)
        except (TypeError, ValueError):
            errors["agency_id"] = [_("Enter a whole number.")]
        else:
            where &= Q(agency_id=agency_id)
    else:
        agency_id = None
    if errors:
        raise InvalidInput(_("Check the highlighted fields."), fields=errors)
    limit = check_limit(limit)
    values = cursor_values(OutgoingDocument.objects.all(), ORDER, cursor) if cursor else None
    if actor is None or not getattr(actor, "is_authenticated", False) or not actor.is_active:
        return Page(items=[], next=None)

    documents = OutgoingDocument.objects.filter(where)
    if values is not None:
        documents = documents.filter(lists.after_q("created_at", "id", values))
    if filters.get("mine"):
        branches = [documents.filter(drafter=actor)]
    else:
        scope = lists.scope_of(actor, agency_actions=AGENCY_ACTIONS, unit_actions=UNIT_ACTIONS)
        if scope.everything:
            branches = [documents]
        else:
            agencies = [a for a in scope.agencies if agency_id in (None, a)]
            branches = [*lists.split(documents, "agency_id", agencies),
                        *lists.split(documents, "drafting_unit_id", scope.units),
                        documents.filter(drafter=actor), documents.filter(signer=actor)]
    keys = [lists.branch_keys(b, "created_at", "id", limit + 1) for b in branches]
    ids = lists.first_ids(keys, limit + 1)
    rows = lists.in_order(
        OutgoingDocument.objects.filter(pk__in=ids)
        .select_related("agency", "doc_type", "drafter", "signer", "drafting_unit")
        .defer("text_content"), ids) if ids else []
    more = len(ids) > limit
    rows = rows[:limit]
    next_cursor = None
    if more and rows:
        next_cursor = encode_cursor([rows[-1].created_at, rows[-1].pk])
    return Page(items=rows, next=next_cursor)


def outgoing_clerk_queue(*, actor, cursor: str | None = None, limit: int = 50) -> Page:
    """Approved (or signed) documents waiting to be numbered and issued in the agencies where
    the actor issues (documents.issue)."""
    qs = (_list_qs(actor).filter(policy.unit_q(actor, "documents.issue", "agency"),
                                 state__in=AWAITING_ISSUE))
    return keyset_page(qs, order=ORDER, cursor=cursor, limit=limit)


def _review_filter(actor) -> tuple[Subquery, Q]:
    latest = Subquery(DraftVersion.objects.filter(document=OuterRef("pk"))
                      .order_by("-number").values("id")[:1])

    def approved(step: str) -> Exists:
        return Exists(Approval.objects.filter(document=OuterRef("pk"), version_id=OuterRef("_v"),
                                              step=step, decision=Decision.APPROVED))

    content_due = ~approved(ApprovalStep.CONTENT)
    format_due = approved(ApprovalStep.CONTENT) & ~approved(ApprovalStep.FORMAT)
    signer_due = (approved(ApprovalStep.CONTENT) & approved(ApprovalStep.FORMAT)
                  & ~approved(ApprovalStep.SIGNER))
    sign_q = policy.unit_q(actor, "documents.sign", "agency")
    return latest, (
        (Q(content_due) & policy.unit_q(actor, "documents.review_content", "drafting_unit"))
        | (Q(format_due) & policy.unit_q(actor, "documents.review_format", "agency"))
        | (Q(signer_due) & Q(signer=actor) & sign_q)
    )


def outgoing_review_queue(*, actor, cursor: str | None = None, limit: int = 50) -> Page:
    """Documents in review whose due step the actor may decide: content for the head of the
    drafting unit, format for the office, the signer's approval for the signer."""
    latest, due = _review_filter(actor)
    qs = (_list_qs(actor).filter(state=OutgoingState.IN_REVIEW)
          .annotate(_v=latest).filter(due))
    return keyset_page(qs, order=ORDER, cursor=cursor, limit=limit)


# --- delivery -----------------------------------------------------------------------------------


def outgoing_delivery(document: OutgoingDocument) -> list[dict]:
    """Per recipient: delivered or not, and for an agency inside eGov its processing status
    there (registered, arrival number, state, assignees: the incoming side's delivery_status) —
    the sender sees the processing status at the recipient (Phụ lục VI §III.1)."""
    at_recipients: dict[int, dict] = {}
    if document.state not in (OutgoingState.DRAFT, OutgoingState.IN_REVIEW,
                              OutgoingState.RETURNED, OutgoingState.APPROVED,
                              OutgoingState.SIGNED):
        from .incoming import delivery_status

        at_recipients = {row["incoming_id"]: row for row in delivery_status(document)}
    rows = []
    for r in document.recipients.all():
        status = at_recipients.get(r.delivered_incoming_id) if r.delivered_incoming_id else None
        rows.append({
            "id": r.pk, "name": r.name, "email": r.email, "unit": r.unit,
            "delivered_at": r.delivered_at, "error": r.delivery_error,
            "cancelled_at": r.cancelled_at, "incoming_id": r.delivered_incoming_id,
            "returned_at": r.returned_at, "return_reason": r.return_reason,
            "incoming_state": status["state"] if status else "",
            "incoming_state_label": status["state_label"] if status else "",
            "arrival_number": status["arrival_number"] if status else None,
            "assignments": status["assignments"] if status else [],
        })
    return rows


# --- choices for the drafting form --------------------------------------------------------------


def drafting_units(actor) -> list[OrgUnit]:
    """Units where the actor holds a post today and may draft, the primary post's first."""
    from ..trail import primary_unit_id
    from .visibility import current_unit_ids

    primary = primary_unit_id(actor)
    units = OrgUnit.objects.filter(pk__in=current_unit_ids(actor)).select_related("agency")
    allowed = [u for u in units if u.agency_id and policy.can(actor, "documents.draft", u)]
    return sorted(allowed, key=lambda u: (u.pk != primary, u.path))


def signer_choices(agency: OrgUnit) -> list[User]:
    return action_holders("documents.sign", agency)


def recipient_agency_choices(agency: OrgUnit | None) -> QuerySet:
    """Agencies inside eGov a document can be sent to (valid today, not the issuing agency)."""
    qs = OrgUnit.objects.filter(_valid_today()).exclude(kind=OrgUnitKind.DIVISION)
    if agency is not None:
        qs = qs.exclude(pk=agency.pk)
    return qs.order_by("path")


def reply_choices(actor, agency: OrgUnit | None, *, include: list[int] = (),
                  limit: int = 30) -> list[IncomingDocument]:
    """Incoming documents of the agency the actor may see and could answer: the newest open
    ones, plus any asked for explicitly (`include`, e.g. ?reply_to=)."""
    if agency is None:
        return []
    base = IncomingDocument.objects.filter(incoming_visible_q(actor), agency=agency).exclude(
        state__in=[IncomingState.CANCELLED, IncomingState.RETURNED])
    chosen = list(base.filter(pk__in=list(include))) if include else []
    recent = list(base.exclude(state=IncomingState.DONE).exclude(pk__in=[d.pk for d in chosen])
                  .order_by("-arrival_date", "-id")[:limit])
    return chosen + recent


def document_types() -> QuerySet:
    today = timezone.localdate()
    return DocumentType.objects.filter(valid_from__lte=today).filter(
        Q(valid_to__isnull=True) | Q(valid_to__gte=today))


# --- register configuration ---------------------------------------------------------------------


def register_config_list(*, actor, agency_id: int | None = None) -> list[Register]:
    """Outgoing registers of the agencies where the actor manages registers."""
    qs = (Register.objects.filter(policy.unit_q(actor, "documents.manage_registers", "agency"),
                                  direction=Direction.OUTGOING)
          .select_related("agency").prefetch_related("document_types")
          .order_by("agency_id", "kind", "id"))
    if agency_id is not None:
        qs = qs.filter(agency_id=agency_id)
    return list(qs[:500])


def register_config_get(*, actor, register_id: int) -> Register:
    register = (Register.objects.filter(policy.unit_q(actor, "documents.manage_registers",
                                                      "agency"),
                                        direction=Direction.OUTGOING, pk=register_id)
                .select_related("agency").prefetch_related("document_types").first())
    if register is None:
        raise NotFound()
    return register
