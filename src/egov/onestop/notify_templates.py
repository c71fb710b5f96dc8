"""The default texts of the messages to applicants (seeded into core MessageTemplate rows by the
migration onestop 0004_notify_templates; administrators edit them in the admin afterwards).

Variables (egov.onestop.notify.message_context): code, procedure, agency, applicant, received_at,
due_at, new_date, missing (list), missing_text, reason, lookup_url. Only what the applicant gave
(their name) and the dossier's own data: no ID number, no address.

Legal basis: NĐ 118/2025/NĐ-CP Điều 19 (receipt and appointment; supplement guidance "một lần
duy nhất"; refusal with reasons), Điều 21–22 (apology and new date before the deadline), TT
03/2025/TT-VPCP Mẫu 01–05 (services.md §1.3–1.4).
"""

from __future__ import annotations

ND118 = "NĐ 118/2025/NĐ-CP (sửa đổi bởi NĐ 309/2026/NĐ-CP); TT 03/2025/TT-VPCP"

_VARS = ("code, procedure, agency, applicant, received_at, due_at, new_date, missing, "
         "missing_text, reason, lookup_url")

# (code, legal basis, {(channel, language): (subject, body)})
TEMPLATES: list[tuple[str, str, dict[tuple[str, str], tuple[str, str]]]] = [
    ("onestop.receipt", f"{ND118}, Mẫu 01", {
        ("email", "vi"): (
            "Hồ sơ {{ code }} đã được tiếp nhận",
            "Kính gửi {{ applicant }},\n\n"
            "{{ agency }} đã tiếp nhận hồ sơ “{{ procedure }}” của Ông/Bà.\n"
            "Mã số hồ sơ: {{ code }}\n"
            "Thời điểm tiếp nhận: {{ received_at }}\n"
            "Hẹn trả kết quả: {{ due_at }}\n\n"
            "Tra cứu tình trạng hồ sơ: {{ lookup_url }}\n\n"
            "Đây là thư tự động, xin không trả lời thư này."),
        ("email", "en"): (
            "Dossier {{ code }} received",
            "Dear {{ applicant }},\n\n"
            "{{ agency }} has received your dossier “{{ procedure }}”.\n"
            "Dossier code: {{ code }}\n"
            "Received at: {{ received_at }}\n"
            "Result promised by: {{ due_at }}\n\n"
            "Follow your dossier: {{ lookup_url }}\n\n"
            "This is an automatic message; please do not reply."),
        ("sms", "vi"): (
            "",
            "Ho so {{ code }} da duoc tiep nhan. Hen tra ket qua: {{ due_at }}. "
            "Tra cuu: {{ lookup_url }}"),
        ("sms", "en"): (
            "",
            "Dossier {{ code }} received. Result promised by {{ due_at }}. "
            "Follow it: {{ lookup_url }}"),
    }),
    ("onestop.guidance", f"{ND118}, Mẫu 02", {
        ("email", "vi"): (
            "Hướng dẫn bổ sung hồ sơ “{{ procedure }}”",
            "Kính gửi {{ applicant }},\n\n"
            "Hồ sơ “{{ procedure }}” của Ông/Bà chưa đầy đủ. Xin bổ sung một lần các giấy tờ "
            "sau:\n{% for item in missing %}- {{ item }}\n{% endfor %}\n"
            "{% if reason %}Ghi chú: {{ reason }}\n\n{% endif %}"
            "Thời hạn giải quyết được tính từ khi hồ sơ đầy đủ được tiếp nhận.\n\n"
            "{{ agency }}"),
        ("email", "en"): (
            "What your dossier “{{ procedure }}” still needs",
            "Dear {{ applicant }},\n\n"
            "Your dossier “{{ procedure }}” is incomplete. Please bring, all at once:\n"
            "{% for item in missing %}- {{ item }}\n{% endfor %}\n"
            "{% if reason %}Note: {{ reason }}\n\n{% endif %}"
            "The processing time runs from the receipt of the complete dossier.\n\n"
            "{{ agency }}"),
        ("sms", "vi"): (
            "",
            "Ho so {{ procedure }} chua day du, can bo sung: {{ missing_text }}. {{ agency }}"),
        ("sms", "en"): (
            "",
            "Your dossier {{ procedure }} is incomplete; please bring: {{ missing_text }}. "
            "{{ agency }}"),
    }),
    ("onestop.supplement", f"{ND118}, Mẫu 02", {
        ("email", "vi"): (
            "Hồ sơ {{ code }}: đề nghị bổ sung giấy tờ",
            "Kính gửi {{ applicant }},\n\n"
            "Để tiếp tục giải quyết hồ sơ {{ code }} (“{{ procedure }}”), đề nghị Ông/Bà bổ "
            "sung:\n{% for item in missing %}- {{ item }}\n{% endfor %}\n"
            "{% if reason %}Lý do: {{ reason }}\n\n{% endif %}"
            "Thời gian chờ bổ sung không tính vào thời hạn giải quyết; ngày hẹn trả mới sẽ "
            "được báo khi nhận đủ giấy tờ.\n\n"
            "Tra cứu: {{ lookup_url }}\n\n{{ agency }}"),
        ("email", "en"): (
            "Dossier {{ code }}: supplement requested",
            "Dear {{ applicant }},\n\n"
            "To go on with your dossier {{ code }} (“{{ procedure }}”), please supply:\n"
            "{% for item in missing %}- {{ item }}\n{% endfor %}\n"
            "{% if reason %}Reason: {{ reason }}\n\n{% endif %}"
            "The waiting time does not count against the deadline; you will be told the new "
            "date when the supplement arrives.\n\n"
            "Follow your dossier: {{ lookup_url }}\n\n{{ agency }}"),
        ("sms", "vi"): (
            "",
            "Ho so {{ code }} can bo sung: {{ missing_text }}. Tra cuu: {{ lookup_url }}"),
        ("sms", "en"): (
            "",
            "Dossier {{ code }} needs: {{ missing_text }}. Follow it: {{ lookup_url }}"),
    }),
    ("onestop.supplement_received", ND118, {
        ("email", "vi"): (
            "Hồ sơ {{ code }}: đã nhận giấy tờ bổ sung",
            "Kính gửi {{ applicant }},\n\n"
            "Đã nhận đủ giấy tờ bổ sung của hồ sơ {{ code }}. Hẹn trả kết quả mới: "
            "{{ due_at }}.\n\nTra cứu: {{ lookup_url }}\n\n{{ agency }}"),
        ("email", "en"): (
            "Dossier {{ code }}: supplement received",
            "Dear {{ applicant }},\n\n"
            "The supplement to your dossier {{ code }} has been received. New promised date: "
            "{{ due_at }}.\n\nFollow your dossier: {{ lookup_url }}\n\n{{ agency }}"),
        ("sms", "vi"): (
            "",
            "Ho so {{ code }} da nhan bo sung. Hen tra moi: {{ due_at }}. {{ lookup_url }}"),
        ("sms", "en"): (
            "",
            "Dossier {{ code }}: supplement received. New date: {{ due_at }}. {{ lookup_url }}"),
    }),
    ("onestop.apology", f"{ND118}, Mẫu 04", {
        ("email", "vi"): (
            "Hồ sơ {{ code }}: xin lỗi và hẹn lại ngày trả kết quả",
            "Kính gửi {{ applicant }},\n\n"
            "{{ agency }} thành thật xin lỗi Ông/Bà: hồ sơ {{ code }} (“{{ procedure }}”) "
            "không giải quyết được đúng hẹn {{ due_at }}.\n"
            "{% if reason %}Lý do: {{ reason }}\n{% endif %}"
            "Thời gian hẹn trả kết quả mới: {{ new_date }}.\n\n"
            "Tra cứu: {{ lookup_url }}"),
        ("email", "en"): (
            "Dossier {{ code }}: our apology and a new date",
            "Dear {{ applicant }},\n\n"
            "{{ agency }} apologises: your dossier {{ code }} (“{{ procedure }}”) will not be "
            "ready by {{ due_at }} as promised.\n"
            "{% if reason %}Reason: {{ reason }}\n{% endif %}"
            "New date: {{ new_date }}.\n\n"
            "Follow your dossier: {{ lookup_url }}"),
        ("sms", "vi"): (
            "",
            "Xin loi: ho so {{ code }} tre hen. Hen tra moi: {{ new_date }}. {{ lookup_url }}"),
        ("sms", "en"): (
            "",
            "We apologise: dossier {{ code }} is late. New date: {{ new_date }}. "
            "{{ lookup_url }}"),
    }),
    ("onestop.result", ND118, {
        ("email", "vi"): (
            "Hồ sơ {{ code }} đã có kết quả",
            "Kính gửi {{ applicant }},\n\n"
            "Hồ sơ {{ code }} (“{{ procedure }}”) đã có kết quả. Mời Ông/Bà nhận kết quả theo "
            "hình thức đã đăng ký.\n\nTra cứu: {{ lookup_url }}\n\n{{ agency }}"),
        ("email", "en"): (
            "The result of dossier {{ code }} is ready",
            "Dear {{ applicant }},\n\n"
            "The result of your dossier {{ code }} (“{{ procedure }}”) is ready; it is "
            "delivered the way you chose.\n\nFollow your dossier: {{ lookup_url }}\n\n"
            "{{ agency }}"),
        ("sms", "vi"): ("", "Ho so {{ code }} da co ket qua. Tra cuu: {{ lookup_url }}"),
        ("sms", "en"): ("", "The result of dossier {{ code }} is ready. {{ lookup_url }}"),
    }),
    ("onestop.refusal", f"{ND118}, Mẫu 03", {
        ("email", "vi"): (
            "Hồ sơ “{{ procedure }}” không được tiếp nhận",
            "Kính gửi {{ applicant }},\n\n"
            "{{ agency }} không tiếp nhận hồ sơ “{{ procedure }}” của Ông/Bà.\n"
            "Lý do: {{ reason }}\n"),
        ("email", "en"): (
            "Dossier “{{ procedure }}” not accepted",
            "Dear {{ applicant }},\n\n"
            "{{ agency }} cannot accept your dossier “{{ procedure }}”.\n"
            "Reason: {{ reason }}\n"),
        ("sms", "vi"): ("", "Ho so {{ procedure }} khong duoc tiep nhan: {{ reason }}"),
        ("sms", "en"): ("", "Dossier {{ procedure }} not accepted: {{ reason }}"),
    }),
    ("onestop.stop", f"{ND118}, Mẫu 05", {
        ("email", "vi"): (
            "Hồ sơ {{ code }} đã dừng xử lý",
            "Kính gửi {{ applicant }},\n\n"
            "Theo đề nghị của Ông/Bà, hồ sơ {{ code }} (“{{ procedure }}”) đã dừng xử lý.\n"
            "{% if reason %}Lý do: {{ reason }}\n{% endif %}\n{{ agency }}"),
        ("email", "en"): (
            "Dossier {{ code }} stopped",
            "Dear {{ applicant }},\n\n"
            "At your request, the processing of dossier {{ code }} (“{{ procedure }}”) has "
            "stopped.\n{% if reason %}Reason: {{ reason }}\n{% endif %}\n{{ agency }}"),
        ("sms", "vi"): ("", "Ho so {{ code }} da dung xu ly theo de nghi cua Ong/Ba."),
        ("sms", "en"): ("", "Dossier {{ code }} has been stopped at your request."),
    }),
]


def template_rows() -> list[dict]:
    """The default templates as MessageTemplate field values."""
    rows = []
    for code, legal, texts in TEMPLATES:
        for (channel, language), (subject, body) in texts.items():
            rows.append({"code": code, "channel": channel, "language": language,
                         "subject": subject, "body": body, "legal_basis": legal,
                         "notes": f"Variables: {_VARS}."})
    return rows
