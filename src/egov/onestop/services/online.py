"""Online application from the portal, without an account (issue 10, "Intake: online").

1. :func:`online_submit` checks everything the citizen sent — the procedure (offered online),
   the receiving centre (one of the centres of the procedure's level), the applicant, every
   required component's file (PDF, JPEG or PNG, size-limited; through egov.core.files.file_store),
   the request and how the result is delivered — and writes nothing when anything is wrong (all
   the field errors at once). Then it keeps an :class:`OnlineSubmission` whose random token is
   stored only as its SHA-256 and e-mails the confirmation link (valid
   EGOV_ONESTOP_CONFIRM_HOURS, 24 by default).
2. :func:`online_confirm` — the link, once, before it expires — turns the submission into a
   dossier in state SUBMITTED (DVCQG 1 "Mới đăng ký", channel 2) and e-mails its code with the
   look-up link. A second click shows the same dossier and sends nothing; an unknown link is
   404 `unknown_link`, an expired one 410 `link_expired`.

The officer's check (accept / supplement guidance / refuse) is services/intake.py. The per-client
rate limit is the caller's (egov.portal.limits), which knows the client.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import os
import re
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.core.mail import EmailMessage
from django.core.validators import validate_email
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from egov.core import calendar
from egov.core import files as core_files
from egov.core.audit import audit_log
from egov.core.errors import AppError, InvalidInput, NotFound
from egov.core.models import OrgUnit, OrgUnitKind, StoredFile

from ..models import (
    ApplicantKind,
    DossierState,
    Level,
    OnlineLevel,
    OnlineSubmission,
    ProcedureComponent,
    ProcedureVersion,
    ResultDelivery,
)
from . import records

log = logging.getLogger(__name__)

ACCEPTED_TYPES = {core_files.PDF, core_files.JPEG, core_files.PNG}
NAME_MAX = 255
ADDRESS_MAX = 500
REQUEST_MAX = 2000
_PERSONAL_ID = re.compile(r"^\d{12}$")  # số định danh cá nhân (Luật Căn cước 2023 Điều 12)
_TAX_CODE = re.compile(r"^\d{10}(-\d{3})?$")  # mã số thuế (TT 105/2020/TT-BTC Điều 5)
_PHONE = re.compile(r"^(\+84|0)\d{9,10}$")


def confirm_hours() -> int:
    return int(getattr(settings, "EGOV_ONESTOP_CONFIRM_HOURS", None)
               or os.environ.get("EGOV_ONESTOP_CONFIRM_HOURS") or 24)


def max_file_bytes() -> int:
    return int(getattr(settings, "EGOV_ONESTOP_ONLINE_MAX_BYTES", None)
               or min(settings.EGOV_MAX_UPLOAD_BYTES, 20 * 1024 * 1024))


def token_hash(token: str) -> str:
    return hashlib.sha256((token or "").encode()).hexdigest()


# --- what the form offers ----------------------------------------------------------------------


def receiving_centres(level: str) -> list[OrgUnit]:
    """The centres that receive procedures of `level`: every commune committee for commune
    procedures; the provincial public-service centres (else the provincial committee) for
    provincial ones — units in force today with an electronic id (the dossier code needs it)."""
    today = calendar.localtime(timezone.now()).date()
    base = (OrgUnit.objects.filter(valid_from__lte=today, electronic_id__isnull=False)
            .exclude(electronic_id="").exclude(valid_to__lt=today).order_by("name", "id"))
    if level == Level.COMMUNE:
        return list(base.filter(kind=OrgUnitKind.COMMUNE_COMMITTEE))
    centres = list(base.filter(kind=OrgUnitKind.SERVICE_CENTRE))
    return centres or list(base.filter(kind=OrgUnitKind.PROVINCE_COMMITTEE))


def online_version(procedure_code: str) -> ProcedureVersion:
    """The version in force today of a procedure offered online; 422 otherwise."""
    procedure = records.procedure_by_code(procedure_code)
    version = records.version_in_force(procedure, calendar.localtime(timezone.now()).date())
    if version.online_level == OnlineLevel.NONE:
        raise InvalidInput(
            _("The procedure %(code)s cannot be applied for online; apply at the one-stop "
              "desk.") % {"code": procedure.code},
            fields={"procedure_code": [_("Not offered online.")]}, code="not_online")
    return version


def components_of(version: ProcedureVersion) -> list[ProcedureComponent]:
    return list(ProcedureComponent.objects.filter(version=version).order_by("ordering", "id"))


# --- submit ------------------------------------------------------------------------------------


def _clean_applicant(applicant: dict, errors: dict) -> dict:
    def text(name: str, limit: int) -> str:
        value = " ".join(str(applicant.get(name) or "").split())
        if len(value) > limit:
            errors.setdefault(name, []).append(
                _("At most %(max)s characters.") % {"max": limit})
        return value

    kind = str(applicant.get("kind") or ApplicantKind.PERSON)
    if kind not in ApplicantKind.values:
        errors.setdefault("kind", []).append(_("Choose a person or an organisation."))
        kind = ApplicantKind.PERSON
    out = {"kind": kind, "full_name": text("full_name", NAME_MAX),
           "personal_id": "".join(str(applicant.get("personal_id") or "").split()),
           "address": text("address", ADDRESS_MAX),
           "phone": "".join(str(applicant.get("phone") or "").replace(".", " ").split()),
           "email": str(applicant.get("email") or "").strip().lower()}
    if not out["full_name"]:
        errors.setdefault("full_name", []).append(_("Enter the applicant's full name."))
    if kind == ApplicantKind.PERSON and not _PERSONAL_ID.match(out["personal_id"]):
        errors.setdefault("personal_id", []).append(
            _("The personal identification number has 12 digits."))
    if kind == ApplicantKind.ORGANISATION and not _TAX_CODE.match(out["personal_id"]):
        errors.setdefault("personal_id", []).append(
            _("The tax code has 10 digits, or 10 digits, a dash and 3 digits."))
    if not out["address"]:
        errors.setdefault("address", []).append(_("Enter the address."))
    if not _PHONE.match(out["phone"]):
        errors.setdefault("phone", []).append(
            _("Enter a Vietnamese phone number, e.g. 0912345678."))
    try:
        validate_email(out["email"])
        if len(out["email"]) > 254:
            raise ValidationError("too long")
    except ValidationError:
        errors.setdefault("email", []).append(
            _("Enter a valid e-mail address: the confirmation link is sent to it."))
    return out


@dataclass
class Submitted:
    submission: OnlineSubmission
    expires_at: dt.datetime


def online_submit(*, procedure_code: str, agency_id, applicant: dict, components: list[dict],
                  request_content: str = "", result_delivery: str = ResultDelivery.ONLINE,
                  email: str | None = None, language: str | None = None) -> Submitted:
    """Check and keep an online application, and e-mail its confirmation link.

    `applicant`: {"kind", "full_name", "personal_id", "address", "phone", "email"} (`email`, when
    given, overrides the applicant's); `components`: [{"code", "file": an upload or None}] (one
    per component of the procedure that has a file). Field errors are keyed by "procedure_code",
    "agency", "kind", "full_name", "personal_id", "address", "phone", "email",
    "request_content", "result_delivery" and "component:<code>"."""
    version = online_version(procedure_code)
    errors: dict[str, list[str]] = {}
    applicant = dict(applicant or {})
    if email is not None:
        applicant["email"] = email
    clean = _clean_applicant(applicant, errors)

    centres = {c.pk: c for c in receiving_centres(version.level)}
    try:
        agency = centres.get(int(agency_id)) if agency_id not in (None, "") else None
    except (TypeError, ValueError):
        agency = None
    if agency is None:
        errors.setdefault("agency", []).append(_("Choose the receiving centre."))
    request_content = str(request_content or "").strip()
    if len(request_content) > REQUEST_MAX:
        errors.setdefault("request_content", []).append(
            _("At most %(max)s characters.") % {"max": REQUEST_MAX})
    if result_delivery not in ResultDelivery.values:
        errors.setdefault("result_delivery", []).append(_("Choose how to receive the result."))

    wanted = {c.code: c for c in components_of(version)}
    uploads: dict[str, object] = {}
    for item in components or ():
        code = str(item.get("code") or "")
        if code not in wanted:
            errors.setdefault("components", []).append(
                _("Unknown component %(code)s.") % {"code": code[:40]})
        elif item.get("file") is not None:
            uploads[code] = item["file"]
    for code, comp in wanted.items():
        if comp.required and code not in uploads:
            errors.setdefault(f"component:{code}", []).append(
                _("Attach a scan or photo of this paper (PDF, JPEG or PNG)."))
    if errors:
        raise InvalidInput(_("Check the highlighted fields."), fields=errors)

    # Files last (the costly part), each checked by file_store; one bad file → nothing kept.
    stored: list[tuple[str, StoredFile]] = []
    try:
        for code, upload in uploads.items():
            try:
                stored.append((code, core_files.file_store(
                    actor=None, upload=upload, require=ACCEPTED_TYPES,
                    max_bytes=max_file_bytes())))
            except InvalidInput as err:
                errors.setdefault(f"component:{code}", []).extend(
                    err.fields.get("file") or [err.message])
        if errors:
            raise InvalidInput(_("Check the highlighted fields."), fields=errors)

        token = secrets.token_urlsafe(32)
        now = timezone.now()
        with transaction.atomic():
            submission = OnlineSubmission.objects.create(
                token_hash=token_hash(token), procedure=version.procedure, agency=agency,
                email=clean["email"], created_at=now,
                expires_at=now + dt.timedelta(hours=confirm_hours()),
                data={"version": version.pk, "applicant": clean,
                      "components": [{"code": code, "file": f.pk} for code, f in stored],
                      "request_content": request_content, "result_delivery": result_delivery,
                      "language": language or ""},
            )
            submission.files.set([f for _code, f in stored])
            audit_log(actor=None, action="onestop.online.submit", obj=submission,
                      details={"procedure": version.procedure.code, "agency": agency.pk,
                               "files": len(stored)})
    except BaseException:
        _discard(f for _code, f in stored)
        raise
    try:
        _send_confirmation(submission, token, version)
    except Exception as exc:
        log.exception("the confirmation e-mail of online submission %s failed", submission.pk)
        OnlineSubmission.objects.filter(pk=submission.pk).update(expires_at=timezone.now())
        raise AppError("mail_failed", _("The confirmation e-mail could not be sent. Check the "
                                        "address and try again later."),
                       fields={"email": [_("The e-mail could not be sent.")]},
                       status=503) from exc
    return Submitted(submission=submission, expires_at=submission.expires_at)


def _discard(stored_files) -> None:
    """Files stored for a submission that is not kept: their rows went with the rollback where
    they were inside it; the stored bytes and any committed rows go now."""
    for f in stored_files:
        name = f.file.name
        StoredFile.objects.filter(pk=f.pk).delete()
        try:
            default_storage.delete(name)
        except OSError:  # pragma: no cover - storage trouble; nothing refers to it
            log.warning("could not delete %s", name)


def _site(path: str) -> str:
    return f"{settings.EGOV_SITE_URL}{path}"


def _send_confirmation(submission: OnlineSubmission, token: str,
                       version: ProcedureVersion) -> None:
    link = _site(reverse("public:apply_confirm", kwargs={"token": token}))
    expires = calendar.localtime(submission.expires_at)
    body = _(
        "You applied online for the procedure “%(procedure)s” at %(agency)s.\n\n"
        "To send the application, confirm your e-mail address by opening this link before "
        "%(expires)s:\n\n%(link)s\n\n"
        "If you did not apply, ignore this e-mail: nothing is sent without the confirmation."
    ) % {"procedure": version.name, "agency": submission.agency.name, "link": link,
         "expires": expires.strftime("%H:%M %d/%m/%Y")}
    EmailMessage(subject=_("Confirm your online application"), body=body,
                 to=[submission.email]).send()


# --- confirm -----------------------------------------------------------------------------------


@dataclass
class Confirmed:
    dossier: object
    created: bool  # False: the link had been used already (the same dossier)


def online_confirm(*, token: str) -> Confirmed:
    """Turn the submission behind `token` into a dossier in state SUBMITTED (once)."""
    digest = token_hash(token)
    now = timezone.now()
    with transaction.atomic():
        submission = (OnlineSubmission.objects.select_for_update(no_key=True, of=("self",))
                      .select_related("procedure", "agency", "dossier")
                      .filter(token_hash=digest).first())
        if submission is None or not token:
            raise NotFound(_("This confirmation link is not valid. Open the link exactly as "
                             "it is in the e-mail, or apply again."), code="unknown_link")
        if submission.dossier_id is not None:
            return Confirmed(dossier=submission.dossier, created=False)
        if submission.expires_at <= now:
            raise AppError("link_expired",
                           _("This confirmation link has expired (it was valid for %(hours)s "
                             "hours). Apply again.") % {"hours": confirm_hours()}, status=410)
        data = submission.data
        version = records.version_in_force(submission.procedure,
                                           calendar.localtime(now).date())
        by_code = {c.code: c for c in components_of(version)}
        files = {f.pk: f for f in submission.files.all()}
        given = {c["code"]: files.get(c["file"]) for c in data.get("components", [])}
        components = [{"component": comp, "code": comp.code, "name": comp.name,
                       "copy_kind": comp.copy_kind, "count": comp.count,
                       "provided": given.get(code) is not None, "file": given.get(code)}
                      for code, comp in by_code.items()]
        dossier = records.dossier_create(
            actor=None, agency=submission.agency,
            competent_unit=version.competent_unit or submission.agency, version=version,
            channel="online", state=DossierState.SUBMITTED, applicant=data["applicant"],
            components=components, request_content=data.get("request_content", ""),
            result_delivery=data.get("result_delivery") or ResultDelivery.ONLINE,
            submitted_at=now)
        submission.confirmed_at = now
        submission.dossier = dossier
        submission.save(update_fields=["confirmed_at", "dossier"])
        records.event_write(dossier=dossier, kind="submitted", unit=submission.agency, at=now)
        audit_log(actor=None, action="onestop.online.confirm", obj=dossier,
                  details={"code": dossier.code, "submission": submission.pk})
        transaction.on_commit(lambda: _send_code(dossier, version))
    return Confirmed(dossier=dossier, created=True)


def _send_code(dossier, version: ProcedureVersion) -> None:
    """After the commit: the dossier's code and its look-up link (a failure is logged; the
    confirmation page shows the same)."""
    link = _site(reverse("public:dossier_token", kwargs={"token": dossier.public_token}))
    body = _(
        "Your online application for “%(procedure)s” has been sent to %(agency)s.\n\n"
        "Dossier code: %(code)s\n\n"
        "The one-stop desk will check it and tell you whether it is received. Follow its "
        "progress at:\n\n%(link)s"
    ) % {"procedure": version.name, "agency": dossier.agency.name, "code": dossier.code,
         "link": link}
    try:
        EmailMessage(subject=_("Dossier %(code)s sent") % {"code": dossier.code}, body=body,
                     to=[dossier.applicant_email]).send()
    except Exception:  # noqa: BLE001 - the page shows the code; the outbox is not ours
        log.exception("the code e-mail of dossier %s failed", dossier.code)
