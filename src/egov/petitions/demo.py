"""Demo data of the petitions module, for the FICTIONAL "tỉnh Minh Phong (mẫu)" of
egov.core.demo; called by `egov demo` after the core demo (its units and users must exist).

- one account: `tiepdanxa`, the petition officer (cán bộ tiếp công dân) of the demo commune
  "xã An Phú (mẫu)"; the commune's leader `lanhdaoxa` (one-stop demo) is the head of the agency
  when present;
- petitions of each kind from the portal, the reception desk (one written down from an oral
  statement, with a co-petitioner), the one-stop counter and the post, made through the real
  intake services (codes, checks, receipts, events, identity apart);
- one reception session (the leader's periodic reception day) with a visit that became a
  petition and a refused one.

Every name says "(mẫu)". Idempotent: the user is found by username; the petitions are made once
(when the commune has none), in one transaction.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from egov.core.demo import DEMO_PASSWORD
from egov.core.models import OrgUnit, Position, Role, User

from .models import Channel, Petition, SessionKind

COMMUNE_EID = "000.00.10.Z01"

# username: (full name, title, roles, description)
ACCOUNTS = {
    "tiepdanxa": ("Lý Thị Tiếp Dân (mẫu)", "Công chức tiếp công dân xã",
                  ["petition_officer"], "petition officer (commune)"),
}
# `egov demo` prints these with the core accounts: (username, description, title, full name).
DEMO_ACCOUNTS = [(u, desc, title, name) for u, (name, title, _r, desc) in ACCOUNTS.items()]

PEOPLE = [
    {"full_name": "Đinh Văn Bảo (mẫu)", "personal_id": "001080000101", "phone": "0912000101",
     "email": "bao.dinh@demo.egov.localhost", "address": "Thôn Đông, xã An Phú (mẫu)"},
    {"full_name": "Mai Thị Cúc (mẫu)", "personal_id": "001085000102", "phone": "0912000102",
     "email": "", "address": "Thôn Tây, xã An Phú (mẫu)"},
    {"full_name": "Tạ Quang Dũng (mẫu)", "personal_id": "", "phone": "0912000103",
     "email": "dung.ta@demo.egov.localhost", "address": "Thôn Nam, xã An Phú (mẫu)"},
]


def _users(commune: OrgUnit) -> dict[str, User]:
    roles = {r.code: r for r in Role.objects.all()}
    users = {}
    for username, (full_name, title, role_codes, _desc) in ACCOUNTS.items():
        user = User.objects.filter(username=username).first()
        if user is None:
            user = User(username=username, full_name=full_name, is_demo=True,
                        email=f"{username}@demo.egov.localhost")
            user.set_password(DEMO_PASSWORD)
            user.save()
            pos = Position.objects.create(user=user, org_unit=commune, title=title)
            pos.roles.set([roles[c] for c in role_codes if c in roles])
        users[username] = user
    return users


def _petitions(commune: OrgUnit, officer: User) -> int:
    from .services import intake, reception

    made = 0
    for person, kind, content in [
        (PEOPLE[0], "feedback", "Phản ánh (mẫu): đèn chiếu sáng đường liên thôn bị hỏng nhiều "
                                "tuần, đề nghị xã sửa chữa."),
        (PEOPLE[2], "", "Đề nghị (mẫu) xem xét việc cấp giấy chứng nhận quyền sử dụng đất "
                        "chậm so với giấy hẹn."),
    ]:
        intake.submit_online(**person, content=content, kind=kind, agency_id=commune.pk)
        made += 1
    desk = [
        (Channel.RECEPTION, PEOPLE[1], "denunciation", True,
         [{"full_name": "Mai Văn Hải (mẫu)", "role": "cùng nội dung"}],
         "Tố cáo (mẫu): cán bộ địa chính thôn nhận tiền để xác nhận nguồn gốc đất không đúng "
         "sự thật."),
        (Channel.RECEPTION, PEOPLE[0], "complaint", False, [],
         "Khiếu nại (mẫu) quyết định xử phạt vi phạm hành chính về trật tự xây dựng số "
         "12/QĐ-XPHC (mẫu)."),
        (Channel.ONESTOP, PEOPLE[2], "proposal", False, [],
         "Kiến nghị (mẫu): bố trí thêm ngày tiếp nhận hồ sơ buổi chiều thứ Bảy."),
        (Channel.POST, PEOPLE[1], "feedback", False, [],
         "Phản ánh (mẫu) gửi qua bưu điện: rác thải tồn đọng tại chợ xã."),
    ]
    for channel, person, kind, oral, others, content in desk:
        intake.receive_at_desk(actor=officer, agency=commune, channel=channel,
                               identity=person, others=others, content=content, kind=kind,
                               oral=oral)
        made += 1
    leader = User.objects.filter(username="lanhdaoxa").first()
    session = reception.session_open(
        actor=officer, agency=commune, kind=SessionKind.LEADER if leader else SessionKind.REGULAR,
        day=timezone.localdate() - dt.timedelta(days=1), place="Phòng tiếp công dân xã (mẫu)",
        leader_id=leader.pk if leader else None, note="Ngày tiếp công dân định kỳ (mẫu)")
    reception.visit_record(
        actor=officer, session=session, visitor=PEOPLE[2], kind="complaint", oral=True,
        summary="Khiếu nại (mẫu) việc thu hồi đất làm đường, trình bày trực tiếp.",
        competent=True, create_petition=True)
    reception.visit_record(
        actor=officer, session=session, visitor={"full_name": "Người đến (mẫu)"},
        summary="Yêu cầu (mẫu) đã được giải quyết và thông báo bằng văn bản.",
        refused=True, refusal_ground="settled")
    return made + 1


def load_demo() -> dict[str, int]:
    commune = OrgUnit.objects.filter(electronic_id=COMMUNE_EID).first()
    if commune is None:
        raise RuntimeError("the core demo (egov.core.demo) must be loaded first")
    with transaction.atomic():
        users = _users(commune)
    if Petition.objects.filter(agency=commune).exists():
        return {"petitions": 0}
    with transaction.atomic():
        made = _petitions(commune, users["tiepdanxa"])
    Petition.objects.filter(agency=commune).update(is_demo=True)
    return {"petitions": made}
