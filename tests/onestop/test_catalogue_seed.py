"""The seeded catalogue (migration 0003, egov.onestop.catalogue_seed): the codes of services.md
§1.5, the code history, versions in force, steps adding up to the processing time, the 15:00
flag only where a text says so, and idempotence."""

import datetime as dt
from decimal import Decimal

import pytest

from egov.onestop.catalogue_seed import CATALOGUE, seed_catalogue
from egov.onestop.models import Procedure, ProcedureCode, ProcedureVersion
from egov.onestop.selectors.procedures import procedure_by_any_code, procedure_detail

pytestmark = pytest.mark.django_db

SERVICES_MD_CODES = {
    "1.001193": "khai sinh", "1.000894": "kết hôn", "1.000656": "khai tử",
    "1.004873": "tình trạng hôn nhân", "2.000806": "yếu tố nước ngoài",
    "1.000419": "lưu động", "2.001263": "nuôi con nuôi", "1.004859": "cải chính",
    "2.000635": "trích lục", "2.000815": "bản sao", "2.000884": "chữ ký",
    "1.004194": "tạm trú", "1.010038": "tách hộ",
}


def test_migration_seeded_every_code_of_services_md():
    names = dict(Procedure.objects.values_list("code", "name"))
    for code, word in SERVICES_MD_CODES.items():
        assert code in names, code
        assert word in names[code].lower(), (code, names[code])
    levels = set(Procedure.objects.values_list("level", flat=True))
    assert levels == {"commune", "province"}
    fields = set(ProcedureVersion.objects.values_list("field_name", flat=True))
    assert {"Hộ tịch", "Chứng thực", "Đăng ký, quản lý cư trú", "Bảo trợ xã hội",
            "Đất đai"} <= fields


def test_old_code_resolves_to_the_reissued_procedure():
    proc = procedure_by_any_code("1.003559")
    assert proc is not None and proc.code == "1.004873"
    old = ProcedureCode.objects.get(code="1.003559")
    assert old.valid_to is not None and old.valid_to < dt.date(2025, 7, 1)
    assert procedure_detail("1.003559").procedure.code == "1.004873"


def test_version_in_force_depends_on_the_day():
    old = procedure_detail("1.004873", day=dt.date(2024, 3, 1)).version
    new = procedure_detail("1.004873", day=dt.date(2026, 12, 1)).version
    assert (old.number, new.number) == (1, 2)
    assert old.effective_to == dt.date(2025, 6, 30)
    assert new.effective_to is None and new.effective_from == dt.date(2025, 7, 1)


def test_steps_add_up_to_the_processing_time_and_use_role_codes():
    for version in ProcedureVersion.objects.prefetch_related("steps"):
        steps = list(version.steps.all())
        assert steps, version
        assert sum((s.days for s in steps), Decimal(0)) == version.processing_days, version
        assert {s.role_code for s in steps} <= {"onestop_officer", "officer", "leader"}
        assert [s.ordering for s in steps] == list(range(1, len(steps) + 1))
        assert version.components.exists(), version


def test_same_day_and_the_1500_flag_follow_the_texts():
    v = {p: procedure_detail(p).version for p in ("1.001193", "1.000656", "2.000815",
                                                  "1.004873", "1.004194", "1.000419")}
    for code in ("1.001193", "1.000656", "2.000815"):
        assert v[code].same_day and v[code].processing_days == 0
        assert v[code].next_day_after_cutoff, code
    assert "Điều 5.3" in v["1.001193"].legal_basis
    assert "Điều 7" in v["2.000815"].legal_basis
    for code in ("1.004873", "1.004194", "1.000419"):  # no text says so
        assert not v[code].next_day_after_cutoff, code
    assert v["1.004873"].processing_days == 3
    # an unconfirmed time limit is said to be so, not presented as fact
    assert "CHƯA KIỂM CHỨNG" in v["1.000419"].legal_basis


def test_seed_is_idempotent():
    before = (Procedure.objects.count(), ProcedureVersion.objects.count(),
              ProcedureCode.objects.count())
    assert seed_catalogue() == {"procedures": 0, "versions": 0}
    assert (Procedure.objects.count(), ProcedureVersion.objects.count(),
            ProcedureCode.objects.count()) == before
    assert before[0] == len(CATALOGUE)


def test_seed_after_a_flush_recreates_everything():
    ProcedureVersion.objects.all().delete()
    Procedure.objects.all().delete()
    counts = seed_catalogue()
    assert counts["procedures"] == len(CATALOGUE)
    assert counts["versions"] == sum(len(e["versions"]) for e in CATALOGUE)
