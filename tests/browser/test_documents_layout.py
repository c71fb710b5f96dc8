"""Draft templates, the layout check and the preview in a real browser (issue 9 §1): the drafting
page offers the .docx template, the format review shows what the PDF lacks, the signer's
preview link opens a PDF. Axe at 1280 and 360 px; no horizontal scroll at 360 px."""

from __future__ import annotations

import pytest

from tests.browser.test_documents_outgoing import _check_page, people  # noqa: F401 (fixture)
from tests.documents.conftest import DECREE_HEADER, make_pdf

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _draft(people, pdf: bytes, *, to_format: bool):  # noqa: F811
    from egov.documents.services import outgoing as svc

    doc = svc.outgoing_create(actor=people["officer"], file=("du-thao.pdf", pdf), data={
        "type_code": "QD", "subject": "Quyết định về việc thử thể thức",
        "signer_id": people["leader"].pk, "signer_capacity": "", "urgency": "normal",
        "recipients": [], "drafting_unit_id": people["economy"].pk})
    svc.outgoing_submit(actor=people["officer"], document=doc)
    svc.outgoing_review(actor=people["unit_head"], document=doc, step="content",
                        decision="approved")
    if not to_format:
        svc.outgoing_review(actor=people["clerk"], document=doc, step="format",
                            decision="approved")
        svc.outgoing_review(actor=people["leader"], document=doc, step="signer",
                            decision="approved")
    return doc


def test_template_download_review_problems_and_preview(page, live_server, people, login):  # noqa: F811
    login(page, "chuyenvien")
    page.goto(live_server.url + "/documents/outgoing/new/")
    form = page.locator('[data-testid="template-form"]')
    form.locator("select[name=type]").select_option("CV")
    with page.expect_download() as info:
        form.locator("button[type=submit]").click()
    assert info.value.suggested_filename == "mau-cv.docx"
    _check_page(page, "new-with-template")

    bad = _draft(people, make_pdf("Thieu so", header=tuple(
        h for h in DECREE_HEADER if not h[3].startswith("Số:"))), to_format=True)
    page.context.clear_cookies()
    login(page, "vanthu")
    page.goto(f"{live_server.url}/documents/outgoing/{bad.pk}/")
    problems = page.locator('[data-testid="layout-problems"]')
    assert "Số: …" in problems.inner_text()
    _check_page(page, "layout-problems")

    good = _draft(people, make_pdf("Dung the thuc"), to_format=False)
    page.context.clear_cookies()
    login(page, "chutich")
    page.goto(f"{live_server.url}/documents/outgoing/{good.pk}/")
    link = page.locator('[data-testid="preview-link"]')
    href = link.get_attribute("href")
    assert href.endswith(f"/documents/outgoing/{good.pk}/preview/?stage=sign")
    _check_page(page, "preview-link")
    res = page.request.get(live_server.url + href)
    assert res.status == 200 and res.headers["content-type"] == "application/pdf"
    assert res.body().startswith(b"%PDF-")
