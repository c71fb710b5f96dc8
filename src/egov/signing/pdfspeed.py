"""A faster reader for PDF hex strings, installed into pyHanko when egov.signing is imported.

Every signature's ``/Contents`` is a hex string of several thousand digits (the CMS container
plus its zero padding). pyHanko 0.38 reads hex strings one character at a time through a Python
generator (``generic.read_hex_string_from_stream``); that was about a third of the time of
verifying a signature (bench/bench_signing.py). This reader takes the digits up to ``>`` in one
slice and decodes them with ``binascii``. Anything unusual inside the string (a comment, a byte
that is neither a hex digit nor PDF white space, a missing ``>``) is handed back to pyHanko's own
reader from the start, so errors and edge cases behave exactly as before.
"""

from __future__ import annotations

import binascii
import os
import re

_WHITESPACE = b"\x00\t\n\x0c\r "
_HEX = re.compile(rb"[0-9A-Fa-f]*")
_CHUNK = 16384
_original = None


def read_hex_string_from_stream(stream):
    from pyhanko.pdf_utils import generic

    start = stream.tell()
    stream.read(1)  # "<"
    parts = []
    while True:
        chunk = stream.read(_CHUNK)
        if not chunk:  # no ">": pyHanko reports it
            stream.seek(start)
            return _original(stream)
        end = chunk.find(b">")
        if end >= 0:
            parts.append(chunk[:end])
            stream.seek(end + 1 - len(chunk), os.SEEK_CUR)
            break
        parts.append(chunk)
    digits = b"".join(parts).translate(None, _WHITESPACE)
    if not _HEX.fullmatch(digits):
        stream.seek(start)
        return _original(stream)
    if len(digits) % 2:
        digits += b"0"  # PDF 32000-1 §7.3.4.3: a final odd digit is followed by 0
    return generic.pdf_string(binascii.unhexlify(digits))


def install() -> None:
    """Replace pyHanko's hex-string reader (idempotent)."""
    global _original
    from pyhanko.pdf_utils import generic

    if _original is None:
        _original = generic.read_hex_string_from_stream
        generic.read_hex_string_from_stream = read_hex_string_from_stream
