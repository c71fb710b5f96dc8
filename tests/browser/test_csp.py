"""The Content-Security-Policy in a real browser: every main page — public, the clerk's, the
leader's, the officer's — carries the strict policy and the browser reports no violation
(no `securitypolicyviolation` event, no CSP message on the console) while the pages load their
scripts and styles, htmx starts, and PDFs are previewed in frames (our own file URLs and the
blob: preview of a PDF chosen for upload)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.documents.conftest import docs_org  # noqa: F401  (the documents people, as a fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

RECORD = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", function (e) {
  window.__cspViolations.push(e.violatedDirective + " " + e.blockedURI + " " +
                              (e.sourceFile || "") + ":" + (e.lineNumber || ""));
});
"""


@pytest.fixture
def people(transactional_db, request):
    return request.getfixturevalue("docs_org")


class Watch:
    """Collects CSP violations of every page visited with `visit`."""

    def __init__(self, page, base_url: str):
        self.page, self.base = page, base_url
        self.problems: dict[str, list[str]] = {}
        self.console: list[str] = []
        page.context.add_init_script(RECORD)
        page.on("console", lambda msg: self.console.append(msg.text)
                if "Content Security Policy" in msg.text or "Content-Security-Policy" in msg.text
                else None)

    def visit(self, path: str, *, frames: str = "") -> None:
        response = self.page.goto(self.base + path)
        assert response is not None and response.status == 200, (path, response)
        policy = response.headers.get("content-security-policy", "")
        assert "script-src 'self'" in policy and "unsafe-inline" not in policy, (path, policy)
        self.page.wait_for_load_state("load")
        if frames:
            self.page.wait_for_selector(frames, state="attached")
            self.page.wait_for_timeout(300)
        self.collect(path)

    def collect(self, name: str) -> None:
        found = self.page.evaluate("window.__cspViolations || []") + self.console
        self.console = []
        if found:
            self.problems[name] = found


def test_no_csp_violation_on_the_main_pages(page, live_server, people, login, tmp_path):
    from egov.documents.services.incoming import incoming_register
    from egov.documents.services.outgoing import outgoing_create
    from tests.documents.conftest import incoming_data, unique_pdf
    from tests.documents.test_outgoing_support import draft_data

    o = people
    incoming = incoming_register(actor=o["clerk"], agency=o["province"],
                                 file=("cong-van.pdf", unique_pdf()), data=incoming_data())
    draft = outgoing_create(actor=o["officer"], data=draft_data(o),
                            file=("du-thao.pdf", unique_pdf("draft")))
    watch = Watch(page, live_server.url)

    # Public pages.
    for path in ("/login/", "/verify/"):
        watch.visit(path)

    # The clerk: shell, incoming desk (with the blob: preview of the chosen PDF), the document
    # page with its PDF frame, lists, registers, search, tokens.
    login(page, "vanthu")
    watch.collect("login as clerk")
    for path in ("/", "/notifications/", "/tokens/", "/documents/incoming/",
                 "/documents/outgoing/", "/documents/registers/", "/documents/search/?q=van",
                 "/documents/files/", "/signing/certificates/"):
        watch.visit(path)
    watch.visit("/documents/incoming/new/")
    pdf = tmp_path / "chon.pdf"
    pdf.write_bytes(unique_pdf("chosen"))
    page.set_input_files("#id_file", str(pdf))
    expect(page.locator("#doc-incoming-preview")).to_have_attribute("src", re.compile("^blob:"))
    page.wait_for_timeout(300)
    watch.collect("desk preview")
    watch.visit(f"/documents/incoming/{incoming.pk}/", frames="iframe.doc-incoming-pdf")

    # The leader: the queue, the batch page, a draft with its PDF preview.
    page.context.clear_cookies()
    login(page, "chutich")
    for path in ("/documents/incoming/queue/", "/signing/batches/", "/documents/outgoing/"):
        watch.visit(path)
    watch.visit(f"/documents/outgoing/{draft.pk}/", frames="iframe.doc-outgoing-preview")

    # The officer: the drafting form and the draft.
    page.context.clear_cookies()
    login(page, "chuyenvien")
    watch.visit("/documents/outgoing/new/")
    watch.visit(f"/documents/outgoing/{draft.pk}/")

    assert watch.problems == {}


def test_pdf_downloads_are_sandboxed(page, live_server, people, login):
    """A downloaded file runs nothing in our origin: `Content-Security-Policy: sandbox`."""
    from egov.documents.services.incoming import incoming_register
    from tests.documents.conftest import incoming_data
    from tests.pdf_samples import pdf_with

    o = people
    doc = incoming_register(actor=o["clerk"], agency=o["province"],
                            file=("js.pdf", pdf_with("javascript")), data=incoming_data())
    login(page, "vanthu")
    page.goto(live_server.url + f"/documents/incoming/{doc.pk}/")
    assert page.locator("[data-testid=active-content]").is_visible()
    assert page.locator("iframe").count() == 0
    response = page.request.get(live_server.url + f"/documents/incoming/{doc.pk}/file/")
    assert response.headers["content-security-policy"] == "sandbox"
    assert response.headers["content-disposition"].startswith("attachment")
