"""The acknowledgement sent to whoever e-mailed a petition (i11-mail): seeded into core
MessageTemplate rows by migration petitions 0003_mail, registered as the outbox's defaults in
apps.py; administrators edit the rows afterwards.

Variables: code, check, agency, received_at, lookup_url. Only the code, the check and dates —
never the content of the letter, never the sender's identity beyond the address it goes to
(Luật Tố cáo 25/2018 Art.47.2).
"""

from __future__ import annotations

# services.md §2.1–2.2, §2.5. Whether Art.3a (online reception) covers e-mailed letters is
# UNVERIFIED; the acknowledgement is a courtesy, not the Mẫu 02/TCD receipt.
LEGAL = ("Luật Tiếp công dân 42/2013 (Art.3a thêm bởi Luật 136/2025); NĐ 154/2026 Art.12; "
         "Luật Tố cáo 25/2018 Art.47")
_VARS = "code, check, agency, received_at, lookup_url"

TEMPLATES = [
    ("petitions.mail_ack", {
        ("email", "vi"): (
            "Đã nhận đơn của Ông/Bà – mã tra cứu {{ code }}",
            "{{ agency }} đã nhận được thư điện tử gửi đơn của Ông/Bà lúc {{ received_at }}.\n\n"
            "Mã tra cứu: {{ code }}\n"
            "Mã kiểm tra: {{ check }}\n\n"
            "Ông/Bà dùng hai mã này để tra cứu tình trạng xử lý đơn tại {{ lookup_url }}.\n"
            "Đơn sẽ được vào sổ và xử lý theo quy định của pháp luật về tiếp công dân, "
            "khiếu nại, tố cáo.\n\n"
            "Nếu cần bổ sung, Ông/Bà trả lời thư này; nội dung trả lời sẽ được gắn vào đơn.\n\n"
            "Đây là thư tự động."),
        ("email", "en"): (
            "Your petition was received – look-up code {{ code }}",
            "{{ agency }} received your petition by e-mail at {{ received_at }}.\n\n"
            "Look-up code: {{ code }}\n"
            "Check: {{ check }}\n\n"
            "Use both to follow its handling at {{ lookup_url }}.\n"
            "The petition will be registered and handled under the law on citizen reception, "
            "complaints and denunciations.\n\n"
            "To add anything, reply to this e-mail; your reply will be attached to the "
            "petition.\n\n"
            "This is an automatic message."),
    }),
]


def template_rows() -> list[dict]:
    rows = []
    for code, texts in TEMPLATES:
        for (channel, language), (subject, body) in texts.items():
            rows.append({"code": code, "channel": channel, "language": language,
                         "subject": subject, "body": body, "legal_basis": LEGAL,
                         "notes": f"Variables: {_VARS}."})
    return rows
