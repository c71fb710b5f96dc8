"""Checking what a petitioner or an officer types in at intake. Pure functions: every error is
collected with its field name, nothing is written (the services raise one InvalidInput, 422,
with all the fields).

The identity fields follow NĐ 154/2026 Art.12 (name, address, personal ID number); the personal
ID is the 12-digit số định danh cá nhân (Luật Căn cước 2023 Art.12; NĐ 69/2024/NĐ-CP).
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from egov.core import fieldcheck
from egov.core import files as core_files
from egov.core.errors import InvalidInput

from ..models import PetitionKind
from .identity_files import neutral_upload

# The field checks are core's (shared with the one-stop applicant checks); the petitioner's
# phone may be a landline.
Errors = fieldcheck.Errors
PERSONAL_ID, PHONE = fieldcheck.PERSONAL_ID, fieldcheck.PHONE
add, fail, text = fieldcheck.add, fieldcheck.fail, fieldcheck.text
phone, email, personal_id = fieldcheck.phone, fieldcheck.email, fieldcheck.personal_id
MAX_CONTENT = 20000
MAX_FILES = 10
# What a petitioner or the desk may attach: scans and PDFs (as the one-stop desk takes).
FILE_TYPES = {core_files.PDF, core_files.JPEG, core_files.PNG}


def kind(value, name: str, errors: Errors) -> str:
    """Optional: the citizen may leave the kind to the officer."""
    if value in (None, ""):
        return ""
    if value not in PetitionKind.values:
        add(errors, name, _("Choose one of: %(values)s.") % {
            "values": ", ".join(PetitionKind.values)})
        return ""
    return value


def identity(data, errors: Errors, *, prefix: str = "", name_required: bool = False) -> dict:
    """{"full_name", "personal_id", "phone", "email", "address"} checked."""
    p = f"{prefix}." if prefix else ""
    if data is not None and not isinstance(data, dict):
        add(errors, prefix or "identity", _("Give the person's details."))
    data = data if isinstance(data, dict) else {}
    return {
        "full_name": text(data.get("full_name"), f"{p}full_name", errors,
                          required=name_required),
        "personal_id": personal_id(data.get("personal_id"), f"{p}personal_id", errors),
        "phone": phone(data.get("phone"), f"{p}phone", errors),
        "email": email(data.get("email"), f"{p}email", errors),
        "address": text(data.get("address"), f"{p}address", errors, max_length=500),
    }


def others(value, errors: Errors) -> list[dict]:
    """Representatives and people with the same content: [{"full_name", "personal_id",
    "address", "phone", "role"}] (NĐ 154/2026 Art.14.3)."""
    if value in (None, "", []):
        return []
    if not isinstance(value, list) or len(value) > 100:
        add(errors, "others", _("Give a list of at most 100 persons."))
        return []
    out = []
    for i, person in enumerate(value):
        if not isinstance(person, dict):
            add(errors, f"others.{i}", _("Give the person's details."))
            continue
        row = identity(person, errors, prefix=f"others.{i}", name_required=True)
        row.pop("email")
        row["role"] = text(person.get("role"), f"others.{i}.role", errors, max_length=64)
        out.append(row)
    return out


def content(value, errors: Errors) -> str:
    return text(value, "content", errors, required=True, max_length=MAX_CONTENT)


def uploads(value, name: str, errors: Errors) -> list:
    """A list of uploads (the file service checks each one when it stores it)."""
    if not value:
        return []
    value = list(value)
    if len(value) > MAX_FILES:
        add(errors, name, _("At most %(max)d files.") % {"max": MAX_FILES})
        return []
    return value


def store_files(*, actor, files: list, name: str) -> list:
    """Store every upload through egov.core.files (size limit, type sniffed, PDFs checked by
    egov.core.pdfcheck); an InvalidInput names the field `<name>.<index>`. Runs inside the
    caller's transaction, so a refused file leaves nothing behind."""
    stored = []
    for i, upload in enumerate(files):
        try:
            # Under a neutral name: the upload's own name ("Don_Nguyen_Van_A.pdf") would reach
            # the audit trail and every file list (services/identity_files.py).
            stored.append(core_files.file_store(actor=actor, upload=neutral_upload(upload),
                                                require=FILE_TYPES))
        except InvalidInput as err:
            messages = [m for ms in err.fields.values() for m in ms] or [err.message]
            raise InvalidInput(_("Check the highlighted fields."),
                               fields={f"{name}.{i}": messages}, code=err.code) from None
    return stored
