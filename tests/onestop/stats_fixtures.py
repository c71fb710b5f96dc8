"""Helpers of the statistics tests: a commune, a provincial department, two procedures and
dossiers made with records.dossier_create whose clock fields are then set directly — followed,
as any correction must be, by the statistics summary's refresh (services/stats_summary.py)."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest
from django.db import transaction

from egov.core.calendar import LOCAL_TZ

_seq = itertools.count(1)


def at(y, m, d, hh=9, mm=0) -> dt.datetime:
    return dt.datetime(y, m, d, hh, mm, tzinfo=LOCAL_TZ)


@pytest.fixture
def stats_org(org, make_user):
    from egov.onestop.models import Procedure, ProcedureVersion

    def proc(code, name, days, unit=None):
        p = Procedure.objects.create(code=code, name=name)
        v = ProcedureVersion.objects.create(
            procedure=p, name=name, field_name="Hộ tịch", processing_days=days,
            competent_unit=unit, legal_basis="Luật Hộ tịch 2014",
            effective_from=dt.date(2020, 1, 1))
        return p, v

    birth, birth_v = proc("9.001193", "Đăng ký khai sinh", 3)
    land, land_v = proc("1.012345", "Đăng ký biến động đất đai", 10, org["justice"])
    people = {
        "leader": make_user("chutichxa", org["commune"], "leader", title="Chủ tịch"),
        "desk": make_user("motcuaxa", org["commune"], "onestop_officer", title="Công chức"),
        "justice_leader": make_user("giamdoc", org["justice"], "leader", title="Giám đốc"),
        "nobody": make_user("khach", org["commune"], title="Nhân viên"),
    }
    return {**org, **people, "birth": birth, "birth_v": birth_v, "land": land,
            "land_v": land_v}


def make_dossier(version, agency, competent_unit=None, *, received_at, due_at, ended_at=None,
                 state="processing", paused_since=None, supplement_requests=0,
                 channel="counter", result_medium="", paused_days=0, submitted_at=None):
    from egov.onestop.services.records import dossier_create

    with transaction.atomic():
        d = dossier_create(
            actor=None, agency=agency, competent_unit=competent_unit or agency,
            version=version, channel=channel, state=state,
            applicant={"full_name": f"Nguyễn Văn {next(_seq)}", "personal_id": "001099012345",
                       "phone": "0912345678"},
            submitted_at=submitted_at or received_at)
    return set_clock(d, received_at=received_at, due_at=due_at, ended_at=ended_at,
                     paused_since=paused_since, supplement_requests=supplement_requests,
                     result_medium=result_medium, paused_days=paused_days)


def set_clock(dossier, **fields):
    """Set fields of a dossier directly (a correction) and move its share of the statistics
    summary as the dossier services' hook does."""
    from egov.onestop.models import Dossier
    from egov.onestop.services.stats_summary import dossier_refresh

    with transaction.atomic():
        Dossier.objects.filter(pk=dossier.pk).update(**fields)
        dossier.refresh_from_db()
        dossier_refresh(dossier)
    return dossier


def rate(dossier, satisfied: bool):
    """A rating written directly (the rating service only accepts returned dossiers), with the
    summary's refresh the rating service does."""
    from egov.onestop.models import Rating
    from egov.onestop.services.stats_summary import dossier_refresh

    with transaction.atomic():
        rating = Rating.objects.create(dossier=dossier, satisfied=satisfied)
        dossier_refresh(dossier)
    return rating
