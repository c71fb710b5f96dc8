"""Checking what the desk types in: the applicant, the representative and the check-off of the
components (Mẫu 01 fields, TT 03/2025/TT-VPCP). Pure functions: they collect every error with
its field name and write nothing."""

from __future__ import annotations

from django.utils.translation import gettext as _

from egov.core import fieldcheck

from ..models import ApplicantKind, ProcedureComponent

# The field checks are core's (shared with the petitions intake); `phone` here is a mobile
# number, because the applicant's phone takes the dossier's SMS.
Errors = fieldcheck.Errors
PERSONAL_ID, TAX_CODE = fieldcheck.PERSONAL_ID, fieldcheck.TAX_CODE
add, text, email, fail = fieldcheck.add, fieldcheck.text, fieldcheck.email, fieldcheck.fail
phone = fieldcheck.mobile
personal_id, tax_code = fieldcheck.personal_id, fieldcheck.tax_code


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

