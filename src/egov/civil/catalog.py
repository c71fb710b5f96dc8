"""Catalogue data of the civil-status module (hộ tịch): policy actions, the roles' starting
grants, and the kinds of events with their books, time limits and legal basis — rows the
migrations seed (`KindRule`, effective dates), as data (services.md §3); `kind_rule(kind, on,
foreign=…)` is the selector the services read them through."""

import datetime as dt

from django.utils.translation import gettext_lazy as _

from egov.core.catalog import seed_module_grants

ACTIONS = {
    "civil.register": _("Register civil-status events in one's commune (công chức tư pháp - "
                        "hộ tịch)"),
    "civil.read": _("Read the civil-status records of one's commune, or of all communes "
                    "(province supervisors)"),
    "civil.manage": _("Manage the civil-status catalogue and books"),
}

# role code → [(action, scope)]. A commune committee is its own agency: "agency" is the
# registrar's commune (commune isolation); the province supervisor reads every commune.
ROLE_GRANTS = {
    "civil_registrar": [("civil.register", "agency"), ("civil.read", "agency")],
    "leader": [("civil.read", "agency")],
    "admin": [("civil.manage", "all")],
    "civil_supervisor": [("civil.read", "all")],
}

SUPERVISOR_ROLE = ("civil_supervisor", "Giám sát hộ tịch (cấp tỉnh)",
                   "Sở Tư pháp: đọc dữ liệu hộ tịch của mọi xã, phường để kiểm tra, thống kê.")

LHT = "Luật Hộ tịch 60/2014/QH13"
ND123 = "NĐ 123/2015/NĐ-CP"
ND120 = "NĐ 120/2025/NĐ-CP (từ 1/7/2025)"
SAME_DAY = "giải quyết ngay trong ngày; hồ sơ nhận sau 15 giờ: ngày làm việc tiếp theo, Điều 5.3"
# The kinds of events as catalogue rows (services.md §3.3): kind → (book, duty period in days,
# handling limit in working days (0 = the same day), extra working days with verification,
# validity in months, legal basis). "reregistration" is the limit of đăng ký lại; the entry goes
# in the book of the original kind. Book names from TT 04/2020/TT-BTP as seen in the registry
# software (the full list is UNVERIFIED, services.md §3.4).
KIND_RULES = {
    "birth": ("Sổ đăng ký khai sinh", 60, 0, None, None,
              f"{LHT}, Điều 15 (khai sinh trong 60 ngày), Điều 16 ({SAME_DAY})"),
    "death": ("Sổ đăng ký khai tử", 15, 0, None, None,
              f"{LHT}, Điều 33 (khai tử trong 15 ngày), Điều 34 ({SAME_DAY})"),
    "marriage": ("Sổ đăng ký kết hôn", None, 0, 5, None,
                 f"{LHT}, Điều 17, 18 ({SAME_DAY}; cần xác minh: không quá 05 ngày làm việc)"),
    "marital_status": ("Sổ cấp Giấy xác nhận tình trạng hôn nhân", None, 3, 3, 6,
                       f"{ND123}, Điều 21–23, sửa đổi bởi NĐ 07/2025/NĐ-CP (03 ngày làm việc; "
                       "xác minh 03 ngày làm việc; giấy có giá trị 06 tháng)"),
    "recognition": ("Sổ đăng ký nhận cha, mẹ, con", None, 3, 5, None,
                    f"{LHT}, Điều 24, 25 (03 ngày làm việc; xác minh thêm không quá 05 ngày "
                    "làm việc)"),
    "guardianship": ("Sổ đăng ký giám hộ", None, 3, None, None,
                     f"{LHT}, Điều 20, 21 (03 ngày làm việc)"),
    "guardianship_end": ("Sổ đăng ký giám hộ (chấm dứt giám hộ)", None, 2, None, None,
                         f"{LHT}, Điều 22 (02 ngày làm việc)"),
    "change": ("Sổ đăng ký thay đổi, cải chính, bổ sung thông tin hộ tịch", None, 3, 3, None,
               f"{LHT}, Điều 26–29 (03 ngày làm việc; xác minh thêm không quá 03 ngày làm "
               "việc)"),
    "divorce": ("Sổ ghi vào Sổ hộ tịch việc ly hôn, hủy việc kết hôn", None, 0, None, None,
                f"{LHT}, Điều 3.2, 30; {ND123}"),
    "adoption": ("Sổ ghi vào Sổ hộ tịch việc nuôi con nuôi", None, 0, None, None,
                 f"{LHT}, Điều 3.2, 30; Luật Nuôi con nuôi 52/2010/QH12"),
    "death_declared": ("Sổ ghi vào Sổ hộ tịch việc hộ tịch khác", None, 0, None, None,
                       f"{LHT}, Điều 3.2, 30; Bộ luật Dân sự 2015, Điều 71 (tuyên bố chết)"),
    # The other decisions noted (Luật Hộ tịch 2014, Điều 3.2, 30: the court or authority
    # notifies within 05 working days of the decision taking effect; noted on receipt).
    "adoption_end": ("Sổ ghi vào Sổ hộ tịch việc chấm dứt nuôi con nuôi", None, 0, None, None,
                     f"{LHT}, Điều 3.2, 30; Luật Nuôi con nuôi 52/2010/QH12, Điều 25–28"),
    "annulment": ("Sổ ghi vào Sổ hộ tịch việc hủy việc kết hôn trái pháp luật", None, 0, None,
                  None, f"{LHT}, Điều 3.2, 30; Luật Hôn nhân và gia đình 52/2014/QH13, Điều "
                  "11, 12"),
    "nationality": ("Sổ ghi vào Sổ hộ tịch việc thay đổi quốc tịch", None, 0, None, None,
                    f"{LHT}, Điều 3.2, 30; Luật Quốc tịch Việt Nam 24/2008/QH12 (sửa đổi 2014, "
                    "2025), Điều 19, 23, 27, 31, 33"),
    "parentage": ("Sổ ghi vào Sổ hộ tịch việc xác định cha, mẹ, con", None, 0, None, None,
                  f"{LHT}, Điều 3.2, 30; Luật Hôn nhân và gia đình 2014, Điều 88, 89, 101, 102"),
    "gender": ("Sổ ghi vào Sổ hộ tịch việc xác định lại giới tính", None, 0, None, None,
               f"{LHT}, Điều 3.2, 30; Bộ luật Dân sự 2015, Điều 36; NĐ 70/2024/NĐ-CP, Điều "
               "11.7.a (số định danh xác lập lại)"),
    "missing": ("Sổ ghi vào Sổ hộ tịch việc tuyên bố mất tích", None, 0, None, None,
                f"{LHT}, Điều 3.2, 30; Bộ luật Dân sự 2015, Điều 68"),
    "missing_end": ("Sổ ghi vào Sổ hộ tịch việc hủy tuyên bố mất tích", None, 0, None, None,
                    f"{LHT}, Điều 3.2, 30; Bộ luật Dân sự 2015, Điều 70"),
    "capacity": ("Sổ ghi vào Sổ hộ tịch việc tuyên bố mất, hạn chế năng lực hành vi dân sự",
                 None, 0, None, None,
                 f"{LHT}, Điều 3.2, 30; Bộ luật Dân sự 2015, Điều 22, 24"),
    "capacity_end": ("Sổ ghi vào Sổ hộ tịch việc hủy tuyên bố mất, hạn chế năng lực hành vi "
                     "dân sự", None, 0, None, None,
                     f"{LHT}, Điều 3.2, 30; Bộ luật Dân sự 2015, Điều 22.2, 24.2"),
    "death_undone": ("Sổ ghi vào Sổ hộ tịch việc hủy tuyên bố chết", None, 0, None, None,
                     f"{LHT}, Điều 3.2, 30; Bộ luật Dân sự 2015, Điều 73; Luật Hôn nhân và gia "
                     "đình 2014, Điều 67"),
    # Ghi vào sổ hộ tịch việc kết hôn / ly hôn, hủy việc kết hôn đã giải quyết ở nước ngoài
    # (Điều 3.3): 05 working days, with verification up to 08 (NĐ 120/2025, Phụ lục mục I.1.d,
    # services.md §3.3); the same figures before 1/7/2025, and NĐ 123/2015's articles on it, are
    # UNVERIFIED.
    "abroad_marriage": ("Sổ ghi vào Sổ hộ tịch việc kết hôn (đã giải quyết ở nước ngoài)",
                        None, 5, 3, None,
                        f"{LHT}, Điều 3.3; {ND123} (05 ngày làm việc; xác minh: "
                        "tổng không quá 08 ngày làm việc — NĐ 120/2025, Phụ lục mục I.1.d)"),
    "abroad_divorce": ("Sổ ghi vào Sổ hộ tịch việc ly hôn, hủy việc kết hôn (đã giải quyết ở "
                       "nước ngoài)", None, 5, 3, None,
                       f"{LHT}, Điều 3.3; {ND123} (05 ngày làm việc; xác minh: "
                       "tổng không quá 08 ngày làm việc — NĐ 120/2025, Phụ lục mục I.1.d)"),
    "reregistration": ("", None, 5, None, None,
                       f"{ND123}, Điều 24–27 (đăng ký lại; 05 ngày làm việc — sửa đổi bởi NĐ "
                       "18/2026/NĐ-CP, chưa kiểm chứng)"),
}
# The periods the rows are in force: Luật Hộ tịch 2014 from 1/1/2016; NĐ 120/2025 moved the
# district's tasks to the commune from 1/7/2025 until 1/3/2027, when Luật Hộ tịch 03/2026/QH16
# takes over (its rules are not seeded: content UNVERIFIED, services.md §3.1).
RULE_PERIODS = [
    (dt.date(2016, 1, 1), dt.date(2025, 6, 30), f"; {ND123}"),
    (dt.date(2025, 7, 1), dt.date(2027, 2, 28), f"; {ND123}; {ND120}"),
]

# The foreign-element variants (có yếu tố nước ngoài, services.md §3.3), per period (its start):
# kind → (limit, its unit, extra working days with verification, legal basis). The book is the
# kind's own (Luật Hộ tịch 2014, Điều 58: one book per type of event — docs/civil.md). Until
# 30/6/2025 the district registered them (Luật Hộ tịch 2014, Chương III) with limits in days
# ("ngày": calendar days, kept as such — `limit_unit`); from 1/7/2025 the commune does, under
# NĐ 120/2025 Phụ lục mục I.1 in working days.
FOREIGN_KIND_RULES = {
    dt.date(2016, 1, 1): {
        "marriage": (15, "days", None,
                     f"{LHT}, Điều 37, 38 (kết hôn có yếu tố nước ngoài: 15 ngày kể từ ngày "
                     "nhận đủ hồ sơ hợp lệ, gồm cả thẩm tra, xác minh)"),
        "recognition": (15, "days", None,
                        f"{LHT}, Điều 43, 44 (nhận cha, mẹ, con có yếu tố nước ngoài: 15 ngày, "
                        "gồm 07 ngày liên tục niêm yết)"),
        "guardianship": (5, "working_days", None,
                         f"{LHT}, Điều 39, 40 (giám hộ có yếu tố nước ngoài: 05 ngày làm "
                         "việc)"),
    },
    dt.date(2025, 7, 1): {
        "marriage": (5, "working_days", 5,
                     f"{LHT}, Điều 37, 38; {ND120}, Phụ lục mục I.1.b (05 ngày làm việc; cần "
                     "xác minh: không quá 10 ngày làm việc)"),
        "recognition": (10, "working_days", None,
                        f"{LHT}, Điều 43, 44; {ND120}, Phụ lục mục I.1.c (10 ngày làm việc kể "
                        "từ ngày nhận đủ hồ sơ hợp lệ; xác minh hoặc niêm yết: 05 ngày làm "
                        "việc — CHƯA KIỂM CHỨNG có nằm trong 10 ngày hay không)"),
        "guardianship": (5, "working_days", None,
                         f"{LHT}, Điều 39, 40 (05 ngày làm việc); {ND120} (thẩm quyền của "
                         "cấp xã)"),
    },
}


def seed_kind_rules(apps) -> None:
    KindRule = apps.get_model("civil", "KindRule")
    # Migration 0003 seeds with the table as it was then (no variant, no unit); 0006 and the
    # post_migrate reseed with the variants.
    names = {f.name for f in KindRule._meta.get_fields()}
    variant = {"variant": ""} if "variant" in names else {}
    for start, end, suffix in RULE_PERIODS:
        for kind, (book, duty, limit, verification, validity, basis) in KIND_RULES.items():
            KindRule.objects.update_or_create(
                kind=kind, effective_from=start, **variant,
                defaults={"book_name": book, "duty_days": duty, "limit_working_days": limit,
                          "verification_days": verification, "validity_months": validity,
                          "legal_basis": (basis + suffix)[:500], "effective_to": end})
    if variant:
        seed_foreign_kind_rules(apps)


def seed_foreign_kind_rules(apps) -> None:
    KindRule = apps.get_model("civil", "KindRule")
    for start, end, suffix in RULE_PERIODS:
        for kind, (limit, unit, verification, basis) in FOREIGN_KIND_RULES[start].items():
            KindRule.objects.update_or_create(
                kind=kind, variant="foreign", effective_from=start,
                defaults={"book_name": KIND_RULES[kind][0], "duty_days": None,
                          "limit_working_days": limit, "limit_unit": unit,
                          "verification_days": verification, "validity_months": None,
                          "legal_basis": (basis + suffix)[:500], "effective_to": end})


def kind_rule(kind: str, on: dt.date | None = None, *, foreign: bool = False):
    """The catalogue row of `kind` in force on `on` (today by default) — its foreign-element
    variant when `foreign`; 422 `no_rule_in_force` when none is — the law as data: an event is
    registered only under a rule in force."""
    from django.db.models import Q
    from django.utils import timezone

    from egov.core.errors import InvalidInput

    from .models import KindRule

    day = on or timezone.localdate()
    rule = (KindRule.objects.filter(kind=kind, variant="foreign" if foreign else "",
                                    effective_from__lte=day)
            .filter(Q(effective_to__isnull=True) | Q(effective_to__gte=day))
            .order_by("-effective_from").first())
    if rule is None:
        message = _("No rule of the catalogue is in force for this kind of event on %(day)s: "
                    "the registration cannot be made.") % {"day": day.strftime("%d/%m/%Y")}
        raise InvalidInput(str(message), code="no_rule_in_force",
                           fields={"registered_on": [str(message)]})
    return rule


def kind_rule_latest(kind: str, on: dt.date, *, foreign: bool = False):
    """The row of `kind` in force on `on`, else the latest one before it, else the first one
    (statistics of a period may reach past the rules seeded so far, or before them); None when
    the kind has no row. Registrations use :func:`kind_rule`, which refuses instead."""
    from .models import KindRule

    rules = KindRule.objects.filter(kind=kind, variant="foreign" if foreign else "")
    return (rules.filter(effective_from__lte=on).order_by("-effective_from").first()
            or rules.order_by("effective_from").first())


def kind_rules_in_force(on: dt.date | None = None, *, foreign: bool = False) -> list:
    """The rows in force on `on`: the ordinary ones, or the foreign-element variants."""
    from django.db.models import Q
    from django.utils import timezone

    from .models import KindRule

    day = on or timezone.localdate()
    return list(KindRule.objects.filter(effective_from__lte=day,
                                        variant="foreign" if foreign else "")
                .filter(Q(effective_to__isnull=True) | Q(effective_to__gte=day))
                .order_by("kind"))


def seed_role_grants(apps) -> None:
    Role = apps.get_model("core", "Role")
    code, name, description = SUPERVISOR_ROLE
    Role.objects.get_or_create(code=code, defaults={"name": name, "description": description})
    seed_module_grants(apps, ROLE_GRANTS)
