"""The public verification of civil-status certificates (issue 13): GET
/api/v1/portal/certificates/{code} (no login) answers {valid, type, number, date, issuer} and
nothing else; an unknown code 404 not_found; a revoked certificate valid: false; the bounds of
the path; the per-client limit; the page /verify/civil/<code>/ the QR code opens shows the same
facts only, in Vietnamese and English."""

from __future__ import annotations

import pytest
from django.utils import timezone

from egov.civil.services import certificates as certs
from tests.civil.certificates_support import (
    birth,
    marriage,
    signed_civ_fixture,  # noqa: F401
)
from tests.civil.conftest import civ  # noqa: F401
from tests.signing.conftest import test_pki  # noqa: F401

pytestmark = pytest.mark.django_db

PRIVATE = ("Ánh Tuyết", "ÁNH TUYẾT", "036326004321", "Bích Ngọc", "Văn Đức", "Đồng Lạc",
           "Lê Quang Hưng", "036098001234", "Thùy Dương")


@pytest.fixture
def issued(signed_civ):
    people = signed_civ
    return {"birth": certs.issue_certificate(people["registrar"], birth(people).pk,
                                             "birth_certificate"),
            "marriage": certs.issue_certificate(people["registrar"], marriage(people).pk,
                                                "marriage_certificate"),
            "civ": people}


def test_api_answers_the_five_facts_and_nothing_else(client, issued):
    cert = issued["birth"]
    r = client.get(f"/api/v1/portal/certificates/{cert.code}")
    assert r.status_code == 200
    assert r.json() == {"valid": True, "type": "birth_certificate", "number": cert.number,
                        "date": timezone.localdate().isoformat(),
                        "issuer": "Ủy ban nhân dân xã An Bình"}
    body = r.content.decode()
    for private in PRIVATE:
        assert private not in body
    r = client.get(f"/api/v1/portal/certificates/{issued['marriage'].code.lower()}")
    assert r.status_code == 200 and r.json()["type"] == "marriage_certificate"


def test_unknown_and_malformed_codes_are_404(client, issued):
    for code in ("ABCDEFGHJK", "ABCDE-FGHJK", "x", "%E2%80%8B", "0" * 40):
        r = client.get(f"/api/v1/portal/certificates/{code}")
        assert r.status_code == 404, code
        assert r.json()["code"] == "not_found"
    r = client.get("/api/v1/portal/certificates/" + "A" * 41)
    assert r.status_code == 422


def test_revoked_is_not_valid(client, issued):
    cert = issued["birth"]
    certs.revoke_certificate(issued["civ"]["registrar"], cert.pk, "Cấp nhầm")
    r = client.get(f"/api/v1/portal/certificates/{cert.code}")
    assert r.status_code == 200 and r.json()["valid"] is False
    r = client.get(f"/verify/civil/{cert.code}/")
    assert r.status_code == 200 and 'data-valid="false"' in r.content.decode()


def test_lookups_are_limited_per_client(client, issued, settings):
    settings.EGOV_CIVIL_VERIFY_RATE = "3/600"
    code = issued["birth"].code
    statuses = [client.get(f"/api/v1/portal/certificates/{code}").status_code
                for _ in range(3)]
    assert statuses == [200, 200, 200]
    r = client.get(f"/api/v1/portal/certificates/{code}")
    assert r.status_code == 429 and int(r["Retry-After"]) > 0
    r = client.get(f"/verify/civil/{code}/")
    assert r.status_code == 429


@pytest.mark.parametrize("lang, words", [
    ("vi", ("Giấy khai sinh", "Còn hiệu lực", "Ủy ban nhân dân xã An Bình")),
    ("en", ("Birth certificate", "Valid", "Ủy ban nhân dân xã An Bình"))])
def test_the_page_shows_the_same_facts_only(client, issued, lang, words):
    cert = issued["birth"]
    client.cookies["egov_language"] = lang
    r = client.get(f"/verify/civil/{cert.code}/", HTTP_ACCEPT_LANGUAGE=lang)
    assert r.status_code == 200
    html = r.content.decode()
    assert f'lang="{lang}"' in html
    for word in (*words, cert.number, timezone.localdate().strftime("%d/%m/%Y")):
        assert word in html, word
    for private in PRIVATE:
        assert private not in html
    r = client.get("/verify/civil/ABCDEFGHJK/", HTTP_ACCEPT_LANGUAGE=lang)
    assert r.status_code == 404 and "ABCDEFGHJK" in r.content.decode()
