"""The working-day calendar: seeded holidays, counting, the 15:00 cut-off, pauses, calendar-day
deadlines, inbox states, admin edits, the cache and the public API."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import holidays
import pytest
from django.core.management import call_command
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from egov.core import calendar as cal
from egov.core.calendar import (
    LOCAL_TZ,
    add_working_days,
    calendar_deadline,
    deadline_state,
    effective_start,
    is_working_day,
    working_days_between,
    working_deadline,
)
from egov.core.models import CalendarDay, CalendarDayKind

pytestmark = pytest.mark.django_db

D = dt.date
UTC = dt.UTC


def vn(y, m, d, hh=0, mm=0):
    """An instant in Vietnamese time."""
    return dt.datetime(y, m, d, hh, mm, tzinfo=LOCAL_TZ)


@pytest.fixture(autouse=True)
def _fresh_calendar_cache():
    # Rows a test creates are rolled back without a post_delete signal: start and end clean.
    cal.invalidate()
    yield
    cal.invalidate()


# --- The seed (migration 0003) ------------------------------------------------------------------


def test_migration_seeded_tet_2026_and_2035():
    tet = CalendarDay.objects.get(date=D(2026, 2, 17))
    assert tet.kind == CalendarDayKind.OFF
    assert tet.name == "Tết Nguyên Đán"
    assert "Điều 112" in tet.legal_basis
    assert CalendarDay.objects.get(date=D(2035, 2, 8)).kind == CalendarDayKind.OFF
    assert CalendarDay.objects.filter(date__year=2035, name__contains="Tết Nguyên Đán").count() >= 5
    for year in range(2020, 2036):
        assert CalendarDay.objects.filter(date__year=year, kind="off").count() >= 10, year


def test_migration_seeded_make_up_saturdays_and_legal_bases():
    for day in (D(2025, 4, 26), D(2026, 8, 22)):
        row = CalendarDay.objects.get(date=day)
        assert row.kind == CalendarDayKind.WORKDAY
        assert row.legal_basis
    assert "31/08/2026" in CalendarDay.objects.get(date=D(2026, 8, 22)).name
    swapped = CalendarDay.objects.get(date=D(2026, 8, 31))
    assert swapped.kind == "off" and "thay cho ngày 22/08/2026" in swapped.name
    culture = CalendarDay.objects.get(date=D(2026, 11, 24))
    assert culture.kind == "off" and culture.legal_basis == "Nghị quyết 28/2026/QH16"
    assert not CalendarDay.objects.filter(date=D(2025, 11, 24)).exists()
    assert "Điều 111" in CalendarDay.objects.get(date=D(2026, 4, 27)).legal_basis


def test_seed_agrees_with_holidays_package_2020_2035():
    package = holidays.country_holidays("VN", years=range(2020, 2036))
    # Announced after the package's release (VPCP 12729/VPCP-KGVX, 25/12/2025; issue 9 §2):
    # Friday 2/1/2026 off, swapped with Saturday 10/1/2026 worked. Only these two differ.
    announced_later = {D(2026, 1, 2): False, D(2026, 1, 10): True}
    day = D(2020, 1, 1)
    while day <= D(2035, 12, 31):
        expected = announced_later.get(day, package.is_working_day(day))
        assert is_working_day(day) == expected, day
        day += dt.timedelta(days=1)


def test_calendar_seed_command_is_idempotent_and_keeps_edits():
    CalendarDay.objects.filter(date__year=2036).delete()
    CalendarDay.objects.create(date=D(2036, 1, 1), kind="workday", name="Sửa tay")
    out = StringIO()
    call_command("calendar_seed", "--from", "2036", "--to", "2036", stdout=out)
    created = CalendarDay.objects.filter(date__year=2036).count()
    assert created > 10
    assert CalendarDay.objects.get(date=D(2036, 1, 1)).name == "Sửa tay"
    call_command("calendar_seed", "--from", "2036", "--to", "2036", stdout=out)
    assert CalendarDay.objects.filter(date__year=2036).count() == created


# --- Working days -------------------------------------------------------------------------------


def test_tet_2026():
    for d in range(16, 21):
        assert not is_working_day(D(2026, 2, d))
    assert is_working_day(D(2026, 2, 13))
    assert add_working_days(D(2026, 2, 13), 1) == D(2026, 2, 23)
    assert add_working_days(D(2026, 2, 12), 2) == D(2026, 2, 23)
    assert add_working_days(D(2026, 2, 15), 3) == D(2026, 2, 25)
    assert working_days_between(D(2026, 2, 13), D(2026, 2, 23)) == 1


def test_gio_to_2026_on_sunday_and_30_4_1_5():
    assert not is_working_day(D(2026, 4, 26))  # Sunday
    assert not is_working_day(D(2026, 4, 27))  # compensatory Monday (BLLĐ Art.111.3)
    assert add_working_days(D(2026, 4, 24), 1) == D(2026, 4, 28)
    assert not is_working_day(D(2026, 4, 30)) and not is_working_day(D(2026, 5, 1))
    assert add_working_days(D(2026, 4, 29), 1) == D(2026, 5, 4)
    assert working_days_between(D(2026, 4, 24), D(2026, 5, 4)) == 3  # 28, 29/4 and 4/5


def test_culture_day_24_11_from_2026_only():
    assert not is_working_day(D(2026, 11, 24))  # Tuesday
    assert is_working_day(D(2025, 11, 24))  # Monday, before Nghị quyết 28/2026/QH16
    assert add_working_days(D(2026, 11, 23), 1) == D(2026, 11, 25)
    assert add_working_days(D(2025, 11, 21), 1) == D(2025, 11, 24)


def test_make_up_saturdays_and_swapped_days():
    assert is_working_day(D(2025, 4, 26))
    assert add_working_days(D(2025, 4, 25), 1) == D(2025, 4, 26)
    assert not is_working_day(D(2025, 5, 2))
    assert is_working_day(D(2026, 8, 22))
    assert not is_working_day(D(2026, 8, 29))  # an ordinary Saturday
    assert not is_working_day(D(2026, 8, 31))
    assert add_working_days(D(2026, 8, 21), 1) == D(2026, 8, 22)
    assert add_working_days(D(2026, 8, 28), 1) == D(2026, 9, 3)  # 31/8, 1/9, 2/9 off


def test_working_days_between():
    assert working_days_between(D(2026, 1, 31), D(2026, 2, 28)) == 15
    assert working_days_between(D(2025, 12, 31), D(2026, 12, 31)) == 261 - 13 + 1  # 13 weekdays off, 22/8
    assert working_days_between(D(2026, 3, 2), D(2026, 3, 2)) == 0
    assert working_days_between(D(2026, 3, 9), D(2026, 3, 2)) == 0
    assert working_days_between(D(2026, 3, 6), D(2026, 3, 9)) == 1  # Friday → Monday


def test_add_working_days_zero_negative_and_outside_precomputed_range():
    assert add_working_days(D(2026, 2, 14), 0) == D(2026, 2, 14)
    assert add_working_days(D(2026, 2, 23), -1) == D(2026, 2, 13)
    assert add_working_days(D(2026, 2, 21), -1) == D(2026, 2, 13)
    assert add_working_days(D(2026, 3, 9), -5) == D(2026, 3, 2)
    # Beyond the seeded and precomputed years only the Monday–Friday rule applies.
    assert add_working_days(D(2045, 1, 6), 1) == D(2045, 1, 9)
    assert add_working_days(D(2010, 1, 4), -1) == D(2010, 1, 1)
    assert add_working_days(D(2039, 12, 30), 3650) > D(2053, 1, 1)
    assert working_days_between(D(2041, 12, 31), D(2042, 12, 31)) == 261


@given(start=st.dates(min_value=D(2020, 1, 1), max_value=D(2035, 12, 31)),
       n=st.integers(min_value=0, max_value=400))
@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_property_add_and_count_agree(start, n):
    end = add_working_days(start, n)
    assert working_days_between(start, end) == n
    if n:
        assert is_working_day(end)
        assert working_days_between(start, end - dt.timedelta(days=1)) == n - 1
        if is_working_day(start):
            assert add_working_days(end, -n) == start


# --- Cut-off, office hours, working deadlines ---------------------------------------------------


def test_cutoff_on_the_friday_before_tet_2026():
    assert effective_start(vn(2026, 2, 13, 14, 59)) == vn(2026, 2, 13, 14, 59)
    assert effective_start(vn(2026, 2, 13, 15, 0)) == vn(2026, 2, 13, 15, 0)
    assert effective_start(vn(2026, 2, 13, 15, 1)) == vn(2026, 2, 23, 7, 30)
    # The same instant given in UTC (15:01 local = 08:01 UTC).
    assert effective_start(dt.datetime(2026, 2, 13, 8, 1, tzinfo=UTC)) == vn(2026, 2, 23, 7, 30)
    assert working_deadline(vn(2026, 2, 13, 14, 59), 1) == vn(2026, 2, 23, 14, 59)
    assert working_deadline(vn(2026, 2, 13, 15, 1), 1) == vn(2026, 2, 24, 7, 30)
    assert working_deadline(vn(2026, 2, 13, 14, 59), 3) == vn(2026, 2, 25, 14, 59)


def test_receipt_before_opening_or_on_a_day_off():
    assert effective_start(vn(2026, 3, 2, 6, 0)) == vn(2026, 3, 2, 7, 30)
    assert effective_start(vn(2026, 2, 14, 10, 0)) == vn(2026, 2, 23, 7, 30)  # Saturday in Tết
    assert effective_start(vn(2026, 8, 22, 10, 0)) == vn(2026, 8, 22, 10, 0)  # make-up Saturday
    naive = dt.datetime(2026, 2, 13, 15, 1)  # read as Vietnamese time
    assert effective_start(naive) == vn(2026, 2, 23, 7, 30)


def test_cutoff_comes_from_settings(settings):
    settings.EGOV_WORKDAY_CUTOFF = "16:00"
    settings.EGOV_OFFICE_OPENS = "08:00"
    assert effective_start(vn(2026, 2, 13, 15, 30)) == vn(2026, 2, 13, 15, 30)
    assert effective_start(vn(2026, 2, 13, 16, 1)) == vn(2026, 2, 23, 8, 0)


def test_same_day_result():
    assert working_deadline(vn(2026, 3, 2, 9, 0), 0) == vn(2026, 3, 2, 17, 0)
    assert working_deadline(vn(2026, 2, 13, 15, 1), 0) == vn(2026, 2, 23, 17, 0)


def test_pause_extends_working_deadline():
    received = vn(2026, 3, 2, 9, 0)  # Monday
    assert working_deadline(received, 5) == vn(2026, 3, 9, 9, 0)
    # Waiting for the citizen's supplement Wednesday 10:00 → Friday 11:00 uses Thu and Fri.
    pause = (vn(2026, 3, 4, 10, 0), vn(2026, 3, 6, 11, 0))
    assert working_deadline(received, 5, [pause]) == vn(2026, 3, 11, 9, 0)
    # Over a weekend: Friday → Monday consumes one working day.
    assert working_deadline(received, 5, [(vn(2026, 3, 6, 10, 0), vn(2026, 3, 9, 8, 0))]) == \
        vn(2026, 3, 10, 9, 0)
    # Within one day: nothing. Before the receipt: nothing. Overlaps are counted once.
    assert working_deadline(received, 5, [(vn(2026, 3, 3, 8, 0), vn(2026, 3, 3, 16, 0))]) == \
        vn(2026, 3, 9, 9, 0)
    assert working_deadline(received, 5, [(vn(2026, 2, 25, 8, 0), vn(2026, 3, 2, 8, 0))]) == \
        vn(2026, 3, 9, 9, 0)
    overlapping = [pause, (vn(2026, 3, 5, 8, 0), vn(2026, 3, 6, 9, 0))]
    assert working_deadline(received, 5, overlapping) == vn(2026, 3, 11, 9, 0)
    # A pause across Tết 2026 (Friday 13/2 → Monday 23/2) consumes one working day.
    assert working_deadline(vn(2026, 2, 12, 9, 0), 2,
                            [(vn(2026, 2, 13, 9, 0), vn(2026, 2, 23, 9, 0))]) == \
        vn(2026, 2, 24, 9, 0)


def test_working_deadline_refuses_negative_days():
    with pytest.raises(ValueError):
        working_deadline(vn(2026, 3, 2, 9, 0), -1)


# --- Calendar-day deadlines (BLDS 2015 Art.147–148) ---------------------------------------------


def test_calendar_deadline_with_and_without_roll_forward():
    assert calendar_deadline(D(2026, 2, 6), 10) == D(2026, 2, 16)  # Giao thừa
    assert calendar_deadline(D(2026, 2, 6), 10, roll_forward=True) == D(2026, 2, 23)
    assert calendar_deadline(D(2026, 3, 2), 5) == D(2026, 3, 7)  # Saturday
    assert calendar_deadline(D(2026, 3, 2), 5, roll_forward=True) == D(2026, 3, 9)
    assert calendar_deadline(D(2026, 3, 2), 4, roll_forward=True) == D(2026, 3, 6)
    assert calendar_deadline(D(2026, 1, 1), 60) == D(2026, 3, 2)
    assert calendar_deadline(D(2026, 8, 12), 10, roll_forward=True) == D(2026, 8, 22)  # make-up
    with pytest.raises(ValueError):
        calendar_deadline(D(2026, 1, 1), -1)


# --- Inbox states -------------------------------------------------------------------------------


def test_deadline_state():
    now = vn(2026, 3, 2, 9, 0)
    assert deadline_state(None, now) == "none"
    assert deadline_state(vn(2026, 3, 2, 8, 59), now) == "overdue"
    assert deadline_state(vn(2026, 3, 2, 16, 0), now) == "due_today"
    assert deadline_state(vn(2026, 3, 2, 9, 0), now) == "due_today"
    assert deadline_state(vn(2026, 3, 3, 9, 0), now) == "in_time"
    # Local dates decide: 17:30 UTC on 2 March is 00:30 on 3 March in Vietnam.
    assert deadline_state(dt.datetime(2026, 3, 2, 17, 30, tzinfo=UTC),
                          vn(2026, 3, 2, 20, 0)) == "in_time"
    assert deadline_state(dt.datetime(2026, 3, 2, 16, 30, tzinfo=UTC),
                          vn(2026, 3, 2, 20, 0)) == "due_today"
    assert deadline_state(vn(2000, 1, 1)) == "overdue"  # default now
    assert deadline_state(vn(2999, 1, 1)) == "in_time"


# --- Administrator's edits and the cache --------------------------------------------------------


def test_admin_edit_takes_effect_immediately():
    assert add_working_days(D(2026, 3, 2), 1) == D(2026, 3, 3)
    row = CalendarDay.objects.create(date=D(2026, 3, 3), kind="off", name="Nghỉ đột xuất",
                                     legal_basis="Quyết định thử nghiệm")
    assert not is_working_day(D(2026, 3, 3))
    assert add_working_days(D(2026, 3, 2), 1) == D(2026, 3, 4)
    assert working_days_between(D(2026, 2, 28), D(2026, 3, 31)) == 21
    row.kind = CalendarDayKind.WORKDAY
    row.save()
    assert add_working_days(D(2026, 3, 2), 1) == D(2026, 3, 3)
    row.delete()
    assert add_working_days(D(2026, 3, 2), 1) == D(2026, 3, 3)
    CalendarDay.objects.create(date=D(2026, 3, 7), kind="workday", name="Làm bù")
    assert add_working_days(D(2026, 3, 6), 1) == D(2026, 3, 7)


def test_edits_without_signals_are_seen_within_the_recheck_interval():
    assert add_working_days(D(2026, 3, 2), 1) == D(2026, 3, 3)
    CalendarDay.objects.bulk_create([CalendarDay(date=D(2026, 3, 3), kind="off", name="X")])
    assert add_working_days(D(2026, 3, 2), 1) == D(2026, 3, 3)  # cached, no signal
    cal._checked_at -= cal.RECHECK_SECONDS + 1  # another process's edit, a minute later
    assert add_working_days(D(2026, 3, 2), 1) == D(2026, 3, 4)


def test_warm_cache_costs_no_queries(django_assert_num_queries):
    add_working_days(D(2026, 3, 2), 1)
    with django_assert_num_queries(0):
        for n in range(100):
            add_working_days(D(2026, 1, 1), n)
            working_days_between(D(2026, 1, 1), D(2026, 12, 31))
            is_working_day(D(2026, 2, 17))


# --- API ----------------------------------------------------------------------------------------


@pytest.fixture
def client():
    return Client()


def test_api_add_working_days(client):
    r = client.get("/api/v1/calendar/add-working-days", {"start": "2026-02-13", "days": "1"})
    assert r.status_code == 200, r.content
    assert r.json() == {"date": "2026-02-23"}
    r = client.get("/api/v1/calendar/add-working-days", {"start": "2026-02-13", "days": "0"})
    assert r.json() == {"date": "2026-02-13"}


def test_api_working_days(client):
    r = client.get("/api/v1/calendar/working-days", {"start": "2026-01-31", "end": "2026-02-28"})
    assert r.status_code == 200, r.content
    assert r.json() == {"count": 15}
    r = client.get("/api/v1/calendar/working-days", {"start": "2026-02-28", "end": "2026-02-28"})
    assert r.json() == {"count": 0}


def test_api_days_of_a_year(client):
    r = client.get("/api/v1/calendar/days", {"year": "2026"})
    assert r.status_code == 200, r.content
    rows = {row["date"]: row for row in r.json()}
    assert rows["2026-02-17"]["kind"] == "off"
    assert rows["2026-08-22"]["kind"] == "workday"
    assert rows["2026-11-24"]["legal_basis"] == "Nghị quyết 28/2026/QH16"
    assert all(day.startswith("2026-") for day in rows)


@pytest.mark.parametrize(("path", "params", "field"), [
    ("add-working-days", {"start": "2026-02-30", "days": "1"}, "start"),
    ("add-working-days", {"start": "13/02/2026", "days": "1"}, "start"),
    ("add-working-days", {"start": "20260213", "days": "1"}, "start"),
    ("add-working-days", {"start": "0001-01-01", "days": "1"}, "start"),
    ("add-working-days", {"start": "9999-12-31", "days": "1"}, "start"),
    ("add-working-days", {"days": "1"}, "start"),
    ("add-working-days", {"start": "2026-02-13"}, "days"),
    ("add-working-days", {"start": "2026-02-13", "days": "x"}, "days"),
    ("add-working-days", {"start": "2026-02-13", "days": "1.5"}, "days"),
    ("add-working-days", {"start": "2026-02-13", "days": "+-1"}, "days"),
    ("add-working-days", {"start": "2026-02-13", "days": "-1"}, "days"),
    ("add-working-days", {"start": "2026-02-13", "days": "3651"}, "days"),
    ("add-working-days", {"start": "2026-02-13", "days": "9" * 40}, "days"),
    ("working-days", {"start": "2026-02-13", "end": "2026-02-12"}, "end"),
    ("working-days", {"start": "2026-02-13", "end": "abc"}, "end"),
    ("working-days", {"end": "2026-02-13"}, "start"),
    ("days", {"year": "abc"}, "year"),
    ("days", {"year": "99999"}, "year"),
    ("days", {}, "year"),
])
def test_api_bad_input_is_422_with_error_shape(client, path, params, field):
    r = client.get(f"/api/v1/calendar/{path}", params)
    assert r.status_code == 422, r.content
    body = r.json()
    assert set(body) >= {"code", "message", "fields"}
    assert field in body["fields"]
