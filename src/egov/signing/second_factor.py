"""The signer's second factor for signing with a key the server holds (issue 9 §1).

A key file or an HSM key is used by the server on the signer's behalf, so the password of the
session alone would sign. When the agency turns it on (:class:`SecondFactorPolicy` of the
agency: ``required`` and ``method``), the signer also gives a one-time code:

- **TOTP** (RFC 6238, 6 digits, 30 s; built in with pyotp): the user enrols on
  ``/signing/second-factor/`` — the page shows the ``otpauth://`` URI as a QR code (segno) once,
  the secret is stored encrypted (:mod:`egov.signing.keystore`, AES-GCM) and never shown again,
  and the factor is active only after one code has been confirmed;
- **SMS** through the SMS gateway plugin (:mod:`egov.core.sms`): :func:`send_sms_code` sends a
  6-digit code valid 5 minutes to the phone recorded at enrolment; only its hash is stored.

:func:`verify` is called before anything is signed: a missing code → ``second_factor_required``,
a wrong, expired or reused code → ``second_factor_invalid`` (HTTP 422, field ``otp``); after
:data:`MAX_FAILURES` wrong codes in :data:`FAILURE_WINDOW` → ``second_factor_locked`` (429). A
TOTP code is accepted once: the time step it belongs to is remembered and a code of that step
or an earlier one is refused (replay). Accepting a code and counting a failure are committed
on their own, whatever happens to the signing afterwards.

Applied to: the signer's signature with a server key (page and API), "Ký duyệt" (approve and
sign), and the start of a batch signing (one code for the batch). Not applied to the agency's
signature at issue: that is the office's seal applied by the văn thư under the agency's
certificate, not a person's signature (NĐ 30/2020 Điều 33), and it is covered by the clerk's
own login and the audit trail.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from egov.core.audit import audit_log
from egov.core.errors import AppError, InvalidInput

from . import keystore
from .models import SecondFactor, SecondFactorMethod, SecondFactorPolicy

ISSUER = "eGov"
MAX_FAILURES = 5
FAILURE_WINDOW = dt.timedelta(minutes=15)
SMS_VALIDITY = dt.timedelta(minutes=5)
_CONTEXT = b"egov-second-factor"


# ---------------------------------------------------------------- policy

def policy_for(unit) -> SecondFactorPolicy | None:
    """The policy of ``unit``'s agency (the unit itself or its nearest ancestor with one)."""
    if unit is None:
        return None
    ids = [int(p) for p in (getattr(unit, "path", "") or "").strip("/").split("/") if p]
    ids = ids or [unit.pk]
    found = {p.unit_id: p for p in SecondFactorPolicy.objects.filter(unit_id__in=ids)}
    for uid in reversed(ids):
        if uid in found:
            return found[uid]
    return None


def required_for(unit) -> str | None:
    """The method ("totp" / "sms") the agency of ``unit`` requires, or None."""
    policy = policy_for(unit)
    return policy.method if policy is not None and policy.required else None


def policy_set(*, actor, unit, required: bool, method: str = SecondFactorMethod.TOTP
               ) -> SecondFactorPolicy:
    """Turn the second factor on or off for ``unit`` (an agency; administrators: the same
    permission as the trust anchors, ``core.manage_users`` on the unit)."""
    from egov.core.policy import require

    require(actor, "core.manage_users", unit)
    if method not in SecondFactorMethod.values:
        raise InvalidInput(_("Choose one of: %(values)s.")
                           % {"values": ", ".join(SecondFactorMethod.values)},
                           fields={"method": [_("Choose one of: %(values)s.")
                                              % {"values": ", ".join(SecondFactorMethod.values)}]})
    with transaction.atomic():
        row, _created = SecondFactorPolicy.objects.select_for_update(no_key=True).get_or_create(
            unit=unit, defaults={"required": bool(required), "method": method})
        row.required, row.method = bool(required), method
        row.save(update_fields=["required", "method", "updated_at"])
        audit_log(actor=actor, action="signing.second_factor.policy", obj=row,
                  details={"unit": unit.pk, "required": row.required, "method": method})
    return row


def required_for_user(user) -> str | None:
    """The method required by the agency of any of ``user``'s positions (a batch may hold
    documents of several agencies: the strictest applies), or None."""
    from egov.core.models import Position

    for unit in {p.org_unit for p in Position.objects.filter(user=user)
                 .select_related("org_unit")}:
        method = required_for(unit)
        if method is not None:
            return method
    return None


# ---------------------------------------------------------------- enrolment

def _totp(secret: str):
    import pyotp

    return pyotp.TOTP(secret)


def _secret_of(factor: SecondFactor) -> str:
    return keystore.decrypt(bytes(factor.secret), context=_CONTEXT).decode()


def enrol_start(*, user) -> tuple[str, str]:
    """A new (unconfirmed) TOTP secret for ``user``, replacing an unconfirmed one: returns
    (secret, otpauth URI) to show once. A confirmed factor must be removed first."""
    import pyotp

    factor = SecondFactor.objects.filter(user=user).first()
    if factor is not None and factor.confirmed_at is not None:
        raise AppError("second_factor_enrolled", _("Your authenticator app is already set up."),
                       status=409)
    secret = pyotp.random_base32()
    blob = keystore.encrypt(secret.encode(), context=_CONTEXT)
    SecondFactor.objects.update_or_create(user=user, defaults={
        "secret": blob, "confirmed_at": None, "last_step": None, "failures": 0,
        "failures_since": None})
    uri = _totp(secret).provisioning_uri(name=user.get_username(), issuer_name=ISSUER)
    return secret, uri


def qr_svg(uri: str) -> str:
    """The URI as an inline SVG QR code (segno)."""
    import segno

    return segno.make(uri, error="m").svg_inline(scale=4, dark="#000", light="#fff")


def enrol_confirm(*, user, code: str) -> SecondFactor:
    """Activate the enrolled factor with one valid code."""
    factor = SecondFactor.objects.filter(user=user).first()
    if factor is None:
        raise InvalidInput(_("Start the set-up first."), fields={"otp": [_("Start the set-up "
                                                                           "first.")]},
                           code="second_factor_not_enrolled")
    _check_code(user=user, code=code, allow_unconfirmed=True)
    with transaction.atomic():
        factor = SecondFactor.objects.select_for_update(no_key=True).get(pk=factor.pk)
        factor.confirmed_at = timezone.now()
        factor.save(update_fields=["confirmed_at"])
        audit_log(actor=user, action="signing.second_factor.enrol", obj=factor,
                  details={"method": SecondFactorMethod.TOTP})
    return factor


def is_enrolled(user) -> bool:
    return SecondFactor.objects.filter(user=user, confirmed_at__isnull=False).exists()


def remove(*, actor, user) -> None:
    with transaction.atomic():
        deleted, _rows = SecondFactor.objects.filter(user=user).delete()
        if deleted:
            audit_log(actor=actor, action="signing.second_factor.remove",
                      object_type="core.user", object_id=str(user.pk))


# ---------------------------------------------------------------- SMS

def _hash(code: str) -> str:
    return hashlib.sha256(code.encode()).hexdigest()


def send_sms_code(*, user, phone: str | None = None) -> None:
    """Send a fresh 6-digit code by the SMS gateway to ``phone`` (kept for next time) or to the
    phone recorded before; the code is valid :data:`SMS_VALIDITY`."""
    from egov.core.sms import normalise_phone, sms_send

    factor = SecondFactor.objects.filter(user=user).first()
    to = normalise_phone(phone) if phone else (factor.phone if factor is not None else "")
    if not to:
        raise InvalidInput(_("No phone number is recorded for codes by SMS."),
                           fields={"phone": [_("Enter your mobile number.")]}, code="bad_phone")
    code = f"{secrets.randbelow(10**6):06d}"
    with transaction.atomic():
        factor, _created = SecondFactor.objects.get_or_create(
            user=user, defaults={"secret": b"", "confirmed_at": timezone.now()})
        factor = SecondFactor.objects.select_for_update(no_key=True).get(pk=factor.pk)
        factor.phone = to
        factor.sms_code_hash = _hash(code)
        factor.sms_expires_at = timezone.now() + SMS_VALIDITY
        factor.save(update_fields=["phone", "sms_code_hash", "sms_expires_at"])
    # Document content sent to the user, Vietnamese as the system's messages to citizens.
    sms_send(to=to, text=f"Ma xac nhan ky so eGov: {code} (hieu luc 5 phut)")


# ---------------------------------------------------------------- verification

def _required_error() -> InvalidInput:
    message = _("Enter the one-time code of your authenticator app (or the code sent by SMS) "
                "to sign with the key held by the server.")
    return InvalidInput(message, fields={"otp": [message]}, code="second_factor_required")


def _invalid_error() -> InvalidInput:
    message = _("The one-time code is wrong, expired or already used. Enter the current code.")
    return InvalidInput(message, fields={"otp": [message]}, code="second_factor_invalid")


def _locked_error() -> AppError:
    message = _("Too many wrong codes. Wait 15 minutes, then try again.")
    return AppError("second_factor_locked", message, fields={"otp": [message]}, status=429)


def _fail(factor: SecondFactor, now) -> None:
    """Count one wrong code (committed on its own)."""
    with transaction.atomic():
        row = SecondFactor.objects.select_for_update(no_key=True).get(pk=factor.pk)
        if row.failures_since is None or now - row.failures_since > FAILURE_WINDOW:
            row.failures, row.failures_since = 0, now
        row.failures += 1
        row.save(update_fields=["failures", "failures_since"])


def _check_code(*, user, code, allow_unconfirmed: bool = False, method: str = "totp") -> None:
    code = "".join(str(code or "").split())
    factor = SecondFactor.objects.filter(user=user).first()
    if factor is None or (factor.confirmed_at is None and not allow_unconfirmed):
        if not code:
            raise _required_error()
        message = _("Set up your authenticator app first (Second factor page).")
        raise InvalidInput(message, fields={"otp": [message]}, code="second_factor_not_enrolled")
    now = timezone.now()
    if (factor.failures >= MAX_FAILURES and factor.failures_since is not None
            and now - factor.failures_since <= FAILURE_WINDOW):
        raise _locked_error()
    if not code:
        raise _required_error()
    if not (code.isdigit() and len(code) == 6):
        _fail(factor, now)
        raise _invalid_error()
    with transaction.atomic():
        row = SecondFactor.objects.select_for_update(no_key=True).get(pk=factor.pk)
        accepted = False
        if method == SecondFactorMethod.SMS:
            if (row.sms_code_hash and row.sms_expires_at and now <= row.sms_expires_at
                    and hmac.compare_digest(row.sms_code_hash, _hash(code))):
                row.sms_code_hash, row.sms_expires_at = "", None
                accepted = True
        else:
            totp = _totp(_secret_of(row))
            current = totp.timecode(now)
            for step in (current - 1, current, current + 1):
                if hmac.compare_digest(totp.generate_otp(step), code):
                    if row.last_step is None or step > row.last_step:  # never twice
                        row.last_step = step
                        accepted = True
                    break
        if accepted:
            row.failures, row.failures_since = 0, None
            row.save(update_fields=["last_step", "sms_code_hash", "sms_expires_at",
                                    "failures", "failures_since"])
    if not accepted:
        _fail(factor, now)
        raise _invalid_error()


def verify_for_batch(*, actor, code) -> bool:
    """Before a batch signing starts: one code for the whole batch (:func:`required_for_user`)."""
    method = required_for_user(actor)
    if method is None:
        return False
    _check_code(user=actor, code=code, method=method)
    return True


def verify(*, actor, unit, code) -> bool:
    """Before signing with a server-held key for ``unit``'s agency: nothing to do when the
    agency does not require a second factor (returns False); otherwise check ``code`` (raises,
    see the module docstring) and return True."""
    method = required_for(unit)
    if method is None:
        return False
    _check_code(user=actor, code=code, method=method)
    return True
