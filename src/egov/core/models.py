"""The shared kernel's tables: organisations, people, roles, work items, calendar, numbering,
audit trail, files, API tokens and notifications. Every module builds on these."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

FAR_FUTURE = dt.datetime(9999, 12, 31, tzinfo=dt.UTC)


# --- Organisations ------------------------------------------------------------------------------


class OrgUnitKind(models.TextChoices):
    PROVINCE_COMMITTEE = "province_committee", _("Provincial People's Committee")
    COMMUNE_COMMITTEE = "commune_committee", _("Commune People's Committee")
    AGENCY = "agency", _("Department / agency")
    SERVICE_CENTRE = "service_centre", _("Public administrative service centre")
    DIVISION = "division", _("Internal division")


class OrgUnit(models.Model):
    """A unit of the organisation tree (UBND tỉnh, Sở, Trung tâm PVHCC, UBND xã, phòng…).

    Units are never deleted or rewritten: a merger closes the old units (valid_to) and points them
    at their successor; a renaming is recorded in OrgUnitName so old documents keep their names.
    """

    kind = models.CharField(_("kind"), max_length=32, choices=OrgUnitKind.choices)
    name = models.CharField(_("name"), max_length=255)
    abbreviation = models.CharField(
        _("abbreviation"), max_length=32, blank=True,
        help_text=_("Used in document notations, e.g. UBND, STP, VP."),
    )
    parent = models.ForeignKey(
        "self", verbose_name=_("parent unit"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="children",
    )
    electronic_id = models.CharField(
        _("electronic identifier"), max_length=32, unique=True, null=True, blank=True,
        help_text=_("Mã định danh điện tử, e.g. 000.00.00.H41 (QĐ 20/2020/QĐ-TTg)."),
    )
    place_name = models.CharField(_("place name"), max_length=100, blank=True)
    # Materialised path "/1/5/12/" of ids from the root: subtree queries use one indexed prefix test.
    path = models.CharField(max_length=255, editable=False, db_index=True, default="")
    # The agency a unit belongs to: itself unless it is an internal division, else its parent's
    # agency. A Văn phòng's clerk registers documents for the committee it serves.
    agency = models.ForeignKey(
        "self", null=True, blank=True, editable=False, on_delete=models.PROTECT,
        related_name="+",
    )
    valid_from = models.DateField(_("valid from"), default=dt.date(2025, 7, 1))
    valid_to = models.DateField(_("valid to"), null=True, blank=True)
    successor = models.ForeignKey(
        "self", verbose_name=_("successor"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="predecessors",
    )
    is_demo = models.BooleanField(_("demo data"), default=False)

    class Meta:
        verbose_name = _("organisation unit")
        verbose_name_plural = _("organisation units")
        ordering = ["path"]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gte=models.F("valid_from")),
                name="orgunit_valid_range",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        super().save(*args, **kwargs)
        agency_id = self.pk if self.is_agency or not self.parent_id else self.parent.agency_id
        if agency_id != self.agency_id:
            OrgUnit.objects.filter(pk=self.pk).update(agency_id=agency_id)
            self.agency_id = agency_id
            # Divisions below inherit the agency.
            for child in OrgUnit.objects.filter(parent=self, kind=OrgUnitKind.DIVISION):
                child.save(update_fields=None)
        new_path = (self.parent.path if self.parent_id else "/") + f"{self.pk}/"
        if new_path != self.path:
            if self.parent_id and self.parent.path.startswith(self.path or "\0"):
                raise ValueError("a unit cannot be placed under its own sub-unit")
            old_path = self.path
            OrgUnit.objects.filter(pk=self.pk).update(path=new_path)
            if old_path:
                # Move the whole subtree: rewrite the prefix of every descendant's path.
                for child in OrgUnit.objects.filter(path__startswith=old_path).exclude(pk=self.pk):
                    OrgUnit.objects.filter(pk=child.pk).update(
                        path=new_path + child.path[len(old_path):]
                    )
            self.path = new_path

    @property
    def is_agency(self) -> bool:
        return self.kind != OrgUnitKind.DIVISION

    def is_valid_on(self, day: dt.date) -> bool:
        return self.valid_from <= day and (self.valid_to is None or day <= self.valid_to)


class OrgUnitName(models.Model):
    """History of a unit's names and abbreviations (renamings keep the old name for old records)."""

    unit = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="names")
    name = models.CharField(_("name"), max_length=255)
    abbreviation = models.CharField(_("abbreviation"), max_length=32, blank=True)
    valid_from = models.DateField(_("valid from"))
    valid_to = models.DateField(_("valid to"), null=True, blank=True)
    legal_basis = models.CharField(_("legal basis"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("unit name history")
        verbose_name_plural = _("unit name history")
        ordering = ["unit", "valid_from"]

    def __str__(self) -> str:
        return f"{self.name} ({self.valid_from:%d/%m/%Y})"


# --- People, roles, positions -------------------------------------------------------------------


class User(AbstractUser):
    """A person who logs in. Titles and roles come from Positions, never from the user row."""

    full_name = models.CharField(_("full name"), max_length=150, blank=True)
    failed_logins = models.PositiveIntegerField(default=0, editable=False)
    locked_until = models.DateTimeField(null=True, blank=True, editable=False)
    is_demo = models.BooleanField(_("demo data"), default=False)

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.full_name or self.username

    def get_full_name(self) -> str:
        return self.full_name or super().get_full_name() or self.username


class Role(models.Model):
    """A role is data: a code, names, and the actions it grants (RoleGrant rows)."""

    code = models.SlugField(_("code"), max_length=50, unique=True)
    name = models.CharField(_("name"), max_length=100)
    description = models.TextField(_("description"), blank=True)

    class Meta:
        verbose_name = _("role")
        verbose_name_plural = _("roles")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class Scope(models.TextChoices):
    UNIT = "unit", _("Own unit and its sub-units")
    AGENCY = "agency", _("Own agency and its internal divisions")
    ALL = "all", _("All units")


class RoleGrant(models.Model):
    role = models.ForeignKey(Role, on_delete=models.CASCADE, related_name="grants")
    action = models.CharField(_("action"), max_length=64)
    scope = models.CharField(_("scope"), max_length=8, choices=Scope.choices, default=Scope.UNIT)

    class Meta:
        verbose_name = _("role permission")
        verbose_name_plural = _("role permissions")
        constraints = [
            models.UniqueConstraint(fields=["role", "action"], name="rolegrant_unique_action")
        ]

    def __str__(self) -> str:
        return f"{self.role.code}: {self.action} ({self.scope})"


class Position(models.Model):
    """A post a person holds in a unit (chức vụ) with its roles. Concurrent posts (kiêm nhiệm)
    are several rows for one user."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="positions"
    )
    org_unit = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="positions")
    title = models.CharField(pgettext_lazy("position", "title"), max_length=100)
    roles = models.ManyToManyField(Role, verbose_name=_("roles"), related_name="positions")
    is_primary = models.BooleanField(_("primary post"), default=True)
    valid_from = models.DateField(_("valid from"), default=dt.date(2025, 7, 1))
    valid_to = models.DateField(_("valid to"), null=True, blank=True)

    class Meta:
        verbose_name = _("position")
        verbose_name_plural = _("positions")
        ordering = ["user", "-is_primary", "id"]
        indexes = [models.Index(fields=["org_unit", "user"])]

    def __str__(self) -> str:
        return f"{self.title} — {self.org_unit}"


class SignatureCapacity(models.TextChoices):
    """How a delegate signs on behalf of another (NĐ 30/2020, Điều 13)."""

    KT = "KT", _("KT. (ký thay)")
    TM = "TM", _("TM. (thay mặt)")
    TL = "TL", _("TL. (thừa lệnh)")
    TUQ = "TUQ", _("TUQ. (thừa ủy quyền)")
    Q = "Q", _("Q. (quyền)")


class Delegation(models.Model):
    """Ủy quyền: the delegate holds the roles of the delegator's position between the dates."""

    position = models.ForeignKey(
        Position, verbose_name=_("delegated position"), on_delete=models.PROTECT,
        related_name="delegations",
    )
    delegate = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("delegate"), on_delete=models.PROTECT,
        related_name="delegations_received",
    )
    capacity = models.CharField(
        _("capacity"), max_length=4, choices=SignatureCapacity.choices,
        default=SignatureCapacity.TUQ,
    )
    start = models.DateField(_("start"))
    end = models.DateField(_("end"))
    reason = models.CharField(_("reason"), max_length=255, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("delegation")
        verbose_name_plural = _("delegations")
        constraints = [
            models.CheckConstraint(condition=Q(end__gte=models.F("start")),
                                   name="delegation_dates_ordered"),
        ]

    def __str__(self) -> str:
        return f"{self.capacity}. {self.position} → {self.delegate}"


# --- Work items ---------------------------------------------------------------------------------


class WorkRole(models.TextChoices):
    LEAD = "lead", _("Lead")
    SUPPORT = "support", _("Support")
    INFORM = "inform", _("For information")
    TASK = "task", _("Task")


class WorkState(models.TextChoices):
    OPEN = "open", _("Open")
    DONE = "done", _("Done")
    CANCELLED = "cancelled", _("Cancelled")


class WorkItem(models.Model):
    """One step somebody must do by some time, in any module: the inbox, the overdue engine and
    the raw data of on-time statistics."""

    module = models.CharField(_("module"), max_length=32)
    kind = models.CharField(_("kind"), max_length=64)
    title = models.CharField(pgettext_lazy("work item", "title"), max_length=500)
    # The title as a message key with its parameters (egov.core.msgtext), rendered in the
    # reader's language; `title` keeps the Vietnamese text (and is shown for rows without key).
    title_msg = models.JSONField(null=True, blank=True, editable=False)
    url = models.CharField(max_length=500, blank=True)
    subject_type = models.ForeignKey(
        ContentType, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    subject_id = models.CharField(max_length=64, blank=True)
    subject = GenericForeignKey("subject_type", "subject_id")
    assignee_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
        related_name="work_items",
    )
    assignee_unit = models.ForeignKey(
        OrgUnit, null=True, blank=True, on_delete=models.PROTECT, related_name="work_items"
    )
    role = models.CharField(_("role"), max_length=16, choices=WorkRole.choices,
                            default=WorkRole.TASK)
    urgency = models.CharField(_("urgency"), max_length=32, blank=True)
    state = models.CharField(_("state"), max_length=16, choices=WorkState.choices,
                             default=WorkState.OPEN)
    due_at = models.DateTimeField(_("due at"), null=True, blank=True)
    # A non-null sort key so keyset pagination needs no NULL handling (see `sort_key`).
    due_sort = models.DateTimeField(editable=False, default=FAR_FUTURE)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    opened_at = models.DateTimeField(_("opened at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = _("work item")
        verbose_name_plural = _("work items")
        indexes = [
            models.Index(fields=["assignee_user", "due_sort", "id"],
                         condition=Q(state="open"), name="workitem_open_user"),
            models.Index(fields=["assignee_unit", "due_sort", "id"],
                         condition=Q(state="open", assignee_user__isnull=True),
                         name="workitem_open_unit"),
            models.Index(fields=["subject_type", "subject_id"], name="workitem_subject"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(assignee_user__isnull=False) | Q(assignee_unit__isnull=False),
                name="workitem_has_assignee",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def save(self, *args, **kwargs):
        self.due_sort = self.sort_key(self.due_at, self.urgency, self.created_at)
        super().save(*args, **kwargs)

    URGENT_CODES = frozenset({"urgent", "very_urgent", "flash", "flash_timed"})

    @classmethod
    def sort_key(cls, due_at, urgency: str, created_at) -> dt.datetime:
        """due_at; for an urgent item without a deadline its creation time (urgent work is
        handled at once: NĐ 30/2020 Điều 24 khoản 2, Điều 18 khoản 1), so it sorts with the
        most pressing work, not last; FAR_FUTURE otherwise."""
        if due_at is not None:
            return due_at
        if (urgency or "") in cls.URGENT_CODES:
            return created_at or timezone.now()
        return FAR_FUTURE

    @property
    def is_immediate(self) -> bool:
        """Urgent with no deadline of its own: to be handled at once."""
        return self.due_at is None and (self.urgency or "") in self.URGENT_CODES

    @property
    def display_title(self) -> str:
        from .msgtext import display

        return display(self.title_msg, self.title)


# --- Calendar -----------------------------------------------------------------------------------


class CalendarDayKind(models.TextChoices):
    OFF = "off", _("Day off")
    WORKDAY = "workday", _("Working day")


class CalendarDay(models.Model):
    """An exception to the Monday–Friday week: a holiday or swapped day off, or a make-up
    working Saturday. Seeded from `holidays` (Vietnam), edited by an administrator each year."""

    date = models.DateField(_("date"), unique=True)
    kind = models.CharField(_("kind"), max_length=8, choices=CalendarDayKind.choices)
    name = models.CharField(_("name"), max_length=200)
    legal_basis = models.CharField(_("legal basis"), max_length=255, blank=True)
    announcement = models.ForeignKey("CalendarAnnouncement", null=True, blank=True,
                                     on_delete=models.SET_NULL, related_name="days",
                                     verbose_name=_("announcement"))
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("calendar day")
        verbose_name_plural = _("calendar days")
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date:%d/%m/%Y} {self.name}"


class CalendarOccasion(models.TextChoices):
    NEW_YEAR = "new_year", _("New Year's Day (Tết Dương lịch)")
    TET = "tet", _("Lunar New Year (Tết Nguyên Đán)")
    HUNG_KINGS = "hung_kings", _("Hung Kings' Commemoration (Giỗ Tổ Hùng Vương)")
    APRIL_MAY = "april_may", _("30 April and 1 May")
    NATIONAL_DAY = "national_day", _("National Day (Quốc khánh)")
    CULTURE_DAY = "culture_day", _("Vietnamese Culture Day (24/11)")
    OTHER = "other", _("Other")


class CalendarAnnouncement(models.Model):
    """A government announcement of the days off (and swapped working days) of one occasion in
    one year, e.g. Văn bản 12729/VPCP-KGVX of 25/12/2025 for Tết Dương lịch 2026. The Prime
    Minister fixes the Tết days and the second Quốc khánh day every year (BLLĐ 2019 Art.112.3),
    so the administrator enters each one; its days are CalendarDay rows pointing to it."""

    year = models.PositiveSmallIntegerField(_("year"))
    occasion = models.CharField(_("occasion"), max_length=16, choices=CalendarOccasion.choices)
    reference = models.CharField(_("legal basis"), max_length=255,
                                 help_text=_("Number, date and issuer of the announcement."))
    note = models.CharField(_("note"), max_length=500, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("holiday announcement")
        verbose_name_plural = _("holiday announcements")
        ordering = ["-year", "occasion"]
        constraints = [models.UniqueConstraint(fields=["year", "occasion"],
                                               name="calendarannouncement_unique")]

    def __str__(self) -> str:
        return f"{self.get_occasion_display()} {self.year}"


# --- Numbering ----------------------------------------------------------------------------------


class Sequence(models.Model):
    """A gapless yearly counter for legal numbers (số đến, số văn bản đi, mã hồ sơ, …)."""

    scope = models.CharField(max_length=100)
    series = models.CharField(max_length=100)
    year = models.PositiveIntegerField()
    last_value = models.PositiveBigIntegerField(default=0)

    class Meta:
        verbose_name = _("number sequence")
        verbose_name_plural = _("number sequences")
        constraints = [
            models.UniqueConstraint(fields=["scope", "series", "year"], name="sequence_key"),
        ]

    def __str__(self) -> str:
        return f"{self.scope}/{self.series}/{self.year}: {self.last_value}"


# --- Audit trail --------------------------------------------------------------------------------


class AuditEvent(models.Model):
    """An append-only, hash-chained record of who did what. Database triggers refuse UPDATE and
    DELETE; `egov audit verify` recomputes the chain."""

    seq = models.PositiveBigIntegerField(unique=True, editable=False)
    at = models.DateTimeField(default=timezone.now, editable=False)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.DO_NOTHING,
        db_constraint=False, related_name="+",
    )
    actor_name = models.CharField(max_length=150, blank=True)
    action = models.CharField(max_length=100)
    object_type = models.CharField(max_length=100, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    details = models.JSONField(default=dict, blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)

    class Meta:
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        ordering = ["seq"]
        indexes = [models.Index(fields=["object_type", "object_id", "seq"],
                                name="audit_object")]

    def __str__(self) -> str:
        return f"#{self.seq} {self.action}"


class AuditHead(models.Model):
    """The single row that holds the chain's last seq and hash; locked to append."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    last_seq = models.PositiveBigIntegerField(default=0)
    last_hash = models.CharField(max_length=64, default="0" * 64)

    def __str__(self) -> str:
        return f"audit head #{self.last_seq}"


# --- Files --------------------------------------------------------------------------------------


class StoredFile(models.Model):
    """An uploaded file, never modified; derived files point at their original."""

    file = models.FileField(upload_to="files/%Y/%m/", max_length=300)
    original_name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64, db_index=True)
    derived_from = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="derived"
    )
    derivation = models.CharField(max_length=32, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(default=timezone.now)
    # Kinds of active content found in an uploaded PDF (egov.core.pdfcheck): "javascript",
    # "launch", "auto_action", "embedded_file"… Empty for a clean PDF and for other types.
    active_content = models.JSONField(default=list, blank=True)

    class Meta:
        verbose_name = _("stored file")
        verbose_name_plural = _("stored files")

    def __str__(self) -> str:
        return self.original_name

    @property
    def active_content_text(self) -> str:
        from .pdfcheck import describe

        return describe(self.active_content or [])


# --- API tokens ---------------------------------------------------------------------------------


class ApiToken(models.Model):
    """A personal API token; only its SHA-256 is stored. Revoked tokens stay for the record."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="api_tokens")
    name = models.CharField(_("name"), max_length=100)
    prefix = models.CharField(max_length=12)
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"


# --- Notifications ------------------------------------------------------------------------------


class Notification(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="notifications")
    subject = models.CharField(_("subject"), max_length=255)
    body = models.TextField(_("body"), blank=True)
    # Subject and body as message keys with parameters (egov.core.msgtext), rendered in the
    # reader's language; the text columns keep Vietnamese (shown for rows without key).
    subject_msg = models.JSONField(null=True, blank=True, editable=False)
    body_msg = models.JSONField(null=True, blank=True, editable=False)
    url = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        indexes = [
            models.Index(fields=["user", "-created_at"], name="notification_user"),
            # The unread badge counts at most 100 unread rows of one user (core.nav).
            models.Index(fields=["user"], condition=Q(read_at__isnull=True),
                         name="notification_unread"),
        ]

    def __str__(self) -> str:
        return self.subject

    @property
    def display_subject(self) -> str:
        from .msgtext import display

        return display(self.subject_msg, self.subject)

    @property
    def display_body(self) -> str:
        from .msgtext import display

        return display(self.body_msg, self.body)


from .models_jobs import WorkerHeartbeat  # noqa: E402,F401  (the workers' heartbeats)
from .models_outbox import MessageTemplate, OutboundMessage  # noqa: E402,F401  (the outbox)
from .models_throttle import RateCounter  # noqa: E402,F401  (rate-limit counters)
