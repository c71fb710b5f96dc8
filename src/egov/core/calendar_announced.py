"""Announced holiday schedules (law as data): the days off and swapped working days the
government announced for each occasion, with the announcement as legal basis
(domain reference services.md §4.3).

The Prime Minister fixes the Tết days and the second Quốc khánh day every year (BLLĐ 2019
Art.112.3), and the government may swap a weekday with a Saturday (the weekday is then a day off,
the Saturday a working day). The `holidays` package seeds the statutory days (migration 0003) but
knows only the swaps announced before its release; the table below holds what was announced, and
:func:`seed_announced` writes it into `CalendarAnnouncement` / `CalendarDay`:

* a missing day is created;
* a day the package seeded (its legal basis is one of the package's generic texts and it points
  to no announcement) is updated to the announced kind, name and basis;
* a day an administrator edited (any other legal basis, or already linked) is left alone, and so
  is an existing announcement — the seed never clobbers an administrator's edits. Idempotent.

Each later year's announcements are entered by the administrator (the calendar page warns when
next year has no Tết or Quốc khánh announcement: :func:`missing_announcements`).
"""

from __future__ import annotations

import datetime as dt

D = dt.date

VPCP_12729 = "Văn bản 12729/VPCP-KGVX ngày 25/12/2025 của Văn phòng Chính phủ"
PKG_NOTE = "dữ liệu gói holidays 0.109; đối chiếu văn bản chính thức"

#: (year, occasion, reference, note, [(date, kind, name, legal basis of the day)])
ANNOUNCED: list[tuple[int, str, str, str, list[tuple[dt.date, str, str, str]]]] = [
    (2025, "tet",
     "Bộ luật Lao động 2019, Điều 112 khoản 3; Thông báo 6150/TB-BLĐTBXH (nghỉ Tết Ất Tỵ 2025)",
     "Công chức, viên chức nghỉ từ 25/01 đến hết 02/02/2025.",
     [(D(2025, 1, 27), "off", "29 Tết", ""),
      (D(2025, 1, 28), "off", "Giao thừa Tết Nguyên Đán", ""),
      (D(2025, 1, 29), "off", "Tết Nguyên Đán", ""),
      (D(2025, 1, 30), "off", "Mùng hai Tết Nguyên Đán", ""),
      (D(2025, 1, 31), "off", "Mùng ba Tết Nguyên Đán", "")]),
    (2025, "april_may",
     f"Hoán đổi ngày làm việc dịp 30/4–1/5/2025 ({PKG_NOTE})",
     "Nghỉ 30/4–4/5/2025; thứ sáu 02/5 hoán đổi với thứ bảy 26/4 làm việc.",
     [(D(2025, 4, 30), "off", "Ngày Chiến thắng", "Bộ luật Lao động 2019, Điều 112"),
      (D(2025, 5, 1), "off", "Ngày Quốc tế Lao động", "Bộ luật Lao động 2019, Điều 112"),
      (D(2025, 5, 2), "off", "Ngày nghỉ (thay cho ngày 26/04/2025)", ""),
      (D(2025, 4, 26), "workday", "Ngày làm việc bù (thay cho ngày nghỉ 02/05/2025)", "")]),
    (2025, "national_day",
     f"Bộ luật Lao động 2019, Điều 112 khoản 1 điểm đ và khoản 3 ({PKG_NOTE})",
     "Nghỉ 30/8–2/9/2025.",
     [(D(2025, 9, 1), "off", "Quốc khánh", ""),
      (D(2025, 9, 2), "off", "Quốc khánh", "")]),
    (2026, "new_year", VPCP_12729,
     "Nghỉ từ thứ năm 01/01 đến hết chủ nhật 04/01/2026; thứ sáu 02/01 hoán đổi với thứ bảy "
     "10/01/2026 làm việc.",
     [(D(2026, 1, 1), "off", "Tết Dương lịch", f"Bộ luật Lao động 2019, Điều 112; {VPCP_12729}"),
      (D(2026, 1, 2), "off", "Ngày nghỉ Tết Dương lịch (hoán đổi với thứ bảy 10/01/2026)", ""),
      (D(2026, 1, 10), "workday", "Ngày làm việc bù (thay cho ngày nghỉ 02/01/2026)", "")]),
    (2026, "tet",
     "Bộ luật Lao động 2019, Điều 112 khoản 3; phương án nghỉ Tết Bính Ngọ 2026 của Chính phủ",
     "Công chức, viên chức nghỉ từ 14/02 đến hết 22/02/2026 (16/02 Giao thừa – 20/02 mùng 4).",
     [(D(2026, 2, 16), "off", "Giao thừa Tết Nguyên Đán", ""),
      (D(2026, 2, 17), "off", "Tết Nguyên Đán", ""),
      (D(2026, 2, 18), "off", "Mùng hai Tết Nguyên Đán", ""),
      (D(2026, 2, 19), "off", "Mùng ba Tết Nguyên Đán", ""),
      (D(2026, 2, 20), "off", "Mùng bốn Tết Nguyên Đán", "")]),
    (2026, "hung_kings", "Bộ luật Lao động 2019, Điều 111 khoản 3 và Điều 112",
     "Giỗ Tổ 26/4/2026 là chủ nhật: nghỉ bù thứ hai 27/4/2026.",
     [(D(2026, 4, 26), "off", "Ngày Giỗ Tổ Hùng Vương", "Bộ luật Lao động 2019, Điều 112"),
      (D(2026, 4, 27), "off", "Ngày Giỗ Tổ Hùng Vương (nghỉ bù)", "")]),
    (2026, "april_may", "Bộ luật Lao động 2019, Điều 112",
     "30/4 và 1/5/2026 (thứ năm, thứ sáu), không hoán đổi.",
     [(D(2026, 4, 30), "off", "Ngày Chiến thắng", ""),
      (D(2026, 5, 1), "off", "Ngày Quốc tế Lao động", "")]),
    (2026, "national_day",
     f"Bộ luật Lao động 2019, Điều 112 khoản 1 điểm đ và khoản 3 ({PKG_NOTE})",
     "Nghỉ 29/8–2/9/2026; thứ hai 31/8 hoán đổi với thứ bảy 22/8/2026 làm việc. CHƯA ĐỐI CHIẾU "
     "văn bản chính thức (một nguồn khác ghi 2/9–3/9).",
     [(D(2026, 8, 31), "off", "Ngày nghỉ (thay cho ngày 22/08/2026)", ""),
      (D(2026, 9, 1), "off", "Quốc khánh", ""),
      (D(2026, 9, 2), "off", "Quốc khánh", ""),
      (D(2026, 8, 22), "workday", "Ngày làm việc bù (thay cho ngày nghỉ 31/08/2026)", "")]),
    (2026, "culture_day", "Nghị quyết 28/2026/QH16",
     "Ngày Văn hóa Việt Nam 24/11, ngày nghỉ có hưởng lương từ năm 2026.",
     [(D(2026, 11, 24), "off", "Ngày Văn hóa Việt Nam", "")]),
]

#: Occasions whose days change every year by announcement (BLLĐ 2019 Art.112.3): the calendar
#: page warns when next year has none entered.
YEARLY_OCCASIONS = ("tet", "national_day")


def _package_bases() -> set[str]:
    from . import calendar as cal

    return {cal.BASIS_HOLIDAY, cal.BASIS_OBSERVED, cal.BASIS_TET, cal.BASIS_CULTURE_DAY,
            cal.BASIS_SWAP, f"{cal.BASIS_CULTURE_DAY}; Bộ luật Lao động 2019, Điều 111 khoản 3"}


def seed_announced(day_model, announcement_model) -> int:
    """Write :data:`ANNOUNCED` into the tables (the historical models inside a migration); see
    the module docstring for what is kept. Returns the number of days created or updated."""
    from . import calendar as cal

    package = _package_bases()
    changed = 0
    for year, occasion, reference, note, days in ANNOUNCED:
        ann, created = announcement_model.objects.get_or_create(
            year=year, occasion=occasion,
            defaults={"reference": reference[:255], "note": note[:500]})
        if not created:
            continue  # entered or edited by the administrator: theirs
        for day, kind, name, basis in days:
            basis = (basis or reference)[:255]
            row = day_model.objects.filter(date=day).first()
            if row is None:
                day_model.objects.create(date=day, kind=kind, name=name[:200],
                                         legal_basis=basis, announcement=ann)
                changed += 1
            elif row.announcement_id is None and row.legal_basis in package:
                row.kind, row.name, row.legal_basis, row.announcement = kind, name[:200], basis, ann
                row.save()
                changed += 1
    if changed:
        cal.invalidate()
    return changed


def missing_announcements(year: int) -> list[str]:
    """The yearly occasions (Tết, Quốc khánh) with no announcement entered for `year`."""
    from .models import CalendarAnnouncement

    have = set(CalendarAnnouncement.objects.filter(year=year, occasion__in=YEARLY_OCCASIONS)
               .values_list("occasion", flat=True))
    return [o for o in YEARLY_OCCASIONS if o not in have]
