"""The bulk hex-string reader gives what pyHanko's own reader gives, including its errors."""

from __future__ import annotations

import io

import pytest
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.misc import PdfStreamError

from egov.signing import pdfspeed


@pytest.mark.parametrize("raw", [
    b"<48656C6C6F> rest", b"<48 65\n6C\t6C 6F> rest", b"<4865 6> rest", b"<> rest",
    b"<" + b"AB" * 20000 + b"0" * 9000 + b"> rest", b"<feff0054> rest",
    b"<48 % a comment\n65> rest",
])
def test_same_result_and_position_as_pyhanko(raw):
    assert generic.read_hex_string_from_stream is pdfspeed.read_hex_string_from_stream
    ours, theirs = io.BytesIO(raw), io.BytesIO(raw)
    a = pdfspeed.read_hex_string_from_stream(ours)
    b = pdfspeed._original(theirs)
    assert a == b and type(a) is type(b)
    assert ours.tell() == theirs.tell() and ours.read() == b" rest"


@pytest.mark.parametrize("raw", [b"<48656Z6C>", b"<4865", b"<48 65 6C"])
def test_bad_hex_strings_fail_like_pyhanko(raw):
    with pytest.raises(PdfStreamError):
        pdfspeed._original(io.BytesIO(raw))
    with pytest.raises(PdfStreamError):
        pdfspeed.read_hex_string_from_stream(io.BytesIO(raw))
