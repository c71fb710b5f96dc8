"""Work-item titles and notifications are stored as message keys and shown in the reader's
language (issue 9 §5: the English UI showed "Chủ trì: …", "Phát hành: …")."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation

from egov.core.models import Notification, WorkItem
from egov.core.msgtext import Msg, display, render
from egov.core.notifications import notify
from egov.documents.services import incoming as svc

pytestmark = pytest.mark.django_db


def _page(client, user, name: str, lang: str) -> str:
    client.force_login(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = lang
    response = client.get(reverse(name))
    assert response.status_code == 200
    return response.content.decode()


def test_same_work_item_and_notification_in_each_readers_language(client, docs_org,
                                                                     register_incoming):
    doc = register_incoming(urgency="urgent")
    svc.incoming_assign(actor=docs_org["leader"], document=doc, instruction="Xử lý",
                        assignments=[{"unit_id": docs_org["economy"].pk, "role": "lead"}])
    item = WorkItem.objects.get(assignee_unit=docs_org["economy"], role="lead")
    # The Vietnamese text is stored (search, exports, old readers); the key is kept too.
    assert item.title.startswith("[Khẩn] Chủ trì: ")
    assert item.title_msg
    head = docs_org["unit_head"]
    note = Notification.objects.get(user=head)
    assert note.subject.startswith("[Khẩn] Giao cho bạn xử lý: ")

    vi_inbox = _page(client, head, "inbox", "vi")
    assert "Chủ trì: " in vi_inbox and "Lead: " not in vi_inbox
    en_inbox = _page(client, head, "inbox", "en")
    assert "[Urgent (Khẩn)] Lead: " in en_inbox and "Chủ trì: " not in en_inbox
    assert doc.subject in en_inbox  # the data itself is never translated

    vi_notes = _page(client, head, "notifications", "vi")
    assert "Giao cho bạn xử lý: " in vi_notes
    en_notes = _page(client, head, "notifications", "en")
    assert "Assigned to you: " in en_notes and "Giao cho bạn xử lý" not in en_notes


def test_clerk_acting_in_english_still_stores_vietnamese(docs_org, register_incoming):
    with translation.override("en"):
        doc = register_incoming()
        svc.incoming_assign(actor=docs_org["leader"], document=doc, instruction="Xử lý",
                            assignments=[{"unit_id": docs_org["economy"].pk, "role": "lead"}])
    item = WorkItem.objects.get(assignee_unit=docs_org["economy"], role="lead")
    assert item.title.startswith("Chủ trì: ")
    with translation.override("en"):
        assert item.display_title.startswith("Lead: ")


def test_old_rows_without_key_show_the_stored_text(docs_org):
    user = docs_org["officer"]
    old = Notification.objects.create(user=user, subject="Tệp xuất đã sẵn sàng: a.csv")
    with translation.override("en"):
        assert old.display_subject == "Tệp xuất đã sẵn sàng: a.csv"
    broken = Notification.objects.create(user=user, subject="Văn bản",
                                         subject_msg={"k": "%(missing)s", "p": {}})
    with translation.override("en"):
        assert broken.display_subject == "Văn bản"  # never a 500 on a bad key


def test_notify_with_msg_stores_both_and_renders_each_language(docs_org):
    user = docs_org["officer"]
    (row,) = notify(users=[user], subject=Msg("Your export is ready: %(name)s", name="a.csv"),
                    body=Msg("Open the link to download the file."), email=False)
    row.refresh_from_db()
    assert row.subject == "Tệp xuất đã sẵn sàng: a.csv"
    with translation.override("en"):
        assert row.display_subject == "Your export is ready: a.csv"
        assert row.display_body == "Open the link to download the file."
    with translation.override("vi"):
        assert row.display_subject == "Tệp xuất đã sẵn sàng: a.csv"


def test_lazy_labels_are_stored_as_keys():
    from egov.core.models import WorkRole

    data = Msg("%(role)s: %(doc)s", role=WorkRole.LEAD.label, doc="CV 1").data
    assert data["p"]["role"] == {"k": "Lead"}
    with translation.override("en"):
        assert render(data) == "Lead: CV 1"
    with translation.override("vi"):
        assert render(data) == "Chủ trì: CV 1"
    assert display(None, "x") == "x"


def test_viewed_is_recorded_once_per_person_and_day(docs_org, register_incoming):
    import datetime as dt
    from unittest import mock
    from zoneinfo import ZoneInfo

    hcm = ZoneInfo("Asia/Ho_Chi_Minh")
    doc = register_incoming()

    def view(user, day, hour):
        when = dt.datetime(2026, 3, day, hour, 0, tzinfo=hcm)
        before = set(doc.events.values_list("pk", flat=True))
        with mock.patch("django.utils.timezone.now", return_value=when):
            svc.incoming_viewed(actor=user, document=doc)
        # The column default is bound to the real clock: date the new row as if then.
        doc.events.exclude(pk__in=before).update(at=when)

    for hour in (8, 9, 16):
        view(docs_org["officer"], 2, hour)
    view(docs_org["clerk"], 2, 10)
    view(docs_org["officer"], 3, 8)
    views = list(doc.events.filter(action="viewed").order_by("at")
                 .values_list("actor__username", "at"))
    assert [u for u, _at in views] == ["chuyenvien", "vanthu", "chuyenvien"]
    assert views[0][1] == dt.datetime(2026, 3, 2, 8, 0, tzinfo=hcm)  # the first of the day
