"""Reception sessions — the sổ tiếp công dân (Mẫu 03/TCD, NĐ 154/2026; Luật TCD 42/2013).

- :func:`session_open` — a session of the agency: regular reception, or the leader's periodic
  reception day (Luật TCD Art.18: the chairman of a commune committee receives citizens at
  least one day a month), with the leader, the place and the officer;
- :func:`visit_record` — one row of the register (13 columns; the number from the numbering
  kernel, per agency and year, gapless). A visit either creates a petition (through
  `services.intake.receive_at_desk`, which stores the identity apart), attaches to an existing
  one, or — refused (with its ground, NĐ 154/2026 Art.4; Luật TCD Art.9) or guided orally —
  keeps the visitor's identity in `VisitorIdentity`, never on the visit row.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from egov.core import calendar, numbering
from egov.core.audit import audit_log
from egov.core.errors import AppError, PermissionDenied
from egov.core.models import OrgUnit, User

from ..models import (
    Channel,
    Petition,
    ReceptionSession,
    ReceptionVisit,
    SessionKind,
    VisitorIdentity,
)
from ..redaction import redact
from . import intake
from . import intake_check as check

# NĐ 154/2026 Art.4 (and Luật TCD Art.9): grounds for refusing to receive a visitor.
REFUSAL_GROUNDS = {
    "drunk": "Người trong tình trạng say do dùng chất kích thích, người mắc bệnh tâm thần "
             "hoặc bệnh khác làm mất khả năng nhận thức (Luật TCD Điều 9.1)",
    "threat": "Có hành vi đe dọa, xúc phạm, vi phạm nội quy nơi tiếp công dân "
              "(Luật TCD Điều 9.2)",
    "settled": "Vụ việc đã giải quyết đúng chính sách, pháp luật, đã được kiểm tra, rà soát "
               "và thông báo bằng văn bản (Luật TCD Điều 9.3)",
    "weapons": "Mang theo vũ khí, vật liệu nổ, công cụ hỗ trợ (NĐ 154/2026 Điều 4)",
    "security": "Không chấp hành kiểm tra an ninh (NĐ 154/2026 Điều 4)",
    "recording": "Ghi âm, ghi hình trái phép (NĐ 154/2026 Điều 4)",
    "incitement": "Kích động, lôi kéo người khác (NĐ 154/2026 Điều 4)",
    "capacity": "Không có năng lực hành vi dân sự và không có người đại diện hợp pháp "
                "(NĐ 154/2026 Điều 4)",
    "representative": "Người đại diện không có giấy tờ chứng minh (NĐ 154/2026 Điều 4)",
    "scope": "Nội dung không thuộc phạm vi tiếp công dân (NĐ 154/2026 Điều 4)",
    "answered": "Kiến nghị, phản ánh đã được trả lời, không có nội dung mới "
                "(NĐ 154/2026 Điều 4)",
    "court": "Vụ việc đã có bản án, quyết định có hiệu lực của Tòa án (NĐ 154/2026 Điều 4)",
    "elsewhere": "Vụ việc đang được cơ quan có thẩm quyền khác giải quyết (NĐ 154/2026 Điều 4)",
}


def _may_receive(actor, agency: OrgUnit) -> bool:
    return intake.may_receive(actor, agency)


def session_open(*, actor, agency: OrgUnit, kind: str = SessionKind.REGULAR,
                 day: dt.date | None = None, place: str = "", leader_id=None,
                 note: str = "") -> ReceptionSession:
    if not _may_receive(actor, agency):
        raise PermissionDenied()
    errors: check.Errors = {}
    if kind not in SessionKind.values:
        check.add(errors, "kind", _("Choose one of: %(values)s.") % {
            "values": ", ".join(SessionKind.values)})
    if day is None:
        day = timezone.localdate()
    if not isinstance(day, dt.date):
        check.add(errors, "day", _("Enter a valid date."))
    place = check.text(place, "place", errors, max_length=255)
    note = check.text(note, "note", errors, max_length=2000)
    leader = None
    if leader_id not in (None, ""):
        leader = User.objects.filter(pk=leader_id if str(leader_id).isdigit() else 0,
                                     is_active=True).first()
        if leader is None:
            check.add(errors, "leader", _("Choose a person."))
    if kind == SessionKind.LEADER and leader is None and "leader" not in errors:
        check.add(errors, "leader", _("Name the leader who receives citizens on this day."))
    check.fail(errors)
    with transaction.atomic():
        session = ReceptionSession.objects.create(agency=agency, kind=kind, day=day,
                                                  place=place, leader=leader, officer=actor,
                                                  note=note)
        audit_log(actor=actor, action="petition.session.open", obj=session,
                  details={"agency": agency.pk, "kind": kind, "day": day.isoformat(),
                           "leader": leader.pk if leader else None})
    return session


def _bool_or_none(value, name, errors):
    if value in (None, ""):
        return None
    if not isinstance(value, bool):
        check.add(errors, name, _("Answer true or false."))
        return None
    return value


def visit_record(*, actor, session: ReceptionSession, visitor: dict | None = None,
                 others=None, summary="", kind="", people=None, oral: bool = False,
                 previous_body="", competent=None, guided_to="", forwarded_to="",
                 follow_up="", note="", refused: bool = False, refusal_ground="",
                 create_petition: bool = False, petition_code="", letter_scans=(),
                 attachments=()) -> ReceptionVisit:
    """Record one visit in the register (see the module docstring). `visitor`: {"full_name",
    "personal_id", "phone", "email", "address"}; `create_petition`: the content (`summary`, the
    statement as written down when `oral`) becomes a petition received by the actor;
    `petition_code`: the visit is about an existing petition of the agency."""
    agency = session.agency
    if not _may_receive(actor, agency):
        raise PermissionDenied()
    if session.closed_at is not None:
        raise AppError("invalid_state", _("This reception session is closed."), status=409)
    errors: check.Errors = {}
    ident = check.identity(visitor or {}, errors, prefix="visitor")
    people_list = check.others(others, errors)
    summary = check.text(summary, "summary", errors, required=True, max_length=20000)
    kind = check.kind(kind, "kind", errors)
    if people in (None, ""):
        people = 1 + len(people_list)
    if isinstance(people, bool) or not isinstance(people, int) or not 1 <= people <= 10000:
        check.add(errors, "people", _("Enter a whole number from 1 to 10000."))
        people = 1
    texts = {name: check.text(value, name, errors, max_length=255) for name, value in (
        ("previous_body", previous_body), ("guided_to", guided_to),
        ("forwarded_to", forwarded_to))}
    follow_up = check.text(follow_up, "follow_up", errors, max_length=2000)
    note = check.text(note, "note", errors, max_length=2000)
    competent = _bool_or_none(competent, "competent", errors)
    existing = None
    if refused:
        # NĐ 154/2026 Art.4: the ground is recorded (and given in Mẫu 01/TCD when required).
        if refusal_ground not in REFUSAL_GROUNDS:
            check.add(errors, "refusal_ground", _("Choose the ground for refusing."))
        if create_petition or petition_code:
            check.add(errors, "create_petition",
                      _("A refused visit does not create or attach a petition."))
    if create_petition and petition_code:
        check.add(errors, "petition_code", _("Either create a petition or name one, not both."))
    if petition_code:
        existing = Petition.objects.filter(code=str(petition_code).strip()[:64],
                                           agency=agency).first()
        if existing is None:
            check.add(errors, "petition_code", _("No petition of this agency has this code."))
    check.fail(errors)
    with transaction.atomic():
        locked = ReceptionSession.objects.select_for_update(no_key=True).get(pk=session.pk)
        if locked.closed_at is not None:
            raise AppError("invalid_state", _("This reception session is closed."), status=409)
        year = calendar.localtime(timezone.now()).year
        number = numbering.sequence_next(scope=f"petitions.reception:{agency.pk}",
                                         series="03/TCD", year=year)
        identity_for_redaction = {**ident, "others": people_list}
        visit = ReceptionVisit.objects.create(
            session=locked, number=number, summary=redact(summary, identity_for_redaction),
            kind=kind, people=people, oral=bool(oral), competent=competent,
            follow_up=redact(follow_up, identity_for_redaction),
            note=redact(note, identity_for_redaction), refused=bool(refused),
            refusal_ground=REFUSAL_GROUNDS.get(refusal_ground, "") if refused else "",
            officer=actor, petition=existing, **texts)
        if create_petition:
            intake.receive_at_desk(
                actor=actor, agency=agency, channel=Channel.RECEPTION, identity=ident,
                others=people_list, content=summary, kind=kind, oral=bool(oral),
                signers=people, letter_scans=letter_scans, attachments=attachments,
                visit=visit)
        else:
            VisitorIdentity.objects.create(
                visit=visit, full_name=ident["full_name"], personal_id=ident["personal_id"],
                address=ident["address"], others=people_list)
        audit_log(actor=actor, action="petition.visit.record", obj=visit,
                  details={"session": locked.pk, "number": number, "refused": bool(refused),
                           "petition": visit.petition_id})
    return visit


def session_close(*, actor, session: ReceptionSession) -> ReceptionSession:
    if not _may_receive(actor, session.agency):
        raise PermissionDenied()
    with transaction.atomic():
        locked = ReceptionSession.objects.select_for_update(no_key=True).get(pk=session.pk)
        if locked.closed_at is not None:
            raise AppError("invalid_state", _("This reception session is closed."), status=409)
        locked.closed_at = timezone.now()
        locked.save(update_fields=["closed_at"])
        audit_log(actor=actor, action="petition.session.close", obj=locked,
                  details={"visits": locked.visits.count()})
    return locked
