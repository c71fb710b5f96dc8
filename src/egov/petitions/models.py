"""Tiếp công dân và xử lý đơn: petitions (đơn khiếu nại, tố cáo, kiến nghị, phản ánh) from every
channel, their classification on separate axes, statutory deadlines as versioned rules, the
handling chain, reception sessions (sổ tiếp công dân) and the slips given.

Denouncer protection by construction (Luật Tố cáo 25/2018 Art.47, 56; services.md §2.5, §0.8):
the petitioner's identity — name, ID, address, contact, the letter as written and the scans of
the handwritten letter — lives only in `PetitionIdentity` / `PetitionIdentityFile` /
`VisitorIdentity`. `Petition.content` is the redacted text (identity strings removed at intake,
editable by those who may see the identity); every list, search index, export, notification and
API reads only `Petition`. The identity is read through `selectors.access.identity_for()`,
which checks who asks and writes the read to the audit trail.

Sources: services.md §2 (Luật TCD 42/2013, Luật KN 02/2011, Luật TC 25/2018 as amended by
Luật 136/2025/QH15; NĐ 154/2026, NĐ 124/2020 as amended by NĐ 155/2026, NĐ 31/2019 as amended
by NĐ 156/2026; TT 05/2021/TT-TTCP), §4 (calendar).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from egov.core.models import OrgUnit, StoredFile, WorkItem

# --- Classification axes (services.md §0.9, §2.2) -----------------------------------------------


class PetitionKind(models.TextChoices):
    """Luật TCD 42/2013 Art.25.3; NĐ 154/2026 Art.14 (one letter, one kind: mixed letters are
    split)."""

    COMPLAINT = "complaint", _("Complaint (khiếu nại)")
    DENUNCIATION = "denunciation", _("Denunciation (tố cáo)")
    PROPOSAL = "proposal", _("Proposal (kiến nghị)")
    FEEDBACK = "feedback", _("Feedback (phản ánh)")


class Channel(models.TextChoices):
    PORTAL = "portal", _("Web portal")
    RECEPTION = "reception", _("Citizen reception desk")
    ONESTOP = "onestop", _("One-stop desk")
    EMAIL = "email", _("E-mail")
    POST = "post", _("Letter by post")
    FORWARDED = "forwarded", _("Forwarded by another agency")


class Complexity(models.TextChoices):
    """NĐ 31/2019 Art.3 and NĐ 124/2020 Art.3a (NĐ 155/2026): any one criterion = complex; at
    least two = especially complex (denunciations)."""

    NORMAL = "normal", _("Ordinary")
    COMPLEX = "complex", _("Complex (phức tạp)")
    VERY_COMPLEX = "very_complex", _("Especially complex (đặc biệt phức tạp)")


class ComplaintSubject(models.TextChoices):
    """Luật KN 02/2011: administrative decisions/acts (ch. II–IV) or disciplinary decisions on
    cán bộ, công chức (ch. V), with different time limits (services.md §2.3)."""

    ADMINISTRATIVE = "administrative", _("Administrative decision or act")
    DISCIPLINARY = "disciplinary", _("Disciplinary decision")


class PetitionState(models.TextChoices):
    DRAFT = "draft", _("Submitted, to be registered (vào sổ)")
    RECEIVED = "received", _("Received, to be classified")
    CLASSIFIED = "classified", _("Classified, to be decided")
    ACCEPTED = "accepted", _("Accepted for resolution (thụ lý)")
    SUSPENDED = "suspended", _("Resolution suspended (tạm đình chỉ)")
    RESOLVED = "resolved", _("Resolved (decision or conclusion issued)")
    TRANSFERRED = "transferred", _("Transferred or guided elsewhere")
    NOT_ACCEPTED = "not_accepted", _("Not accepted")
    FILED = "filed", _("Filed without action (lưu đơn)")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    CLOSED = "closed", _("Closed")


OPEN_STATES = frozenset({PetitionState.DRAFT, PetitionState.RECEIVED, PetitionState.CLASSIFIED,
                         PetitionState.ACCEPTED, PetitionState.SUSPENDED})
ENDED_STATES = frozenset({PetitionState.RESOLVED, PetitionState.TRANSFERRED,
                          PetitionState.NOT_ACCEPTED, PetitionState.FILED,
                          PetitionState.WITHDRAWN, PetitionState.CLOSED})


class Outcome(models.TextChoices):
    ON_TIME = "on_time", _("On time")
    LATE = "late", _("Late")


# --- Petitions ------------------------------------------------------------------------------


class Petition(models.Model):
    """A đơn (or an oral petition written down at reception). Carries no identity of the
    petitioner: see the module docstring."""

    code = models.CharField(_("petition code"), max_length=64, unique=True)
    # The look-up check given with the code (portal, receipt, acknowledgement e-mail).
    lookup_check = models.CharField(max_length=16, editable=False)
    agency = models.ForeignKey(OrgUnit, verbose_name=_("receiving agency"),
                               on_delete=models.PROTECT, related_name="+")
    channel = models.CharField(_("channel"), max_length=16, choices=Channel.choices)
    state = models.CharField(_("state"), max_length=16, choices=PetitionState.choices,
                             default=PetitionState.RECEIVED)

    # Classification: separate fields, each with its legal consequence (services.md §0.9).
    kind = models.CharField(_("kind"), max_length=16, choices=PetitionKind.choices, blank=True)
    kind_by_petitioner = models.CharField(max_length=16, choices=PetitionKind.choices,
                                          blank=True)
    eligible = models.BooleanField(_("eligible for processing"), null=True, blank=True)
    ineligible_reason = models.TextField(_("why not eligible"), blank=True)
    competent = models.BooleanField(_("within competence"), null=True, blank=True)
    anonymous = models.BooleanField(_("anonymous or pseudonymous"), default=False)
    duplicate_of = models.ForeignKey("self", verbose_name=_("duplicate of"), null=True,
                                     blank=True, on_delete=models.PROTECT,
                                     related_name="duplicates")
    signers = models.PositiveSmallIntegerField(_("number of signers"), default=1)
    complexity = models.CharField(_("complexity"), max_length=16, choices=Complexity.choices,
                                  default=Complexity.NORMAL)
    complexity_reasons = models.JSONField(default=list, blank=True)
    remote_area = models.BooleanField(_("remote area (vùng sâu, vùng xa)"), default=False)
    complaint_subject = models.CharField(max_length=16, choices=ComplaintSubject.choices,
                                         blank=True)
    instance = models.PositiveSmallIntegerField(_("instance"), default=1)  # lần 1 / lần 2
    previous = models.ForeignKey("self", verbose_name=_("first-instance petition"), null=True,
                                 blank=True, on_delete=models.PROTECT,
                                 related_name="next_instances")
    split_from = models.ForeignKey("self", verbose_name=_("split from"), null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="parts")
    # Luật KN Art.9: the day the complainant received or learned of the decision or act
    # (the 90-day limitation runs from it).
    decision_known_on = models.DateField(_("decision received or known on"), null=True,
                                         blank=True)

    # Content, redacted: the identity strings are replaced at intake (services.redaction).
    subject = models.CharField(_("subject"), max_length=500, blank=True)
    content = models.TextField(_("content (identity removed)"))
    # Who or what the petition is about (the accused person, the decision complained of).
    respondent = models.CharField(_("person or body concerned"), max_length=500, blank=True)
    # The documents module's incoming document this letter came with (forwarded letters).
    source_document_id = models.PositiveBigIntegerField(null=True, blank=True)
    source_agency = models.CharField(_("forwarded by"), max_length=255, blank=True)

    # Who has it.
    received_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="+")
    handling_unit = models.ForeignKey(OrgUnit, verbose_name=_("handling unit"), null=True,
                                      blank=True, on_delete=models.PROTECT, related_name="+")
    handler = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("handler"), null=True,
                                blank=True, on_delete=models.PROTECT, related_name="+")

    # The clock.
    received_at = models.DateTimeField(_("received at"), default=timezone.now)
    classified_at = models.DateTimeField(null=True, blank=True)
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    due_at = models.DateTimeField(_("current deadline"), null=True, blank=True)
    extensions = models.PositiveSmallIntegerField(_("extensions"), default=0)
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    outcome = models.CharField(_("outcome"), max_length=16, choices=Outcome.choices,
                               blank=True)
    result_summary = models.TextField(_("result"), blank=True)
    # The decision or conclusion issued through the documents module (its id there).
    result_document_id = models.PositiveBigIntegerField(null=True, blank=True)
    transfer_to = models.CharField(_("transferred or guided to"), max_length=255, blank=True)
    not_accepted_ground = models.TextField(_("legal ground for not accepting"), blank=True)

    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)
    is_demo = models.BooleanField(default=False)

    class Meta:
        verbose_name = _("petition")
        verbose_name_plural = _("petitions")
        indexes = [
            models.Index(fields=["agency", "state", "-id"], name="petition_agency_state"),
            models.Index(fields=["agency", "received_at"], name="petition_agency_received"),
            models.Index(fields=["handling_unit", "state", "-id"], name="petition_unit_state"),
            models.Index(fields=["handler", "state", "-id"], name="petition_handler_state"),
            models.Index(fields=["due_at"], name="petition_due",
                         condition=Q(closed_at__isnull=True)),
        ]

    def __str__(self) -> str:
        return self.code

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_STATES

    def policy_unit(self) -> OrgUnit:
        return self.handling_unit or self.agency


class PetitionIdentity(models.Model):
    """The petitioner's identity, stored apart (Luật TC Art.47.2, 56; NĐ 154/2026 Art.12).
    Read only through `selectors.access.identity_for()`."""

    petition = models.OneToOneField(Petition, on_delete=models.CASCADE, related_name="identity",
                                    primary_key=True)
    full_name = models.CharField(_("full name"), max_length=255, blank=True)
    personal_id = models.CharField(_("personal ID"), max_length=20, blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    email = models.EmailField(_("e-mail"), max_length=254, blank=True)
    address = models.CharField(_("address"), max_length=500, blank=True)
    # Representatives, authorised persons and co-signers: [{"full_name", "personal_id",
    # "address", "phone", "role"}].
    others = models.JSONField(default=list, blank=True)
    # The letter exactly as written (before the identity was removed).
    original_content = models.TextField(blank=True)
    # E-mail: the sender's message id etc. stay here, not on the petition.
    source_details = models.JSONField(default=dict, blank=True)
    # Luật TC Art.47.2; NĐ 31/2019 Art.22.2.b as amended by NĐ 156/2026: disclosure is allowed
    # only when the denouncer refused the confidentiality measures. Off by default.
    confidentiality_waived = models.BooleanField(default=False)
    waived_on = models.DateField(null=True, blank=True)
    waiver_evidence = models.TextField(blank=True)

    class Meta:
        verbose_name = _("petitioner's identity")
        verbose_name_plural = _("petitioners' identities")

    def __str__(self) -> str:
        return f"identity of {self.petition_id}"


class PetitionIdentityFile(models.Model):
    """A scan of the handwritten letter or of an identity paper: part of the identity."""

    petition = models.ForeignKey(Petition, on_delete=models.CASCADE,
                                 related_name="identity_files")
    file = models.ForeignKey(StoredFile, on_delete=models.PROTECT, related_name="+")
    description = models.CharField(max_length=255, blank=True)

    class Meta:
        ordering = ["petition", "id"]

    def __str__(self) -> str:
        return f"identity file {self.pk} of {self.petition_id}"


class PetitionFile(models.Model):
    """An attachment that is not identifying (evidence as redacted, the officer's files,
    results). Anything that may identify the petitioner goes to PetitionIdentityFile."""

    petition = models.ForeignKey(Petition, on_delete=models.CASCADE, related_name="files")
    file = models.ForeignKey(StoredFile, on_delete=models.PROTECT, related_name="+")
    description = models.CharField(max_length=255, blank=True)
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="+")
    added_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["petition", "id"]

    def __str__(self) -> str:
        return f"file {self.pk} of {self.petition_id}"


class PetitionEvent(models.Model):
    """What happened to a petition: the log, and the public timeline (`public` rows). Notes and
    details never carry identity."""

    petition = models.ForeignKey(Petition, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(default=timezone.now)
    kind = models.CharField(max_length=32)
    state = models.CharField(max_length=16, choices=PetitionState.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                              on_delete=models.PROTECT, related_name="+")
    unit = models.ForeignKey(OrgUnit, null=True, blank=True, on_delete=models.PROTECT,
                             related_name="+")
    note = models.TextField(blank=True)
    public = models.BooleanField(default=True)
    details = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["petition", "at", "id"]
        indexes = [models.Index(fields=["petition", "at"], name="petitionevent_at")]


    def __str__(self) -> str:
        return f"{self.kind} {self.at:%Y-%m-%d %H:%M}"

# --- Deadlines as versioned rules (services.md §0.1, §2.3) ------------------------------------


class DayUnit(models.TextChoices):
    WORKING = "working", _("Working days (ngày làm việc)")
    CALENDAR = "calendar", _("Days (ngày)")


class DeadlineRule(models.Model):
    """One row of the time-limit table, in force between dates, with its legal basis.

    A rule applies to a `step` (initial processing, acceptance, resolution, extension,
    forwarding, limitation…) for a kind, and optionally an instance, complexity, remote area and
    complaint subject (blank/null = any). The most specific row in force on the start day wins.
    """

    code = models.SlugField(_("code"), max_length=64)
    step = models.CharField(_("step"), max_length=32)
    kind = models.CharField(_("kind"), max_length=16, choices=PetitionKind.choices, blank=True)
    instance = models.PositiveSmallIntegerField(null=True, blank=True)
    complexity = models.CharField(max_length=16, choices=Complexity.choices, blank=True)
    remote_area = models.BooleanField(null=True, blank=True)
    complaint_subject = models.CharField(max_length=16, choices=ComplaintSubject.choices,
                                         blank=True)
    days = models.PositiveSmallIntegerField(_("days"))
    unit = models.CharField(_("unit"), max_length=16, choices=DayUnit.choices)
    # BLDS Art.148.5: a deadline ending on a day off moves to the next working day — whether it
    # applies is a per-rule choice (services.md §2.3 notes, UNVERIFIED).
    roll_forward = models.BooleanField(_("a deadline on a day off moves to the next working day"),
                                       default=False)
    counted_from = models.CharField(_("counted from"), max_length=64)
    max_times = models.PositiveSmallIntegerField(_("at most (times)"), null=True, blank=True)
    legal_basis = models.TextField(_("legal basis"))
    effective_from = models.DateField(_("effective from"))
    effective_to = models.DateField(_("effective to"), null=True, blank=True)
    transition_policy = models.CharField(_("transition policy"), max_length=64, blank=True)
    note = models.TextField(blank=True)

    class Meta:
        verbose_name = _("deadline rule")
        verbose_name_plural = _("deadline rules")
        ordering = ["step", "kind", "code", "-effective_from"]
        constraints = [
            models.UniqueConstraint(fields=["code", "effective_from"], name="deadlinerule_once"),
        ]

    def __str__(self) -> str:
        return f"{self.code} ({self.days} {self.unit})"


class PetitionDeadline(models.Model):
    """A deadline a petition is under, computed from a rule; its work item is the reminder."""

    petition = models.ForeignKey(Petition, on_delete=models.CASCADE, related_name="deadlines")
    step = models.CharField(max_length=32)
    rule = models.ForeignKey(DeadlineRule, null=True, blank=True, on_delete=models.PROTECT,
                             related_name="+")
    started_at = models.DateTimeField()
    due_at = models.DateTimeField()
    done_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(max_length=16, choices=Outcome.choices, blank=True)
    work_item = models.ForeignKey(WorkItem, null=True, blank=True, on_delete=models.SET_NULL,
                                  related_name="+")
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["petition", "started_at", "id"]
        indexes = [models.Index(fields=["due_at"], name="petitiondeadline_due",
                                condition=Q(done_at__isnull=True))]

    def __str__(self) -> str:
        return f"{self.step} by {self.due_at:%Y-%m-%d}"


class Extension(models.Model):
    """Gia hạn (denunciations: Luật TC Art.30; NĐ 31/2019 Mẫu 01) — by decision, each ≤ 30 days."""

    petition = models.ForeignKey(Petition, on_delete=models.CASCADE, related_name="extension_rows")
    number = models.PositiveSmallIntegerField()
    days = models.PositiveSmallIntegerField()
    reason = models.TextField()
    old_due_at = models.DateTimeField()
    new_due_at = models.DateTimeField()
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["petition", "number"]
        constraints = [models.UniqueConstraint(fields=["petition", "number"],
                                               name="extension_number")]


    def __str__(self) -> str:
        return f"extension {self.number} of {self.petition_id}"

# --- Slips (every slip as a PDF in its legal form, services.md §2.4) --------------------------


class SlipForm(models.TextChoices):
    RECEIPT = "02_tcd", _("Receipt (Mẫu 02/TCD)")
    REFUSE_VISIT = "01_tcd", _("Refusal to receive (Mẫu 01/TCD)")
    PROPOSE_ACCEPT = "tt05_01", _("Proposal to accept (TT 05/2021 Mẫu 01)")
    TRANSFER = "transfer", _("Transfer slip (phiếu chuyển đơn)")
    GUIDANCE = "guidance", _("Guidance (văn bản hướng dẫn)")
    ACCEPT_NOTICE = "kn_03", _("Notice of acceptance (Mẫu 03)")
    NOT_ACCEPTED_NOTICE = "kn_04", _("Notice of non-acceptance (Mẫu 04)")
    EXTENSION = "tc_01", _("Extension decision (NĐ 31/2019 Mẫu 01)")
    DIALOGUE = "kn_14", _("Dialogue record (Mẫu 14)")
    RESULT_NOTICE = "result", _("Notice of the result")


class PetitionSlip(models.Model):
    """A slip given: form, number, the data frozen when it was made, the PDF. The frozen data
    never holds identity unless the slip goes to the petitioner (`to_petitioner`), and then it
    is readable only by those who may read the identity."""

    petition = models.ForeignKey(Petition, on_delete=models.CASCADE, related_name="slips")
    form = models.CharField(max_length=16, choices=SlipForm.choices)
    number = models.CharField(max_length=64, blank=True)
    data = models.JSONField(default=dict)
    to_petitioner = models.BooleanField(default=False)
    file = models.ForeignKey(StoredFile, null=True, blank=True, on_delete=models.PROTECT,
                             related_name="+")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["petition", "created_at", "id"]


    def __str__(self) -> str:
        return f"{self.form} {self.number}"

# --- Citizen reception (sổ tiếp công dân, Mẫu 03/TCD, NĐ 154/2026) ---------------------------


class SessionKind(models.TextChoices):
    REGULAR = "regular", _("Regular reception")
    LEADER = "leader", _("Leader's periodic reception day")
    UNSCHEDULED = "unscheduled", _("Unscheduled")


class ReceptionSession(models.Model):
    agency = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=16, choices=SessionKind.choices,
                            default=SessionKind.REGULAR)
    day = models.DateField(_("day"))
    place = models.CharField(_("place"), max_length=255, blank=True)
    leader = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("leader receiving"),
                               null=True, blank=True, on_delete=models.PROTECT,
                               related_name="+")
    officer = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("officer"), null=True,
                                blank=True, on_delete=models.PROTECT, related_name="+")
    note = models.TextField(blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("reception session")
        verbose_name_plural = _("reception sessions")
        ordering = ["-day", "-id"]
        indexes = [models.Index(fields=["agency", "day"], name="receptionsession_day")]

    def __str__(self) -> str:
        return f"{self.day:%d/%m/%Y} {self.get_kind_display()}"


class ReceptionVisit(models.Model):
    """One row of the sổ tiếp công dân (Mẫu 03/TCD columns in comments). The visitor's identity
    (col. 3, 4) is the petition's identity (or VisitorIdentity when no petition came of it)."""

    session = models.ForeignKey(ReceptionSession, on_delete=models.PROTECT,
                                related_name="visits")
    number = models.PositiveIntegerField(pgettext_lazy("register", "number"))  # (1) STT
    at = models.DateTimeField(default=timezone.now)                            # (2)
    petition = models.ForeignKey(Petition, null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="visits")
    summary = models.TextField(_("content (summary)"), blank=True)             # (5)
    kind = models.CharField(max_length=16, choices=PetitionKind.choices, blank=True)  # (6)
    people = models.PositiveSmallIntegerField(_("people with the same content"), default=1)  # (7)
    oral = models.BooleanField(_("oral content written down"), default=False)
    previous_body = models.CharField(_("body that already handled it"), max_length=255,
                                     blank=True)                               # (8)
    competent = models.BooleanField(null=True, blank=True)                     # (9)
    guided_to = models.CharField(max_length=255, blank=True)                   # (10)
    forwarded_to = models.CharField(max_length=255, blank=True)                # (11)
    follow_up = models.TextField(blank=True)                                   # (12)
    note = models.TextField(blank=True)                                        # (13)
    refused = models.BooleanField(default=False)
    refusal_ground = models.TextField(blank=True)
    officer = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["session", "number"]
        constraints = [models.UniqueConstraint(fields=["session", "number"],
                                               name="receptionvisit_number")]

    def __str__(self) -> str:
        return f"{self.session_id}/{self.number}"


class VisitorIdentity(models.Model):
    """The identity of a visitor whose visit produced no petition (refused, guided orally)."""

    visit = models.OneToOneField(ReceptionVisit, on_delete=models.CASCADE,
                                 related_name="visitor_identity", primary_key=True)
    full_name = models.CharField(max_length=255, blank=True)
    personal_id = models.CharField(max_length=20, blank=True)
    address = models.CharField(max_length=500, blank=True)
    others = models.JSONField(default=list, blank=True)


    def __str__(self) -> str:
        return f"visitor {self.visit_id}"

# --- After closing: was the matter resolved? --------------------------------------------------


class Satisfaction(models.Model):
    """The petitioner's answer, asked once after closing (by e-mail or SMS)."""

    petition = models.OneToOneField(Petition, on_delete=models.CASCADE,
                                    related_name="satisfaction", primary_key=True)
    token = models.CharField(max_length=48, unique=True, editable=False)
    asked_at = models.DateTimeField(default=timezone.now)
    asked_via = models.CharField(max_length=8, blank=True)  # "email" / "sms"
    answered_at = models.DateTimeField(null=True, blank=True)
    resolved = models.BooleanField(null=True, blank=True)
    comment = models.TextField(blank=True)

    def __str__(self) -> str:
        return f"satisfaction of {self.petition_id}"

# --- e-mail intake (i11-mail) ---
from .models_mail import Mailbox, MailMessage  # noqa: E402,F401  (mailboxes polled over IMAP)

# --- end e-mail intake ---
