"""Translations: Vietnamese is the default and complete, English exists, the .mo files are current.

A new `gettext` string anywhere in src/egov fails `test_no_msgid_missing_from_the_vi_catalogue`
until `makemessages` has been run and the string translated (see docs/ui.md).
"""

from __future__ import annotations

import gettext as gettext_module
import shutil
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.core.management import call_command
from django.urls import reverse

import egov

PACKAGE_DIR = Path(egov.__file__).resolve().parent
LOCALE_DIR = PACKAGE_DIR / "locale"
VI_PO = LOCALE_DIR / "vi" / "LC_MESSAGES" / "django.po"
VI_MO = LOCALE_DIR / "vi" / "LC_MESSAGES" / "django.mo"
EN_PO = LOCALE_DIR / "en" / "LC_MESSAGES" / "django.po"
EN_MO = LOCALE_DIR / "en" / "LC_MESSAGES" / "django.mo"


# --- a small .po reader (no polib dependency) -----------------------------------------------------


@dataclass
class Entry:
    msgctxt: str | None = None
    msgid: str = ""
    msgid_plural: str | None = None
    msgstr: dict[int, str] = field(default_factory=dict)
    flags: set[str] = field(default_factory=set)
    obsolete: bool = False

    @property
    def key(self) -> tuple[str | None, str]:
        return (self.msgctxt, self.msgid)


_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", '"': '"', "\\": "\\", "a": "\a", "b": "\b",
            "f": "\f", "v": "\v"}


def _unquote(text: str) -> str:
    text = text.strip()
    assert text.startswith('"') and text.endswith('"'), text
    body, out, i = text[1:-1], [], 0
    while i < len(body):
        ch = body[i]
        if ch == "\\" and i + 1 < len(body):
            out.append(_ESCAPES.get(body[i + 1], body[i + 1]))
            i += 2
        else:
            out.append(ch)
            i += 1
    return "".join(out)


def parse_po(text: str) -> list[Entry]:
    entries: list[Entry] = []
    current = Entry()
    target: tuple[str, int] | None = None
    started = False

    def flush():
        nonlocal current, target, started
        if started:
            entries.append(current)
        current, target, started = Entry(), None, False

    for raw in text.splitlines():
        line = raw.strip()
        if not line:
            flush()
            continue
        if line.startswith("#~"):
            current.obsolete = True
            line = line[2:].strip()
            if not line or line.startswith("#"):
                continue
        elif line.startswith("#,"):
            if started and target and target[0] == "msgstr":
                flush()
            current.flags.update(f.strip() for f in line[2:].split(","))
            continue
        elif line.startswith("#"):
            if started and target and target[0] == "msgstr":
                flush()
            continue
        if line.startswith('"'):
            assert target is not None, raw
            value = _unquote(line)
            kind, index = target
            if kind == "msgstr":
                current.msgstr[index] += value
            elif kind == "msgid":
                current.msgid += value
            elif kind == "msgid_plural":
                current.msgid_plural = (current.msgid_plural or "") + value
            else:
                current.msgctxt = (current.msgctxt or "") + value
            continue
        keyword, _, rest = line.partition(" ")
        if keyword in ("msgctxt", "msgid") and started and target and target[0] == "msgstr":
            flush()
        started = True
        if keyword == "msgctxt":
            current.msgctxt, target = _unquote(rest), ("msgctxt", 0)
        elif keyword == "msgid":
            current.msgid, target = _unquote(rest), ("msgid", 0)
        elif keyword == "msgid_plural":
            current.msgid_plural, target = _unquote(rest), ("msgid_plural", 0)
        elif keyword == "msgstr":
            current.msgstr[0], target = _unquote(rest), ("msgstr", 0)
        elif keyword.startswith("msgstr["):
            index = int(keyword[7:-1])
            current.msgstr[index], target = _unquote(rest), ("msgstr", index)
        else:
            raise AssertionError(f"unexpected .po line: {raw!r}")
    flush()
    return entries


def live_entries(path: Path) -> list[Entry]:
    """The translatable entries of a catalogue (no header, no obsolete #~ entries)."""
    return [e for e in parse_po(path.read_text(encoding="utf-8"))
            if e.msgid and not e.obsolete]


# --- the catalogues -----------------------------------------------------------------------------


def test_catalogues_exist():
    for path in (VI_PO, VI_MO, EN_PO, EN_MO):
        assert path.is_file(), f"missing {path.relative_to(PACKAGE_DIR)}"


def test_every_vietnamese_msgid_is_translated():
    entries = live_entries(VI_PO)
    assert len(entries) > 100
    untranslated = [e.msgid for e in entries
                    if not e.msgstr or any(not v.strip() for v in e.msgstr.values())]
    fuzzy = [e.msgid for e in entries if "fuzzy" in e.flags]
    assert not untranslated, f"untranslated in vi/django.po: {untranslated}"
    assert not fuzzy, f"fuzzy in vi/django.po: {fuzzy}"


def test_vietnamese_keeps_placeholders():
    import re

    pattern = re.compile(r"%\((\w+)\)[sdif]|\{\w*\}")
    for e in live_entries(VI_PO):
        sources = [e.msgid] + ([e.msgid_plural] if e.msgid_plural else [])
        wanted = set().union(*(set(pattern.findall(s)) for s in sources))
        for value in e.msgstr.values():
            assert set(pattern.findall(value)) == wanted, (e.msgid, value)


def test_glossary_terms():
    """Key terms use the legal Vietnamese words (GLOSSARY.md)."""
    vi = {e.msgid: e.msgstr.get(0, "") for e in live_entries(VI_PO)}
    assert vi["My work"] == "Việc của tôi"
    assert vi["Sign in"] == "Đăng nhập"
    assert vi["Lead"] == "Chủ trì"
    assert vi["Support"] == "Phối hợp"
    assert vi["For information"] == "Để biết"
    assert vi["Overdue"] == "Quá hạn"
    assert vi["In time"] == "Trong hạn"
    assert vi["Due today"] == "Đến hạn hôm nay"
    assert vi["No deadline"] == "Không có hạn"
    assert vi["Show more"] == "Xem tiếp"


def test_mo_files_are_current():
    """Every entry of each .po is in its compiled .mo with the same translation."""
    for po, mo in ((VI_PO, VI_MO), (EN_PO, EN_MO)):
        with mo.open("rb") as fh:
            catalog = gettext_module.GNUTranslations(fh)._catalog
        stale = []
        for e in live_entries(po):
            if "fuzzy" in e.flags or not any(e.msgstr.values()):
                continue  # msgfmt leaves these out; English falls back to the msgid
            key = e.msgid if e.msgctxt is None else f"{e.msgctxt}\x04{e.msgid}"
            if e.msgid_plural is None:
                if catalog.get(key) != e.msgstr[0]:
                    stale.append(e.msgid)
            elif any(catalog.get((key, i)) != v for i, v in e.msgstr.items()):
                stale.append(e.msgid)
        assert not stale, f"{mo.relative_to(PACKAGE_DIR)} is out of date (run compilemessages): " \
                          f"{stale[:10]}"


def test_no_msgid_missing_from_the_vi_catalogue(tmp_path, monkeypatch, settings):
    """makemessages over a copy of src/egov finds no string that vi/django.po lacks."""
    copy = tmp_path / "egov"
    shutil.copytree(PACKAGE_DIR, copy, ignore=shutil.ignore_patterns(
        "__pycache__", "*.pyc", "*.mo", "*.po", "static"))
    settings.LOCALE_PATHS = [str(copy / "locale")]
    before = VI_PO.read_bytes()
    monkeypatch.chdir(copy)
    call_command("makemessages", locale=["vi"], verbosity=0)
    fresh = live_entries(copy / "locale" / "vi" / "LC_MESSAGES" / "django.po")
    assert len(fresh) > 100
    committed = {e.key for e in live_entries(VI_PO)}
    missing = sorted(e.msgid for e in fresh if e.key not in committed)
    assert not missing, (
        "strings not in src/egov/locale/vi/LC_MESSAGES/django.po — run makemessages "
        f"(see docs/ui.md) and translate them: {missing}"
    )
    assert VI_PO.read_bytes() == before  # the real catalogue was not touched


# --- the pages ----------------------------------------------------------------------------------


@pytest.fixture
def officer(org, make_user):
    return make_user("chuyenvien", org["justice"], "officer", title="Chuyên viên")


def test_home_page_is_vietnamese_by_default(client, officer):
    client.force_login(officer)
    html = client.get(reverse("inbox")).content.decode()
    assert '<html lang="vi">' in html
    assert "<h1>Việc của tôi</h1>" in html
    assert "Đăng xuất" in html and "Thông báo" in html


def test_home_page_is_english_after_switching(client, officer):
    client.force_login(officer)
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    html = client.get(reverse("inbox")).content.decode()
    assert '<html lang="en">' in html
    assert "<h1>My work</h1>" in html
    assert "Sign out" in html and "Việc của tôi" not in html


def test_login_page_is_vietnamese_by_default(client, db):
    html = client.get(reverse("login")).content.decode()
    assert "Đăng nhập" in html and "Tên đăng nhập" in html and "Mật khẩu" in html
