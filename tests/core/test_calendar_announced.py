"""Announced holiday schedules (services.md §4.3): the seeded swaps and their legal basis, the
idempotent seed that keeps the administrator's edits, and the calendar page's warning when next
year's Tết or Quốc khánh schedule has not been entered (issue 9 §2)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from egov.core import calendar as cal
from egov.core.calendar import add_working_days, is_working_day, working_days_between
from egov.core.calendar_announced import ANNOUNCED, seed_announced
from egov.core.models import CalendarAnnouncement, CalendarDay

pytestmark = pytest.mark.django_db
D = dt.date


@pytest.fixture(autouse=True)
def _fresh_calendar_cache():
    cal.invalidate()
    yield
    cal.invalidate()


def test_new_year_2026_swap_is_seeded_with_its_legal_basis():
    # VPCP 12729/VPCP-KGVX (25/12/2025): 1–4/1/2026 off, Friday 2/1 swapped with Saturday 10/1.
    assert add_working_days(D(2025, 12, 31), 1) == D(2026, 1, 5)
    assert not is_working_day(D(2026, 1, 2))
    assert is_working_day(D(2026, 1, 10))  # a Saturday, worked
    assert add_working_days(D(2026, 1, 9), 1) == D(2026, 1, 10)
    swapped = CalendarDay.objects.get(date=D(2026, 1, 2))
    worked = CalendarDay.objects.get(date=D(2026, 1, 10))
    assert "12729/VPCP-KGVX" in swapped.legal_basis and "12729/VPCP-KGVX" in worked.legal_basis
    assert worked.kind == "workday"
    assert swapped.announcement == worked.announcement
    assert swapped.announcement.occasion == "new_year" and swapped.announcement.year == 2026


def test_every_listed_schedule_is_seeded():
    for year, occasion, reference, _note, days in ANNOUNCED:
        ann = CalendarAnnouncement.objects.get(year=year, occasion=occasion)
        assert ann.reference == reference
        for day, kind, _name, _basis in days:
            row = CalendarDay.objects.get(date=day)
            assert row.kind == kind, day
            assert row.announcement_id == ann.pk, day
            assert row.legal_basis, day
    # 2025: Friday 2/5 off, Saturday 26/4 worked; 2026: Monday 31/8 off, Saturday 22/8 worked.
    assert is_working_day(D(2025, 4, 26)) and not is_working_day(D(2025, 5, 2))
    assert is_working_day(D(2026, 8, 22)) and not is_working_day(D(2026, 8, 31))
    assert not is_working_day(D(2026, 11, 24)) and not is_working_day(D(2026, 4, 27))
    # Tết Bính Ngọ: 16/2–20/2 off; the Friday before (13/2) → the Monday after (23/2).
    assert add_working_days(D(2026, 2, 13), 1) == D(2026, 2, 23)
    assert working_days_between(D(2026, 1, 1), D(2026, 1, 31)) == 21  # 22 weekdays - 2/1 + 10/1 - 1/1


def test_seed_is_idempotent_and_keeps_the_administrators_edits():
    edited = CalendarDay.objects.get(date=D(2026, 1, 10))
    edited.kind, edited.legal_basis = "off", "Quyết định của Chủ tịch UBND tỉnh (thử nghiệm)"
    edited.save()
    ann = CalendarAnnouncement.objects.get(year=2026, occasion="new_year")
    ann.note = "sửa tay"
    ann.save()
    days_before = CalendarDay.objects.count()
    assert seed_announced(CalendarDay, CalendarAnnouncement) == 0
    assert CalendarDay.objects.count() == days_before
    edited.refresh_from_db()
    ann.refresh_from_db()
    assert edited.kind == "off" and "thử nghiệm" in edited.legal_basis and ann.note == "sửa tay"
    # A fresh database (the announcement missing) gets it again, but an edited day stays.
    CalendarAnnouncement.objects.filter(year=2026, occasion="new_year").delete()
    CalendarDay.objects.filter(date=D(2026, 1, 2)).delete()
    assert seed_announced(CalendarDay, CalendarAnnouncement) == 1  # 2/1 recreated only
    edited.refresh_from_db()
    assert edited.kind == "off"
    assert CalendarDay.objects.get(date=D(2026, 1, 2)).kind == "off"


def test_calendar_seed_command_applies_the_announcements():
    from django.core.management import call_command

    CalendarAnnouncement.objects.filter(year=2026, occasion="new_year").delete()
    CalendarDay.objects.filter(date__in=[D(2026, 1, 2), D(2026, 1, 10)]).delete()
    cal.invalidate()
    assert add_working_days(D(2025, 12, 31), 1) == D(2026, 1, 2)
    call_command("calendar_seed", "--from", "2026")
    assert add_working_days(D(2025, 12, 31), 1) == D(2026, 1, 5)


def _calendar_page(client, admin_user) -> str:
    client.force_login(admin_user)
    response = client.get(reverse("admin:core_calendarday_changelist"))
    assert response.status_code == 200
    return response.content.decode()


def test_calendar_page_warns_when_next_year_has_no_tet_or_national_day(client, admin_user):
    year = timezone.localdate().year + 1
    CalendarAnnouncement.objects.filter(year=year).delete()
    html = _calendar_page(client, admin_user)
    add = reverse("admin:core_calendarannouncement_add")
    assert f"{add}?year={year}&amp;occasion=tet" in html
    assert f"{add}?year={year}&amp;occasion=national_day" in html
    assert "Tết Nguyên Đán" in html and str(year) in html
    # The link opens the form with the year and occasion filled in.
    form = client.get(f"{add}?year={year}&occasion=tet").content.decode()
    assert f'value="{year}"' in form and '<option value="tet" selected>' in form


def test_calendar_page_has_no_warning_once_both_are_entered(client, admin_user):
    year = timezone.localdate().year + 1
    CalendarAnnouncement.objects.get_or_create(year=year, occasion="tet",
                                               defaults={"reference": "Thông báo thử nghiệm"})
    html = _calendar_page(client, admin_user)
    add = reverse("admin:core_calendarannouncement_add")
    assert "occasion=tet" not in html
    assert f"{add}?year={year}&amp;occasion=national_day" in html
    CalendarAnnouncement.objects.get_or_create(year=year, occasion="national_day",
                                               defaults={"reference": "Thông báo thử nghiệm"})
    html = _calendar_page(client, admin_user)
    assert f"{add}?year=" not in html
    assert "No announced schedule" not in html and "Chưa nhập" not in html
