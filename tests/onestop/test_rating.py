"""The satisfaction rating (QĐ 766 indicator 5.4): once per dossier, only after the result is
returned, from the QR page; bad input changes nothing."""

from __future__ import annotations

import pytest
from django.urls import reverse

from egov.core.errors import AppError, InvalidInput, NotFound
from egov.onestop.models import Rating
from egov.onestop.services.rating import dossier_rate
from tests.onestop.portal_fixtures import make_dossier_fixture, procedure_fixture  # noqa: F401

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh(settings):
    from egov.core import throttle
    from egov.onestop.selectors import public
    from egov.portal import views_lookup

    settings.EGOV_ONESTOP_LOOKUP_RATE = "1000/600"
    throttle.reset()
    public.forget()
    views_lookup.forget()


def test_rate_once_after_return(make_dossier):
    d = make_dossier("returned")
    rating = dossier_rate(token=d.public_token, satisfied=True, score=5, comment="Nhanh gọn")
    assert rating.dossier_id == d.pk and rating.score == 5
    with pytest.raises(AppError) as err:
        dossier_rate(token=d.public_token, satisfied=False)
    assert err.value.code == "already_rated" and err.value.status == 409
    assert Rating.objects.count() == 1


def test_not_before_the_result_is_returned(make_dossier):
    for state in ("processing", "resolved"):
        d = make_dossier(state)
        with pytest.raises(AppError) as err:
            dossier_rate(token=d.public_token, satisfied=True)
        assert err.value.code == "not_returned"
    assert not Rating.objects.exists()


@pytest.mark.parametrize("kwargs, field", [
    ({"satisfied": True, "score": 0}, "score"),
    ({"satisfied": True, "score": 6}, "score"),
    ({"satisfied": "yes"}, "satisfied"),
    ({"satisfied": True, "comment": "x" * 2001}, "comment"),
])
def test_bad_input_changes_nothing(make_dossier, kwargs, field):
    d = make_dossier("returned")
    with pytest.raises(InvalidInput) as err:
        dossier_rate(token=d.public_token, **kwargs)
    assert field in err.value.fields
    assert not Rating.objects.exists()


def test_unknown_token():
    with pytest.raises(NotFound):
        dossier_rate(token="nope", satisfied=True)


def test_rate_from_the_token_page(make_dossier, client):
    d = make_dossier("returned")
    page = reverse("public:dossier_token", kwargs={"token": d.public_token})
    assert "Đánh giá mức độ hài lòng" in client.get(page).content.decode()
    url = reverse("public:dossier_rate", kwargs={"token": d.public_token})
    r = client.post(url, {"satisfied": "no", "score": "2", "comment": "Chờ lâu"})
    assert r.status_code == 302
    rating = Rating.objects.get()
    assert rating.satisfied is False and rating.score == 2 and rating.comment == "Chờ lâu"
    after = client.get(page).content.decode()
    assert "đã được ghi nhận" in after and "Hồ sơ này đã được đánh giá" in after
    assert 'action="' + url not in after
    # a second rating: refused with a clear message
    r = client.post(url, {"satisfied": "yes"}, follow=True)
    assert "chỉ đánh giá một lần" in r.content.decode()
    assert Rating.objects.count() == 1


def test_rating_form_errors_and_csrf(make_dossier):
    from django.test import Client

    d = make_dossier("returned")
    url = reverse("public:dossier_rate", kwargs={"token": d.public_token})
    assert Client(enforce_csrf_checks=True).post(url, {"satisfied": "yes"}).status_code == 403
    r = Client().post(url, {"score": "9"})
    assert r.status_code == 422
    assert not Rating.objects.exists()
