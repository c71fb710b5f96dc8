"""Catalogue data of the shared kernel that migrations seed: the roles and their grants.

Administrators edit roles afterwards in the admin; these are only the starting rows.
"""

# code: (Vietnamese name, description, [(action, scope)])
ROLES: dict[str, tuple[str, str, list[tuple[str, str]]]] = {
    "admin": ("Quản trị hệ thống", "Quản trị đơn vị, người dùng, lịch làm việc, nhật ký.", [
        ("core.manage_orgs", "all"), ("core.manage_users", "all"),
        ("core.manage_calendar", "all"), ("core.view_audit", "all"),
        ("core.view_unit_work", "all"),
    ]),
    "clerk": ("Văn thư", "Đăng ký, cấp số, phát hành văn bản; đóng dấu của cơ quan.", [
        ("core.view_unit_work", "unit"),
    ]),
    "leader": ("Lãnh đạo", "Chỉ đạo xử lý, giao việc, ký văn bản.", [
        ("core.view_unit_work", "unit"), ("core.assign_work", "unit"),
    ]),
    "unit_head": ("Trưởng đơn vị", "Phân công xử lý trong đơn vị.", [
        ("core.view_unit_work", "unit"), ("core.assign_work", "unit"),
    ]),
    "officer": ("Chuyên viên", "Xử lý văn bản, soạn thảo dự thảo.", []),
    "onestop_officer": ("Cán bộ một cửa", "Tiếp nhận và trả kết quả hồ sơ thủ tục hành chính.", []),
    "petition_officer": ("Cán bộ tiếp công dân", "Tiếp công dân, tiếp nhận và xử lý đơn thư.", []),
    "civil_registrar": ("Công chức tư pháp - hộ tịch", "Đăng ký và quản lý hộ tịch.", []),
}


def seed_roles(Role, RoleGrant) -> None:
    for code, (name, description, grants) in ROLES.items():
        role, _ = Role.objects.get_or_create(
            code=code, defaults={"name": name, "description": description}
        )
        for action, scope in grants:
            RoleGrant.objects.get_or_create(role=role, action=action, defaults={"scope": scope})


def seed_module_grants(apps, role_grants: dict[str, list[tuple[str, str]]]) -> None:
    """A module's starting grants for the kernel's roles (its migration, and the browser tests
    after a flush): ``{role code: [(action, scope)]}``. A missing role is passed over; a grant
    already there is kept as the administrators left it."""
    Role = apps.get_model("core", "Role")
    RoleGrant = apps.get_model("core", "RoleGrant")
    for role_code, grants in role_grants.items():
        role = Role.objects.filter(code=role_code).first()
        if role is None:
            continue
        for action, scope in grants:
            RoleGrant.objects.get_or_create(role=role, action=action, defaults={"scope": scope})
