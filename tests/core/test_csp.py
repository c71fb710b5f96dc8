"""The Content-Security-Policy (egov.core.middleware.ContentSecurityPolicyMiddleware): every HTML
page carries the strict policy; no template of ours holds what the policy forbids (inline
scripts, on* handler attributes, inline styles), so the pages live with it (the browser test
tests/browser/test_csp.py sees no violation)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import egov

PACKAGE = Path(egov.__file__).resolve().parent
# Templates rendered by WeasyPrint into PDFs are never served as pages.
PDF_TEMPLATES = "/pdf/"


def _policy(response) -> dict[str, str]:
    header = response["Content-Security-Policy"]
    return {d.split()[0]: d.partition(" ")[2] for d in header.split("; ")}


@pytest.mark.parametrize("path", ["/login/", "/verify/"])
def test_pages_carry_the_strict_policy(client, db, path):
    response = client.get(path)
    assert response.status_code == 200
    policy = _policy(response)
    assert policy["default-src"] == "'self'"
    assert policy["script-src"] == "'self'" and policy["style-src"] == "'self'"
    assert policy["object-src"] == "'none'" and policy["frame-ancestors"] == "'self'"
    assert policy["frame-src"] == "'self' blob:"
    assert "unsafe" not in response["Content-Security-Policy"]


def test_the_signing_agent_may_be_called(client, db, settings):
    settings.EGOV_SIGN_AGENT_URL = "http://127.0.0.1:9999"
    settings.EGOV_CSP_CONNECT_SRC = ["https://tsa.example.invalid"]
    policy = _policy(client.get("/login/"))
    assert policy["connect-src"] == "'self' http://127.0.0.1:9999 https://tsa.example.invalid"


def test_json_answers_get_no_page_policy(client, db):
    response = client.get("/api/v1/me")
    assert response["Content-Type"].startswith("application/json")
    assert "Content-Security-Policy" not in response


def test_no_template_holds_inline_script_handlers_or_styles():
    offenders = []
    for path in PACKAGE.rglob("templates/**/*.html"):
        if PDF_TEMPLATES in str(path):
            continue
        text = path.read_text(encoding="utf-8")
        for pattern, what in [
            (r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/(?:json|ld\+json)\")[^>]*>",
             "inline script"),
            (r"\son[a-z]+\s*=", "on* handler"),
            (r"<style\b", "inline <style>"),
            (r"\sstyle\s*=", "style attribute"),
            (r"javascript:", "javascript: URL"),
        ]:
            if re.search(pattern, text, re.I):
                offenders.append(f"{path.relative_to(PACKAGE)}: {what}")
    assert offenders == []
