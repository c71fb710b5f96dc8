"""Bộ phận Một cửa: the procedure catalogue (thủ tục hành chính, versioned), dossiers (hồ sơ)
with their clock, pauses, hand-overs (Phiếu kiểm soát, Mẫu 06), events, slips (Mẫu 01–07),
the applicant's ratings and the national-portal sync queue.

Sources: services.md §1 (NĐ 118/2025/NĐ-CP as amended by NĐ 309/2026/NĐ-CP; TT 03/2025/TT-VPCP;
QĐ 766/QĐ-TTg), §4 (calendar). Names follow GLOSSARY.md; DVCQG field names are in comments.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from egov.core.models import OrgUnit, StoredFile, WorkItem

# --- Catalogue ----------------------------------------------------------------------------------


class Level(models.TextChoices):
    """The level whose centre receives a procedure (two levels since 1/7/2025, services.md §0.2)."""

    COMMUNE = "commune", _("Commune")
    PROVINCE = "province", _("Province")


class OnlineLevel(models.TextChoices):
    """NĐ 42/2022/NĐ-CP Điều 11 khoản 1 (services.md §1.7)."""

    FULL = "full", _("End-to-end online (toàn trình)")
    PARTIAL = "partial", _("Partly online (một phần)")
    NONE = "none", _("Not online")


class CopyKind(models.TextChoices):
    ORIGINAL = "original", _("Original (bản chính)")
    COPY = "copy", _("Copy (bản sao)")
    CERTIFIED_COPY = "certified_copy", _("Certified copy (bản sao chứng thực)")
    PRESENTED = "presented", _("Original shown (xuất trình)")


class Procedure(models.Model):
    """A thủ tục hành chính: the stable identity across re-published versions and codes.

    `code` is the code in force (mã TTHC `N.NNNNNN` from the national database); earlier codes
    are kept in ProcedureCode because the national database re-issues codes (services.md §1.5).
    """

    code = models.CharField(_("procedure code"), max_length=20, unique=True)
    name = models.CharField(_("name"), max_length=500)
    level = models.CharField(_("level"), max_length=16, choices=Level.choices,
                             default=Level.COMMUNE)
    is_demo = models.BooleanField(_("demo data"), default=False)

    class Meta:
        verbose_name = _("administrative procedure")
        verbose_name_plural = _("administrative procedures")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class ProcedureCode(models.Model):
    """The history of a procedure's codes (old 1.003559 → new 1.004873, services.md §1.5)."""

    procedure = models.ForeignKey(Procedure, on_delete=models.CASCADE, related_name="codes")
    code = models.CharField(_("procedure code"), max_length=20)
    valid_from = models.DateField(_("valid from"))
    valid_to = models.DateField(_("valid to"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("procedure code")
        verbose_name_plural = _("procedure code history")
        ordering = ["procedure", "valid_from"]
        constraints = [
            models.UniqueConstraint(fields=["code", "valid_from"], name="procedurecode_once"),
        ]
        indexes = [models.Index(fields=["code"], name="procedurecode_code")]

    def __str__(self) -> str:
        return self.code


class ProcedureVersion(models.Model):
    """One published version of a procedure, in force from `effective_from` to `effective_to`
    (inclusive; open when null). A dossier keeps the version in force when it was received."""

    procedure = models.ForeignKey(Procedure, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveSmallIntegerField(_("version"), default=1)
    name = models.CharField(_("name"), max_length=500)
    field_name = models.CharField(_("field (lĩnh vực)"), max_length=200)
    level = models.CharField(_("level"), max_length=16, choices=Level.choices,
                             default=Level.COMMUNE)
    # The competent body when it is one fixed unit (a Sở at the province); for commune-level
    # procedures the receiving commune's committee is competent and this stays empty.
    competent_unit = models.ForeignKey(
        OrgUnit, verbose_name=_("competent unit"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="+",
    )
    competent_body = models.CharField(_("competent body (text)"), max_length=255, blank=True)
    # Thời hạn giải quyết in working days; 0 with `same_day` = "trong ngày" (ThoiGianGiaiQuyet,
    # DonViTinh = ngày làm việc).
    processing_days = models.PositiveSmallIntegerField(_("processing time (working days)"),
                                                       default=0)
    same_day = models.BooleanField(_("solved the same day"), default=False)
    # Only where a text says so does a receipt after 15:00 start the clock (or give the result)
    # the next working day: NĐ 63/2024/NĐ-CP Điều 7.2; Luật Hộ tịch Điều 5.3 (services.md §1.6).
    # Elsewhere 15:00 only defers forwarding (NĐ 118/2025 Điều 18.2 as amended).
    next_day_after_cutoff = models.BooleanField(_("receipt after 15:00 counts from the next "
                                                  "working day"), default=False)
    fees = models.JSONField(_("fees"), default=list, blank=True,
                            help_text=_('[{"name": "Lệ phí", "amount": 0, "note": ""}]'))
    online_level = models.CharField(_("online level"), max_length=16,
                                    choices=OnlineLevel.choices, default=OnlineLevel.PARTIAL)
    result_type = models.CharField(_("result"), max_length=255, blank=True)
    legal_basis = models.TextField(_("legal basis"))
    effective_from = models.DateField(_("effective from"))
    effective_to = models.DateField(_("effective to"), null=True, blank=True)
    transition_policy = models.CharField(_("transition policy"), max_length=255, blank=True,
                                         default="keep_received_version")

    class Meta:
        verbose_name = _("procedure version")
        verbose_name_plural = _("procedure versions")
        ordering = ["procedure", "-effective_from"]
        constraints = [
            models.UniqueConstraint(fields=["procedure", "number"], name="procversion_number"),
            models.CheckConstraint(
                condition=Q(effective_to__isnull=True)
                | Q(effective_to__gte=models.F("effective_from")),
                name="procversion_range",
            ),
        ]
        indexes = [models.Index(fields=["procedure", "effective_from"],
                                name="procversion_from")]

    def __str__(self) -> str:
        return f"{self.procedure.code} v{self.number}"

    def is_in_force(self, day: dt.date) -> bool:
        return self.effective_from <= day and (self.effective_to is None
                                               or day <= self.effective_to)


class ProcedureComponent(models.Model):
    """Thành phần hồ sơ: a paper the applicant brings (ThanhPhanHoSo)."""

    version = models.ForeignKey(ProcedureVersion, on_delete=models.CASCADE,
                                related_name="components")
    code = models.CharField(_("code"), max_length=32)  # MaThanhPhanHoSo
    name = models.CharField(_("name"), max_length=500)
    count = models.PositiveSmallIntegerField(_("number of copies"), default=1)  # SoLuong
    copy_kind = models.CharField(_("kind of copy"), max_length=16, choices=CopyKind.choices,
                                 default=CopyKind.ORIGINAL)  # LoaiBan
    required = models.BooleanField(_("required"), default=True)
    form_name = models.CharField(_("form (mẫu đơn, tờ khai)"), max_length=255, blank=True)
    form_file = models.ForeignKey(StoredFile, null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="+", verbose_name=_("form to download"))
    ordering = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("dossier component")
        verbose_name_plural = _("dossier components")
        ordering = ["version", "ordering", "id"]
        constraints = [
            models.UniqueConstraint(fields=["version", "code"], name="proccomponent_code"),
        ]

    def __str__(self) -> str:
        return self.name


class ProcedureStep(models.Model):
    """An ordered step of the procedure's internal process and its share of the time."""

    version = models.ForeignKey(ProcedureVersion, on_delete=models.CASCADE,
                                related_name="steps")
    ordering = models.PositiveSmallIntegerField(_("order"))
    name = models.CharField(_("name"), max_length=255)
    # Who does it: a fixed unit, or a role (core Role.code) inside the competent agency.
    unit = models.ForeignKey(OrgUnit, null=True, blank=True, on_delete=models.PROTECT,
                             related_name="+", verbose_name=_("unit"))
    role_code = models.CharField(_("role"), max_length=32, blank=True)
    # Share of the processing time, in working days (may be a fraction: 0.5 = half a day).
    days = models.DecimalField(_("working days"), max_digits=5, decimal_places=2, default=0)

    class Meta:
        verbose_name = _("procedure step")
        verbose_name_plural = _("procedure steps")
        ordering = ["version", "ordering"]
        constraints = [
            models.UniqueConstraint(fields=["version", "ordering"], name="procstep_order"),
        ]

    def __str__(self) -> str:
        return f"{self.ordering}. {self.name}"


# --- Dossiers -----------------------------------------------------------------------------------


class Channel(models.TextChoices):
    """KenhThucHien (services.md §1.8): 1 trực tiếp, 2 trực tuyến, 3 bưu chính công ích."""

    COUNTER = "counter", _("At the counter")
    ONLINE = "online", _("Online")
    POST = "post", _("By post")


NATIONAL_CHANNEL = {Channel.COUNTER: 1, Channel.ONLINE: 2, Channel.POST: 3}


class ApplicantKind(models.TextChoices):
    PERSON = "person", _("Person")
    ORGANISATION = "organisation", _("Organisation")


class DossierState(models.TextChoices):
    """Internal states; NATIONAL_STATUS maps them onto DVCQG TrangThaiHoSo 1–10 (services.md
    §0.5, §1.8)."""

    SUBMITTED = "submitted", _("Submitted online, to be checked")
    GUIDANCE = "guidance", _("Incomplete: supplement guidance given")  # before receipt
    REFUSED = "refused", _("Refused")
    RECEIVED = "received", _("Received")
    PROCESSING = "processing", _("Being processed")
    SUPPLEMENT = "supplement", _("Waiting for the applicant's supplement")
    RESOLVED = "resolved", _("Result ready")
    RETURNED = "returned", _("Result returned")
    STOPPED = "stopped", _("Stopped at the applicant's request")
    WITHDRAWN = "withdrawn", _("Withdrawn")


NATIONAL_STATUS = {
    DossierState.SUBMITTED: 1,   # Mới đăng ký
    DossierState.GUIDANCE: 5,    # Yêu cầu bổ sung giấy tờ (before receipt)
    DossierState.REFUSED: 3,     # Không được tiếp nhận
    DossierState.RECEIVED: 2,    # Được tiếp nhận
    DossierState.PROCESSING: 4,  # Đang xử lý
    DossierState.SUPPLEMENT: 5,  # Yêu cầu bổ sung giấy tờ
    DossierState.RESOLVED: 9,    # Đã xử lý xong
    DossierState.RETURNED: 10,   # Đã trả kết quả
    DossierState.STOPPED: 8,     # Dừng xử lý
    DossierState.WITHDRAWN: 7,   # Công dân yêu cầu rút hồ sơ
}

OPEN_STATES = frozenset({DossierState.RECEIVED, DossierState.PROCESSING,
                         DossierState.SUPPLEMENT})
# NgayKetThucXuLy: the first terminal state (QĐ 766 formula sheet, services.md §1.6).
ENDED_STATES = frozenset({DossierState.RESOLVED, DossierState.RETURNED, DossierState.STOPPED,
                          DossierState.WITHDRAWN})


class Outcome(models.TextChoices):
    """Trước hạn / đúng hạn / quá hạn (TT 03/2025 Mẫu 06; QĐ 766 formula sheet)."""

    EARLY = "early", _("Early")
    ON_TIME = "on_time", _("On time")
    LATE = "late", _("Late")


class ResultDelivery(models.TextChoices):
    """"Đăng ký nhận kết quả tại" (Mẫu 01)."""

    COUNTER = "counter", _("At the counter")
    POST = "post", _("By post")
    ONLINE = "online", _("Online")


class ResultMedium(models.TextChoices):
    ELECTRONIC = "electronic", _("Electronic (signed PDF)")
    PAPER = "paper", _("Paper")


class Dossier(models.Model):
    """A hồ sơ TTHC. `code` is the mã số hồ sơ: agency electronic id - YYMMDD - daily sequence of
    at least 4 digits (TT 03/2025 Điều 13 as amended by TT 04/2025; services.md §1.5)."""

    code = models.CharField(_("dossier code"), max_length=64, unique=True)  # MaHoSo
    # Random, for the QR code: the public page opens with it, without the check digits.
    public_token = models.CharField(max_length=32, unique=True, editable=False)
    agency = models.ForeignKey(OrgUnit, verbose_name=_("receiving centre"),
                               on_delete=models.PROTECT, related_name="+")
    competent_unit = models.ForeignKey(OrgUnit, verbose_name=_("competent unit"),
                                       on_delete=models.PROTECT, related_name="+")
    procedure = models.ForeignKey(Procedure, on_delete=models.PROTECT, related_name="dossiers")
    version = models.ForeignKey(ProcedureVersion, on_delete=models.PROTECT, related_name="+")
    channel = models.CharField(_("channel"), max_length=16, choices=Channel.choices)
    state = models.CharField(_("state"), max_length=16, choices=DossierState.choices)

    # Applicant (ChuHoSo / ThongTinNguoiNop) and representative (Mẫu 01).
    applicant_kind = models.CharField(max_length=16, choices=ApplicantKind.choices,
                                      default=ApplicantKind.PERSON)
    applicant_name = models.CharField(_("applicant"), max_length=255)
    applicant_id = models.CharField(_("personal ID / tax code"), max_length=20, blank=True)
    applicant_address = models.CharField(_("address"), max_length=500, blank=True)
    applicant_phone = models.CharField(_("phone"), max_length=20, blank=True)
    applicant_email = models.EmailField(_("e-mail"), max_length=254, blank=True)
    # {"full_name", "personal_id", "address", "phone", "email", "authorisation"} or {}.
    representative = models.JSONField(_("representative"), default=dict, blank=True)
    # The last 4 digits of the phone and of the ID: the public look-up's check (no other
    # personal data is needed to answer it).
    check_phone = models.CharField(max_length=4, blank=True, editable=False)
    check_id = models.CharField(max_length=4, blank=True, editable=False)
    request_content = models.TextField(_("request"), blank=True)
    copies = models.PositiveSmallIntegerField(_("number of sets"), default=1)
    result_delivery = models.CharField(_("result delivered"), max_length=16,
                                       choices=ResultDelivery.choices,
                                       default=ResultDelivery.COUNTER)

    # The clock (NgayNop, NgayTiepNhan, NgayHenTra, NgayKetThucXuLy; services.md §1.6).
    submitted_at = models.DateTimeField(_("submitted at"), default=timezone.now)
    received_at = models.DateTimeField(_("received at"), null=True, blank=True)
    received_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="+")
    forward_by = models.DateTimeField(_("to be forwarded by"), null=True, blank=True)
    # The statutory promised time with the pauses added (NgayHenTra as printed on Mẫu 01,
    # moved when a supplement arrives).
    due_at = models.DateTimeField(_("promised return time"), null=True, blank=True)
    original_due_at = models.DateTimeField(_("first promised time"), null=True, blank=True)
    # Mẫu 04: the new date given in the apology (at most once); statistics keep `due_at`.
    rescheduled_at = models.DateTimeField(_("new date (apology)"), null=True, blank=True)
    paused_since = models.DateTimeField(_("paused since"), null=True, blank=True)
    paused_days = models.PositiveSmallIntegerField(_("working days paused"), default=0)
    supplement_requests = models.PositiveSmallIntegerField(_("supplement requests"), default=0)
    current_step = models.PositiveSmallIntegerField(_("current step"), default=0)
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True)  # NgayKetThucXuLy
    outcome = models.CharField(_("outcome"), max_length=16, choices=Outcome.choices,
                               blank=True)
    returned_at = models.DateTimeField(_("returned at"), null=True, blank=True)
    returned_via = models.CharField(max_length=16, choices=ResultDelivery.choices, blank=True)

    # Result (MaKetQua, DuongDanTepTinKetQua).
    result_medium = models.CharField(max_length=16, choices=ResultMedium.choices, blank=True)
    result_file = models.ForeignKey(StoredFile, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")
    result_number = models.CharField(_("result number"), max_length=100, blank=True)
    result_note = models.TextField(_("result note"), blank=True)
    refusal_reason = models.TextField(_("reason for refusal"), blank=True)
    stop_reason = models.TextField(_("reason for stopping"), blank=True)

    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    is_demo = models.BooleanField(default=False)

    class Meta:
        verbose_name = _("dossier")
        verbose_name_plural = _("dossiers")
        indexes = [
            # the desk's lists (keyset by id) and statistics by period
            models.Index(fields=["agency", "state", "-id"], name="dossier_agency_state"),
            models.Index(fields=["competent_unit", "received_at"], name="dossier_unit_received"),
            models.Index(fields=["agency", "received_at"], name="dossier_agency_received"),
            models.Index(fields=["procedure", "received_at"], name="dossier_proc_received"),
            models.Index(fields=["ended_at"], name="dossier_ended"),
        ]

    def __str__(self) -> str:
        return self.code

    @property
    def national_status(self) -> int:
        return NATIONAL_STATUS[DossierState(self.state)]

    @property
    def national_channel(self) -> int:
        return NATIONAL_CHANNEL[Channel(self.channel)]

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_STATES


class DossierComponent(models.Model):
    """A component checked off at intake (ThanhPhanHoSo of the dossier) with its scanned file."""

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="components")
    component = models.ForeignKey(ProcedureComponent, null=True, blank=True,
                                  on_delete=models.PROTECT, related_name="+")
    code = models.CharField(max_length=32)
    name = models.CharField(max_length=500)
    copy_kind = models.CharField(max_length=16, choices=CopyKind.choices,
                                 default=CopyKind.ORIGINAL)
    count = models.PositiveSmallIntegerField(default=1)
    provided = models.BooleanField(default=False)
    file = models.ForeignKey(StoredFile, null=True, blank=True, on_delete=models.PROTECT,
                             related_name="+")
    digitised = models.BooleanField(default=False)  # DuocSoHoa

    class Meta:
        ordering = ["dossier", "id"]

    def __str__(self) -> str:
        return self.name


class PauseKind(models.TextChoices):
    SUPPLEMENT = "supplement", _("Supplement by the applicant")


class DossierPause(models.Model):
    """A pause of the clock: from the supplement request to the supplement's arrival (QĐ 766
    formula sheet: the interval is not counted; services.md §1.6)."""

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="pauses")
    kind = models.CharField(max_length=16, choices=PauseKind.choices,
                            default=PauseKind.SUPPLEMENT)
    started_at = models.DateTimeField()
    ended_at = models.DateTimeField(null=True, blank=True)
    reason = models.TextField(blank=True)
    items = models.JSONField(default=list, blank=True)  # what was asked for, all at once
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                     on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["dossier", "started_at"]
        constraints = [
            models.UniqueConstraint(fields=["dossier"], condition=Q(ended_at__isnull=True),
                                    name="dossierpause_one_open"),
        ]

    def __str__(self) -> str:
        return f"{self.dossier_id}: {self.started_at}–{self.ended_at or '…'}"


class DossierHandover(models.Model):
    """A row of the Phiếu kiểm soát quá trình giải quyết hồ sơ (TT 03/2025 Mẫu 06): who gave the
    dossier to whom and when, and whether the step ended early, on time or late."""

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="handovers")
    step_no = models.PositiveSmallIntegerField()  # 0 = the desk, 1.. = the procedure's steps
    name = models.CharField(max_length=255)
    unit = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="+")
    received_at = models.DateTimeField()  # nhận
    received_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="+")
    due_at = models.DateTimeField(null=True, blank=True)
    handed_at = models.DateTimeField(null=True, blank=True)  # giao
    handed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                  on_delete=models.PROTECT, related_name="+")
    outcome = models.CharField(max_length=16, choices=Outcome.choices, blank=True)
    note = models.TextField(blank=True)
    work_item = models.ForeignKey(WorkItem, null=True, blank=True, on_delete=models.SET_NULL,
                                  related_name="+")

    class Meta:
        ordering = ["dossier", "received_at", "id"]

    def __str__(self) -> str:
        return f"{self.dossier_id} #{self.step_no}"


class DossierEvent(models.Model):
    """What happened to a dossier, for its log (Mẫu 07 columns, DVCQG progress rows) and the
    public timeline (`public` rows only; never personal data in `public_note`)."""

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(default=timezone.now)
    kind = models.CharField(max_length=32)
    state = models.CharField(max_length=16, choices=DossierState.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                              on_delete=models.PROTECT, related_name="+")
    unit = models.ForeignKey(OrgUnit, null=True, blank=True, on_delete=models.PROTECT,
                             related_name="+")
    note = models.TextField(blank=True)
    public = models.BooleanField(default=True)
    details = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["dossier", "at", "id"]
        indexes = [models.Index(fields=["dossier", "at"], name="dossierevent_dossier")]

    def __str__(self) -> str:
        return f"{self.dossier_id} {self.kind}"


class SlipForm(models.TextChoices):
    """TT 03/2025/TT-VPCP Phụ lục I, forms 01–07 (services.md §1.4); titles are template data."""

    RECEIPT = "01", pgettext_lazy("slip", "01 Receipt and appointment")
    SUPPLEMENT = "02", pgettext_lazy("slip", "02 Supplement request")
    REFUSAL = "03", pgettext_lazy("slip", "03 Refusal")
    APOLOGY = "04", pgettext_lazy("slip", "04 Apology and new date")
    STOP = "05", pgettext_lazy("slip", "05 Stop notice")
    CONTROL = "06", pgettext_lazy("slip", "06 Control sheet")
    LOG = "07", pgettext_lazy("slip", "07 Dossier log")


class Slip(models.Model):
    """A slip issued for a dossier (or for an applicant refused before a dossier existed): the
    data it printed, frozen, and its PDF."""

    dossier = models.ForeignKey(Dossier, null=True, blank=True, on_delete=models.PROTECT,
                                related_name="slips")
    agency = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="+")
    form = models.CharField(max_length=2, choices=SlipForm.choices)
    number = models.CharField(max_length=50, blank=True)  # "Số …/PTC", "Số …/PXL"
    data = models.JSONField(default=dict)
    file = models.ForeignKey(StoredFile, null=True, blank=True, on_delete=models.PROTECT,
                             related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["dossier", "form"], name="slip_dossier_form")]

    def __str__(self) -> str:
        return f"{self.form} {self.number}"


class Rating(models.Model):
    """The applicant's satisfaction after the result is returned, once per dossier (QĐ 766
    indicator 5.4)."""

    dossier = models.OneToOneField(Dossier, on_delete=models.PROTECT, related_name="rating")
    satisfied = models.BooleanField()
    score = models.PositiveSmallIntegerField(null=True, blank=True)  # 1–5 when given
    comment = models.TextField(blank=True)
    at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"{self.dossier_id}: {self.satisfied}"


# --- National portal sync -----------------------------------------------------------------------


class SyncState(models.TextChoices):
    QUEUED = "queued", _("Queued")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")


class NationalSync(models.Model):
    """One change of a dossier to push to the national portal (DVCQG), in order, at most once:
    `key` is the idempotency key sent with it (dossier code + revision)."""

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="syncs")
    revision = models.PositiveIntegerField()
    key = models.CharField(max_length=100, unique=True)
    payload = models.JSONField()
    state = models.CharField(max_length=16, choices=SyncState.choices,
                             default=SyncState.QUEUED)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["dossier", "revision"], name="nationalsync_rev"),
        ]
        indexes = [models.Index(fields=["state", "next_attempt_at"],
                                condition=Q(state="queued"), name="nationalsync_due")]

    def __str__(self) -> str:
        return self.key


# --- Online submissions -------------------------------------------------------------------------


class OnlineSubmission(models.Model):
    """An online application from the portal (no login) until its e-mail address is confirmed
    by the link sent to it; then it becomes a dossier in state SUBMITTED."""

    token_hash = models.CharField(max_length=64, unique=True)
    procedure = models.ForeignKey(Procedure, on_delete=models.PROTECT, related_name="+")
    agency = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="+")
    email = models.EmailField(max_length=254)
    data = models.JSONField()
    files = models.ManyToManyField(StoredFile, blank=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    confirmed_at = models.DateTimeField(null=True, blank=True)
    dossier = models.OneToOneField(Dossier, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="submission")

    def __str__(self) -> str:
        return f"{self.email} {self.created_at:%Y-%m-%d}"


# The statistics summary of ended dossiers (its own file: this one is the shared base).
from .stats_models import StatsDay, StatsDossier  # noqa: E402, F401
