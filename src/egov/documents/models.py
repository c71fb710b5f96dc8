"""Văn bản đến / văn bản đi, registers, handling, trail and case files (NĐ 30/2020/NĐ-CP).

Field names follow Phụ lục VI of NĐ 30/2020 (OrganId, CodeNumber, CodeNotation, TypeName,
IssuedDate, OrganName, Subject, PageAmount, SignerInfo, Priority, ArrivalNumber, ArrivalDate,
ToPlaces, TraceHeaderList, DueDate, FileCode…) mapped to the English names of GLOSSARY.md, with
the Phụ lục VI lengths.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from egov.core.models import OrgUnit, SignatureCapacity, StoredFile, WorkItem, WorkRole

# --- Catalogues ---------------------------------------------------------------------------------


class DocumentType(models.Model):
    """Tên loại văn bản with its abbreviation (NĐ 30/2020, Điều 7; Phụ lục III §I).

    A công văn has no abbreviation: its notation is `<agency>-<unit or field>` (Phụ lục I §II.3).
    """

    code = models.SlugField(_("code"), max_length=20, unique=True)
    name = models.CharField(_("name"), max_length=100)  # TypeName(100)
    abbreviation = models.CharField(_("abbreviation"), max_length=10, blank=True)
    is_legal_normative = models.BooleanField(
        _("legal normative document"), default=False,
        help_text=_("Văn bản quy phạm pháp luật: own series per type, year in the notation."),
    )
    is_copy = models.BooleanField(_("copy (bản sao)"), default=False)
    legal_basis = models.CharField(_("legal basis"), max_length=255, blank=True)
    valid_from = models.DateField(_("valid from"), default=dt.date(2020, 3, 5))
    valid_to = models.DateField(_("valid to"), null=True, blank=True)
    ordering = models.PositiveSmallIntegerField(default=100)

    class Meta:
        verbose_name = _("document type")
        verbose_name_plural = _("document types")
        ordering = ["ordering", "name"]

    def __str__(self) -> str:
        return self.name


class Urgency(models.TextChoices):
    """Mức độ khẩn (NĐ 30/2020 Phụ lục I §III.2.b); "hỏa tốc hẹn giờ" is edXML Priority 4."""

    NORMAL = "normal", _("Normal")
    URGENT = "urgent", _("Urgent (Khẩn)")
    VERY_URGENT = "very_urgent", _("Very urgent (Thượng khẩn)")
    FLASH = "flash", _("Flash (Hỏa tốc)")
    FLASH_TIMED = "flash_timed", _("Timed flash (Hỏa tốc hẹn giờ)")


URGENT_LEVELS = {Urgency.URGENT, Urgency.VERY_URGENT, Urgency.FLASH, Urgency.FLASH_TIMED}


class Secrecy(models.TextChoices):
    """Độ mật. Only NONE may be stored: Luật Bảo vệ bí mật nhà nước 2018, Điều 5 khoản 5–6
    forbids keeping state-secret content on networked systems."""

    NONE = "none", _("Not secret")
    CONFIDENTIAL = "confidential", _("Confidential (Mật)")
    SECRET = "secret", _("Secret (Tối mật)")
    TOP_SECRET = "top_secret", _("Top secret (Tuyệt mật)")


class UrgencyDeadline(models.Model):
    """Default handling time per urgency (quy chế làm việc of the agency; NĐ 30/2020 Điều 24.2:
    urgent documents are handled immediately). `agency` null = the default for every agency."""

    agency = models.ForeignKey(OrgUnit, null=True, blank=True, on_delete=models.CASCADE,
                               related_name="+")
    urgency = models.CharField(_("urgency"), max_length=16, choices=Urgency.choices)
    working_days = models.PositiveSmallIntegerField(_("working days"))
    legal_basis = models.CharField(_("legal basis"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("default handling deadline")
        verbose_name_plural = _("default handling deadlines")
        # One row per (agency, urgency) and one default (agency null) per urgency: two partial
        # unique indexes, which PostgreSQL and SQLite both enforce (nulls_distinct=False is
        # PostgreSQL-only; SQLite ignored it with warning W047).
        constraints = [
            models.UniqueConstraint(fields=["agency", "urgency"], name="urgencydeadline_unique",
                                    condition=Q(agency__isnull=False)),
            models.UniqueConstraint(fields=["urgency"], name="urgencydeadline_default_unique",
                                    condition=Q(agency__isnull=True)),
        ]

    def __str__(self) -> str:
        return f"{self.get_urgency_display()}: {self.working_days}"


class Direction(models.TextChoices):
    INCOMING = "incoming", _("Incoming")
    OUTGOING = "outgoing", _("Outgoing")


class RegisterKind(models.TextChoices):
    """Sổ đăng ký (NĐ 30/2020 Điều 15–16, 22; Phụ lục I §II.3.a; Phụ lục IV)."""

    INCOMING = "incoming", _("Incoming documents (shared by paper and electronic)")
    SHARED = "shared", _("Outgoing: one series for all administrative documents")
    PER_TYPE = "per_type", _("Outgoing: series for the listed types")
    LEGAL_NORMATIVE = "legal_normative", _("Outgoing: legal normative documents of one type")
    ADVISORY = "advisory", _("Outgoing: an advisory body (Hội đồng, Ban, Tổ)")
    COPY = "copy", _("Copies (SY, TrS, SL)")


class Register(models.Model):
    """A register and its number series. Numbers come from core.Sequence with
    scope "documents.register:<id>" and the year (restart on 1 January, NĐ 30/2020 Điều 15.1)."""

    agency = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="registers")
    direction = models.CharField(_("direction"), max_length=8, choices=Direction.choices)
    kind = models.CharField(_("kind"), max_length=16, choices=RegisterKind.choices)
    name = models.CharField(_("name"), max_length=200)
    document_types = models.ManyToManyField(DocumentType, blank=True, related_name="registers",
                                            verbose_name=_("document types"))
    # For advisory bodies issuing in their own name: the abbreviation used in the notation.
    issuer_abbreviation = models.CharField(_("issuer abbreviation"), max_length=32, blank=True)
    year_in_notation = models.BooleanField(_("year in the notation"), default=False)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("register")
        verbose_name_plural = _("registers")
        ordering = ["agency", "direction", "name"]

    def __str__(self) -> str:
        return self.name

    @property
    def sequence_scope(self) -> str:
        return f"documents.register:{self.pk}"


# --- Incoming documents -------------------------------------------------------------------------


class Channel(models.TextChoices):
    PAPER = "paper", _("Paper")
    ELECTRONIC = "electronic", _("Electronic")


class IncomingState(models.TextChoices):
    REGISTERED = "registered", _("Registered")
    PRESENTED = "presented", _("Waiting for instructions")
    IN_PROGRESS = "in_progress", _("Being handled")
    DONE = "done", _("Done")
    RETURNED = "returned", _("Returned to the sender")
    CANCELLED = "cancelled", _("Cancelled (recalled by the issuer)")


class IncomingDocument(models.Model):
    """Văn bản đến (NĐ 30/2020 Điều 20–24; Phụ lục VI Part II §II)."""

    agency = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="incoming",
                               verbose_name=_("receiving agency"))
    register = models.ForeignKey(Register, on_delete=models.PROTECT, related_name="incoming")
    year = models.PositiveSmallIntegerField()
    arrival_number = models.PositiveIntegerField(_("arrival number"))  # ArrivalNumber(10)
    arrival_date = models.DateTimeField(_("arrival date"))  # ArrivalDate
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices,
                               default=Channel.PAPER)
    # Issuer (OrganName 200, OrganId 13); issuer_unit when the sender is inside eGov.
    issuer_name = models.CharField(_("issuing agency"), max_length=200)
    issuer_electronic_id = models.CharField(_("issuer electronic id"), max_length=13, blank=True)
    issuer_unit = models.ForeignKey(OrgUnit, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")
    number = models.CharField(_("number"), max_length=11, blank=True)  # CodeNumber(11)
    notation = models.CharField(_("notation"), max_length=30, blank=True)  # CodeNotation(30)
    code = models.CharField(_("number and notation"), max_length=42, blank=True, db_index=True)
    issued_date = models.DateField(_("document date"))  # IssuedDate
    doc_type = models.ForeignKey(DocumentType, on_delete=models.PROTECT, related_name="+",
                                 verbose_name=_("document type"))
    subject = models.CharField(_("subject"), max_length=500)  # Subject(500)
    signer_name = models.CharField(_("signer"), max_length=50, blank=True)  # SignerInfo.FullName
    signer_position = models.CharField(_("signer's position"), max_length=100, blank=True)
    urgency = models.CharField(_("urgency"), max_length=16, choices=Urgency.choices,
                               default=Urgency.NORMAL)
    page_count = models.PositiveSmallIntegerField(_("pages"), null=True, blank=True)
    language = models.CharField(_("language"), max_length=30, default="Tiếng Việt")
    description = models.CharField(_("notes"), max_length=500, blank=True)
    due_date = models.DateField(_("reply due date"), null=True, blank=True)  # DueDate
    file = models.ForeignKey(StoredFile, null=True, blank=True, on_delete=models.PROTECT,
                             related_name="+")
    file_sha256 = models.CharField(max_length=64, blank=True, db_index=True)
    state = models.CharField(_("state"), max_length=16, choices=IncomingState.choices,
                             default=IncomingState.REGISTERED)
    duplicate_of = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="+", verbose_name=_("possible duplicate of"))
    # The signature check made at registration (signing module's verify; NĐ 30/2020 Điều 21.2).
    signature_status = models.CharField(max_length=16, blank=True)
    signature_report = models.JSONField(default=dict, blank=True)
    # Set when the document came from an outgoing document issued inside eGov.
    source = models.ForeignKey("OutgoingDocument", null=True, blank=True,
                               on_delete=models.PROTECT, related_name="deliveries")
    handling_due_date = models.DateField(_("handling due date"), null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    completed_by_reply = models.ForeignKey("OutgoingDocument", null=True, blank=True,
                                           on_delete=models.PROTECT, related_name="+")
    cancelled_at = models.DateTimeField(null=True, blank=True)
    cancel_reason = models.CharField(max_length=500, blank=True)
    # Returned to the sender by the receiving văn thư (NĐ 30/2020 Điều 21.2; services/returning).
    returned_at = models.DateTimeField(_("returned at"), null=True, blank=True)
    return_reason = models.CharField(_("reason for returning"), max_length=500, blank=True)
    text_content = models.TextField(blank=True, editable=False)  # extracted from the PDF
    # Null for documents delivered by the System from another agency inside eGov.
    registered_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                      on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("incoming document")
        verbose_name_plural = _("incoming documents")
        constraints = [
            # Số đến: consecutive within the year, one series per register (NĐ 30/2020 Điều 22.2).
            models.UniqueConstraint(fields=["register", "year", "arrival_number"],
                                    name="incoming_arrival_number_unique"),
            models.CheckConstraint(condition=~Q(arrival_number=0), name="incoming_number_positive"),
        ]
        indexes = [
            models.Index(fields=["agency", "-arrival_date", "-id"], name="incoming_agency_recent"),
            models.Index(fields=["-arrival_date", "-id"], name="incoming_recent"),
            models.Index(fields=["issuer_name", "code", "issued_date"], name="incoming_dup_key"),
        ]

    def __str__(self) -> str:
        return f"{self.arrival_number} — {self.subject[:80]}"

    @property
    def org_unit(self) -> OrgUnit:
        """For the policy: an incoming document belongs to the receiving agency."""
        return self.agency


class AssignmentState(models.TextChoices):
    OPEN = "open", _("Open")
    DONE = "done", _("Done")
    FORWARDED = "forwarded", _("Forwarded")
    RETURNED = "returned", _("Returned")
    CANCELLED = "cancelled", _("Cancelled")


class Assignment(models.Model):
    """One line of "ý kiến chỉ đạo": a unit or person who leads, supports or is informed, with a
    deadline (NĐ 30/2020 Điều 23.2; Phiếu giải quyết văn bản đến, Phụ lục IV). Re-assignment
    inside a unit creates a child assignment (parent)."""

    document = models.ForeignKey(IncomingDocument, on_delete=models.PROTECT,
                                 related_name="assignments")
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT,
                               related_name="children")
    role = models.CharField(_("role"), max_length=8, choices=WorkRole.choices)
    assignee_unit = models.ForeignKey(OrgUnit, null=True, blank=True, on_delete=models.PROTECT,
                                      related_name="+")
    assignee_user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                      on_delete=models.PROTECT, related_name="+")
    instruction = models.TextField(_("instruction"), blank=True)
    due_date = models.DateField(_("due date"), null=True, blank=True)
    state = models.CharField(_("state"), max_length=10, choices=AssignmentState.choices,
                             default=AssignmentState.OPEN)
    result = models.TextField(_("result"), blank=True)
    reply = models.ForeignKey("OutgoingDocument", null=True, blank=True,
                              on_delete=models.PROTECT, related_name="+")
    work_item = models.OneToOneField(WorkItem, null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="+")
    assigned_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                    related_name="+")
    assigned_at = models.DateTimeField(default=timezone.now)
    # A copy of the document's arrival_date (which never changes): the sort key of the
    # assignee's document list, so each assignee's documents are read newest first from one
    # index (assignment_user_recent / assignment_unit_recent) without touching the documents.
    # Filled by save() from the document when not given.
    doc_arrival_date = models.DateTimeField(editable=False)
    first_viewed_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("assignment")
        verbose_name_plural = _("assignments")
        constraints = [
            models.CheckConstraint(
                condition=Q(assignee_user__isnull=False) | Q(assignee_unit__isnull=False),
                name="assignment_has_assignee",
            ),
        ]
        indexes = [
            models.Index(fields=["assignee_user", "document"], name="assignment_user"),
            models.Index(fields=["assignee_unit", "document"], name="assignment_unit"),
            models.Index(fields=["assignee_user", "-doc_arrival_date", "-document"],
                         name="assignment_user_recent"),
            models.Index(fields=["assignee_unit", "-doc_arrival_date", "-document"],
                         name="assignment_unit_recent"),
        ]

    def __str__(self) -> str:
        return f"{self.get_role_display()}: {self.assignee_user or self.assignee_unit}"

    def save(self, *args, **kwargs):
        if self.doc_arrival_date is None and self.document_id is not None:
            self.doc_arrival_date = self.document.arrival_date
        super().save(*args, **kwargs)


# --- Outgoing documents -------------------------------------------------------------------------


class OutgoingState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    IN_REVIEW = "in_review", _("In review")
    RETURNED = "returned", _("Returned for changes")
    APPROVED = "approved", _("Approved by the signer")
    SIGNED = "signed", _("Signed")
    ISSUED = "issued", _("Issued")
    RECALLED = "recalled", _("Recalled")
    REPLACED = "replaced", _("Replaced")


class IssueMedium(models.TextChoices):
    """How the original of an outgoing document is issued (issue 9 §1): electronic — the PDF
    carries the competent signer's digital signature (NĐ 30/2020 Điều 13.7, Phụ lục I.II) —,
    or paper — the original is the signed and sealed printed copy; the PDF is a reference copy
    with the number and date written in and no digital signature."""

    ELECTRONIC = "electronic", _("Electronic")
    PAPER = "paper", _("Paper")


class OutgoingDocument(models.Model):
    """Văn bản đi (NĐ 30/2020 Điều 10–19; Phụ lục VI Part II §I). The number, notation and date
    are given by the System at issuance, never at drafting (Điều 15.3)."""

    agency = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="outgoing",
                               verbose_name=_("issuing agency"))
    drafting_unit = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="+",
                                      verbose_name=_("drafting unit"))
    drafter = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                related_name="+", verbose_name=_("drafter"))
    doc_type = models.ForeignKey(DocumentType, on_delete=models.PROTECT, related_name="+",
                                 verbose_name=_("document type"))
    subject = models.CharField(_("subject"), max_length=500)
    urgency = models.CharField(_("urgency"), max_length=16, choices=Urgency.choices,
                               default=Urgency.NORMAL)
    due_date = models.DateField(_("reply due date"), null=True, blank=True)
    signer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                               related_name="+", verbose_name=_("signer"))
    signer_capacity = models.CharField(_("capacity"), max_length=4, blank=True,
                                       choices=SignatureCapacity.choices)
    signer_position = models.CharField(_("signer's position"), max_length=100, blank=True)
    # Field or unit abbreviation of a công văn's notation (e.g. "VP" in 12/UBND-VP).
    field_abbreviation = models.CharField(_("field / unit abbreviation"), max_length=20,
                                          blank=True)
    page_count = models.PositiveSmallIntegerField(_("pages"), null=True, blank=True)
    copies = models.PositiveSmallIntegerField(_("number of copies"), default=1)
    state = models.CharField(_("state"), max_length=12, choices=OutgoingState.choices,
                             default=OutgoingState.DRAFT)
    register = models.ForeignKey(Register, null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="outgoing")
    year = models.PositiveSmallIntegerField(null=True, blank=True)
    number = models.PositiveIntegerField(_("number"), null=True, blank=True)
    notation = models.CharField(_("notation"), max_length=30, blank=True)
    code = models.CharField(_("number and notation"), max_length=42, blank=True, db_index=True)
    issued_date = models.DateField(_("issue date"), null=True, blank=True)
    issued_at = models.DateTimeField(null=True, blank=True)
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                  on_delete=models.PROTECT, related_name="+")
    # The PDF the signer signed and the issued (organisation-signed) PDF.
    signed_file = models.ForeignKey(StoredFile, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")
    medium = models.CharField(_("medium of the original"), max_length=10, blank=True,
                              choices=IssueMedium.choices)
    issued_file = models.ForeignKey(StoredFile, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")
    in_reply_to = models.ManyToManyField(IncomingDocument, blank=True, related_name="replies",
                                         verbose_name=_("in reply to"))
    replaces = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="replaced_by")
    recalled_at = models.DateTimeField(null=True, blank=True)
    recall_reason = models.CharField(max_length=500, blank=True)
    text_content = models.TextField(blank=True, editable=False)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("outgoing document")
        verbose_name_plural = _("outgoing documents")
        constraints = [
            # (số, ký hiệu) unique within the year (NĐ 30/2020 Điều 15.1).
            models.UniqueConstraint(fields=["register", "year", "number"],
                                    condition=Q(number__isnull=False),
                                    name="outgoing_number_unique"),
            models.UniqueConstraint(fields=["agency", "year", "code"],
                                    condition=~Q(code=""), name="outgoing_code_unique"),
        ]
        indexes = [
            models.Index(fields=["agency", "-created_at", "-id"], name="outgoing_agency_recent"),
            # The outgoing list's branches (selectors.lists): all, drafting unit, signer, drafter.
            models.Index(fields=["-created_at", "-id"], name="outgoing_recent"),
            models.Index(fields=["drafting_unit", "-created_at", "-id"],
                         name="outgoing_unit_recent"),
            models.Index(fields=["signer", "-created_at", "-id"], name="outgoing_signer_recent"),
            models.Index(fields=["drafter", "-created_at", "-id"],
                         name="outgoing_drafter_recent"),
        ]

    def __str__(self) -> str:
        return self.code or self.subject[:80]

    @property
    def org_unit(self) -> OrgUnit:
        return self.agency


class Recipient(models.Model):
    """Nơi nhận: an agency inside eGov (delivered to its incoming queue) or an external address."""

    document = models.ForeignKey(OutgoingDocument, on_delete=models.CASCADE,
                                 related_name="recipients")
    unit = models.ForeignKey(OrgUnit, null=True, blank=True, on_delete=models.PROTECT,
                             related_name="+")
    name = models.CharField(_("name"), max_length=200)
    email = models.EmailField(_("e-mail"), blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    delivered_incoming = models.ForeignKey(IncomingDocument, null=True, blank=True,
                                           on_delete=models.PROTECT, related_name="+")
    delivery_error = models.CharField(max_length=500, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    # The recipient agency returned its copy (NĐ 30/2020 Điều 21.2): the sender sees it.
    returned_at = models.DateTimeField(null=True, blank=True)
    return_reason = models.CharField(max_length=500, blank=True)

    class Meta:
        verbose_name = _("recipient")
        verbose_name_plural = _("recipients")

    def __str__(self) -> str:
        return self.name


class DraftVersion(models.Model):
    """Every uploaded version of a draft is kept (Phụ lục VI §III.5.a)."""

    document = models.ForeignKey(OutgoingDocument, on_delete=models.CASCADE,
                                 related_name="versions")
    number = models.PositiveSmallIntegerField()
    file = models.ForeignKey(StoredFile, on_delete=models.PROTECT, related_name="+")
    pdf = models.ForeignKey(StoredFile, null=True, blank=True, on_delete=models.PROTECT,
                            related_name="+")
    conversion_error = models.CharField(max_length=500, blank=True)
    note = models.CharField(_("note"), max_length=500, blank=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                    related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("draft version")
        verbose_name_plural = _("draft versions")
        ordering = ["document", "number"]
        constraints = [
            models.UniqueConstraint(fields=["document", "number"], name="draftversion_unique"),
        ]

    def __str__(self) -> str:
        return f"v{self.number}"


class Attachment(models.Model):
    document = models.ForeignKey(OutgoingDocument, on_delete=models.CASCADE,
                                 related_name="attachments")
    file = models.ForeignKey(StoredFile, on_delete=models.PROTECT, related_name="+")
    # The attachment as issued: signed by the agency (NĐ 30/2020 Phụ lục I §II.8.b), when the
    # agency has a usable certificate and the attachment is a PDF.
    issued_file = models.ForeignKey(StoredFile, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")
    title = models.CharField(_("title"), max_length=255, blank=True)
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                 related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return self.title or self.file.original_name


class Comment(models.Model):
    document = models.ForeignKey(OutgoingDocument, on_delete=models.CASCADE,
                                 related_name="comments")
    version = models.ForeignKey(DraftVersion, null=True, blank=True, on_delete=models.CASCADE,
                                related_name="comments")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                               related_name="+")
    text = models.TextField(_("comment"))
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return self.text[:80]


class ApprovalStep(models.TextChoices):
    """NĐ 30/2020 Điều 11–12: content (head of the drafting unit), format (the office), then the
    signer approves the draft."""

    CONTENT = "content", _("Content (head of the drafting unit)")
    FORMAT = "format", _("Format (office)")
    SIGNER = "signer", _("Signer")


class Decision(models.TextChoices):
    APPROVED = "approved", _("Approved")
    RETURNED = "returned", _("Returned")


class Approval(models.Model):
    document = models.ForeignKey(OutgoingDocument, on_delete=models.CASCADE,
                                 related_name="approvals")
    version = models.ForeignKey(DraftVersion, on_delete=models.PROTECT, related_name="+")
    step = models.CharField(_("step"), max_length=8, choices=ApprovalStep.choices)
    decision = models.CharField(_("decision"), max_length=8, choices=Decision.choices)
    comment = models.TextField(_("comment"), blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["document", "at"]

    def __str__(self) -> str:
        return f"{self.step}: {self.decision}"


# --- Trail --------------------------------------------------------------------------------------


class DocumentEvent(models.Model):
    """What happened to a document and who saw it when: views, downloads, assignments, forwards,
    returns, completions, approvals, issue, dispatch, recall (Phụ lục VI §III.5.a: the full
    processing history, kept with the document). Append-only; legal acts are also written to the
    core audit chain."""

    incoming = models.ForeignKey(IncomingDocument, null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="events")
    outgoing = models.ForeignKey(OutgoingDocument, null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="events")
    action = models.CharField(_("action"), max_length=32)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                              on_delete=models.PROTECT, related_name="+")
    actor_unit = models.ForeignKey(OrgUnit, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    at = models.DateTimeField(default=timezone.now)
    details = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("document event")
        verbose_name_plural = _("document events")
        constraints = [
            models.CheckConstraint(
                condition=Q(incoming__isnull=False) | Q(outgoing__isnull=False),
                name="documentevent_has_document",
            ),
        ]
        indexes = [
            models.Index(fields=["incoming", "at", "id"], name="docevent_incoming"),
            models.Index(fields=["outgoing", "at", "id"], name="docevent_outgoing"),
        ]

    def __str__(self) -> str:
        return self.action


# --- Case files (hồ sơ) -------------------------------------------------------------------------


class CaseFilePlan(models.Model):
    """Danh mục hồ sơ of an agency for one year (NĐ 30/2020 Điều 28; Phụ lục V)."""

    agency = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField(_("year"))
    title = models.CharField(_("title"), max_length=255)
    approved_by = models.CharField(_("approved by"), max_length=200, blank=True)
    approved_on = models.DateField(_("approved on"), null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("case file plan")
        verbose_name_plural = _("case file plans")
        constraints = [
            models.UniqueConstraint(fields=["agency", "year"], name="casefileplan_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.year})"


class CaseFileState(models.TextChoices):
    PLANNED = "planned", _("Planned")
    OPEN = "open", pgettext_lazy("case file", "Open")
    CLOSED = "closed", _("Closed")
    TRANSFERRED = "transferred", _("Transferred to the archive")


class CaseFile(models.Model):
    """Hồ sơ (Phụ lục VI Part II §III): FileCode = OrganId + FileCatalog (year) + FileNotation."""

    plan = models.ForeignKey(CaseFilePlan, null=True, blank=True, on_delete=models.PROTECT,
                             related_name="files")
    agency = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField(_("year"))  # FileCatalog(4)
    heading = models.CharField(_("heading"), max_length=255, blank=True)
    notation = models.CharField(_("file number and notation"), max_length=20)  # FileNotation
    title = models.CharField(pgettext_lazy("case file", "title"), max_length=500)
    retention_years = models.PositiveSmallIntegerField(
        _("retention (years)"), null=True, blank=True,
        help_text=_("Empty means permanent (vĩnh viễn)."),
    )
    rights = models.CharField(_("access regime"), max_length=30, blank=True)
    creator = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                related_name="+", verbose_name=_("file creator"))
    language = models.CharField(_("language"), max_length=50, default="Tiếng Việt")
    state = models.CharField(_("state"), max_length=12, choices=CaseFileState.choices,
                             default=CaseFileState.PLANNED)
    start_date = models.DateField(_("start date"), null=True, blank=True)
    end_date = models.DateField(_("end date"), null=True, blank=True)
    is_construction = models.BooleanField(
        _("construction project file"), default=False,
        help_text=_("Transfer within 3 months after final settlement (NĐ 30/2020 Điều 30.2.a)."),
    )
    transfer_due = models.DateField(_("transfer to the archive due"), null=True, blank=True)
    description = models.CharField(_("notes"), max_length=500, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("case file")
        verbose_name_plural = _("case files")
        constraints = [
            models.UniqueConstraint(fields=["agency", "year", "notation"],
                                    name="casefile_code_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.notation} {self.title[:80]}"

    @property
    def org_unit(self) -> OrgUnit:
        return self.agency


class CaseFileItem(models.Model):
    """A document in a file, linked, not copied (Phụ lục VI §III.4)."""

    case_file = models.ForeignKey(CaseFile, on_delete=models.PROTECT, related_name="items")
    ordinal = models.PositiveSmallIntegerField()  # DocOrdinal(3)
    incoming = models.ForeignKey(IncomingDocument, null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="case_file_items")
    outgoing = models.ForeignKey(OutgoingDocument, null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="case_file_items")
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                 related_name="+")
    added_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["case_file", "ordinal"]
        constraints = [
            models.CheckConstraint(
                condition=Q(incoming__isnull=False, outgoing__isnull=True)
                | Q(incoming__isnull=True, outgoing__isnull=False),
                name="casefileitem_one_document",
            ),
            models.UniqueConstraint(fields=["case_file", "ordinal"], name="casefileitem_ordinal"),
            models.UniqueConstraint(fields=["case_file", "incoming"],
                                    condition=Q(incoming__isnull=False),
                                    name="casefileitem_incoming_once"),
            models.UniqueConstraint(fields=["case_file", "outgoing"],
                                    condition=Q(outgoing__isnull=False),
                                    name="casefileitem_outgoing_once"),
        ]

    def __str__(self) -> str:
        return f"{self.case_file.notation} #{self.ordinal}"


# --- Search -------------------------------------------------------------------------------------


class SavedSearch(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="saved_document_searches")
    name = models.CharField(_("name"), max_length=100)
    params = models.JSONField(default=dict)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("saved search")
        verbose_name_plural = _("saved searches")
        ordering = ["user", "name"]
        constraints = [
            models.UniqueConstraint(fields=["user", "name"], name="savedsearch_unique_name"),
        ]

    def __str__(self) -> str:
        return self.name


class ExportJob(models.Model):
    """A long export (register to XLSX/PDF, case file) run by a background job with progress."""

    kind = models.CharField(max_length=32)
    params = models.JSONField(default=dict)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                                     related_name="+")
    state = models.CharField(max_length=12, default="queued")  # queued/running/done/failed
    progress = models.PositiveSmallIntegerField(default=0)  # percent
    total = models.PositiveIntegerField(default=0)
    result = models.ForeignKey(StoredFile, null=True, blank=True, on_delete=models.PROTECT,
                               related_name="+")
    error = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.kind} {self.state}"
