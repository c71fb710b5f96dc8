"""Nhiệm vụ: directives given by leaders and by documents, tracked to completion and reported
upward in the four buckets the Government uses (documents.md §19; QĐ 42/2014/QĐ-TTg as amended
by QĐ 23/2018/QĐ-TTg; Báo cáo 1270/BC-TCTTTg for the vocabulary).

- `Directive`: one task. `lead_unit` is the unit answerable for it (always set, also when the
  lead is a person: that person's unit), `lead_user` the person when one was named. `parent` is
  set for a sub-directive (the lead splitting the work inside its unit); `series` for one period
  of a recurring directive (monthly / quarterly report), whose template has `recurrence` set and
  is never counted itself (see `buckets.countable_q`).
- `DirectiveAssignee`: who takes part, with a role (lead / support / inform), each with its own
  sub-deadline and progress (supporting units report to the lead against their own deadline).
  The lead has a row too, so "directives my unit received" is one indexed filter.
- Deadlines: `due_date` is the date the lead now works to (moved by every approved extension);
  `judged_due_date` is the date the buckets are judged against: it moves only with an extension
  approved on or before the deadline then in force — one approved after the deadline does not
  make a late directive on time (issue 12; practice of the provincial quy chế, UNVERIFIED).
- Buckets (`buckets.py`) are computed from `state`, `done_on` and `judged_due_date` and the day
  of the question; they are never stored, so nothing needs a nightly job to turn "in time" into
  "overdue".
"""

from __future__ import annotations

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from egov.core.models import OrgUnit, StoredFile


class SourceKind(models.TextChoices):
    NONE = "none", _("None")
    INCOMING = "incoming", _("Incoming document")
    OUTGOING = "outgoing", _("Outgoing document")
    MEETING = "meeting", _("Meeting conclusion")
    PLAN = "plan", _("Plan (kế hoạch)")


class Priority(models.TextChoices):
    NORMAL = "normal", _("Normal")
    HIGH = "high", _("High")
    URGENT = "urgent", _("Urgent")


class Recurrence(models.TextChoices):
    NONE = "none", _("Once")
    MONTHLY = "monthly", _("Monthly report")
    QUARTERLY = "quarterly", _("Quarterly report")


class DirectiveState(models.TextChoices):
    OPEN = "open", _("In progress")
    SUBMITTED = "submitted", _("Reported done, awaiting acceptance")
    DONE = "done", _("Done")
    CANCELLED = "cancelled", _("Cancelled")


class Bucket(models.TextChoices):
    """The four buckets of the Government's reports (Báo cáo 1270/BC-TCTTTg; documents.md §19)."""

    DONE_ON_TIME = "done_on_time", _("Done on time")
    DONE_LATE = "done_late", _("Done late")
    OPEN_ON_TIME = "open_on_time", pgettext_lazy("directive bucket", "Not done, in time")
    OPEN_LATE = "open_late", pgettext_lazy("directive bucket", "Not done, overdue")


class AssigneeRole(models.TextChoices):
    LEAD = "lead", _("Lead (chủ trì)")
    SUPPORT = "support", _("Support (phối hợp)")
    INFORM = "inform", _("For information (để biết)")


class Directive(models.Model):
    agency = models.ForeignKey(OrgUnit, verbose_name=_("agency"), on_delete=models.PROTECT,
                               related_name="+",
                               help_text=_("The agency of the leader who gave the directive."))
    code = models.CharField(_("code"), max_length=40, unique=True)
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT,
                               related_name="children", verbose_name=_("parent directive"))
    series = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT,
                               related_name="occurrences",
                               verbose_name=_("recurring directive"))
    period_start = models.DateField(_("period start"), null=True, blank=True)
    weight = models.PositiveSmallIntegerField(_("weight"), default=1)
    title = models.CharField(pgettext_lazy("directive", "title"), max_length=500)
    content = models.TextField(_("content"), blank=True)
    guidance = models.TextField(_("leader's guidance (ý kiến chỉ đạo)"), blank=True)
    source_kind = models.CharField(_("source"), max_length=16, choices=SourceKind.choices,
                                   default=SourceKind.NONE)
    source_incoming = models.ForeignKey("documents.IncomingDocument", null=True, blank=True,
                                        on_delete=models.PROTECT, related_name="+")
    source_outgoing = models.ForeignKey("documents.OutgoingDocument", null=True, blank=True,
                                        on_delete=models.PROTECT, related_name="+")
    source_text = models.CharField(_("source reference"), max_length=500, blank=True,
                                   help_text=_("E.g. the meeting conclusion's number and date."))
    # A plan's task imported from a file keeps its key so a re-import updates, never duplicates.
    plan_key = models.CharField(max_length=64, blank=True)
    given_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                 related_name="+", verbose_name=_("given by"))
    given_on = models.DateField(_("given on"))
    lead_unit = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="+",
                                  verbose_name=_("lead unit"))
    lead_user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                  on_delete=models.PROTECT, related_name="+",
                                  verbose_name=_("lead person"))
    priority = models.CharField(_("priority"), max_length=16, choices=Priority.choices,
                                default=Priority.NORMAL)
    recurrence = models.CharField(_("recurrence"), max_length=16, choices=Recurrence.choices,
                                  default=Recurrence.NONE)
    # Recurring: the report is due this many days after the period ends (e.g. 5 → the 5th).
    recurrence_day = models.PositiveSmallIntegerField(null=True, blank=True)
    recurrence_until = models.DateField(null=True, blank=True)
    due_date = models.DateField(_("deadline"), null=True, blank=True)
    original_due_date = models.DateField(_("original deadline"), null=True, blank=True)
    judged_due_date = models.DateField(_("deadline for the status"), null=True, blank=True)
    state = models.CharField(_("state"), max_length=16, choices=DirectiveState.choices,
                             default=DirectiveState.OPEN)
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    progress_note = models.TextField(_("latest progress"), blank=True)
    progress_at = models.DateTimeField(null=True, blank=True)
    submitted_on = models.DateField(null=True, blank=True)
    done_on = models.DateField(_("completed on"), null=True, blank=True)
    result_text = models.TextField(_("result"), blank=True)
    result_document = models.ForeignKey("documents.OutgoingDocument", null=True, blank=True,
                                        on_delete=models.PROTECT, related_name="+",
                                        verbose_name=_("result document"))
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("directive")
        verbose_name_plural = _("directives")
        indexes = [
            # The leader's dashboard and the reports: counts by unit and bucket (index-only).
            models.Index(fields=["agency", "lead_unit", "state", "judged_due_date", "done_on"],
                         condition=Q(parent__isnull=True, recurrence="none"),
                         name="directive_counts"),
            models.Index(fields=["lead_unit", "state", "judged_due_date"],
                         name="directive_lead_due"),
            models.Index(fields=["given_by", "given_on"], name="directive_given"),
            models.Index(fields=["due_date", "id"], condition=Q(state__in=["open", "submitted"]),
                         name="directive_open_due"),
            # The dashboard's in-time counts and the overdue list of the directives not done
            # (i12-reports; with DirectiveCount, see selectors/dashboard.py).
            models.Index(fields=["agency", "judged_due_date", "id", "lead_unit"],
                         condition=Q(state__in=["open", "submitted"], parent__isnull=True,
                                     recurrence="none"),
                         name="directive_open_judged"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["series", "period_start"],
                                    condition=Q(series__isnull=False),
                                    name="directive_one_per_period"),
            models.UniqueConstraint(fields=["source_outgoing", "plan_key"],
                                    condition=~Q(plan_key=""), name="directive_plan_key"),
            models.CheckConstraint(condition=Q(progress__lte=100), name="directive_progress_pct"),
            models.CheckConstraint(condition=Q(weight__gte=1), name="directive_weight_pos"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.title[:60]}"

    @property
    def is_template(self) -> bool:
        return self.recurrence != Recurrence.NONE


class DirectiveAssignee(models.Model):
    directive = models.ForeignKey(Directive, on_delete=models.CASCADE, related_name="assignees")
    role = models.CharField(_("role"), max_length=16, choices=AssigneeRole.choices)
    unit = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="+",
                             verbose_name=_("unit"))
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                             on_delete=models.PROTECT, related_name="+", verbose_name=_("person"))
    due_date = models.DateField(_("own deadline"), null=True, blank=True)
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    progress_note = models.TextField(blank=True)
    done_on = models.DateField(null=True, blank=True)

    class Meta:
        verbose_name = _("participant")
        verbose_name_plural = _("participants")
        indexes = [models.Index(fields=["unit", "role"], name="directiveassignee_unit")]
        constraints = [
            models.UniqueConstraint(fields=["directive", "unit"], condition=Q(user__isnull=True),
                                    name="directiveassignee_one_unit"),
            models.UniqueConstraint(fields=["directive", "user"],
                                    condition=Q(user__isnull=False),
                                    name="directiveassignee_one_user"),
            models.UniqueConstraint(fields=["directive"], condition=Q(role="lead"),
                                    name="directiveassignee_one_lead"),
        ]

    def __str__(self) -> str:
        return f"{self.get_role_display()}: {self.unit_id}/{self.user_id or '-'}"



class ReportKind(models.TextChoices):
    PROGRESS = "progress", _("Progress")
    COMPLETION = "completion", _("Completion")


class ProgressReport(models.Model):
    """A progress or completion report by the lead or a supporting participant."""

    directive = models.ForeignKey(Directive, on_delete=models.CASCADE, related_name="reports")
    assignee = models.ForeignKey(DirectiveAssignee, null=True, blank=True,
                                 on_delete=models.CASCADE, related_name="reports")
    kind = models.CharField(max_length=16, choices=ReportKind.choices,
                            default=ReportKind.PROGRESS)
    percent = models.PositiveSmallIntegerField(_("progress (%)"))
    text = models.TextField(_("report"), blank=True)
    reported_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                    related_name="+")
    reported_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["directive", "reported_at", "id"]
        indexes = [models.Index(fields=["directive", "reported_at"], name="progress_at")]
        constraints = [models.CheckConstraint(condition=Q(percent__lte=100),
                                              name="progress_pct")]

    def __str__(self) -> str:
        return f"{self.percent}% {self.reported_at:%Y-%m-%d}"



class DirectiveFile(models.Model):
    directive = models.ForeignKey(Directive, on_delete=models.CASCADE, related_name="files")
    report = models.ForeignKey(ProgressReport, null=True, blank=True, on_delete=models.CASCADE,
                               related_name="files")
    file = models.ForeignKey(StoredFile, on_delete=models.PROTECT, related_name="+")
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="+")
    added_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"file {self.file_id}"



class ExtensionState(models.TextChoices):
    PENDING = "pending", _("Awaiting decision")
    APPROVED = "approved", _("Approved")
    REFUSED = "refused", _("Refused")


class ExtensionRequest(models.Model):
    directive = models.ForeignKey(Directive, on_delete=models.CASCADE, related_name="extensions")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                     related_name="+")
    requested_at = models.DateTimeField(default=timezone.now)
    reason = models.TextField(_("reason"))
    proposed_date = models.DateField(_("proposed deadline"))
    due_date_before = models.DateField()
    state = models.CharField(max_length=16, choices=ExtensionState.choices,
                             default=ExtensionState.PENDING)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_date = models.DateField(null=True, blank=True)
    decision_note = models.TextField(blank=True)
    # Approved on or before the deadline then in force: the status deadline moved too.
    moved_judged = models.BooleanField(default=False)

    class Meta:
        ordering = ["directive", "requested_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["directive"], condition=Q(state="pending"),
                                    name="extension_one_pending"),
        ]

    def __str__(self) -> str:
        return f"{self.proposed_date} ({self.state})"



class DirectiveEvent(models.Model):
    """The history of a directive (every change), and what the upward sync sends."""

    directive = models.ForeignKey(Directive, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(default=timezone.now)
    kind = models.CharField(max_length=32)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                              on_delete=models.PROTECT, related_name="+")
    state = models.CharField(max_length=16, choices=DirectiveState.choices)
    note = models.TextField(blank=True)
    details = models.JSONField(default=dict, blank=True, encoder=DjangoJSONEncoder)

    class Meta:
        ordering = ["directive", "at", "id"]
        indexes = [models.Index(fields=["directive", "at"], name="directiveevent_at")]

    def __str__(self) -> str:
        return f"{self.kind} {self.at:%Y-%m-%d %H:%M}"



class ReminderLevel(models.IntegerChoices):
    ASSIGNEE = 0, _("Participant")
    UNIT_HEAD = 1, _("Head of the unit")
    GIVER = 2, _("Giver")


class DirectiveReminder(models.Model):
    """One reminder sent (7/3/1 working days before, daily when overdue); the unique key makes
    a repeated or resumed run send nothing twice."""

    directive = models.ForeignKey(Directive, on_delete=models.CASCADE, related_name="reminders")
    assignee = models.ForeignKey(DirectiveAssignee, null=True, blank=True,
                                 on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=32)  # "before:7", "overdue:2026-12-06"
    level = models.PositiveSmallIntegerField(choices=ReminderLevel.choices,
                                             default=ReminderLevel.ASSIGNEE)
    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                  related_name="+")
    day = models.DateField()
    created_at = models.DateTimeField(default=timezone.now)
    answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(
            fields=["directive", "assignee", "key", "level", "recipient"],
            name="directivereminder_once")]
        indexes = [models.Index(fields=["recipient", "day"], name="directivereminder_day")]

    def __str__(self) -> str:
        return f"{self.key} → {self.recipient_id}"



class ReportSnapshot(models.Model):
    """A periodic report as it was sent upward: frozen figures and overdue list."""

    agency = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="+")
    unit = models.ForeignKey(OrgUnit, null=True, blank=True, on_delete=models.PROTECT,
                             related_name="+")
    period_from = models.DateField()
    period_to = models.DateField()
    title = models.CharField(max_length=500)
    data = models.JSONField(encoder=DjangoJSONEncoder)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                   related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.title



class SyncTarget(models.Model):
    """A provincial endpoint that receives status changes (the upward-sync plugin). The token
    is read from the environment variable named here, never stored."""

    agency = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="+")
    name = models.CharField(max_length=200)
    adapter = models.CharField(max_length=64, default="https_json")
    url = models.URLField(max_length=500)
    token_env = models.CharField(max_length=100, blank=True)
    active = models.BooleanField(default=True)

    def __str__(self) -> str:
        return self.name


class SyncState(models.TextChoices):
    QUEUED = "queued", _("Queued")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Given up")


class SyncChange(models.Model):
    """One status change to push upward (written in the changing transaction; sent by a
    background job with retries, backoff and an idempotency key)."""

    target = models.ForeignKey(SyncTarget, on_delete=models.PROTECT, related_name="changes")
    directive = models.ForeignKey(Directive, on_delete=models.CASCADE, related_name="+")
    event = models.ForeignKey(DirectiveEvent, null=True, blank=True, on_delete=models.CASCADE,
                              related_name="+")
    idempotency_key = models.CharField(max_length=80, unique=True)
    payload = models.JSONField(encoder=DjangoJSONEncoder)
    state = models.CharField(max_length=16, choices=SyncState.choices, default=SyncState.QUEUED)
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    leased_until = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["next_attempt_at", "id"], condition=Q(state="queued"),
                                name="syncchange_due")]

    def __str__(self) -> str:
        return self.idempotency_key


class DirectiveCount(models.Model):
    """How many countable directives (`buckets.countable_q`) each agency gave each lead unit,
    by kind: done on time, done late, not done ("open": open or awaiting acceptance — whether
    in time or overdue depends on the day asked, so the dashboard splits it with the
    `directive_open_judged` index). Kept by database triggers on directives_directive
    (migration 0003_reports_counts), in the writing transaction whatever writes — a service,
    a queryset update, an import; never written by Python (i12-reports)."""

    agency = models.ForeignKey(OrgUnit, on_delete=models.DO_NOTHING, db_constraint=False,
                               related_name="+")
    lead_unit = models.ForeignKey(OrgUnit, on_delete=models.DO_NOTHING, db_constraint=False,
                                  related_name="+")
    kind = models.CharField(max_length=16)
    n = models.IntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["agency", "lead_unit", "kind"],
                                               name="directivecount_key")]

    def __str__(self) -> str:
        return f"{self.agency_id}/{self.lead_unit_id} {self.kind}: {self.n}"
