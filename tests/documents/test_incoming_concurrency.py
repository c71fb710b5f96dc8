"""Concurrent registrations in one agency: one register, arrival numbers 1..N without gap or
duplicate (NĐ 30/2020, Điều 22.2), on SQLite and PostgreSQL."""

from __future__ import annotations

from egov.documents.models import IncomingDocument, Register
from tests.concurrency import run_threads
from tests.documents.conftest import incoming_data, unique_pdf


def test_concurrent_registrations_are_gapless(transactional_db, docs_org):
    from egov.documents.services.incoming import incoming_register

    threads_n, per_thread = 8, 3
    pdfs = [[unique_pdf(f"t{k}-{i}") for i in range(per_thread)] for k in range(threads_n)]
    datas = [[incoming_data() for _ in range(per_thread)] for _ in range(threads_n)]

    def worker(k: int) -> None:
        for i in range(per_thread):
            incoming_register(actor=docs_org["clerk"], agency=docs_org["province"],
                              file=(f"{k}-{i}.pdf", pdfs[k][i]), data=datas[k][i])

    errors = run_threads(worker, threads_n)
    assert not errors, errors
    n = threads_n * per_thread
    numbers = sorted(IncomingDocument.objects.values_list("arrival_number", flat=True))
    assert numbers == list(range(1, n + 1))
    assert Register.objects.filter(agency=docs_org["province"]).count() == 1
