"""Helpers of the other events' tests (no tests here): person records made directly, a service
call expected to be refused with its code."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from egov.civil.models import CivilEvent, Person
from egov.core.errors import AppError

from .conftest import years_ago


def rec(civ, name: str, sex: str, years: int = 30, *, where: str = "commune", days: int = 0,
        **extra) -> Person:
    return Person.objects.create(full_name=name, sex=sex, birth_date=years_ago(years, days),
                                 commune=civ[where], **extra)


def couple(civ, a: Person, b: Person) -> None:
    Person.objects.filter(pk=a.pk).update(spouse=b)
    Person.objects.filter(pk=b.pk).update(spouse=a)


def refused(code: str, fn, **kw) -> AppError:
    """`fn(**kw)` is refused with `code` (422 unless told) and writes no event."""
    before = CivilEvent.objects.count()
    with pytest.raises(AppError) as caught:
        fn(**kw)
    assert caught.value.code == code, (caught.value.code, caught.value.message)
    assert CivilEvent.objects.count() == before
    return caught.value


def today() -> dt.date:
    return timezone.localdate()
