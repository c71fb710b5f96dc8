"""Reading one e-mail as received (RFC 5322 bytes) into what a petition needs (i11-mail).

- Headers are decoded with `email.policy.default` (RFC 2047 encoded words in any charset Python
  knows, RFC 2231 file names); a header the parser cannot read is decoded by hand, byte by byte,
  as UTF-8 then windows-1258, never raising.
- The text is the first text/plain part, else the first text/html part turned into text. A part
  in a charset Python cannot decode falls back to UTF-8, then windows-1258 (Vietnamese Windows),
  then Latin-1. Vietnamese typed with combining tone marks (windows-1258 decodes that way) is
  normalised to NFC so that search and redaction see one form.
- Every other leaf part with a body is an attachment (name, bytes); an attached message
  (message/rfc822, e.g. a forwarded letter) stays one .eml attachment.
- `auto_reason` says why no acknowledgement may be sent (RFC 3834 Auto-Submitted, Precedence
  bulk/junk/list, mailing lists, auto-responders' own headers, no-reply senders, delivery
  reports); `is_bounce` marks a delivery report (RFC 3464 multipart/report, MAILER-DAEMON).
"""

from __future__ import annotations

import datetime as dt
import email
import hashlib
import re
import unicodedata
from dataclasses import dataclass, field
from email import policy
from email.header import decode_header
from email.message import EmailMessage, Message
from email.utils import getaddresses, parsedate_to_datetime
from html.parser import HTMLParser

_MSGID = re.compile(r"<[^<>\s]+>")
_CONTROLS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
_FALLBACK_CHARSETS = ("utf-8", "cp1258", "latin-1")
MAX_ID = 255


@dataclass
class ParsedMail:
    message_id: str
    in_reply_to: str
    references: list[str]
    from_name: str
    from_addr: str
    subject: str
    text: str
    date: dt.datetime | None
    attachments: list[tuple[str, bytes]] = field(default_factory=list)
    auto_reason: str = ""
    is_bounce: bool = False
    headers: dict[str, str] = field(default_factory=dict)

    def thread_ids(self) -> list[str]:
        """The ids this message answers, nearest first (In-Reply-To, then References from the
        last)."""
        ids = ([self.in_reply_to] if self.in_reply_to else []) + self.references[::-1]
        return list(dict.fromkeys(i for i in ids if i and i != self.message_id))


def clean(text: str) -> str:
    """NFC, line feeds only, no control or bidirectional characters (tab and LF kept)."""
    text = (text or "").replace("\r\n", "\n").replace("\r", "\n")
    text = _CONTROLS.sub(lambda m: m.group(0) if m.group(0) in "\t\n" else "", text)
    return unicodedata.normalize("NFC", text)


def _decode_bytes(data: bytes, charset: str | None = None) -> str:
    for cs in ((charset,) if charset else ()) + _FALLBACK_CHARSETS:
        try:
            return data.decode(cs)
        except (LookupError, UnicodeDecodeError):
            continue
    return data.decode("utf-8", errors="replace")  # pragma: no cover - latin-1 never fails


def _header_by_hand(raw: str) -> str:
    out = []
    for part, charset in decode_header(raw):
        if isinstance(part, bytes):
            out.append(_decode_bytes(part, charset))
        else:
            out.append(part)
    return "".join(out)


def header(msg: Message, name: str) -> str:
    """The decoded header, one line ("" when absent); never raises."""
    try:
        value = msg.get(name)
    except Exception:  # noqa: BLE001 - a malformed header must not stop the import
        value = None
        for key, raw in msg.raw_items() if hasattr(msg, "raw_items") else []:
            if key.lower() == name.lower():
                value = _header_by_hand(str(raw))
                break
    if value is None:
        return ""
    text = str(value)
    if any("\udc80" <= ch <= "\udcff" for ch in text):
        # 8-bit bytes sent without encoding (surrogate-escaped by the parser): read them back.
        text = _decode_bytes(text.encode("utf-8", "surrogateescape"))
    if "=?" in text:
        try:
            text = _header_by_hand(text)
        except Exception:  # noqa: BLE001
            pass
    return " ".join(clean(text).split())


def _msgid(value: str) -> str:
    found = _MSGID.findall(value or "")
    return found[0] if found and len(found[0]) <= MAX_ID else ""


class _Text(HTMLParser):
    BLOCKS = {"p", "div", "br", "tr", "li", "h1", "h2", "h3", "h4", "h5", "h6", "table",
              "blockquote", "pre", "hr", "section", "article", "ul", "ol", "dd", "dt"}
    SKIP = {"script", "style", "head", "title", "noscript", "template"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []
        self.skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in self.SKIP:
            self.skip += 1
        elif tag in self.BLOCKS:
            self.out.append("\n")
        elif tag == "td":
            self.out.append(" ")

    def handle_endtag(self, tag):
        if tag in self.SKIP:
            self.skip = max(0, self.skip - 1)
        elif tag in self.BLOCKS:
            self.out.append("\n")

    def handle_data(self, data):
        if not self.skip:
            self.out.append(data)


def html_to_text(html: str) -> str:
    parser = _Text()
    parser.feed(html or "")
    parser.close()
    lines = [" ".join(line.split()) for line in "".join(parser.out).split("\n")]
    text = "\n".join(lines)
    return re.sub(r"\n{3,}", "\n\n", text).strip()


def part_text(part: Message) -> str:
    """The decoded text of a text/* part, whatever its charset."""
    try:
        content = part.get_content()
        if isinstance(content, str):
            return content
    except (LookupError, UnicodeError, KeyError, AttributeError, ValueError):
        pass
    data = part.get_payload(decode=True) or b""
    return _decode_bytes(data, part.get_content_charset())


def _filename(part: Message, n: int) -> str:
    try:
        name = part.get_filename() or ""
    except Exception:  # noqa: BLE001
        name = ""
    if name and "=?" in name:
        name = _header_by_hand(name)
    name = clean(name).replace("/", "_").replace("\\", "_").strip()
    if not name:
        ext = {"message/rfc822": "eml", "text/plain": "txt", "text/html": "html",
               "application/pdf": "pdf", "image/jpeg": "jpg", "image/png": "png"}.get(
            part.get_content_type(), "bin")
        name = f"dinh-kem-{n}.{ext}"
    return name[:200]


def _leaves(msg: Message):
    """The leaf parts in order; an attached message is one leaf (not entered)."""
    if msg.get_content_maintype() == "multipart" and isinstance(msg.get_payload(), list):
        for sub in msg.get_payload():
            yield from _leaves(sub)
    else:
        yield msg


def _is_attachment(part: Message) -> bool:
    disposition = (part.get_content_disposition() or "").lower()
    if disposition == "attachment":
        return True
    try:
        return bool(part.get_filename())
    except Exception:  # noqa: BLE001
        return False


def _auto_reason(msg: Message, from_addr: str, is_bounce: bool) -> str:
    if is_bounce:
        return "bounce"
    auto = header(msg, "Auto-Submitted").lower()
    if auto and not auto.startswith("no"):
        return "auto-submitted"  # RFC 3834 §5
    if header(msg, "Precedence").lower() in {"bulk", "junk", "list", "auto_reply"}:
        return "precedence"
    if header(msg, "X-Autoreply") or header(msg, "X-Autorespond") \
            or header(msg, "X-Auto-Response-Suppress").lower() in {"all", "autoreply", "oof"}:
        return "auto-responder"
    if header(msg, "List-Id") or header(msg, "List-Unsubscribe"):
        return "list"
    local = from_addr.split("@", 1)[0].lower()
    if not from_addr or local in {"noreply", "no-reply", "donotreply", "do-not-reply",
                                  "mailer-daemon", "postmaster"}:
        return "no-reply"
    return ""


def _fingerprint(msg: Message, raw: bytes) -> str:
    normal = raw.replace(b"\r\n", b"\n")
    body = normal.split(b"\n\n", 1)[1] if b"\n\n" in normal else b""
    digest = hashlib.sha256()
    for name in ("From", "To", "Cc", "Date", "Subject"):
        digest.update(header(msg, name).encode("utf-8", "surrogatepass") + b"\x00")
    digest.update(body.rstrip())
    return digest.hexdigest()[:48]


def parse(raw: bytes) -> ParsedMail:
    """Parse one message; never raises on malformed input."""
    msg: EmailMessage = email.message_from_bytes(raw, policy=policy.default)

    message_id = _msgid(header(msg, "Message-ID"))
    if not message_id:
        # No Message-ID (or an unusable one): an id from what a server does not change — the
        # sender, recipients, date and subject and the body with line ends normalised — so that
        # a re-scan or a copy of the folder on another server gives the same id.
        message_id = f"<{_fingerprint(msg, raw)}@egov.invalid>"
    in_reply_to = _msgid(header(msg, "In-Reply-To"))
    references = [r for r in _MSGID.findall(header(msg, "References")) if len(r) <= MAX_ID]

    from_name, from_addr = "", ""
    try:
        pairs = getaddresses([header(msg, "From")])
        if pairs:
            from_name, from_addr = pairs[0]
    except Exception:  # noqa: BLE001
        pass
    from_addr = from_addr.strip()[:254]
    from_name = clean(from_name).strip().strip('"')[:255]

    date = None
    try:
        date = parsedate_to_datetime(header(msg, "Date"))
        if date.tzinfo is None:
            date = date.replace(tzinfo=dt.UTC)
    except Exception:  # noqa: BLE001
        date = None

    content_type = msg.get_content_type()
    sender_local = from_addr.split("@", 1)[0].lower()
    is_bounce = (content_type == "multipart/report"
                 or sender_local in {"mailer-daemon", "postmaster"}
                 or header(msg, "Return-Path").strip() == "<>")

    body_part = None
    try:
        body_part = msg.get_body(preferencelist=("plain", "html"))
    except Exception:  # noqa: BLE001
        body_part = None
    text = ""
    if body_part is not None:
        text = part_text(body_part)
        if body_part.get_content_subtype() == "html":
            text = html_to_text(text)

    attachments: list[tuple[str, bytes]] = []
    for n, part in enumerate(_leaves(msg), start=1):
        if part is body_part:
            continue
        if part.get_content_maintype() == "text" and not _is_attachment(part):
            # A further inline text part (some clients split the body): part of the text.
            extra = part_text(part)
            if part.get_content_subtype() == "html":
                extra = html_to_text(extra)
            if body_part is None:
                text, body_part = extra, part
            elif extra.strip() and part.get_content_subtype() == "plain":
                text = f"{text}\n\n{extra}"
            continue
        if part.get_content_type() == "message/rfc822":
            inner = part.get_payload()
            inner = inner[0] if isinstance(inner, list) and inner else inner
            data = inner.as_bytes(policy=policy.SMTP) if isinstance(inner, Message) else b""
        else:
            data = part.get_payload(decode=True) or b""
        if data:
            attachments.append((_filename(part, n), data))

    headers = {name: header(msg, name) for name in (
        "From", "To", "Cc", "Reply-To", "Date", "Subject", "Message-ID", "In-Reply-To",
        "References", "Auto-Submitted", "Precedence", "Return-Path")}
    return ParsedMail(
        message_id=message_id, in_reply_to=in_reply_to, references=references,
        from_name=from_name, from_addr=from_addr, subject=header(msg, "Subject")[:500],
        text=clean(text).strip(), date=date, attachments=attachments,
        auto_reason=_auto_reason(msg, from_addr, is_bounce), is_bounce=is_bounce,
        headers={k: v[:2000] for k, v in headers.items() if v},
    )
