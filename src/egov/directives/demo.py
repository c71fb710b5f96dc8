"""Demo data of the directives module, for the FICTIONAL "tỉnh Minh Phong (mẫu)" of
egov.core.demo; called by `egov demo` after the core demo (its units and users must exist).

The provincial leader `lanhdao` gives directives to the provincial office (Văn phòng UBND
tỉnh), whose head `truongphong` carries them out (and splits one to the officer
`chuyenvien`), with the departments supporting. A few in each of the four buckets, made
through the real services (codes, events, inbox items):

- chưa hoàn thành trong hạn: in progress (one with a supporting unit's own deadline, one split
  into a part for `chuyenvien`, one with an extension request awaiting the leader);
- chưa hoàn thành quá hạn: overdue (one reported done, awaiting the leader's acceptance);
- hoàn thành đúng hạn: reported done and accepted before the deadline;
- hoàn thành quá hạn: accepted after the deadline (one had its extension approved only after
  the deadline had passed, so it stays late).

Every title says "(mẫu)". Idempotent: nothing is made when the leader already gave a
directive in the province.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from egov.core.models import OrgUnit, User

from .models import Directive

PROVINCE, OFFICE, JUSTICE, HOME_AFFAIRS, CENTRE = (
    "000.00.00.Z01", "000.01.00.Z01", "000.02.00.Z01", "000.03.00.Z01", "000.04.00.Z01")


def load_demo() -> dict[str, int]:
    units = {u.electronic_id: u for u in OrgUnit.objects.filter(
        electronic_id__in=[PROVINCE, OFFICE, JUSTICE, HOME_AFFAIRS, CENTRE])}
    users = {u.username: u for u in User.objects.filter(
        username__in=["lanhdao", "truongphong", "chuyenvien"])}
    if len(units) < 5 or len(users) < 3:
        raise RuntimeError("the core demo (egov.core.demo) must be loaded first")
    if Directive.objects.filter(agency=units[PROVINCE], given_by=users["lanhdao"]).exists():
        return {"directives": 0}
    with transaction.atomic():
        made = _directives(units, users)
    return {"directives": made}


def _directives(units, users) -> int:
    from .services import completion, extensions, progress
    from .services.records import directive_create

    leader, head, officer = users["lanhdao"], users["truongphong"], users["chuyenvien"]
    office = units[OFFICE]
    today = timezone.localdate()

    def day(n: int) -> dt.date:
        return today + dt.timedelta(days=n)

    def give(title, *, given=-3, due=20, support=(), inform=(), lead=None, **kw):
        return directive_create(
            actor=leader, title=f"{title} (mẫu)", lead=lead or {"unit_id": office.pk},
            content=kw.pop("content", "Nội dung nhiệm vụ (dữ liệu mẫu, hư cấu)."),
            given_on=day(given), due_date=day(due), support=list(support),
            inform=[{"unit_id": units[e].pk} for e in inform], **kw)

    def report(d, pct, text):
        progress.progress_report(actor=head, directive_id=d.pk, percent=pct, text=text)

    def finish(d, text):
        completion.completion_report(actor=head, directive_id=d.pk, result_text=text)
        completion.completion_accept(actor=leader, directive_id=d.pk, note="Đồng ý kết quả.")

    made = []
    # --- chưa hoàn thành trong hạn (open, in time) ---
    d = give("Tham mưu báo cáo tình hình kinh tế - xã hội tháng", due=12, priority="high",
             support=[{"unit_id": units[HOME_AFFAIRS].pk, "due_date": day(7).isoformat()}],
             inform=[CENTRE], source_kind="meeting",
             source_text="Thông báo kết luận phiên họp thường kỳ UBND tỉnh (mẫu)",
             guidance="Tổng hợp số liệu của các sở, ngành; trình trước ngày họp.")
    report(d, 40, "Đã tổng hợp số liệu của 8/15 sở, ngành.")
    made.append(d)
    d = give("Rà soát, đơn giản hóa thủ tục hành chính nội bộ", due=25,
             support=[{"unit_id": units[JUSTICE].pk}])
    directive_create(actor=head, parent=d, title="Lập danh mục thủ tục nội bộ cần rà soát (mẫu)",
                     lead={"user_id": officer.pk}, due_date=day(15))
    made.append(d)
    d = give("Chuẩn bị nội dung hội nghị tổng kết công tác năm", due=5)
    report(d, 20, "Đang xây dựng đề cương báo cáo.")
    extensions.extension_request(actor=head, directive_id=d.pk,
                                 reason="Chờ số liệu cả năm của các sở, ngành.",
                                 proposed_date=day(15))
    made.append(d)
    # --- chưa hoàn thành quá hạn (open, overdue) ---
    d = give("Tổng hợp kiến nghị của cử tri gửi kỳ họp Hội đồng nhân dân tỉnh", given=-40, due=-10,
             support=[{"unit_id": units[JUSTICE].pk}])
    report(d, 60, "Đã tổng hợp; đang chờ ý kiến của Sở Tư pháp.")
    made.append(d)
    d = give("Báo cáo kết quả thực hiện quy chế dân chủ ở cơ sở", given=-30, due=-3)
    completion.completion_report(actor=head, directive_id=d.pk,
                                 result_text="Đã hoàn thành báo cáo, trình lãnh đạo xem xét.")
    made.append(d)
    # --- hoàn thành đúng hạn (done on time) ---
    d = give("Xây dựng lịch công tác tháng của lãnh đạo UBND tỉnh", given=-10, due=3)
    finish(d, "Đã ban hành lịch công tác tháng.")
    made.append(d)
    d = give("Rà soát danh mục văn bản quy phạm pháp luật hết hiệu lực", given=-20, due=10,
             lead={"unit_id": office.pk})
    report(d, 70, "Đã rà soát xong lĩnh vực nội vụ, tư pháp.")
    finish(d, "Đã rà soát đủ các lĩnh vực; danh mục kèm theo.")
    made.append(d)
    # --- hoàn thành quá hạn (done late) ---
    d = give("Hoàn thiện quy chế làm việc của Văn phòng", given=-45, due=-5)
    finish(d, "Quy chế đã được hoàn thiện và trình ký.")
    made.append(d)
    d = give("Báo cáo công tác phòng, chống thiên tai", given=-30, due=-8)
    extensions.extension_request(actor=head, directive_id=d.pk,
                                 reason="Một số địa phương chưa gửi báo cáo.",
                                 proposed_date=day(2))
    req = d.extensions.get()
    extensions.extension_decide(actor=leader, directive_id=d.pk, request_id=req.pk,
                                approve=True, note="Đồng ý gia hạn.")
    finish(d, "Đã gửi báo cáo tổng hợp.")
    made.append(d)
    return len(made)
