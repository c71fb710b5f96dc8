"""The people of the civil-status browser tests."""

from __future__ import annotations


def make_registrar(org, make_user):
    """The commune's civil-status registrar (tuphapxa)."""
    return make_user("tuphapxa", org["commune"], "civil_registrar",
                     title="Công chức Tư pháp - Hộ tịch", full_name="Lê Thị Hộ Tịch")


def make_registrar_with_seal(org, make_user, pki):
    """The people of `org` and the registrar, the commune's organisation certificate
    registered (the civil certificates are signed with it)."""
    from tests.civil.certificates_support import register_org_certificate

    people = {**org, "registrar": make_registrar(org, make_user)}
    register_org_certificate(org["commune"], pki.root, "UBND xã An Bình")
    return people
