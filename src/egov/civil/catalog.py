"""Catalogue data of the civil-status module (hộ tịch): policy actions, the roles' starting
grants, and the kinds of events with their books, time limits and legal basis — rows the
migrations seed, as data (services.md §3)."""

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
# kind: (book name, time limit in days for the duty to register or None, its legal basis)
EVENT_KINDS = {
    "birth": ("Sổ đăng ký khai sinh", 60, f"{LHT}, Điều 15 (khai sinh trong 60 ngày)"),
    "death": ("Sổ đăng ký khai tử", 15, f"{LHT}, Điều 33 (khai tử trong 15 ngày)"),
    "marriage": ("Sổ đăng ký kết hôn", None, f"{LHT}, Điều 17, 18"),
}


def seed_role_grants(apps) -> None:
    Role = apps.get_model("core", "Role")
    code, name, description = SUPERVISOR_ROLE
    Role.objects.get_or_create(code=code, defaults={"name": name, "description": description})
    seed_module_grants(apps, ROLE_GRANTS)
