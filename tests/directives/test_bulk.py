"""Bulk progress: a unit updates many of its directives at once through progress_report; each
row validated, errors by the row, nothing changed if any row is bad; only the lead's own
directives are listed and accepted."""

from __future__ import annotations

import pytest
from django.urls import reverse

from egov.core.errors import InvalidInput
from egov.directives.models import Directive, DirectiveEvent, ProgressReport
from egov.directives.services.bulk import open_for_bulk, progress_bulk

pytestmark = pytest.mark.django_db


@pytest.fixture
def three(drc, make_directive):
    return [make_directive(title=f"Nhiệm vụ {i}") for i in range(3)]


def test_all_rows_saved_together(drc, three):
    reports = progress_bulk(actor=drc["justice_head"], rows=[
        {"directive_id": d.pk, "percent": str(10 * (i + 1)), "text": f"Đã làm {i}"}
        for i, d in enumerate(three)])
    assert len(reports) == 3
    assert [Directive.objects.get(pk=d.pk).progress for d in three] == [10, 20, 30]
    assert DirectiveEvent.objects.filter(kind="progress").count() == 3


def test_one_bad_row_changes_nothing_and_every_bad_row_is_named(drc, three, make_directive):
    other = make_directive(lead=drc["finance"])
    rows = [{"directive_id": three[0].pk, "percent": 50, "text": "ok"},
            {"directive_id": three[1].pk, "percent": 150, "text": ""},
            {"directive_id": other.pk, "percent": 20, "text": ""},   # not the actor's
            {"directive_id": three[2].pk, "percent": "x"}]
    with pytest.raises(InvalidInput) as err:
        progress_bulk(actor=drc["justice_head"], rows=rows)
    assert {"rows[1].percent", "rows[3].percent"} <= set(err.value.fields)
    # valid-looking rows fail in the service (permission): still named, still nothing saved
    with pytest.raises(InvalidInput) as err:
        progress_bulk(actor=drc["justice_head"], rows=[rows[0], rows[2]])
    assert "rows[1]" in err.value.fields
    assert not ProgressReport.objects.exists()
    assert Directive.objects.get(pk=three[0].pk).progress == 0
    assert not DirectiveEvent.objects.filter(kind="progress").exists()


def test_closed_directive_row_rolls_back_the_others(drc, three):
    Directive.objects.filter(pk=three[1].pk).update(state="cancelled")
    with pytest.raises(InvalidInput) as err:
        progress_bulk(actor=drc["justice_head"], rows=[
            {"directive_id": d.pk, "percent": 40} for d in three])
    assert "rows[1]" in err.value.fields
    assert not ProgressReport.objects.exists()


def test_duplicates_and_empty(drc, three):
    with pytest.raises(InvalidInput):
        progress_bulk(actor=drc["justice_head"], rows=[])
    with pytest.raises(InvalidInput) as err:
        progress_bulk(actor=drc["justice_head"], rows=[
            {"directive_id": three[0].pk, "percent": 1},
            {"directive_id": three[0].pk, "percent": 2}])
    assert "rows[1].directive_id" in err.value.fields


def test_the_list_is_the_units_open_directives(drc, three, make_directive):
    other = make_directive(lead=drc["finance"])
    rows, cursor = open_for_bulk(actor=drc["justice_head"])
    assert {d.pk for d in rows} == {d.pk for d in three} and cursor is None
    rows, cursor = open_for_bulk(actor=drc["justice_head"], limit=2)
    assert len(rows) == 2 and cursor is not None
    rest, _ = open_for_bulk(actor=drc["justice_head"], after=cursor, limit=2)
    assert len(rest) == 1 and rest[0].pk not in {d.pk for d in rows}
    assert other.pk not in {d.pk for d in open_for_bulk(actor=drc["justice_head"])[0]}
    assert open_for_bulk(actor=drc["nobody"])[0] == []


def test_page_saves_all_or_shows_row_errors(client, drc, three, django_assert_max_num_queries):
    url = reverse("directives:bulk_progress")
    client.force_login(drc["nobody"])
    assert client.get(url).status_code == 403
    client.force_login(drc["justice_head"])
    with django_assert_max_num_queries(12):
        page = client.get(url)
    assert page.status_code == 200 and all(d.code in page.content.decode() for d in three)
    ids = [str(d.pk) for d in three]
    bad = client.post(url, {"id": ids, f"p-{ids[0]}": "30", f"p-{ids[1]}": "300"})
    assert bad.status_code == 422 and not ProgressReport.objects.exists()
    assert bad.context["table"][1]["errors"]
    ok = client.post(url, {"id": ids, f"p-{ids[0]}": "30", f"t-{ids[0]}": "Đã họp",
                           f"p-{ids[1]}": "60"})
    assert ok.status_code == 302
    assert [Directive.objects.get(pk=d.pk).progress for d in three] == [30, 60, 0]
