"""Outgoing registers (sổ đăng ký văn bản đi) and the choice of the number series.

NĐ 30/2020/NĐ-CP, Điều 15 khoản 1 and Phụ lục I §II.3.a:

- each type of văn bản quy phạm pháp luật has its own series and carries the year in the number
  (`15/2024/QĐ-UBND`);
- copies (bản sao y, trích sao, sao lục) share one series of their own (`07/SY-UBND`);
- an advisory body (Hội đồng, Ban, Tổ) that issues in its own name with the agency's seal keeps
  its own series;
- for administrative documents the head of the agency chooses one shared series or series per
  type: a PER_TYPE register lists the types it numbers; every other type goes to the SHARED one.

Every series restarts at 01 on 1 January (core.numbering: the year is part of the key).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from egov.core import policy
from egov.core.audit import audit_log
from egov.core.errors import InvalidInput
from egov.core.models import OrgUnit

from ..models import Direction, DocumentType, Register, RegisterKind

MANAGE = "documents.manage_registers"

OUTGOING_KINDS = (RegisterKind.SHARED, RegisterKind.PER_TYPE, RegisterKind.LEGAL_NORMATIVE,
                  RegisterKind.ADVISORY, RegisterKind.COPY)

# Register names are data (Vietnamese, as in Phụ lục IV); the clerk may rename them.
SHARED_NAME = "Sổ đăng ký văn bản đi"
COPY_NAME = "Sổ đăng ký bản sao"
LEGAL_NORMATIVE_NAME = "Sổ đăng ký văn bản quy phạm pháp luật: {type}"

_UNSET: Any = object()


def _outgoing(agency: OrgUnit):
    return Register.objects.filter(agency=agency, direction=Direction.OUTGOING, is_active=True)


def _lock_agency(agency: OrgUnit) -> None:
    """Serialise the creation of an agency's registers (there is no unique constraint on a
    register's kind: an agency may keep several, but only one active SHARED/COPY)."""
    OrgUnit.objects.select_for_update(no_key=True).filter(pk=agency.pk).values_list("pk", flat=True).first()


def _get_or_create(agency: OrgUnit, kind: str, *, doc_type: DocumentType | None = None,
                   name: str, year_in_notation: bool = False) -> Register:
    def find():
        qs = _outgoing(agency).filter(kind=kind)
        if doc_type is not None:
            qs = qs.filter(document_types=doc_type)
        return qs.order_by("id").first()

    register = find()
    if register is not None:
        return register
    with transaction.atomic():
        _lock_agency(agency)
        register = find()  # another transaction may have created it while we waited
        if register is None:
            register = Register.objects.create(
                agency=agency, direction=Direction.OUTGOING, kind=kind, name=name[:200],
                year_in_notation=year_in_notation,
            )
            if doc_type is not None:
                register.document_types.add(doc_type)
            audit_log(actor=None, action="documents.register.create", obj=register,
                      details={"agency": agency.pk, "kind": kind, "name": register.name,
                               "types": [doc_type.code] if doc_type else [],
                               "default": True})
    return register


def outgoing_register_for(*, agency: OrgUnit, doc_type: DocumentType, advisory_body: str = "",
                          copy: bool = False) -> Register:
    """The register (and so the number series) an outgoing document of `doc_type` issued by
    `agency` is numbered in. Default registers are created on first use."""
    if doc_type.is_legal_normative:
        return _get_or_create(
            agency, RegisterKind.LEGAL_NORMATIVE, doc_type=doc_type,
            name=LEGAL_NORMATIVE_NAME.format(type=doc_type.name), year_in_notation=True,
        )
    if copy or doc_type.is_copy:
        return _get_or_create(agency, RegisterKind.COPY, name=COPY_NAME)
    advisory_body = (advisory_body or "").strip()
    if advisory_body:
        register = (_outgoing(agency).filter(kind=RegisterKind.ADVISORY,
                                             issuer_abbreviation=advisory_body)
                    .order_by("id").first())
        if register is None:
            message = _("No register is configured for the advisory body %(name)s.") % {
                "name": advisory_body}
            raise InvalidInput(message, code="no_register", fields={"advisory_body": [message]})
        return register
    per_type = (_outgoing(agency).filter(kind=RegisterKind.PER_TYPE, document_types=doc_type)
                .order_by("id").first())
    if per_type is not None:
        return per_type
    return _get_or_create(agency, RegisterKind.SHARED, name=SHARED_NAME)


# --- configuration by the clerk -------------------------------------------------------------------


def _add(errors: dict[str, list[str]], name: str, message: str) -> None:
    errors.setdefault(name, []).append(str(message))


def _text(value, name: str, errors, *, required: bool, max_length: int) -> str:
    if value is None:
        value = ""
    if not isinstance(value, str):
        _add(errors, name, _("Enter text."))
        return ""
    value = value.strip()
    if required and not value:
        _add(errors, name, _("This field is required."))
    elif len(value) > max_length:
        _add(errors, name, _("At most %(max)d characters.") % {"max": max_length})
    return value


def _types(codes, errors) -> list[DocumentType]:
    if isinstance(codes, str) or not isinstance(codes, Iterable):
        _add(errors, "document_types", _("Send a list of document type codes."))
        return []
    codes = list(codes)
    if not all(isinstance(c, str) for c in codes):
        _add(errors, "document_types", _("Send a list of document type codes."))
        return []
    found = {t.code: t for t in DocumentType.objects.filter(code__in=codes)}
    unknown = [c for c in codes if c not in found]
    if unknown:
        _add(errors, "document_types", _("Unknown document type: %(codes)s.")
             % {"codes": ", ".join(unknown)})
    return [found[c] for c in dict.fromkeys(codes) if c in found]


def _check_config(agency: OrgUnit, kind: str, types: list[DocumentType], issuer: str,
                  errors, *, exclude: int | None = None) -> None:
    """The rules of a consistent configuration (each type numbered in exactly one series)."""
    others = _outgoing(agency)
    if exclude is not None:
        others = others.exclude(pk=exclude)
    if kind == RegisterKind.PER_TYPE:
        if not types:
            _add(errors, "document_types", _("List the document types this register numbers."))
        bad = [t.code for t in types if t.is_legal_normative or t.is_copy]
        if bad:
            _add(errors, "document_types",
                 _("Legal normative documents and copies have registers of their own: %(codes)s.")
                 % {"codes": ", ".join(bad)})
        taken = sorted(set(others.filter(kind=RegisterKind.PER_TYPE,
                                         document_types__in=types)
                           .values_list("document_types__code", flat=True))
                       & {t.code for t in types})
        if taken:
            _add(errors, "document_types",
                 _("These types are already numbered in another register: %(codes)s.")
                 % {"codes": ", ".join(taken)})
    elif kind == RegisterKind.LEGAL_NORMATIVE:
        if len(types) != 1 or not types[0].is_legal_normative:
            _add(errors, "document_types",
                 _("A legal normative register numbers exactly one legal normative type."))
        elif others.filter(kind=kind, document_types=types[0]).exists():
            _add(errors, "document_types", _("This type already has a register."))
    elif kind == RegisterKind.ADVISORY:
        if not issuer:
            _add(errors, "issuer_abbreviation",
                 _("Give the abbreviation the advisory body uses in its notations."))
        elif others.filter(kind=kind, issuer_abbreviation=issuer).exists():
            _add(errors, "issuer_abbreviation",
                 _("Another register already uses this abbreviation."))
        if types:
            _add(errors, "document_types", _("An advisory body's register numbers every type."))
    elif kind in (RegisterKind.SHARED, RegisterKind.COPY):
        if types:
            _add(errors, "document_types", _("This register numbers every type; list none."))
        if others.filter(kind=kind).exists():
            _add(errors, "kind", _("The agency already has an active register of this kind."))


def _audit_register(register: Register) -> dict:
    return {"agency": register.agency_id, "kind": register.kind, "name": register.name,
            "types": sorted(register.document_types.values_list("code", flat=True)),
            "issuer_abbreviation": register.issuer_abbreviation,
            "year_in_notation": register.year_in_notation, "is_active": register.is_active}


def register_create(*, actor, agency: OrgUnit, kind: str, name: str,
                    document_types: Iterable[str] = (), issuer_abbreviation: str = "") -> Register:
    """Configure an outgoing register of `agency` (documents.manage_registers there)."""
    if not isinstance(agency, OrgUnit) or agency.pk is None:
        raise InvalidInput(_("Choose an existing agency."),
                           fields={"agency_id": [_("Choose an existing agency.")]})
    policy.require(actor, MANAGE, agency)
    errors: dict[str, list[str]] = {}
    if not agency.is_agency:
        _add(errors, "agency_id", _("Registers belong to an agency, not to a division."))
    if kind not in OUTGOING_KINDS:
        _add(errors, "kind", _("Choose one of: %(values)s.")
             % {"values": ", ".join(str(k) for k in OUTGOING_KINDS)})
    name = _text(name, "name", errors, required=True, max_length=200)
    issuer = _text(issuer_abbreviation, "issuer_abbreviation", errors, required=False,
                   max_length=32)
    types = _types(document_types, errors)
    if errors:
        raise InvalidInput(_("Check the highlighted fields."), fields=errors)
    with transaction.atomic():
        _lock_agency(agency)
        _check_config(agency, kind, types, issuer, errors)
        if errors:
            raise InvalidInput(_("Check the highlighted fields."), fields=errors)
        register = Register.objects.create(
            agency=agency, direction=Direction.OUTGOING, kind=kind, name=name,
            issuer_abbreviation=issuer if kind == RegisterKind.ADVISORY else "",
            year_in_notation=kind == RegisterKind.LEGAL_NORMATIVE,
        )
        register.document_types.set(types)
        audit_log(actor=actor, action="documents.register.create", obj=register,
                  details=_audit_register(register))
    return register


def register_update(*, actor, register: Register, name: str = _UNSET,
                    document_types: Iterable[str] = _UNSET, issuer_abbreviation: str = _UNSET,
                    is_active: bool = _UNSET) -> Register:
    """Rename, re-list the types of, or close an outgoing register. The kind never changes (the
    series belongs to it); numbers already given keep their register."""
    policy.require(actor, MANAGE, register.agency)
    if register.direction != Direction.OUTGOING:
        raise InvalidInput(_("Only outgoing registers are configured here."), code="wrong_register")
    errors: dict[str, list[str]] = {}
    changes: dict[str, Any] = {}
    if name is not _UNSET:
        changes["name"] = _text(name, "name", errors, required=True, max_length=200)
    if issuer_abbreviation is not _UNSET:
        changes["issuer_abbreviation"] = _text(issuer_abbreviation, "issuer_abbreviation",
                                               errors, required=False, max_length=32)
    if is_active is not _UNSET:
        if not isinstance(is_active, bool):
            _add(errors, "is_active", _("Enter true or false."))
        else:
            changes["is_active"] = is_active
    types = None
    if document_types is not _UNSET:
        types = _types(document_types, errors)
    if errors:
        raise InvalidInput(_("Check the highlighted fields."), fields=errors)
    with transaction.atomic():
        _lock_agency(register.agency)
        register = Register.objects.select_for_update(no_key=True).get(pk=register.pk)
        before = _audit_register(register)
        for key, value in changes.items():
            setattr(register, key, value)
        if register.is_active:
            current_types = (types if types is not None
                             else list(register.document_types.all()))
            _check_config(register.agency, register.kind, current_types,
                          register.issuer_abbreviation, errors, exclude=register.pk)
            if errors:
                raise InvalidInput(_("Check the highlighted fields."), fields=errors)
        register.save()
        if types is not None:
            register.document_types.set(types)
        after = _audit_register(register)
        audit_log(actor=actor, action="documents.register.update", obj=register,
                  details={"changed": {k: [before[k], after[k]] for k in after
                                       if before[k] != after[k]}})
    return register
