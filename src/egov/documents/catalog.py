"""Catalogue data of the documents module: policy actions, the roles' starting grants, document
types (NĐ 30/2020 Điều 7, Phụ lục III §I) and default handling times per urgency."""

from django.utils.translation import gettext_lazy as _

from egov.core.catalog import seed_module_grants

ACTIONS = {
    "documents.register": _("Register incoming documents"),
    "documents.view_all": _("See every document of the agency"),
    "documents.assign": _("Give instructions and assign documents"),
    "documents.draft": _("Draft outgoing documents"),
    "documents.review_content": _("Approve the content of drafts"),
    "documents.review_format": _("Check the format of drafts"),
    "documents.sign": _("Approve and sign outgoing documents"),
    "documents.issue": _("Number and issue outgoing documents"),
    "documents.recall": _("Recall and replace issued documents"),
    "documents.manage_registers": _("Manage registers and document types"),
    "documents.manage_case_files": _("Manage case files"),
    "documents.reports": _("See document registers and handling reports"),
}

# role code → [(action, scope)]; seeded by migration, edited in the admin afterwards.
ROLE_GRANTS = {
    "admin": [("documents.manage_registers", "all")],
    "clerk": [
        ("documents.register", "agency"), ("documents.view_all", "agency"),
        ("documents.review_format", "agency"), ("documents.issue", "agency"),
        ("documents.recall", "agency"), ("documents.manage_registers", "agency"),
        ("documents.manage_case_files", "agency"), ("documents.reports", "agency"),
        ("documents.draft", "unit"),
    ],
    "leader": [
        ("documents.view_all", "agency"), ("documents.assign", "agency"),
        ("documents.sign", "agency"), ("documents.recall", "agency"),
        ("documents.reports", "agency"), ("documents.draft", "unit"),
        ("documents.manage_case_files", "unit"),
    ],
    "unit_head": [
        ("documents.assign", "unit"), ("documents.review_content", "unit"),
        ("documents.draft", "unit"), ("documents.manage_case_files", "unit"),
        ("documents.reports", "unit"),
    ],
    "officer": [("documents.draft", "unit"), ("documents.manage_case_files", "unit")],
}

# (code, name, abbreviation, legal normative, copy, ordering)
DOCUMENT_TYPES = [
    ("NQ", "Nghị quyết", "NQ", False, False, 10),
    ("QD", "Quyết định", "QĐ", False, False, 20),
    ("CT", "Chỉ thị", "CT", False, False, 30),
    ("QC", "Quy chế", "QC", False, False, 40),
    ("QYD", "Quy định", "QyĐ", False, False, 50),
    ("TC", "Thông cáo", "TC", False, False, 60),
    ("TB", "Thông báo", "TB", False, False, 70),
    ("HD", "Hướng dẫn", "HD", False, False, 80),
    ("CTR", "Chương trình", "CTr", False, False, 90),
    ("KH", "Kế hoạch", "KH", False, False, 100),
    ("PA", "Phương án", "PA", False, False, 110),
    ("DEA", "Đề án", "ĐA", False, False, 120),
    ("DA", "Dự án", "DA", False, False, 130),
    ("BC", "Báo cáo", "BC", False, False, 140),
    ("BB", "Biên bản", "BB", False, False, 150),
    ("TTR", "Tờ trình", "TTr", False, False, 160),
    ("HDG", "Hợp đồng", "HĐ", False, False, 170),
    ("CV", "Công văn", "", False, False, 5),
    ("CD", "Công điện", "CĐ", False, False, 180),
    ("BGN", "Bản ghi nhớ", "BGN", False, False, 190),
    ("BTT", "Bản thỏa thuận", "BTT", False, False, 200),
    ("GUQ", "Giấy ủy quyền", "GUQ", False, False, 210),
    ("GM", "Giấy mời", "GM", False, False, 220),
    ("GGT", "Giấy giới thiệu", "GGT", False, False, 230),
    ("GNP", "Giấy nghỉ phép", "GNP", False, False, 240),
    ("PG", "Phiếu gửi", "PG", False, False, 250),
    ("PC", "Phiếu chuyển", "PC", False, False, 260),
    ("PB", "Phiếu báo", "PB", False, False, 270),
    ("TCO", "Thư công", "", False, False, 280),
    ("SY", "Bản sao y", "SY", False, True, 300),
    ("TRS", "Bản trích sao", "TrS", False, True, 310),
    ("SL", "Bản sao lục", "SL", False, True, 320),
    ("QD_QPPL", "Quyết định (quy phạm pháp luật)", "QĐ", True, False, 400),
    ("NQ_QPPL", "Nghị quyết (quy phạm pháp luật)", "NQ", True, False, 410),
]
TYPES_LEGAL_BASIS = "Nghị định 30/2020/NĐ-CP, Điều 7 và Phụ lục III mục I"

# urgency → working days to handle (the agency's quy chế làm việc may change them in the admin).
# NĐ 30/2020 Điều 24.2: hỏa tốc, thượng khẩn, khẩn are handled immediately — 0 working days: the
# same working day, or the first working day when the document arrives on a day off.
URGENCY_DEADLINES = {
    "normal": (10, "Quy chế làm việc của cơ quan (mặc định, cơ quan điều chỉnh)"),
    "urgent": (0, "Nghị định 30/2020/NĐ-CP, Điều 24 khoản 2 (giải quyết ngay)"),
    "very_urgent": (0, "Nghị định 30/2020/NĐ-CP, Điều 24 khoản 2 (giải quyết ngay)"),
    "flash": (0, "Nghị định 30/2020/NĐ-CP, Điều 24 khoản 2 (giải quyết ngay)"),
    "flash_timed": (0, "Nghị định 30/2020/NĐ-CP, Điều 24 khoản 2 (giải quyết ngay)"),
}


# The defaults seeded before issue 9 (khẩn 2 days, thượng khẩn 1 day): rows still holding them
# exactly are corrected by documents migration 0009; rows an administrator changed are kept.
OLD_URGENCY_DEADLINES = {
    "urgent": (2, "Nghị định 30/2020/NĐ-CP, Điều 24 khoản 2 (giải quyết kịp thời)"),
    "very_urgent": (1, "Nghị định 30/2020/NĐ-CP, Điều 24 khoản 2 (giải quyết kịp thời)"),
}


def fix_urgent_deadlines(apps) -> int:
    """Set the default rows still holding the old khẩn / thượng khẩn values to "immediately"
    (NĐ 30/2020 Điều 24.2). Idempotent; returns the number of rows changed."""
    UrgencyDeadline = apps.get_model("documents", "UrgencyDeadline")
    changed = 0
    for urgency, (days, basis) in OLD_URGENCY_DEADLINES.items():
        new_days, new_basis = URGENCY_DEADLINES[urgency]
        changed += UrgencyDeadline.objects.filter(
            agency__isnull=True, urgency=urgency, working_days=days, legal_basis=basis,
        ).update(working_days=new_days, legal_basis=new_basis)
    return changed


def seed(apps) -> None:
    DocumentType = apps.get_model("documents", "DocumentType")
    UrgencyDeadline = apps.get_model("documents", "UrgencyDeadline")
    for code, name, abbr, normative, copy, order in DOCUMENT_TYPES:
        DocumentType.objects.get_or_create(code=code, defaults={
            "name": name, "abbreviation": abbr, "is_legal_normative": normative,
            "is_copy": copy, "ordering": order, "legal_basis": TYPES_LEGAL_BASIS,
        })
    for urgency, (days, basis) in URGENCY_DEADLINES.items():
        UrgencyDeadline.objects.get_or_create(agency=None, urgency=urgency, defaults={
            "working_days": days, "legal_basis": basis})
    seed_module_grants(apps, ROLE_GRANTS)
