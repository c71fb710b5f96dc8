"""Batch signing in a real browser: the chairman opens "Sign in batch", ticks two of his three
approved documents (select-all ticks and unticks them all), starts the batch, and the job page —
polling every second — shows it done once the background worker has run; the two documents are
signed, the third is still waiting. axe finds no serious violation; no horizontal scroll at
360 px."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from tests.browser.conftest import serious_violations as _serious
from tests.documents.conftest import docs_org  # noqa: F401 (fixture)
from tests.signing.conftest import test_pki  # noqa: F401 (fixture)
from tests.signing.test_documents_flow import signing_org  # noqa: F401 (fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path("/tmp/egov-shots")


@pytest.fixture
def o(transactional_db, signing_org):  # noqa: F811
    return signing_org


def _in_thread(fn, *args, **kwargs):
    """pyHanko signs through asyncio.run(), which refuses to run inside Playwright's event loop:
    run the worker in another thread (and close that thread's database connection after)."""
    from django.db import connections

    def run():
        try:
            return fn(*args, **kwargs)
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(run).result()


def _check(page, name: str) -> list[str]:
    SHOTS.mkdir(parents=True, exist_ok=True)
    bad = _serious(page)
    page.screenshot(path=str(SHOTS / f"batch-{name}-1280.png"), full_page=True)
    page.set_viewport_size({"width": 360, "height": 740})
    bad += _serious(page)
    width = page.evaluate("document.documentElement.scrollWidth")
    if width > 360:
        bad.append(f"{width}px wide at 360px")
    page.screenshot(path=str(SHOTS / f"batch-{name}-360.png"), full_page=True)
    page.set_viewport_size({"width": 1280, "height": 900})
    return bad


def test_select_two_documents_and_sign_them_in_a_batch(page, live_server, o, login,
                                                        monkeypatch):
    from django.core.management import call_command
    from django_tasks_db.management.commands.db_worker import Worker

    # The worker runs in a thread here, where Python refuses to install signal handlers.
    monkeypatch.setattr(Worker, "configure_signals", lambda self: None)

    from egov.documents.models import OutgoingDocument, OutgoingState
    from egov.signing.models import BatchSigningJob
    from tests.documents.test_outgoing_support import approved

    docs = [approved(o, subject=f"Quyết định phê duyệt kế hoạch đợt {n}") for n in range(3)]
    problems: list[str] = []
    login(page, "chutich")
    page.goto(f"{live_server.url}/signing/batches/")
    boxes = page.locator("input[name=document_ids]")
    assert boxes.count() == 3
    select_all = page.get_by_test_id("select-all")
    select_all.check()
    assert all(boxes.nth(i).is_checked() for i in range(3))
    select_all.uncheck()
    assert not any(boxes.nth(i).is_checked() for i in range(3))
    problems += _check(page, "list")

    page.get_by_test_id(f"doc-{docs[0].pk}").check()
    page.get_by_test_id(f"doc-{docs[2].pk}").check()
    assert select_all.evaluate("el => el.indeterminate")
    page.get_by_test_id("sign-selected").click()
    page.wait_for_load_state()
    job = BatchSigningJob.objects.get()
    assert page.url.endswith(f"/signing/batches/{job.pk}/")
    status = page.get_by_test_id("batch-status")
    assert status.get_attribute("hx-trigger") == "every 1s"
    assert status.get_attribute("data-state") == "queued"
    assert page.locator("progress.signing-batch-progress").is_visible()
    problems += _check(page, "waiting")

    _in_thread(call_command, "worker", batch=True, startup_delay=False, verbosity=0)

    page.wait_for_selector("[data-testid=batch-status][data-state=done]", timeout=15_000)
    assert page.locator("progress.signing-batch-progress").get_attribute("value") == "100"
    assert page.get_by_test_id("batch-status").get_attribute("hx-trigger") is None
    problems += _check(page, "done")
    states = dict(OutgoingDocument.objects.filter(pk__in=[d.pk for d in docs])
                  .values_list("pk", "state"))
    assert states == {docs[0].pk: OutgoingState.SIGNED, docs[1].pk: OutgoingState.APPROVED,
                      docs[2].pk: OutgoingState.SIGNED}

    # Back on the list: only the third document is left, the batch is among the last ones.
    page.goto(f"{live_server.url}/signing/batches/")
    assert page.locator("input[name=document_ids]").count() == 1
    assert page.locator(f"a[href='/signing/batches/{job.pk}/']").count() == 1
    assert not problems, problems
