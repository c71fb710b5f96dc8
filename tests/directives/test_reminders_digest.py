"""The daily digest: one e-mail per person per day listing all their reminders and escalations,
sent through the core outbox to a real SMTP server on loopback; re-runs send nothing more."""

from __future__ import annotations

from collections import Counter

import pytest

from egov.core import outbox
from egov.core.models import MessageTemplate, Notification, OutboundMessage
from egov.directives.models import DirectiveReminder
from egov.directives.services.reminders import remind_day
from tests.directives.remind_support import D, give, run_days, with_calendar_and_mail

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(drc):
    return with_calendar_and_mail(drc)


def _body(message) -> str:
    return message.get_payload(decode=True).decode()


def _subject(message) -> str:
    from email.header import decode_header, make_header

    return str(make_header(decode_header(message["Subject"])))


def test_one_digest_per_person_per_day_listing_everything(people, smtp_server, settings):
    settings.EGOV_DIRECTIVES_ESCALATE_AFTER_DAYS = 2
    # Monday 22 March 2027 for the Department of Justice's head: one overdue directive, one
    # due in 3 working days, one a supporting part of Finance's directive, and the escalation
    # of an officer's directive left unanswered since Wednesday 17
    late = give(people, due=D(2027, 3, 19), title="Báo cáo công tác cải cách hành chính")
    soon = give(people, due=D(2027, 3, 25), title="Kiểm tra công tác hộ tịch")
    helping = give(people, due=D(2027, 3, 31), lead=people["finance"],
                   support=[(people["justice"], D(2027, 3, 23))],
                   title="Quyết toán kinh phí cải cách")
    officer = give(people, due=D(2027, 3, 18), lead=people["justice_officer"],
                   title="Rà soát văn bản quy phạm")
    run_days(D(2027, 3, 17), D(2027, 3, 17))  # then the job did not run until Monday
    outbox.outbox_send_due()
    before = len(smtp_server.messages)

    for _ in range(3):
        remind_day(D(2027, 3, 22))
    outbox.outbox_send_due()
    outbox.outbox_send_due()
    new = smtp_server.messages[before:]
    to = Counter(m["To"] for m in new)
    assert to == Counter({"giamdocstp@tinh.gov.vn": 1, "chuyenvienstp@tinh.gov.vn": 1,
                          "giamdocstc@tinh.gov.vn": 1})  # one each, however many runs
    head = next(m for m in new if m["To"] == "giamdocstp@tinh.gov.vn")
    body = _body(head)
    assert "Nhắc việc ngày 22/03/2027: 4 nhiệm vụ" in _subject(head)
    for d in (late, soon, helping, officer):
        assert d.code in body
    assert "chưa báo cáo tiến độ" in body and "lời nhắc ngày 17/03/2027" in body
    assert "Đã quá hạn 1 ngày làm việc (hạn 19/03/2027)" in body
    assert "Còn 3 ngày làm việc đến hạn 25/03/2027" in body
    assert "Còn 1 ngày làm việc đến hạn 23/03/2027 — phần phối hợp" in body
    # the escalation comes first
    assert body.index(officer.code) < body.index(late.code) < body.index(soon.code)
    rows = DirectiveReminder.objects.filter(day=D(2027, 3, 22), recipient=people["justice_head"])
    assert rows.count() == 4
    # one in-app notification per row
    assert Notification.objects.filter(user=people["justice_head"]).count() == \
        DirectiveReminder.objects.filter(recipient=people["justice_head"]).count()
    # every day's digest went out once: (person, day) never twice
    keys = Counter(OutboundMessage.objects.filter(template_code="directives.digest")
                   .values_list("key", flat=True))
    assert keys and set(keys.values()) == {1}
    assert len(smtp_server.messages) == OutboundMessage.objects.filter(
        template_code="directives.digest", state="sent").count()


def test_no_address_no_e_mail_but_the_inbox(people, smtp_server):
    people["justice_head"].email = ""
    people["justice_head"].save(update_fields=["email"])
    give(people, due=D(2027, 3, 19))
    assert remind_day(D(2027, 3, 18))["digests"] == 0
    outbox.outbox_send_due()
    assert smtp_server.messages == []
    assert Notification.objects.filter(user=people["justice_head"]).count() == 1


def test_the_template_is_seeded_and_edited_text_is_used(people, smtp_server):
    row = MessageTemplate.objects.get(code="directives.digest", channel="email", language="vi")
    row.subject = "Việc cần làm {{ date }} ({{ count }})"
    row.save()
    give(people, due=D(2027, 3, 19))
    remind_day(D(2027, 3, 18))
    outbox.outbox_send_due()
    assert [_subject(m) for m in smtp_server.messages] == ["Việc cần làm 18/03/2027 (1)"]
    assert MessageTemplate.objects.filter(code="directives.digest", language="en").exists()
