"""Demo data of the documents module, for the FICTIONAL "tỉnh Minh Phong (mẫu)" of
egov.core.demo; called by `egov demo` after the core demo (its units and users must exist).

Everything goes through the real services, so the numbers, registers, trail, work items,
notifications and audit chain are what a real office would produce:

- the province committee's registers (created on first use by the services);
- four incoming documents registered by `vanthu`, each with a small real PDF (WeasyPrint):
  a quyết định assigned by `lanhdao` to the Văn phòng and passed on by `truongphong` to
  `chuyenvien`; a "Hỏa tốc" công văn waiting for the leader's instructions; a giấy mời
  assigned to the Văn phòng; a công văn asking for a report, answered by an issued công văn;
- two outgoing documents drafted by `chuyenvien`: a plan waiting for review (content step),
  and the reply công văn `<n>/UBND-VP`, reviewed, approved and issued by `vanthu`;
- the Danh mục hồ sơ of the current year with two files, the first one open and holding the
  request and its reply.

Every text says "(mẫu)". Idempotent: when the first demo document exists nothing is done; the
whole load is one transaction, so a failure leaves nothing half-made.
"""

from __future__ import annotations

import datetime as dt
import html

from django.db import transaction
from django.utils import timezone

from egov.core.models import OrgUnit, User

from .models import IncomingDocument, OutgoingDocument

PROVINCE_EID = "000.00.00.Z01"
OFFICE_EID = "000.01.00.Z01"
PEOPLE = ("vanthu", "lanhdao", "truongphong", "chuyenvien")

# The incoming documents, in the order they are registered (numbers 1..4 of the year).
INCOMING = [
    {
        "key": "plan_decision", "type_code": "QD", "type_name": "QUYẾT ĐỊNH",
        "issuer_name": "Bộ Nội vụ (mẫu)", "number": "1520", "notation": "QĐ-BNV",
        "days_ago": 4, "urgency": "normal", "channel": "electronic",
        "subject": "Về việc ban hành Kế hoạch kiểm tra công tác văn thư, lưu trữ năm 2027 "
                   "(mẫu)",
        "signer_name": "Nguyễn Văn Bình (mẫu)", "signer_position": "Thứ trưởng",
        "body": [
            "Căn cứ Nghị định số 30/2020/NĐ-CP ngày 05 tháng 3 năm 2020 của Chính phủ về công "
            "tác văn thư;",
            "Điều 1. Ban hành kèm theo Quyết định này Kế hoạch kiểm tra công tác văn thư, lưu "
            "trữ năm 2027 tại các bộ, ngành và địa phương (mẫu).",
            "Điều 2. Ủy ban nhân dân các tỉnh chuẩn bị hồ sơ, báo cáo theo Kế hoạch; Quyết "
            "định này có hiệu lực kể từ ngày ký.",
        ],
    },
    {
        "key": "storm", "type_code": "CV", "type_name": "",
        "issuer_name": "Văn phòng Chính phủ (mẫu)", "number": "4125", "notation": "VPCP-NN",
        "days_ago": 0, "urgency": "flash", "channel": "electronic",
        "subject": "V/v chủ động ứng phó khẩn cấp với bão số 5 (mẫu)",
        "signer_name": "Trần Thị Hoa (mẫu)", "signer_position": "Phó Chủ nhiệm",
        "body": [
            "Thủ tướng Chính phủ yêu cầu Chủ tịch Ủy ban nhân dân các tỉnh ven biển khẩn trương "
            "triển khai các biện pháp ứng phó với bão số 5, bảo đảm an toàn tính mạng và tài "
            "sản của Nhân dân (mẫu).",
            "Báo cáo kết quả thực hiện trước 16 giờ 00 ngày mai.",
        ],
    },
    {
        "key": "invitation", "type_code": "GM", "type_name": "GIẤY MỜI",
        "issuer_name": "Sở Tư pháp tỉnh Minh Phong (mẫu)", "number": "87", "notation": "GM-STP",
        "days_ago": 2, "urgency": "normal", "channel": "paper",
        "subject": "Mời dự Hội nghị tổng kết công tác phổ biến, giáo dục pháp luật năm 2026 "
                   "(mẫu)",
        "signer_name": "Lê Văn Cường (mẫu)", "signer_position": "Giám đốc",
        "body": [
            "Sở Tư pháp trân trọng kính mời đại diện lãnh đạo Văn phòng Ủy ban nhân dân tỉnh dự "
            "Hội nghị tổng kết công tác phổ biến, giáo dục pháp luật năm 2026 (mẫu).",
            "Thời gian: 08 giờ 00, thứ Năm tuần sau. Địa điểm: Hội trường Sở Tư pháp.",
        ],
    },
    {
        "key": "report_request", "type_code": "CV", "type_name": "",
        "issuer_name": "Bộ Nội vụ (mẫu)", "number": "5634", "notation": "BNV-VTLTNN",
        "days_ago": 6, "urgency": "urgent", "channel": "electronic",
        "subject": "V/v báo cáo tình hình thực hiện Nghị định số 30/2020/NĐ-CP năm 2026 (mẫu)",
        "signer_name": "Phạm Văn Dũng (mẫu)", "signer_position": "Cục trưởng",
        "body": [
            "Để tổng hợp báo cáo Chính phủ, Bộ Nội vụ đề nghị Ủy ban nhân dân các tỉnh báo cáo "
            "tình hình thực hiện Nghị định số 30/2020/NĐ-CP về công tác văn thư năm 2026, "
            "trong đó nêu rõ tỷ lệ văn bản điện tử được ký số và lập hồ sơ điện tử (mẫu).",
        ],
    },
]

REPLY_SUBJECT = "V/v báo cáo tình hình thực hiện Nghị định số 30/2020/NĐ-CP năm 2026 (mẫu)"
DRAFT_SUBJECT = ("Kế hoạch kiểm tra công tác văn thư, lưu trữ năm 2027 tại các sở, ban, ngành "
                 "(mẫu)")


def _pdf(*, issuer: str, code: str, place_date: str, type_name: str, subject: str,
         body: list[str], signer_position: str, signer_name: str) -> bytes:
    """A one-page document in the layout of NĐ 30/2020 Phụ lục I (issuer and national motto
    side by side, number and date, type name, subject, text, signature), marked "(mẫu)"."""
    from weasyprint import HTML

    e = html.escape
    heading = (f"<h1>{e(type_name)}</h1><p class='subject'>{e(subject)}</p>" if type_name
               else f"<p class='cv'>{e(subject)}</p>")
    paragraphs = "".join(f"<p>{e(p)}</p>" for p in body)
    signer = "<br>".join(e(line) for line in signer_position.upper().split("\n"))
    page = f"""<!doctype html><html lang="vi"><head><meta charset="utf-8"><style>
        @page {{ size: A4; margin: 20mm 15mm 20mm 30mm;
                 @bottom-center {{ content: "DỮ LIỆU MẪU — không có giá trị pháp lý";
                                   font-size: 9pt; color: #a00 }} }}
        body {{ font-family: "DejaVu Serif", "Liberation Serif", serif; font-size: 13pt;
                line-height: 1.35 }}
        table.head {{ width: 100%; border-collapse: collapse; font-size: 11pt }}
        table.head td {{ text-align: center; vertical-align: top }}
        table.head td:first-child {{ width: 42% }}
        .motto {{ font-weight: bold }} .code {{ margin-top: 6pt; white-space: pre }}
        .date {{ font-style: italic; margin-top: 6pt }}
        h1 {{ text-align: center; font-size: 14pt; margin: 18pt 0 0 }}
        .subject {{ text-align: center; font-weight: bold; margin-top: 2pt }}
        .cv {{ font-size: 12pt; width: 50%; text-align: center; margin: 4pt 0 14pt }}
        p {{ text-align: justify; margin: 6pt 0 }}
        .sign {{ margin-left: 55%; text-align: center; margin-top: 24pt }}
        .sign b {{ display: block; margin-bottom: 60pt }}
        </style></head><body>
        <table class="head"><tr>
          <td><b>{e(issuer.upper())}</b><div class="code">Số: {e(code)}</div></td>
          <td><div class="motto">CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM</div>
              <div class="motto">Độc lập - Tự do - Hạnh phúc</div>
              <div class="date">{e(place_date)}</div></td>
        </tr></table>
        {heading}{paragraphs}
        <div class="sign"><b>{signer}</b>{e(signer_name)}</div>
        </body></html>"""
    return HTML(string=page).write_pdf()


def _place_date(place: str, day: dt.date) -> str:
    return f"{place}, ngày {day.day:02d} tháng {day.month:02d} năm {day.year}"


def load_demo() -> dict[str, int]:
    """Load the documents demo once; returns how many documents (and signed demo documents) were created (0 when the demo
    is already there, or when the core demo organisation is missing)."""
    province = OrgUnit.objects.filter(electronic_id=PROVINCE_EID).first()
    office = OrgUnit.objects.filter(electronic_id=OFFICE_EID).first()
    users = {u.username: u for u in User.objects.filter(username__in=PEOPLE)}
    if province is None or office is None or len(users) != len(PEOPLE):
        return {"documents": 0}
    created = 0
    if not IncomingDocument.objects.filter(agency=province,
                                           subject=INCOMING[0]["subject"]).exists():
        with transaction.atomic():
            created = _load(province, office, users)
    return {"documents": created, "signed_documents": load_signed_documents()}


def _load(province: OrgUnit, office: OrgUnit, users: dict[str, User]) -> int:
    from .models import Assignment
    from .services import casefiles as cf_svc
    from .services import incoming as in_svc
    from .services import outgoing as out_svc

    clerk, leader = users["vanthu"], users["lanhdao"]
    head, officer = users["truongphong"], users["chuyenvien"]
    today = timezone.localdate()

    incoming: dict[str, IncomingDocument] = {}
    for spec in INCOMING:
        issued = today - dt.timedelta(days=spec["days_ago"])
        code = f"{spec['number']}/{spec['notation']}"
        pdf = _pdf(issuer=spec["issuer_name"], code=code,
                   place_date=_place_date("Hà Nội" if "Bộ" in spec["issuer_name"]
                                          or "Chính phủ" in spec["issuer_name"]
                                          else "Minh Phong", issued),
                   type_name=spec["type_name"], subject=spec["subject"], body=spec["body"],
                   signer_position=spec["signer_position"], signer_name=spec["signer_name"])
        incoming[spec["key"]] = in_svc.incoming_register(
            actor=clerk, agency=province, file=(f"{spec['key']}.pdf", pdf),
            data={"issuer_name": spec["issuer_name"], "number": spec["number"],
                  "notation": spec["notation"], "issued_date": issued.isoformat(),
                  "type_code": spec["type_code"], "subject": spec["subject"],
                  "signer_name": spec["signer_name"],
                  "signer_position": spec["signer_position"], "urgency": spec["urgency"],
                  "secrecy": "none", "page_count": 1, "channel": spec["channel"]})

    # The leader's instructions: the quyết định to the Văn phòng, passed on to the officer by
    # its head; the invitation and the request for a report to the Văn phòng. The "Hỏa tốc"
    # công văn stays waiting for instructions.
    in_svc.incoming_assign(
        actor=leader, document=incoming["plan_decision"],
        instruction="Giao Văn phòng chủ trì, tham mưu kế hoạch triển khai (mẫu).",
        assignments=[{"unit_id": office.pk, "role": "lead"}])
    lead = Assignment.objects.get(document=incoming["plan_decision"], assignee_unit=office,
                                  parent__isnull=True)
    in_svc.assignment_reassign(actor=head, assignment=lead, to_user_id=officer.pk,
                               instruction="Đề nghị đồng chí nghiên cứu, dự thảo kế hoạch "
                                           "(mẫu).")
    in_svc.incoming_assign(
        actor=leader, document=incoming["invitation"],
        instruction="Văn phòng cử đại diện dự (mẫu).",
        assignments=[{"unit_id": office.pk, "role": "lead"}])
    in_svc.incoming_assign(
        actor=leader, document=incoming["report_request"],
        instruction="Văn phòng tổng hợp, dự thảo báo cáo trình ký (mẫu).",
        assignments=[{"unit_id": office.pk, "role": "lead"}])

    # Outgoing: a plan drafted by the officer, waiting for the head's review of its content.
    draft_pdf = _pdf(issuer="Ủy ban nhân dân tỉnh Minh Phong (mẫu)", code="      /KH-UBND",
                     place_date=_place_date("Minh Phong", today), type_name="KẾ HOẠCH",
                     subject=DRAFT_SUBJECT.removeprefix("Kế hoạch ").capitalize(),
                     body=["I. MỤC ĐÍCH, YÊU CẦU", "Đánh giá việc thực hiện Nghị định số "
                           "30/2020/NĐ-CP tại các sở, ban, ngành (dự thảo, mẫu).",
                           "II. NỘI DUNG, THỜI GIAN KIỂM TRA", "Quý II năm 2027 (mẫu)."],
                     signer_position="KT. Chủ tịch\nPhó Chủ tịch",
                     signer_name=leader.full_name)
    draft = out_svc.outgoing_create(
        actor=officer, file=("du-thao-ke-hoach.pdf", draft_pdf),
        data={"drafting_unit_id": office.pk, "type_code": "KH", "subject": DRAFT_SUBJECT,
              "signer_id": leader.pk, "signer_capacity": "KT", "page_count": 1,
              "recipients": [{"name": "Các sở, ban, ngành tỉnh (mẫu)"}],
              "in_reply_to": [incoming["plan_decision"].pk]})
    out_svc.outgoing_submit(actor=officer, document=draft)

    # The reply to the request for a report: drafted, reviewed (content, format, signer) and
    # issued as <n>/UBND-VP; after the commit it completes the incoming document.
    reply_pdf = _pdf(issuer="Ủy ban nhân dân tỉnh Minh Phong (mẫu)", code="      /UBND-VP",
                     place_date=_place_date("Minh Phong", today), type_name="",
                     subject=REPLY_SUBJECT,
                     body=["Kính gửi: Bộ Nội vụ (mẫu).",
                           "Thực hiện Công văn số 5634/BNV-VTLTNN, Ủy ban nhân dân tỉnh Minh "
                           "Phong báo cáo: năm 2026, 100% văn bản đi được ký số và phát hành "
                           "trên hệ thống; 92% hồ sơ công việc được lập hồ sơ điện tử (số liệu "
                           "mẫu)."],
                     signer_position="KT. Chủ tịch\nPhó Chủ tịch",
                     signer_name=leader.full_name)
    reply = out_svc.outgoing_create(
        actor=officer, file=("bao-cao-nd30.pdf", reply_pdf),
        data={"drafting_unit_id": office.pk, "type_code": "CV", "subject": REPLY_SUBJECT,
              "signer_id": leader.pk, "signer_capacity": "KT", "page_count": 1,
              "recipients": [{"name": "Bộ Nội vụ (mẫu)"}],
              "in_reply_to": [incoming["report_request"].pk]})
    out_svc.outgoing_submit(actor=officer, document=reply)
    for actor, step in ((head, "content"), (clerk, "format"), (leader, "signer")):
        out_svc.outgoing_review(actor=actor, document=reply, step=step, decision="approved",
                                comment="Đồng ý (mẫu).")
    reply.refresh_from_db()
    out_svc.outgoing_issue(actor=clerk, document=reply, medium="paper")  # no digital signature

    # Danh mục hồ sơ of the year with two files; the first is open and holds the request
    # and its reply.
    plan = cf_svc.casefile_plan_create(
        actor=clerk, agency=province, year=today.year,
        title=f"Danh mục hồ sơ năm {today.year} của Ủy ban nhân dân tỉnh Minh Phong (mẫu)",
        approved_by="Chủ tịch Ủy ban nhân dân tỉnh (mẫu)")
    first = cf_svc.casefile_create(
        actor=clerk, agency=province, plan=plan, year=today.year, notation="01.VP",
        heading="I. Công tác văn thư, lưu trữ",
        title=f"Hồ sơ về thực hiện Nghị định số 30/2020/NĐ-CP năm {today.year} (mẫu)",
        retention_years=10, creator=officer)
    cf_svc.casefile_create(
        actor=clerk, agency=province, plan=plan, year=today.year, notation="02.VP",
        heading="II. Công tác phòng, chống thiên tai",
        title=f"Tập công văn chỉ đạo ứng phó bão, lũ năm {today.year} (mẫu)",
        retention_years=None, creator=officer)
    cf_svc.casefile_open(actor=clerk, case_file=first)
    cf_svc.casefile_add_document(actor=clerk, case_file=first,
                                 incoming=incoming["report_request"])
    cf_svc.casefile_add_document(actor=clerk, case_file=first, outgoing=reply)
    return len(incoming) + 2


# ---------------------------------------------------------------- signed documents

SIGN_WAITING_SUBJECT = ("Quyết định về việc ban hành Quy chế làm việc của Ủy ban nhân dân tỉnh "
                        "(mẫu, chờ ký số)")
SIGNED_SUBJECT = ("Quyết định về việc công bố danh mục thủ tục hành chính thực hiện trên Cổng "
                  "Dịch vụ công (mẫu, đã ký số)")


def load_signed_documents() -> int:
    """Two decisions for the signing demo: one approved and waiting for ``lanhdao``'s digital
    signature (the "Ký số" button), one signed by ``lanhdao`` and issued by ``vanthu`` with
    both digital signatures, the seal and the verification code (try it on /verify/). Needs
    the signing demo's certificates (egov.signing.demo, loaded before: signing comes before
    documents in INSTALLED_APPS); without them nothing is created."""
    from egov.signing.selectors import usable_certificate

    from .services import outgoing as out_svc
    from .signing_flow import sign_approval

    province = OrgUnit.objects.filter(electronic_id=PROVINCE_EID).first()
    office = OrgUnit.objects.filter(electronic_id=OFFICE_EID).first()
    users = {u.username: u for u in User.objects.filter(username__in=PEOPLE)}
    if province is None or office is None or len(users) != len(PEOPLE):
        return 0
    leader, clerk = users["lanhdao"], users["vanthu"]
    officer, head = users["chuyenvien"], users["truongphong"]
    if usable_certificate(user=leader) is None or OutgoingDocument.objects.filter(
            agency=province, subject__in=[SIGN_WAITING_SUBJECT, SIGNED_SUBJECT]).exists():
        return 0
    today = timezone.localdate()
    created = 0
    for subject, body, issue in (
            (SIGN_WAITING_SUBJECT, ["Điều 1. Ban hành kèm theo Quyết định này Quy chế làm việc "
                                    "của Ủy ban nhân dân tỉnh (mẫu).",
                                    "Điều 2. Quyết định này có hiệu lực kể từ ngày ký (mẫu)."],
             False),
            (SIGNED_SUBJECT, ["Điều 1. Công bố kèm theo Quyết định này danh mục thủ tục hành "
                              "chính thực hiện trên Cổng Dịch vụ công của tỉnh (mẫu).",
                              "Điều 2. Quyết định này có hiệu lực kể từ ngày ký (mẫu)."], True)):
        pdf = _pdf(issuer="Ủy ban nhân dân tỉnh Minh Phong (mẫu)",
                             code="      /QĐ-UBND",
                             place_date=_place_date("Minh Phong", today),
                             type_name="QUYẾT ĐỊNH",
                             subject=subject.removeprefix("Quyết định ").capitalize(),
                             body=body, signer_position="TM. Ủy ban nhân dân\nChủ tịch",
                             signer_name=leader.full_name)
        document = out_svc.outgoing_create(
            actor=officer, file=("quyet-dinh-mau.pdf", pdf),
            data={"drafting_unit_id": office.pk, "type_code": "QD", "subject": subject,
                  "signer_id": leader.pk, "signer_capacity": "TM", "page_count": 1,
                  "recipients": [{"name": "Các sở, ban, ngành tỉnh (mẫu)"}]})
        out_svc.outgoing_submit(actor=officer, document=document)
        for actor, step in ((head, "content"), (clerk, "format"), (leader, "signer")):
            out_svc.outgoing_review(actor=actor, document=document, step=step,
                                    decision="approved", comment="Đồng ý (mẫu).")
        document.refresh_from_db()
        if issue:
            sign_approval(actor=leader, document=document)
            document.refresh_from_db()
            out_svc.outgoing_issue(actor=clerk, document=document)
        created += 1
    return created
