"""Verification codes of signed subjects (issue 4): a short unguessable code and a QR code in
the top margin of page 1 lead to the public verification page (egov.portal, /verify/c/<code>/).

NĐ 30/2020 Điều 13 and Phụ lục I: a recipient must be able to check an electronic document;
the code lets anyone holding a printed or electronic copy find the issued file's signature
report and its SHA-256 without an account (the PDF itself is never published).

- :func:`code_for` — one code per subject (kind, id; egov.signing.subjects): for an outgoing
  document created at stage 1 when the PDF is prepared for the leader's signature, reused when
  the document is prepared again after a new version.
- 10 symbols of Crockford's base32 (no I, L, O, U) drawn with :mod:`secrets`: 50 bits, so
  guessing one of N live codes takes ~2^50 / N tries; the public lookups are also rate-limited
  per client (egov.portal.ratelimit). Shown as ``XXXXX-XXXXX``; :func:`normalise` accepts what
  people type (lower case, spaces, dashes, I/L for 1, O for 0).
- :func:`add_verification_mark` — the QR code (vector rectangles) and the code in the top-left
  margin of page 1, drawn in the revision that precedes every signature, so every signature
  covers it.
- :func:`find_counted` — the public look-up: the client's rate counter and the code in one
  statement on PostgreSQL (a hit of the public page or API is one round trip).
- :func:`bind_file` — the code points at the signed PDF (for documents at issue,
  egov.documents.verification_codes.bind_issued_file). :func:`public_record` asks the subject's
  module what the public may see (egov.signing.subjects).
- :func:`issued_report` — the signature report of the issued file, cached per file hash in the
  (database) cache for :data:`REPORT_CACHE_SECONDS` as plain JSON bytes.
- :func:`public_page` — the public record and the report of a code in one small cached entry
  (at most one cache read per hit, none once the process memoised it); :func:`forget_public`
  drops it and bumps the code's public_version when the subject's state changes.
"""

from __future__ import annotations

import functools
import json
import secrets
import threading
import time
from collections import OrderedDict
from dataclasses import fields as dc_fields

from django.conf import settings
from django.core.cache import cache
from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.utils import translation
from pyhanko.pdf_utils import generic, layout

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford base32: no I, L, O, U
CODE_LENGTH = 10  # 10 × 5 bits = 50 bits
_TYPOS = str.maketrans({"I": "1", "L": "1", "O": "0"})
_ALLOWED = frozenset(ALPHABET)

# The mark, in PDF points (1 mm = 2.835 pt), from the top-left corner of page 1's MediaBox. It
# stays left of x = 300 (the top right carries the stamp of electronic copies) and in the top
# 20 mm, above the "Số:" field of the issue stage (egov.signing.stamping.CODE_BOX, top at 790 on A4).
MARK_LEFT = 57.0
MARK_TOP_GAP = 5.0
QR_SIZE = 46.0  # ≈ 16.2 mm square
TEXT_GAP = 6.0  # ≥ 4 modules of white between the QR code and the text (its quiet zone)
TEXT_RIGHT = 298.0
TEXT_SIZE = 8
MARK_WIDTH = TEXT_RIGHT - MARK_LEFT   # the QR code and its caption
MARK_HEIGHT = QR_SIZE
XOBJECT_NAME = "/EgovVerifyMark"

REPORT_CACHE_SECONDS = 300


# ---------------------------------------------------------------- the code

def new_code() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))


def display(code: str) -> str:
    """``XXXXX-XXXXX``."""
    return f"{code[:5]}-{code[5:]}" if len(code) == CODE_LENGTH else code


def normalise(raw: str | None) -> str | None:
    """The stored form of what a person typed, or None when it cannot be a code."""
    if not raw:
        return None
    text = "".join(ch for ch in str(raw).upper() if not ch.isspace() and ch not in "-‐‑–—_")
    text = text.translate(_TYPOS)
    if len(text) != CODE_LENGTH or not set(text) <= _ALLOWED:
        return None
    return text


def verify_url(code: str) -> str:
    """The public page the QR code leads to."""
    return f"{settings.EGOV_SITE_URL}/verify/c/{code}/"


def code_for(kind: str, subject_id: int):
    """The VerificationCode of the subject (kind, id) (get or create; one per subject)."""
    from .models import VerificationCode

    existing = (VerificationCode.objects.filter(subject_kind=kind, subject_id=subject_id)
                .order_by("pk").first())
    if existing is not None:
        return existing
    for _attempt in range(5):
        try:
            with transaction.atomic():
                return VerificationCode.objects.create(code=new_code(), subject_kind=kind,
                                                       subject_id=subject_id)
        except IntegrityError:  # a collision (one in 2^50 per live code): draw again
            continue
    raise RuntimeError("could not draw a unique verification code")


def find(raw: str | None):
    """The VerificationCode for a typed or scanned code, or None."""
    from .models import VerificationCode

    code = normalise(raw)
    if code is None:
        return None
    return VerificationCode.objects.select_related("file").filter(code=code).first()


@functools.cache
def _counted_sql() -> tuple[str, list[str]]:
    """The code row (every column, in the model's order) and its file's SHA-256, by code."""
    from egov.core.models import StoredFile

    from .models import VerificationCode

    fields = VerificationCode._meta.concrete_fields
    columns = ", ".join(f"vc.{connection.ops.quote_name(f.column)}" for f in fields)
    sql = (f"SELECT {columns}, f.sha256 FROM {VerificationCode._meta.db_table} vc "
           f"LEFT JOIN {StoredFile._meta.db_table} f ON f.id = vc.file_id WHERE vc.code = %s")
    return sql, [f.attname for f in fields]


def find_counted(request, raw: str | None, scope: str):
    """Count the client's request against the ``scope`` limit (egov.signing.ratelimit) and find
    the code: (Verdict, VerificationCode or None). On PostgreSQL ONE statement (the counter's
    upsert and the code row with its file's SHA-256, egov.core.throttle.window_hit_and_read), the
    instance built without the ORM's query compiler; its ``file`` holds only id and sha256 (the
    rest loads if read, e.g. to verify the file on a cache miss). Elsewhere the counter, then
    :func:`find`. Over the limit, the code is not looked up (or is ignored)."""
    from egov.core.models import StoredFile

    from . import ratelimit
    from .models import VerificationCode

    code = normalise(raw)
    db = VerificationCode.objects.db
    if code is None or connection.vendor != "postgresql" or db != connection.alias:
        verdict = ratelimit.hit(request, scope)
        return verdict, (find(code) if verdict.allowed and code is not None else None)
    sql, names = _counted_sql()
    verdict, row = ratelimit.hit_and_read(request, scope, sql, [code])
    if not verdict.allowed or row is None:
        return verdict, None
    vc = VerificationCode.from_db(db, names, row[:-1])
    if vc.file_id is not None:
        stored = StoredFile.from_db(db, ["id", "sha256"], [vc.file_id, row[-1]])
        VerificationCode.file.field.set_cached_value(vc, stored)
    return verdict, vc


def bind_file(kind: str, subject_id: int, file_id: int | None):
    """The subject's code points at ``file_id`` (the issued PDF, once it exists)."""
    vc = code_for(kind, subject_id)
    if vc.file_id != file_id:
        vc.file_id = file_id
        vc.save(update_fields=["file"])
    return vc


def subject_of(vc):
    """The subject behind a code (egov.signing.subjects), or None."""
    from .subjects import load

    if not hasattr(vc, "_subject"):
        vc._subject = load(vc.subject_kind, vc.subject_id)
    return vc._subject


def public_record(vc) -> dict | None:
    """What the public may see of the subject behind a code (never the PDF itself), from the
    subject's module; None when the code must stay unknown to the public (no file bound yet,
    e.g. a code drawn for a document that is not issued yet)."""
    from .subjects import _kinds

    if hasattr(vc, "_public"):
        return vc._public
    kind = _kinds.get(vc.subject_kind)
    record = None
    if vc.file_id and kind is not None and kind.public_record is not None:
        subject = subject_of(vc)
        record = kind.public_record(subject, vc) if subject is not None else None
    vc._public = (None if record is None
                  else {"code": display(vc.code), **record, "sha256": vc.file.sha256})
    return vc._public


def is_public(vc) -> bool:
    """Only codes whose subject's module says so answer (for documents: issued, then perhaps
    recalled or replaced)."""
    return public_record(vc) is not None


# ---------------------------------------------------------------- the report of the issued file

def report_from_dict(data: dict):
    from .verify import SignatureReport, TimestampInfo, VerificationReport

    names = {f.name for f in dc_fields(SignatureReport)}
    signatures = []
    for sig in data.get("signatures", []):
        values = {k: v for k, v in sig.items() if k in names}
        if values.get("timestamp"):
            values["timestamp"] = TimestampInfo(**values["timestamp"])
        signatures.append(SignatureReport(**values))
    return VerificationReport(valid=data["valid"], signatures=signatures,
                              reasons=list(data.get("reasons", [])),
                              revisions=data.get("revisions", 0),
                              warnings=list(data.get("warnings", [])))


def _plain(data) -> bytes:
    """``data`` as compact JSON bytes: only plain values survive (a str subclass of pyHanko's,
    a lazy translation, a dataclass … become plain str / dicts), so a cache entry is small and
    reading it back builds no foreign object."""
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"), default=str).encode()


def _report_key(stored_file) -> str:
    return f"egov:verify-report:{stored_file.sha256}:{translation.get_language()}"


def issued_report(stored_file):
    """verify_pdf() of a stored PDF, cached per file hash (and language: the reasons are
    translated text) for a few minutes so repeated scans of one QR code do not re-verify each
    time. The cache keeps the rendered facts as JSON bytes (a few KB), never pyHanko objects."""
    from egov.core.files import file_open

    from .verify import verify_pdf

    key = _report_key(stored_file)
    cached = cache.get(key)
    if cached is not None:
        return report_from_dict(json.loads(cached))
    with file_open(stored_file) as fh:
        data = fh.read()
    report = verify_pdf(data)
    cache.set(key, _plain(report.as_dict()), REPORT_CACHE_SECONDS)
    return report


# ---------------------------------------------------------------- the public page of a code

def _public_key(code: str, file_id, sha256: str, language: str, version: int = 0) -> str:
    return f"egov:verify-public:{code}:{file_id}:{sha256}:{language}:{version}"


# Per process: the cached public pages already read, under the same key — which holds the code
# row's public_version, read fresh with the code on every request — for at most
# PUBLIC_MEMO_SECONDS. A hit then costs no cache read; a recall or replacement in any process
# bumps the version (forget_public), so no process serves the old state.
PUBLIC_MEMO_SECONDS = 60
_PUBLIC_MEMO: OrderedDict[str, tuple[float, bytes]] = OrderedDict()
_PUBLIC_MEMO_MAX = 1024
_PUBLIC_MEMO_LOCK = threading.Lock()


def _memo_get(key: str) -> bytes | None:
    with _PUBLIC_MEMO_LOCK:
        entry = _PUBLIC_MEMO.get(key)
        if entry is None or entry[0] < time.monotonic():
            return None
        return entry[1]


def _memo_put(key: str, data: bytes) -> None:
    with _PUBLIC_MEMO_LOCK:
        _PUBLIC_MEMO[key] = (time.monotonic() + min(PUBLIC_MEMO_SECONDS, REPORT_CACHE_SECONDS),
                             data)
        _PUBLIC_MEMO.move_to_end(key)
        while len(_PUBLIC_MEMO) > _PUBLIC_MEMO_MAX:
            _PUBLIC_MEMO.popitem(last=False)


def public_page_bytes(vc) -> bytes | None:
    """What the public verification page and API show for a code, as the JSON bytes of
    ``{"record": public_record, "report": the issued file's report as a dict}``, or None when
    the code must stay unknown.

    Cached per code, bound file and its SHA-256, and language, as plain JSON bytes, for
    :data:`REPORT_CACHE_SECONDS`: a hit costs one cache read (no subject, no file, no pyHanko),
    none when this process memoised the entry (keyed by the code row's public_version).
    The subject's module calls :func:`forget_public` when the public state changes (recalled,
    replaced), so the page never shows a stale state. The bytes are also the key under which
    the views keep what they rendered from them (egov.portal.views, egov.signing.api)."""
    if not vc.file_id:
        return None
    key = _public_key(vc.code, vc.file_id, vc.file.sha256, translation.get_language(),
                      vc.public_version)
    memo = _memo_get(key)
    if memo is not None:
        return memo
    cached = cache.get(key)
    if cached is not None:
        _memo_put(key, cached)
        return cached
    record = public_record(vc)
    if record is None:
        return None
    data = _plain({"record": record, "report": issued_report(vc.file).as_dict()})
    cache.set(key, data, REPORT_CACHE_SECONDS)
    _memo_put(key, data)
    return data


def public_page(vc) -> dict | None:
    """:func:`public_page_bytes` as a dict."""
    data = public_page_bytes(vc)
    return json.loads(data) if data is not None else None


def forget_public(kind: str, subject_id: int) -> None:
    """Drop the cached public pages of the subject (kind, id) in every language: its public
    state changed (e.g. a document recalled or replaced)."""
    from .models import VerificationCode

    codes = VerificationCode.objects.filter(subject_kind=kind, subject_id=subject_id)
    keys = [_public_key(vc.code, vc.file_id, vc.file.sha256 if vc.file_id else "", lang,
                        vc.public_version)
            for vc in codes.select_related("file") for lang, _name in settings.LANGUAGES]
    if keys:
        # every process's memo and the shared cache are keyed by the version: a new one
        codes.update(public_version=F("public_version") + 1)
        cache.delete_many(keys)


# ---------------------------------------------------------------- the mark on page 1

def _qr_stream(url: str, x0: float, y0: float, size: float) -> bytes:
    """The QR code of ``url`` as filled rectangles (one per horizontal run of dark modules),
    ``size`` points square with its bottom-left corner at (x0, y0)."""
    import segno

    qr = segno.make(url, error="m", micro=False)
    rows = list(qr.matrix_iter(border=0))
    n = len(rows)
    module = size / n
    parts = [b"q 0 0 0 rg"]
    for r, row in enumerate(rows):
        y = y0 + size - (r + 1) * module
        c = 0
        while c < n:
            if row[c]:
                start = c
                while c < n and row[c]:
                    c += 1
                parts.append(b"%.3f %.3f %.3f %.3f re" % (x0 + start * module, y,
                                                          (c - start) * module, module))
            else:
                c += 1
    parts.append(b"f Q")
    return b"\n".join(parts)


def _text_xobject(writer, text: str, width: float, height: float):
    from pyhanko import stamp
    from pyhanko.pdf_utils.text import TextBoxStyle

    from .pades import font_engine_factory

    style = stamp.TextStampStyle(
        stamp_text="%(text)s",
        text_box_style=TextBoxStyle(font=font_engine_factory(),
                                    font_size=TEXT_SIZE, leading=TEXT_SIZE + 2),
        border_width=0, background=None,
        inner_content_layout=layout.SimpleBoxLayoutRule(
            x_align=layout.AxisAlignment.ALIGN_MIN, y_align=layout.AxisAlignment.ALIGN_MID,
            inner_content_scaling=layout.InnerScaling.SHRINK_TO_FIT),
    )
    box = layout.BoxConstraints(width=width, height=height)
    return stamp.TextStamp(writer, style, text_params={"text": text.replace("%", "%%")},
                           box=box).as_form_xobject()


def _media_box(page) -> tuple[float, float, float, float]:
    node = page
    while node is not None:
        if "/MediaBox" in node:
            x1, y1, x2, y2 = (float(v) for v in node["/MediaBox"])
            return min(x1, x2), min(y1, y2), max(x1, x2), max(y1, y2)
        node = node.get("/Parent")
        node = node.get_object() if node is not None else None
    return 0.0, 0.0, 595.0, 842.0


def mark_box(page_box, at: tuple[float, float] | None = None) -> tuple[float, float, float, float]:
    """The rectangle the mark covers on a page with MediaBox ``page_box``: at its usual place
    (top left) or with its top-left corner at ``at`` (x, y_top)."""
    x1, _y1, _x2, top = page_box
    x, y_top = at if at is not None else (x1 + MARK_LEFT, top - MARK_TOP_GAP)
    return (x, y_top - MARK_HEIGHT, x + MARK_WIDTH, y_top)


def add_verification_mark(writer, code: str, *, at: tuple[float, float] | None = None) -> None:
    """Draw the verification ``code`` (a VerificationCode's code) and its QR code into page 1 of ``writer`` (an
    incremental writer, before any signature): the QR code of :func:`verify_url` at the top
    left and, beside it, "Mã xác thực: XXXXX-XXXXX" and "Tra cứu tại <site>/verify/" in the
    stamp font (Vietnamese letters). The page's own content is wrapped in q … Q first, so its
    graphics state (a leftover cm, colour or clip) cannot move or hide the mark. ``at`` (x,
    y_top): the top-left corner of the mark instead of the usual place (:func:`mark_box`)."""
    page_ref = writer.find_page_for_modification(0)[0]
    qr_x, qr_y, right, _top = mark_box(_media_box(page_ref.get_object()), at)
    text_x = qr_x + QR_SIZE + TEXT_GAP
    text_width = right - text_x

    # Document content (printed on the document), not UI: Vietnamese, not translated.
    lines = f"Mã xác thực: {display(code)}\nTra cứu tại {settings.EGOV_SITE_URL}/verify/"
    text_ref = writer.add_object(_text_xobject(writer, lines, text_width, QR_SIZE))

    before = generic.StreamObject(stream_data=b"q\n")
    after = b"\n".join([
        b"Q",
        _qr_stream(verify_url(code), qr_x, qr_y, QR_SIZE),
        b"q 1 0 0 1 %.3f %.3f cm %s Do Q" % (text_x, qr_y, XOBJECT_NAME.encode()),
        b"",
    ])
    writer.add_stream_to_page(0, writer.add_object(before), prepend=True)
    resources = generic.DictionaryObject({
        generic.NameObject("/XObject"): generic.DictionaryObject({
            generic.NameObject(XOBJECT_NAME): text_ref}),
    })
    writer.add_stream_to_page(0, writer.add_object(generic.StreamObject(stream_data=after)),
                              resources=resources)
