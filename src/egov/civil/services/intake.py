"""The registrar's intake of one-stop dossiers (issue 13): a registration arrives as a one-stop
dossier of a civil-status procedure (the one-stop catalogue holds them, with their legal time:
same day, a receipt after 15:00 the next working day — Luật Hộ tịch 2014, Điều 5.3; the
promised time is one-stop's `due_at`, computed by its rules and the working-day calendar).

- :func:`on_dossier_changed` (a subscriber of egov.onestop.hooks, inside the dossier's
  transaction): once the desk has handed the dossier on (state `processing`: the registrar's
  step), a :class:`~egov.civil.models.CivilIntake` row puts it in the intake list of the
  competent commune; every later change updates its state and promised time.
- :func:`intake_register`: the registrar registers the event (records.register_birth / _death /
  _marriage, with the law's checks), links it to the dossier and records the dossier's result
  through one-stop's service (paper result, the book's entry number) — all in one transaction:
  a refusal of the law leaves the dossier open and nothing written.
"""

from __future__ import annotations

from collections.abc import Mapping

from django.db import transaction
from django.utils.translation import gettext as _

from egov.core import policy
from egov.core.audit import audit_log
from egov.core.errors import AppError, InvalidInput, NotFound
from egov.core.models import FAR_FUTURE
from egov.core.pagination import Page, keyset_page
from egov.onestop.services import processing

from ..models import CivilEvent, CivilIntake, Person
from . import records

# The one-stop procedures (catalogue codes, onestop/catalogue_seed.py) whose result is an
# entry in a civil-status book: Đăng ký khai sinh, khai tử, kết hôn (Luật Hộ tịch 2014,
# Điều 16, 18, 34). Cấp Giấy xác nhận tình trạng hôn nhân (1.004873) writes no event in a book:
# it is not in this list (docs/civil.md). Đăng ký kết hôn có yếu tố nước ngoài (2.000806; the
# commune's since 1/7/2025, NĐ 120/2025) registers a marriage with a foreign element.
PROCEDURES = {"1.001193": "birth", "1.000656": "death", "1.000894": "marriage",
              "2.000806": "marriage"}
FOREIGN_PROCEDURES = {"2.000806"}
AT_REGISTRAR = ("processing",)  # the desk handed it on: the registrar's step
OPEN = ("received", "processing", "supplement")


def register_result_actions() -> None:
    """Let the registrar (civil.register on the commune) record these dossiers' result."""
    for code in PROCEDURES:
        processing.register_result_action(code, records.REGISTER)


def on_dossier_changed(*, dossier, event=None) -> None:
    kind = PROCEDURES.get(dossier.procedure.code)
    if kind is None:
        return
    fields = {"dossier_state": dossier.state, "due_at": dossier.due_at,
              "due_sort": dossier.due_at or FAR_FUTURE, "received_at": dossier.received_at}
    if CivilIntake.objects.filter(dossier=dossier).update(**fields):
        return
    if dossier.state in AT_REGISTRAR:
        CivilIntake.objects.create(dossier=dossier, commune=dossier.competent_unit, kind=kind,
                                   code=dossier.code, **fields)


LIST_ORDER = ("due_sort", "id")
PAGE_SIZE = 50


def intake_list(*, actor, pending: bool = True):
    """The intake rows of the communes the actor registers in, the nearest deadline first (no
    promised time: last); `pending`: not registered yet and the dossier still open."""
    qs = CivilIntake.objects.filter(policy.unit_q(actor, records.REGISTER, field="commune"))
    if pending:
        qs = qs.filter(event__isnull=True, dossier_state__in=OPEN)
    return qs.select_related("commune").order_by(*LIST_ORDER)


def intake_page(*, actor, cursor: str | None = None, limit: int | None = None) -> Page:
    """One page of `intake_list` (core.pagination: keyset, never a count of all rows, the same
    number of queries on every page); a bad cursor → 422 `bad_cursor`."""
    return keyset_page(intake_list(actor=actor), order=LIST_ORDER, cursor=cursor,
                       limit=max(1, min(limit or PAGE_SIZE, 200)))


def intake_get(*, actor, pk) -> CivilIntake:
    row = None
    if isinstance(pk, int) and not isinstance(pk, bool) and 0 < pk < 2**63:
        row = CivilIntake.objects.select_related("dossier", "commune").filter(pk=pk).first()
    if row is None or not policy.can(actor, records.REGISTER, row.commune):
        raise NotFound(_("There is no such dossier in your intake."))
    audit_log(actor=actor, action="civil.person.read", obj=row, details={"intake": row.pk})
    return row


def _applicant_record(row: CivilIntake) -> Person | None:
    pid = row.dossier.applicant_id
    if not pid or len(pid) != 12:
        return None
    return Person.objects.filter(personal_id=pid, commune=row.commune,
                                 death_date__isnull=True).first()


def prefill(row: CivilIntake) -> dict:
    """What the dossier already says: the declarant (the applicant), and the applicant's record
    as the mother / father (birth) or the wife / husband (marriage) when the applicant's
    personal ID names a living record of the commune."""
    data: dict = {"declarant": row.dossier.applicant_name}
    person = _applicant_record(row)
    if person is not None:
        role = {("birth", "female"): "mother", ("birth", "male"): "father",
                ("marriage", "female"): "wife", ("marriage", "male"): "husband"}.get(
            (row.kind, person.sex))
        if role:
            data[role] = {"id": person.pk}
    return data


def intake_register(*, actor, pk, data: Mapping) -> CivilEvent:
    """Register the dossier's event from `data` (the fields of the birth, death or marriage
    API: child/mother/father, person/death_date, husband/wife/both_present) and complete the
    dossier with it as the result."""
    if not isinstance(data, Mapping):
        raise InvalidInput(_("Check the marked fields."))
    with transaction.atomic():
        row = intake_get(actor=actor, pk=pk)
        row = CivilIntake.objects.select_for_update().select_related("dossier").get(pk=row.pk)
        if row.event_id is not None:
            raise AppError("already_registered",
                           _("This dossier's event is registered already."), status=409)
        if row.dossier_state not in AT_REGISTRAR:
            raise AppError("invalid_state", _("The dossier is not at the registrar's step."),
                           status=409)
        details = {"dossier": row.code, "declarant": row.dossier.applicant_name[:200]}
        common = {"actor": actor, "commune_id": row.commune_id, "details": details,
                  "registered_on": data.get("registered_on")}
        if row.kind == "birth":
            event = records.register_birth(child=data.get("child"), mother=data.get("mother"),
                                           father=data.get("father"), **common)
        elif row.kind == "death":
            event = records.register_death(person=data.get("person"),
                                           death_date=data.get("death_date"), **common)
        else:
            foreign = row.dossier.procedure.code in FOREIGN_PROCEDURES
            event = records.register_marriage(husband=data.get("husband"),
                                              wife=data.get("wife"),
                                              both_present=data.get("both_present", True),
                                              foreign_element=foreign, **common)
        row.event = event
        row.save(update_fields=["event"])
        number = f"Số {event.entry_number}, Quyển số {event.book.number:02d}/{event.book.year}"
        processing.dossier_resolve(actor=actor, code=row.code, medium="paper", number=number,
                                   note=str(event.book))
        audit_log(actor=actor, action="civil.intake.register", obj=row,
                  details={"intake": row.pk, "event": event.pk})
    return event
