"""Text that people type is cleaned the same way at every door (egov.core.text): control
characters other than tab and line feed are removed (CR LF → LF), bidirectional embedding /
override / isolate controls are refused with the field named — in API input schemas, in web
forms and in the services that take a data dictionary."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from egov.core.errors import InvalidInput
from egov.core.forms import TokenCreateForm
from egov.core.models import ApiToken
from egov.core.text import UnsafeText, clean_data, clean_text

RLO = "\u202e"


def test_clean_text_removes_controls_and_keeps_tab_and_newline():
    assert clean_text("a\x01b\x07c\x1bd\x7fe\x85f\x9fg") == "abcdefg"
    with pytest.raises(UnsafeText):
        clean_text("a\x00b")  # NUL is refused, as it always was
    assert clean_text("line 1\r\nline 2\rline 3\tend\x0b\x0c") == "line 1\nline 2\nline 3\tend"
    assert clean_text("Quyết định số 12/QĐ-UBND\u200f") == "Quyết định số 12/QĐ-UBND\u200f"


@pytest.mark.parametrize("char", ["\u202a", "\u202b", "\u202c", "\u202d", "\u202e", "\u2066",
                                  "\u2067", "\u2068", "\u2069"])
def test_bidi_controls_are_refused(char):
    with pytest.raises(UnsafeText):
        clean_text(f"12/QĐ-{char}DNBU")


def test_clean_data_walks_nested_values_and_names_the_fields():
    assert clean_data({"a": "x\x07y", "b": [{"c": "\x1b[31mred"}], "n": 3}) == {
        "a": "xy", "b": [{"c": "[31mred"}], "n": 3}
    with pytest.raises(InvalidInput) as caught:
        clean_data({"number": f"12{RLO}", "subject": "ok", "list": [f"x{RLO}"]})
    assert caught.value.code == "unsafe_text"
    assert set(caught.value.fields) == {"number", "list"}


def test_api_input_schemas_clean_and_refuse(db, org, make_user, bearer):
    user = make_user("chuyenvien", org["office"])
    headers = bearer(user)
    client = Client()
    r = client.post("/api/v1/me/tokens", json.dumps({"name": "Bao\x07 cao\x1b"}),
                    content_type="application/json", **headers)
    assert r.status_code == 201, r.content
    assert ApiToken.objects.filter(user=user, name="Bao cao").exists()
    before = ApiToken.objects.count()
    r = client.post("/api/v1/me/tokens", json.dumps({"name": f"Script {RLO}fdp.exe"}),
                    content_type="application/json", **headers)
    assert r.status_code == 422
    body = r.json()
    assert set(body) == {"code", "message", "fields"} and "name" in body["fields"]
    assert ApiToken.objects.count() == before


def test_web_forms_clean_and_show_the_refusal_by_the_field(db, org, make_user):
    form = TokenCreateForm({"name": "Kịch\x08 bản\r\n"})
    assert form.is_valid() and form.cleaned_data["name"] == "Kịch bản"
    form = TokenCreateForm({"name": f"a{RLO}b"})
    assert not form.is_valid() and "name" in form.errors
    user = make_user("chuyenvien", org["office"])
    client = Client()
    client.force_login(user)
    r = client.post("/tokens/", {"name": f"Script {RLO}fdp.exe"})
    assert r.status_code == 422
    assert 'id="id_name_error"' in r.content.decode()
    assert not ApiToken.objects.filter(user=user).exists()
    client.post("/tokens/", {"name": "Báo\x1b cáo"})
    assert ApiToken.objects.get(user=user).name == "Báo cáo"
