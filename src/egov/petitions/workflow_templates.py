"""The default texts of the messages to petitioners on state changes (seeded into core
MessageTemplate rows by migration 0005_workflow_templates; administrators edit them in the
admin afterwards). Variables (workflow_notify.message_context): code, status, agency,
received_at, due_at, date, extension_days. Only the code, the new status and dates: never the
content, never the identity — not even the petitioner's name (a notice may be read by others)."""

from __future__ import annotations

BASIS = ("Luật Khiếu nại 02/2011/QH13; Luật Tố cáo 25/2018/QH14; Luật Tiếp công dân "
         "42/2013/QH13; TT 05/2021/TT-TTCP")
_VARS = "code, status, agency, received_at, due_at, date, extension_days"

_FOOT_VI = "\n\nĐây là thông báo tự động của {{ agency }}; vui lòng không trả lời thư này."
_FOOT_EN = "\n\nThis is an automatic notice from {{ agency }}; please do not reply."


def _t(subject_vi, body_vi, sms_vi, subject_en, body_en, sms_en):
    return {("email", "vi"): (subject_vi, "Kính gửi Ông/Bà,\n\n" + body_vi + _FOOT_VI),
            ("email", "en"): (subject_en, "Dear Sir or Madam,\n\n" + body_en + _FOOT_EN),
            ("sms", "vi"): ("", sms_vi), ("sms", "en"): ("", sms_en)}


# (code, legal basis, texts)
TEMPLATES = [
    ("petitions.accepted", f"{BASIS}; NĐ 124/2020 Mẫu 03", _t(
        "Đơn {{ code }} đã được thụ lý",
        "Đơn mã số {{ code }} (nhận ngày {{ received_at }}) đã được thụ lý giải quyết ngày "
        "{{ date }}.\nTrạng thái: {{ status }}.\n"
        "{% if due_at %}Thời hạn giải quyết: {{ due_at }}.{% endif %}",
        "Don {{ code }} da duoc thu ly ngay {{ date }}.{% if due_at %} Han giai quyet: "
        "{{ due_at }}.{% endif %}",
        "Petition {{ code }} accepted",
        "Petition {{ code }} (received on {{ received_at }}) was accepted for resolution on "
        "{{ date }}.\nStatus: {{ status }}.\n"
        "{% if due_at %}Deadline: {{ due_at }}.{% endif %}",
        "Petition {{ code }} accepted on {{ date }}.{% if due_at %} Deadline: {{ due_at }}."
        "{% endif %}")),
    ("petitions.not_accepted", f"{BASIS}; NĐ 124/2020 Mẫu 04", _t(
        "Đơn {{ code }} không được thụ lý",
        "Đơn mã số {{ code }} (nhận ngày {{ received_at }}) không được thụ lý (ngày "
        "{{ date }}). Thông báo nêu căn cứ pháp lý được gửi kèm theo đường văn bản.\n"
        "Trạng thái: {{ status }}.",
        "Don {{ code }} khong duoc thu ly (ngay {{ date }}).",
        "Petition {{ code }} not accepted",
        "Petition {{ code }} (received on {{ received_at }}) was not accepted on {{ date }}. "
        "The notice citing the legal ground is sent separately.\nStatus: {{ status }}.",
        "Petition {{ code }} not accepted ({{ date }}).")),
    ("petitions.transferred", f"{BASIS}, Điều 14", _t(
        "Đơn {{ code }} đã được chuyển hoặc hướng dẫn",
        "Đơn mã số {{ code }} (nhận ngày {{ received_at }}) không thuộc thẩm quyền giải quyết "
        "của {{ agency }}; ngày {{ date }} đơn đã được chuyển đến cơ quan có thẩm quyền hoặc "
        "Ông/Bà được hướng dẫn gửi đến cơ quan có thẩm quyền.\nTrạng thái: {{ status }}.",
        "Don {{ code }} da duoc chuyen/huong dan den co quan co tham quyen ngay {{ date }}.",
        "Petition {{ code }} transferred or guided",
        "Petition {{ code }} (received on {{ received_at }}) is outside the competence of "
        "{{ agency }}; on {{ date }} it was forwarded to the competent body, or you were "
        "guided to it.\nStatus: {{ status }}.",
        "Petition {{ code }} forwarded or guided to the competent body on {{ date }}.")),
    ("petitions.extended", f"{BASIS}; Luật Tố cáo Điều 30; NĐ 31/2019 Mẫu 01", _t(
        "Gia hạn giải quyết đơn {{ code }}",
        "Thời hạn giải quyết đơn mã số {{ code }} được gia hạn {{ extension_days }} ngày "
        "(quyết định ngày {{ date }}).\nThời hạn mới: {{ due_at }}.",
        "Don {{ code }} duoc gia han giai quyet; han moi: {{ due_at }}.",
        "Petition {{ code }}: time limit extended",
        "The time limit for petition {{ code }} was extended by {{ extension_days }} days "
        "(decision of {{ date }}).\nNew deadline: {{ due_at }}.",
        "Petition {{ code }} extended; new deadline {{ due_at }}.")),
    ("petitions.resolved", BASIS, _t(
        "Đơn {{ code }} đã có kết quả giải quyết",
        "Đơn mã số {{ code }} (nhận ngày {{ received_at }}) đã có kết quả giải quyết ngày "
        "{{ date }}. Văn bản giải quyết được gửi đến Ông/Bà theo quy định.\n"
        "Trạng thái: {{ status }}.",
        "Don {{ code }} da co ket qua giai quyet ngay {{ date }}.",
        "Petition {{ code }} resolved",
        "Petition {{ code }} (received on {{ received_at }}) was resolved on {{ date }}. The "
        "decision or conclusion is sent to you as the law provides.\nStatus: {{ status }}.",
        "Petition {{ code }} resolved on {{ date }}.")),
    ("petitions.closed", BASIS, _t(
        "Hồ sơ đơn {{ code }} đã kết thúc",
        "Việc xử lý đơn mã số {{ code }} (nhận ngày {{ received_at }}) đã kết thúc ngày "
        "{{ date }}.\nTrạng thái: {{ status }}.",
        "Don {{ code }} da ket thuc xu ly ngay {{ date }}.",
        "Petition {{ code }} closed",
        "The handling of petition {{ code }} (received on {{ received_at }}) ended on "
        "{{ date }}.\nStatus: {{ status }}.",
        "Petition {{ code }} closed on {{ date }}.")),
]


def template_rows() -> list[dict]:
    rows = []
    for code, legal, texts in TEMPLATES:
        for (channel, language), (subject, body) in texts.items():
            rows.append({"code": code, "channel": channel, "language": language,
                         "subject": subject, "body": body, "legal_basis": legal,
                         "notes": f"Variables: {_VARS}."})
    return rows
