"""Field checks shared by the services that take a citizen's data (one-stop applicants,
petitioners): each check cleans one value, appends its message to `errors[name]` when the value
is bad, and returns the cleaned value; `fail(errors)` then raises one 422 naming every field, so
all mistakes are shown at once and nothing is written."""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _

from .errors import InvalidInput
from .sms import normalise_phone
from .text import UnsafeText, clean_text

Errors = dict[str, list[str]]

# Số định danh cá nhân: 12 digits (Luật Căn cước 2023 Điều 12; NĐ 69/2024/NĐ-CP). Only "12
# digits" is checked strictly: the province/century/year structure is not (services.md §3.7).
PERSONAL_ID = re.compile(r"^\d{12}$")
# Mã số thuế: 10 digits, or 13 written 10-3 for a dependent unit (Luật Quản lý thuế 2019
# Điều 30; TT 86/2024/TT-BTC Điều 5).
TAX_CODE = re.compile(r"^(\d{10})(?:-?(\d{3}))?$")
# Any Vietnamese phone number: 0 and 9 or 10 more digits (mobile 10 digits, landline 11), or the
# same with +84 instead of the leading 0; spaces, dots, dashes and brackets between digits.
PHONE = re.compile(r"^(?:\+84|0)(\d{9,10})$")
PHONE_SEPARATORS = re.compile(r"[\s.\-()]")


def add(errors: Errors, name: str, message: str) -> None:
    errors.setdefault(name, []).append(str(message))


def fail(errors: Errors) -> None:
    if errors:
        raise InvalidInput(_("Check the highlighted fields."), fields=errors)


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


def mobile(value, name: str, errors: Errors) -> str:
    """A Vietnamese mobile number (egov.core.sms rules: it must take an SMS), kept as 0 + 9
    digits; "" when empty."""
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


def phone(value, name: str, errors: Errors) -> str:
    """Any Vietnamese phone number (landlines too), digits only, kept as 0 + 9 or 10 digits;
    "" when empty."""
    value = text(value, name, errors, max_length=30)
    if not value:
        return ""
    m = PHONE.match(PHONE_SEPARATORS.sub("", value))
    if not m:
        add(errors, name, _("Enter a phone number: 10 or 11 digits starting with 0."))
        return ""
    return "0" + m.group(1)


def email(value, name: str, errors: Errors) -> str:
    value = text(value, name, errors, max_length=254)
    if value:
        try:
            validate_email(value)
        except ValidationError:
            add(errors, name, _("Enter a valid e-mail address."))
            return ""
    return value


def personal_id(value, name: str, errors: Errors, *, required: bool = False) -> str:
    value = text(value, name, errors, required=required, max_length=20)
    if value and not PERSONAL_ID.match(value):
        add(errors, name, _("A personal identification number has exactly 12 digits."))
    return value


def tax_code(value, name: str, errors: Errors, *, required: bool = False) -> str:
    value = text(value, name, errors, required=required, max_length=20)
    if not value:
        return ""
    m = TAX_CODE.match(value)
    if not m:
        add(errors, name, _("A tax code has 10 digits, or 13 written as 10-3."))
        return value
    return m.group(1) + (f"-{m.group(2)}" if m.group(2) else "")
