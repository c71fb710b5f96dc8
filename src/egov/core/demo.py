"""Demo data: a FICTIONAL province with its office, two departments, a public-service centre and
three communes, and one user per role. Every row is marked is_demo and every name says "(mẫu)".

`load_demo()` is idempotent: it finds rows by their electronic id / username and never
duplicates or resets them, so running the demo again keeps whatever the user did.
"""

from __future__ import annotations

import datetime as dt
import os

from django.db import transaction
from django.utils import timezone

from .models import OrgUnit, OrgUnitKind, Position, Role, User, WorkItem, WorkRole

# One password for every demo account; printed by the run command and written in README.md.
DEMO_PASSWORD = os.environ.get("EGOV_DEMO_PASSWORD", "Demo@2026")

# electronic_id: (kind, name, abbreviation, parent electronic_id, place name)
# The "Z" letter is not used by any real province code (QĐ 20/2020/QĐ-TTg uses A–H… per region).
UNITS: dict[str, tuple[str, str, str, str | None, str]] = {
    "000.00.00.Z01": (OrgUnitKind.PROVINCE_COMMITTEE, "Ủy ban nhân dân tỉnh Minh Phong (mẫu)",
                      "UBND", None, "Minh Phong"),
    "000.01.00.Z01": (OrgUnitKind.DIVISION, "Văn phòng Ủy ban nhân dân tỉnh (mẫu)", "VP",
                      "000.00.00.Z01", "Minh Phong"),
    "000.02.00.Z01": (OrgUnitKind.AGENCY, "Sở Tư pháp tỉnh Minh Phong (mẫu)", "STP",
                      "000.00.00.Z01", "Minh Phong"),
    "000.03.00.Z01": (OrgUnitKind.AGENCY, "Sở Nội vụ tỉnh Minh Phong (mẫu)", "SNV",
                      "000.00.00.Z01", "Minh Phong"),
    "000.04.00.Z01": (OrgUnitKind.SERVICE_CENTRE,
                      "Trung tâm Phục vụ hành chính công tỉnh Minh Phong (mẫu)", "TTPVHCC",
                      "000.00.00.Z01", "Minh Phong"),
    "000.00.10.Z01": (OrgUnitKind.COMMUNE_COMMITTEE, "Ủy ban nhân dân xã An Phú (mẫu)", "UBND",
                      "000.00.00.Z01", "An Phú"),
    "000.00.11.Z01": (OrgUnitKind.COMMUNE_COMMITTEE, "Ủy ban nhân dân xã Tân Lập (mẫu)", "UBND",
                      "000.00.00.Z01", "Tân Lập"),
    "000.00.12.Z01": (OrgUnitKind.COMMUNE_COMMITTEE, "Ủy ban nhân dân phường Hòa Minh (mẫu)",
                      "UBND", "000.00.00.Z01", "Hòa Minh"),
}

# username: (full name, unit electronic_id, title, roles, description for the README)
USERS: dict[str, tuple[str, str, str, list[str], str]] = {
    "admin": ("Quản Trị Viên (mẫu)", "000.01.00.Z01", "Chuyên viên công nghệ thông tin",
              ["admin"], "administrator"),
    "vanthu": ("Nguyễn Thị Văn (mẫu)", "000.01.00.Z01", "Văn thư", ["clerk"], "clerk"),
    "lanhdao": ("Trần Văn Lãnh (mẫu)", "000.00.00.Z01", "Phó Chủ tịch", ["leader"], "leader"),
    "truongphong": ("Lê Thị Trưởng (mẫu)", "000.01.00.Z01", "Chánh Văn phòng", ["unit_head"],
                    "unit head"),
    "chuyenvien": ("Phạm Văn Chuyên (mẫu)", "000.01.00.Z01", "Chuyên viên", ["officer"],
                   "officer"),
    "motcua": ("Hoàng Thị Một (mẫu)", "000.04.00.Z01", "Công chức một cửa",
               ["onestop_officer"], "one-stop officer"),
    "tiepdan": ("Vũ Văn Tiếp (mẫu)", "000.01.00.Z01", "Chuyên viên tiếp công dân",
                ["petition_officer"], "petition officer"),
    "hotich": ("Đặng Thị Hộ (mẫu)", "000.00.10.Z01", "Công chức Tư pháp - Hộ tịch",
               ["civil_registrar"], "civil registrar"),
}


@transaction.atomic
def load_demo() -> dict[str, int]:
    created = {"units": 0, "users": 0, "work_items": 0}
    units: dict[str, OrgUnit] = {}
    for eid, (kind, name, abbr, parent_eid, place) in UNITS.items():
        unit = OrgUnit.objects.filter(electronic_id=eid).first()
        if unit is None:
            unit = OrgUnit.objects.create(
                electronic_id=eid, kind=kind, name=name, abbreviation=abbr,
                parent=units[parent_eid] if parent_eid else None, place_name=place,
                valid_from=dt.date(2025, 7, 1), is_demo=True,
            )
            created["units"] += 1
        units[eid] = unit

    roles = {r.code: r for r in Role.objects.all()}
    for username, (full_name, eid, title, role_codes, _desc) in USERS.items():
        user = User.objects.filter(username=username).first()
        if user is not None:
            continue
        user = User(username=username, full_name=full_name, is_demo=True,
                    email=f"{username}@demo.egov.localhost")
        if username == "admin":
            user.is_staff = True
            user.is_superuser = True
        user.set_password(DEMO_PASSWORD)
        user.save()
        pos = Position.objects.create(user=user, org_unit=units[eid], title=title)
        pos.roles.set([roles[c] for c in role_codes if c in roles])
        created["users"] += 1
        created["work_items"] += _demo_work(user, units[eid])
    return created


def _demo_work(user: User, unit: OrgUnit) -> int:
    """A few sample work items so the inbox shows each deadline state."""
    from .calendar import add_working_days

    now = timezone.localtime()
    today = now.date()
    tz = now.tzinfo

    def at(day: dt.date, hour: int = 17) -> dt.datetime:
        return dt.datetime.combine(day, dt.time(hour, 0), tzinfo=tz)

    samples = [
        ("Xem xét báo cáo tình hình thực hiện nhiệm vụ tháng (mẫu)", WorkRole.LEAD,
         at(today - dt.timedelta(days=3)), ""),
        ("Góp ý dự thảo kế hoạch cải cách hành chính năm 2027 (mẫu)", WorkRole.SUPPORT,
         at(today, 23), "urgent"),
        ("Chuẩn bị nội dung họp giao ban (mẫu)", WorkRole.LEAD,
         at(add_working_days(today, 3)), ""),
        ("Thông báo lịch tiếp công dân định kỳ (mẫu)", WorkRole.INFORM, None, ""),
    ]
    items = [
        WorkItem(module="core", kind="demo", title=title, url="", assignee_user=user,
                 role=role, due_at=due, urgency=urgency)
        for title, role, due, urgency in samples
    ]
    for item in items:
        item.save()
    return len(items)
