"""Checking what the desk types in: the applicant, the representative and the check-off of the
components (Mẫu 01 fields, TT 03/2025/TT-VPCP). Pure functions: they collect every error with
its field name and write nothing."""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _

from egov.core.errors import InvalidInput
from egov.core.sms import normalise_phone
from egov.core.text import UnsafeText, clean_text

from ..models import ApplicantKind, ProcedureComponent

Errors = dict[str, list[str]]

# Số định danh cá nhân: 12 digits (Luật Căn cước 2023 Điều 12; NĐ 69/2024/NĐ-CP).
PERSONAL_ID = re.compile(r"^\d{12}$")
# Mã số thuế: 10 digits, or 13 written 10-3 for a dependent unit (Luật Quản lý thuế 2019
# Điều 30; TT 86/2024/TT-BTC Điều 5).
TAX_CODE = re.compile(r"^(\d{10})(?:-?(\d{3}))?$")


def add(errors: Errors, name: str, message: str) -> None:
    errors.setdefault(name, []).append(str(message))


def text(value, name: str, errors: Errors, *, required: bool = False,
         max_length: int = 255) -> str:
    if value is None:
        value = ""
    if not isinstance(value, str):
        add(errors, name, _("Enter text."))
        return ""
    try:
        value = clean_text(value).strip()
    except UnsafeText as err:
        add(errors, name, str(err))
        return ""
    if required and not value:
        add(errors, name, _("This field is required."))
    if len(value) > max_length:
        add(errors, name, _("At most %(max)d characters.") % {"max": max_length})
    return value


def phone(value, name: str, errors: Errors) -> str:
    """A Vietnamese mobile number (egov.core.sms rules), kept as 0 + 9 digits; "" when empty."""
    value = text(value, name, errors, max_length=20)
    if not value:
        return ""
    try:
        return "0" + normalise_phone(value)[3:]
    except InvalidInput as err:
        for messages in err.fields.values():
            for message in messages:
                add(errors, name, message)
        return ""


def email(value, name: str, errors: Errors) -> str:
    value = text(value, name, errors, max_length=254)
    if value:
        try:
            validate_email(value)
        except ValidationError:
            add(errors, name, _("Enter a valid e-mail address."))
            return ""
    return value


def personal_id(value, name: str, errors: Errors, *, required: bool) -> str:
    value = text(value, name, errors, required=required, max_length=20)
    if value and not PERSONAL_ID.match(value):
        add(errors, name, _("A personal identification number has exactly 12 digits."))
    return value


def tax_code(value, name: str, errors: Errors, *, required: bool) -> str:
    value = text(value, name, errors, required=required, max_length=20)
    if not value:
        return ""
    m = TAX_CODE.match(value)
    if not m:
        add(errors, name, _("A tax code has 10 digits, or 13 written as 10-3."))
        return value
    return m.group(1) + (f"-{m.group(2)}" if m.group(2) else "")


def person(data, prefix: str, errors: Errors, *, allow_organisation: bool = True) -> dict:
    """{"kind", "full_name", "personal_id", "address", "phone", "email"} checked; the errors
    are named `<prefix>.<field>`."""
    if not isinstance(data, dict):
        add(errors, prefix, _("Give the applicant's details."))
        return {}
    kind = data.get("kind") or ApplicantKind.PERSON
    if kind not in ApplicantKind.values or (kind != ApplicantKind.PERSON
                                            and not allow_organisation):
        add(errors, f"{prefix}.kind", _("Choose a person or an organisation."))
        kind = ApplicantKind.PERSON
    out = {"kind": kind,
           "full_name": text(data.get("full_name"), f"{prefix}.full_name", errors,
                             required=True)}
    if kind == ApplicantKind.ORGANISATION:
        out["personal_id"] = tax_code(data.get("tax_code") or data.get("personal_id"),
                                      f"{prefix}.tax_code", errors, required=True)
    else:
        out["personal_id"] = personal_id(data.get("personal_id"), f"{prefix}.personal_id",
                                         errors, required=True)
    out["address"] = text(data.get("address"), f"{prefix}.address", errors, max_length=500)
    out["phone"] = phone(data.get("phone"), f"{prefix}.phone", errors)
    out["email"] = email(data.get("email"), f"{prefix}.email", errors)
    return out


def representative(data, errors: Errors) -> dict:
    """The representative (người được ủy quyền), or {} when none is given."""
    if data in (None, {}, ""):
        return {}
    out = person(data, "representative", errors, allow_organisation=False)
    if not out:
        return {}
    out.pop("kind", None)
    out["authorisation"] = text(data.get("authorisation"), "representative.authorisation",
                                errors, max_length=500)
    return out


def checkoff(components, version_components: list[ProcedureComponent],
             errors: Errors) -> tuple[list[dict], list[dict]]:
    """Match [{"code", "provided"}] against the version's components: (every component with
    `provided`, the required ones missing — all of them, at once)."""
    by_code = {c.code: c for c in version_components}
    provided: dict[str, bool] = {}
    if not isinstance(components, list):
        add(errors, "components", _("Give the list of components."))
        components = []
    for i, item in enumerate(components):
        if not isinstance(item, dict):
            add(errors, f"components.{i}", _("Give the component's code."))
            continue
        code = item.get("code")
        if not isinstance(code, str) or code not in by_code:
            add(errors, f"components.{i}.code",
                _("This procedure has no component %(code)s.") % {"code": str(code)[:32]})
            continue
        if code in provided:
            add(errors, f"components.{i}.code", _("This component is listed twice."))
            continue
        flag = item.get("provided", False)
        if not isinstance(flag, bool):
            add(errors, f"components.{i}.provided", _("Answer true or false."))
            flag = False
        provided[code] = flag
    rows, missing = [], []
    for comp in version_components:
        got = provided.get(comp.code, False)
        row = {"component": comp, "code": comp.code, "name": comp.name,
               "copy_kind": comp.copy_kind, "count": comp.count, "provided": got,
               "required": comp.required}
        rows.append(row)
        if comp.required and not got:
            missing.append({"code": comp.code, "name": comp.name, "copy_kind": comp.copy_kind,
                            "count": comp.count})
    return rows, missing


def fail(errors: Errors) -> None:
    if errors:
        raise InvalidInput(_("Check the highlighted fields."), fields=errors)
