"""Hostile input and unexpected errors: JSON depth and size limits on every JSON body and on
the multipart `data` fields, JSON 500 answers with a reference that the log carries, and an
OpenAPI document whose bodies and error answers are the ones the server really has."""

from __future__ import annotations

import json
import logging
import re

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, RequestFactory
from ninja import Router, Schema

from egov.core import jsonlimits
from egov.core.api import api
from egov.core.api_openapi import EgovOpenAPISchema, longest_request_line
from egov.core.models import ApiToken, AuditEvent
from egov.core.server_errors import server_error

API = "/api/v1"
DEEP_1000 = "[" * 1000 + "]" * 1000
DEEP_5000 = "{\"a\":" * 5000 + "1" + "}" * 5000


@pytest.fixture
def client():
    return Client()


@pytest.fixture
def anna(make_user, org):
    return make_user("anna", org["justice"], "clerk")


def _error(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.content[:500]
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert set(body) >= {"code", "message", "fields"}
    assert body["code"] == code, body
    return body


def _counts() -> tuple[int, int]:
    return ApiToken.objects.count(), AuditEvent.objects.count()


# --- (a) depth and size limits ------------------------------------------------------------------


def test_json_depth_ignores_brackets_in_strings():
    assert jsonlimits.json_depth('{"a": "[[[[{{{{", "b": [[1]]}') == 3
    assert jsonlimits.json_depth('"\\"[[["') == 0
    assert jsonlimits.json_depth(DEEP_1000) == 1000
    assert jsonlimits.json_depth("[" * 10) == 10  # unbalanced text still measured


def test_deep_json_body_is_a_400(client, anna, bearer):
    before = _counts()
    response = client.post(API + "/me/tokens", data='{"name": ' + DEEP_1000 + "}",
                           content_type="application/json", **bearer(anna))
    body = _error(response, 400, "too_deep")
    assert "32" in body["message"]
    assert _counts()[0] == before[0] + 1  # only the bearer fixture's token


def test_json_body_within_the_depth_limit_still_works(client, anna, bearer, settings):
    settings.EGOV_API_MAX_JSON_DEPTH = 1
    auth = bearer(anna)
    ok = client.post(API + "/me/tokens", data={"name": "one level"},
                     content_type="application/json", **auth)
    assert ok.status_code == 201, ok.content
    two = client.post(API + "/me/tokens", data={"name": ["x"]},
                      content_type="application/json", **auth)
    _error(two, 400, "too_deep")


def test_large_json_body_is_a_413(client, anna, bearer, settings):
    settings.EGOV_API_MAX_JSON_BYTES = 200
    auth = bearer(anna)
    before = _counts()
    response = client.post(API + "/me/tokens", data={"name": "x" * 300},
                           content_type="application/json", **auth)
    _error(response, 413, "too_large")
    assert _counts() == before


def test_deep_json_in_the_incoming_data_field_is_a_400(client, anna, bearer):
    auth = bearer(anna)
    before = _counts()
    pdf = SimpleUploadedFile("a.pdf", b"%PDF-1.4\n%%EOF\n", content_type="application/pdf")
    response = client.post(API + "/documents/incoming", data={"file": pdf, "data": DEEP_1000},
                           **auth)
    body = _error(response, 400, "too_deep")
    assert list(body["fields"]) == ["data"]
    assert _counts() == before


def test_deep_json_in_the_outgoing_data_field_is_a_400(client, anna, bearer):
    auth = bearer(anna)
    before = _counts()
    draft = SimpleUploadedFile("a.pdf", b"%PDF-1.4\n%%EOF\n", content_type="application/pdf")
    response = client.post(API + "/documents/outgoing",
                           data={"file": draft, "data": '{"subject": ' + DEEP_1000 + "}"},
                           **auth)
    body = _error(response, 400, "too_deep")
    assert list(body["fields"]) == ["data"]
    assert _counts() == before


def test_large_json_in_the_data_field_is_a_413(client, anna, bearer, settings):
    settings.EGOV_API_MAX_JSON_BYTES = 100
    pdf = SimpleUploadedFile("a.pdf", b"%PDF-1.4\n%%EOF\n", content_type="application/pdf")
    response = client.post(API + "/documents/incoming",
                           data={"file": pdf, "data": json.dumps({"subject": "x" * 200})},
                           **bearer(anna))
    assert list(_error(response, 413, "too_large")["fields"]) == ["data"]


def test_deep_json_certificate_body_is_a_400(client, anna, bearer):
    response = client.post(API + "/signing/certificates", data=DEEP_5000,
                           content_type="application/json", **bearer(anna))
    _error(response, 400, "too_deep")


# --- (b) unexpected errors ----------------------------------------------------------------------


def test_unexpected_api_error_is_json_with_a_reference_in_the_log(client, anna, bearer,
                                                                  monkeypatch, caplog):
    def broken(user):
        raise RuntimeError("selector exploded")

    monkeypatch.setattr("egov.core.selectors.current_positions", broken)
    with caplog.at_level(logging.ERROR, logger="egov.server_error"):
        response = client.get(API + "/me", **bearer(anna))
    body = _error(response, 500, "server_error")
    assert body["fields"] == {}
    reference = body["reference"]
    assert re.fullmatch(r"E-[0-9A-F]{10}", reference)
    assert reference in body["message"]
    assert "selector exploded" not in response.content.decode()
    records = [r for r in caplog.records if reference in r.getMessage()]
    assert len(records) == 1
    assert records[0].exc_info and records[0].exc_info[0] is RuntimeError
    assert "/api/v1/me" in records[0].getMessage()


def test_unexpected_page_error_shows_the_reference(anna, monkeypatch, caplog):
    def broken(**kwargs):
        raise RuntimeError("inbox exploded")

    monkeypatch.setattr("egov.core.selectors.inbox_page", broken)
    browser = Client(raise_request_exception=False)
    browser.force_login(anna)
    with caplog.at_level(logging.ERROR, logger="egov.server_error"):
        response = browser.get("/")
    assert response.status_code == 500
    records = [r for r in caplog.records if r.name == "egov.server_error"]
    assert len(records) == 1 and records[0].exc_info[0] is RuntimeError
    reference = re.search(r"E-[0-9A-F]{10}", records[0].getMessage()).group()
    assert reference in response.content.decode()
    assert "inbox exploded" not in response.content.decode()


def test_handler500_answers_json_under_the_api(caplog):
    request = RequestFactory().get("/api/v1/anything")
    with caplog.at_level(logging.ERROR, logger="egov.server_error"):
        try:
            raise ValueError("outside ninja")
        except ValueError:
            response = server_error(request)
    assert response.status_code == 500
    body = json.loads(response.content)
    assert body["code"] == "server_error" and body["fields"] == {}
    assert any(body["reference"] in r.getMessage() and r.exc_info for r in caplog.records)


# --- (c) the OpenAPI document -------------------------------------------------------------------


@pytest.fixture(scope="module")
def schema():
    import egov.urls  # noqa: F401  (the modules' routers are added there)

    return api.get_openapi_schema(path_prefix="api/v1/")


def _body_schema(schema, path, method="post") -> dict:
    body = schema["paths"][path][method]["requestBody"]["content"]["application/json"]
    ref = body["schema"]["$ref"].rsplit("/", 1)[1]
    return schema["components"]["schemas"][ref]


def test_export_bodies_are_the_ones_the_endpoints_accept(schema, client, anna, bearer):
    exports = _body_schema(schema, "/api/v1/documents/exports")
    assert set(exports["properties"]) == {"kind", "format", "params"}
    assert set(exports["required"]) == {"kind", "format"}
    case_file = _body_schema(schema, "/api/v1/documents/case-files/{case_file_id}/export")
    assert set(case_file["properties"]) == {"format"}
    # What the old document showed for /exports ({"format"} only) is refused by the server.
    refused = client.post(API + "/documents/exports", data={"format": "pdf"},
                          content_type="application/json", **bearer(anna))
    assert set(_error(refused, 422, "invalid")["fields"]) == {"kind"}


def _clash_a():
    class Clash(Schema):
        a: int

    return Clash


def _clash_b():
    class Clash(Schema):
        b: str

    return Clash


ClashA, ClashB = _clash_a(), _clash_b()


def test_two_schemas_with_one_name_are_refused():
    router = Router()

    @router.post("/one")
    def one(request, payload: ClashA):
        return {}

    @router.post("/two")
    def two(request, payload: ClashB):
        return {}

    from egov.core.api import EgovAPI

    other = EgovAPI(urls_namespace="clash-test")
    other.add_router("/", router)
    with pytest.raises(ImproperlyConfigured, match="Clash"):
        EgovOpenAPISchema(other, "")


def test_every_operation_documents_the_framework_errors(schema):
    for path, operations in schema["paths"].items():
        for method, op in operations.items():
            codes = {str(c) for c in op["responses"]}
            assert {"414", "500"} <= codes, (method, path)
            if op.get("security"):
                assert {"401", "403"} <= codes, (method, path)
            if op.get("parameters") or op.get("requestBody"):
                assert "422" in codes, (method, path)
            if op.get("requestBody"):
                assert {"400", "413"} <= codes, (method, path)
            assert any(c.startswith("2") for c in codes), (method, path)


def test_file_downloads_document_their_200(schema):
    for path in ("/api/v1/documents/outgoing/{id}/file",
                 "/api/v1/documents/outgoing/{id}/versions/{n}/pdf",
                 "/api/v1/documents/exports/{job_id}/file",
                 "/api/v1/documents/incoming/{id}/file"):
        responses = schema["paths"][path]["get"]["responses"]
        ok = responses.get(200) or responses["200"]
        assert "application/pdf" in ok["content"], path


def test_paging_alone_fits_the_request_line(schema):
    """Cursors are url-safe base64: a valid request to a list whose only free text is the
    cursor stays below the WSGI server's 414; the document says so, and documents the 414 that
    junk parameters can still reach."""
    for path in ("/api/v1/inbox", "/api/v1/me/tokens", "/api/v1/documents/incoming/queue"):
        op = schema["paths"][path]["get"]
        assert longest_request_line("GET", path, op["parameters"]) <= 4094, path
        too_long = op["responses"].get(414) or op["responses"]["414"]
        assert "valid parameters stay below it" in too_long["description"]
        assert "text/html" in too_long["content"]
    search = schema["paths"]["/api/v1/documents/search"]["get"]["responses"]
    assert "free-text" in (search.get(414) or search["414"])["description"]
    cursor = next(p for p in schema["paths"]["/api/v1/inbox"]["get"]["parameters"]
                  if p["name"] == "cursor")
    assert cursor["schema"]["anyOf"][0]["pattern"] == r"^[A-Za-z0-9_=-]*$"


def test_bad_cursor_characters_are_a_422(client, anna, bearer):
    response = client.get(API + "/inbox", {"cursor": "ÿ" * 900}, **bearer(anna))
    assert list(_error(response, 422, "bad_cursor")["fields"]) == ["cursor"]
