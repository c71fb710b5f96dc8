"""The e-mail parser on its own (i11-mail): charsets it cannot know, 8-bit headers, HTML, an
attached message, automatic-message detection, threading ids."""

from __future__ import annotations

from egov.petitions.mailparse import html_to_text, parse


def _raw(headers: str, body: bytes, content_type="text/plain; charset=utf-8") -> bytes:
    return (headers.strip().replace("\n", "\r\n").encode("utf-8") + b"\r\nMIME-Version: 1.0"
            + f"\r\nContent-Type: {content_type}\r\n\r\n".encode() + body)


def test_unknown_charset_falls_back_to_utf8_and_8bit_headers_are_read():
    raw = _raw("From: Phạm Văn Đức <duc@example.vn>\nSubject: Đề nghị cấp nước sạch\n"
               "Message-ID: <a@b.vn>",
               "Xóm tôi thiếu nước sạch đã ba tháng.".encode(),
               content_type="text/plain; charset=x-khong-ro")
    m = parse(raw)
    assert m.subject == "Đề nghị cấp nước sạch"
    assert (m.from_name, m.from_addr) == ("Phạm Văn Đức", "duc@example.vn")
    assert m.text == "Xóm tôi thiếu nước sạch đã ba tháng."


def test_broken_encoded_word_charset_and_control_characters():
    raw = _raw("From: x@example.vn\nSubject: =?x-unknown?q?ch=C3=A0o?= b\u202eản\n"
               "Message-ID: <c@d.vn>", "dòng 1\r\nd\x07òng 2\u202e".encode())
    m = parse(raw)
    assert "\u202e" not in m.subject and "\u202e" not in m.text and "\x07" not in m.text
    assert m.text == "dòng 1\ndòng 2"


def test_html_to_text_keeps_paragraphs_drops_scripts_and_styles():
    html = ("<p>Một</p><div>Hai&nbsp;<b>ba</b></div><style>.x{}</style><script>y()</script>"
            "<table><tr><td>bốn</td><td>năm</td></tr></table>")
    assert html_to_text(html) == "Một\n\nHai ba\n\nbốn năm"


def test_attached_message_is_one_eml_attachment():
    inner = _raw("From: a@b.vn\nSubject: Thư chuyển tiếp\nMessage-ID: <inner@b.vn>",
                 "Nội dung thư gốc".encode())
    outer = (b"From: c@d.vn\r\nSubject: Fwd\r\nMessage-ID: <outer@d.vn>\r\nMIME-Version: 1.0\r\n"
             b"Content-Type: multipart/mixed; boundary=zz\r\n\r\n--zz\r\n"
             b"Content-Type: text/plain; charset=utf-8\r\n\r\n" + "Chuyển tiếp đơn".encode()
             + b"\r\n--zz\r\nContent-Type: message/rfc822\r\n\r\n" + inner + b"\r\n--zz--\r\n")
    m = parse(outer)
    assert m.text == "Chuyển tiếp đơn"
    (name, data), = m.attachments
    assert name.endswith(".eml") and b"Message-ID: <inner@b.vn>" in data


def test_threading_ids_nearest_first_without_itself():
    m = parse(_raw("From: a@b.vn\nMessage-ID: <3@x>\nIn-Reply-To: <2@x>\n"
                   "References: <1@x> <2@x> <3@x>", b"x"))
    assert m.thread_ids() == ["<2@x>", "<1@x>"]


def test_automatic_messages_are_recognised():
    def reason(headers: str, content_type="text/plain") -> str:
        return parse(_raw(headers, b"x", content_type)).auto_reason

    assert reason("From: a@b.vn\nAuto-Submitted: auto-generated") == "auto-submitted"
    assert reason("From: a@b.vn\nAuto-Submitted: no") == ""
    assert reason("From: a@b.vn\nPrecedence: junk") == "precedence"
    assert reason("From: a@b.vn\nX-Autoreply: yes") == "auto-responder"
    assert reason("From: a@b.vn\nList-Unsubscribe: <mailto:u@b.vn>") == "list"
    assert reason("From: postmaster@b.vn") == "bounce"
    assert reason("From: a@b.vn", "multipart/report; report-type=delivery-status") == "bounce"
    assert reason("From: Nguyễn An <an@b.vn>") == ""
