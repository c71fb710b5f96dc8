"""Concurrent intakes at one desk: dossier codes gapless per day and register entries gapless
per year, without duplicates (numbering kernel; PostgreSQL row locks)."""

from __future__ import annotations

import pytest

from egov.onestop.models import Dossier, Slip
from tests.concurrency import run_threads

from .services_support import ALL, APPLICANT, make_procedure

pytestmark = pytest.mark.postgres


def test_concurrent_intakes_are_gapless(transactional_db, org, make_user):
    from egov.onestop.services import intake

    officer = make_user("motcua", org["commune"], "onestop_officer")
    make_procedure()
    threads_n, per_thread = 6, 3

    def worker(k: int) -> None:
        for _ in range(per_thread):
            intake.dossier_intake(actor=officer, agency=org["commune"],
                                  procedure_code="1.001234", applicant=APPLICANT,
                                  components=ALL)

    errors = run_threads(worker, threads_n)
    assert not errors, errors
    n = threads_n * per_thread
    codes = sorted(Dossier.objects.values_list("code", flat=True))
    assert [int(c.rsplit("-", 1)[1]) for c in codes] == list(range(1, n + 1))
    assert len({c.rsplit("-", 1)[0] for c in codes}) == 1
    entries = sorted(s.data["register"]["entry"] for s in Slip.objects.filter(form="01"))
    assert entries == list(range(1, n + 1))
