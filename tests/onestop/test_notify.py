"""Messages to the applicant (egov.onestop.notify): each dossier event that concerns them queues
an e-mail and an SMS from the editable templates, in the writing transaction, once per event and
channel, without personal data beyond what they gave."""

# ruff: noqa: F811 - the fixtures are imported from the support modules (no shared conftest)

from __future__ import annotations

import datetime as dt

import pytest
from django.db import transaction
from django.utils import timezone

from egov.core import calendar, outbox
from egov.core.models import MessageTemplate, OutboundMessage
from egov.onestop import hooks
from egov.onestop.models import DossierPause, NationalSync
from egov.onestop.services import records
from tests.core.test_outbox import FlakySms, sms  # noqa: F401 - the SMS gateway fixture
from tests.onestop.notify_support import change, intake, procedure  # noqa: F401

pytestmark = pytest.mark.django_db


def _messages(dossier):
    return {m.channel: m for m in OutboundMessage.objects.filter(object_id=str(dossier.pk))
            .order_by("id")}


def _local(value):
    return calendar.localtime(value).strftime("%H:%M %d/%m/%Y")


def test_receipt_by_email_and_sms(intake, settings):
    dossier = intake()
    event = dossier.events.get()
    msgs = _messages(dossier)
    assert set(msgs) == {"email", "sms"}
    mail, sms_msg = msgs["email"], msgs["sms"]
    assert mail.key == f"onestop:{dossier.code}:{event.pk}:email"
    assert sms_msg.key == f"onestop:{dossier.code}:{event.pk}:sms"
    assert (mail.recipient, sms_msg.recipient) == ("an.nguyen@example.vn", "+84912345678")
    assert (mail.template_code, mail.language, mail.module, mail.object_type) == (
        "onestop.receipt", "vi", "onestop", "onestop.dossier")
    assert mail.subject == f"Hồ sơ {dossier.code} đã được tiếp nhận"
    link = f"{settings.EGOV_SITE_URL}/public/d/{dossier.public_token}/"
    for text in (mail.body, sms_msg.body):
        assert dossier.code in text and link in text and _local(dossier.due_at) in text
        # nothing the applicant did not give for this purpose: no ID number, no address
        assert "001203004567" not in text and "Hoa Sữa" not in text
    assert "Kính gửi Nguyễn Văn An" in mail.body and "Đăng ký khai sinh" in mail.body
    assert "Nguyễn Văn An" not in sms_msg.body


def test_only_the_channels_the_applicant_gave(intake):
    only_mail = intake(phone="")
    assert set(_messages(only_mail)) == {"email"}
    only_phone = intake(email="")
    assert set(_messages(only_phone)) == {"sms"}
    nothing = intake(email="", phone="")
    assert _messages(nothing) == {}
    bad_phone = intake(phone="12345")  # the counter's work goes on; the e-mail still goes
    assert set(_messages(bad_phone)) == {"email"}
    assert bad_phone.events.count() == 1


def test_a_repeated_event_sends_nothing_twice(intake):
    dossier = intake()
    event = dossier.events.get()
    with transaction.atomic():
        hooks.dossier_changed(dossier=dossier, event=event)
    assert OutboundMessage.objects.filter(object_id=str(dossier.pk)).count() == 2


def test_a_rolled_back_change_queues_no_message_and_no_sync(intake, org, procedure):
    with pytest.raises(RuntimeError), transaction.atomic():
        dossier = records.dossier_create(
            actor=None, agency=org["commune"], competent_unit=org["commune"], version=procedure,
            channel="counter", state="received",
            applicant={"full_name": "Lê Thị Hoa", "email": "hoa@example.vn",
                       "phone": "0987654321"})
        records.event_write(dossier=dossier, kind="received")
        raise RuntimeError("the receipt failed")
    assert not OutboundMessage.objects.exists() and not NationalSync.objects.exists()


def test_guidance_lists_everything_missing_at_once(intake):
    dossier = intake(state="guidance", missing=True)
    mail = _messages(dossier)["email"]
    assert mail.template_code == "onestop.guidance"
    assert "- Giấy chứng sinh" in mail.body and "Tờ khai" not in mail.body
    assert "Giấy chứng sinh" in _messages(dossier)["sms"].body


def test_supplement_request_names_what_is_missing(intake):
    dossier = intake()
    dossier, _e = change(dossier, "forwarded", "processing")
    assert OutboundMessage.objects.filter(object_id=str(dossier.pk)).count() == 2  # no message
    DossierPause.objects.create(dossier=dossier, started_at=timezone.now(),
                                reason="Ảnh chụp không rõ", items=[{"name": "Giấy chứng sinh "
                                                                            "(bản chính)"}])
    dossier, event = change(dossier, "supplement_requested", "supplement",
                            supplement_requests=1, paused_since=timezone.now())
    mail = OutboundMessage.objects.get(key=f"onestop:{dossier.code}:{event.pk}:email")
    assert mail.template_code == "onestop.supplement"
    assert "- Giấy chứng sinh (bản chính)" in mail.body and "Ảnh chụp không rõ" in mail.body
    # items given with the event win over the pause row
    dossier, event = change(dossier, "supplement_requested", "supplement",
                            details={"items": ["Sổ hộ khẩu"]})
    sms_msg = OutboundMessage.objects.get(key=f"onestop:{dossier.code}:{event.pk}:sms")
    assert "Sổ hộ khẩu" in sms_msg.body


def test_supplement_received_gives_the_new_date(intake):
    dossier = intake()
    change(dossier, "forwarded", "processing")
    new_due = dossier.due_at + dt.timedelta(days=2)
    dossier, event = change(dossier, "supplement_received", "processing", due_at=new_due)
    mail = OutboundMessage.objects.get(key=f"onestop:{dossier.code}:{event.pk}:email")
    assert mail.template_code == "onestop.supplement_received"
    assert _local(new_due) in mail.body


def test_apology_result_refusal_and_stop(intake):
    dossier = intake()
    new_date = dossier.due_at + dt.timedelta(days=3)
    dossier, event = change(dossier, "apologised", "received", rescheduled_at=new_date,
                            details={"reason": "Chờ xác minh"})
    apology = OutboundMessage.objects.get(key=f"onestop:{dossier.code}:{event.pk}:email")
    assert apology.template_code == "onestop.apology"
    assert _local(new_date) in apology.body and "Chờ xác minh" in apology.body
    change(dossier, "forwarded", "processing")
    dossier, event = change(dossier, "resolved", "resolved", ended_at=timezone.now())
    result = OutboundMessage.objects.get(key=f"onestop:{dossier.code}:{event.pk}:sms")
    assert result.template_code == "onestop.result" and dossier.code in result.body
    dossier, event = change(dossier, "returned", "returned")
    assert not OutboundMessage.objects.filter(key__startswith=f"onestop:{dossier.code}:"
                                              f"{event.pk}:").exists()

    refused = intake(state="refused")
    refused, event = change(refused, "refused", refusal_reason="Không thuộc thẩm quyền của xã")
    mail = OutboundMessage.objects.get(key=f"onestop:{refused.code}:{event.pk}:email")
    assert mail.template_code == "onestop.refusal"
    assert "Không thuộc thẩm quyền của xã" in mail.body

    stopped = intake()
    stopped, event = change(stopped, "stopped", "stopped", stop_reason="Theo đơn đề nghị")
    mail = OutboundMessage.objects.get(key=f"onestop:{stopped.code}:{event.pk}:email")
    assert mail.template_code == "onestop.stop" and "Theo đơn đề nghị" in mail.body


def test_events_that_do_not_concern_the_applicant_send_nothing(intake):
    dossier = intake(state="submitted", channel="online")
    for kind, state in (("forwarded", "received"), ("withdrawn", "withdrawn")):
        dossier, _event = change(dossier, kind, state)
    assert not OutboundMessage.objects.exists()


def test_english_when_the_event_asks_for_it(intake):
    dossier = intake(state="submitted", channel="online")
    now = timezone.now()
    dossier, event = change(dossier, "accepted", "received", received_at=now,
                            due_at=now + dt.timedelta(days=4), details={"language": "en"})
    mail = OutboundMessage.objects.get(key=f"onestop:{dossier.code}:{event.pk}:email")
    assert (mail.language, mail.subject) == ("en", f"Dossier {dossier.code} received")
    assert "Result promised by" in mail.body


def test_templates_are_seeded_in_both_languages_and_edits_are_used(intake):
    codes = set(MessageTemplate.objects.values_list("code", "channel", "language"))
    for code in ("onestop.receipt", "onestop.guidance", "onestop.supplement",
                 "onestop.apology", "onestop.result", "onestop.refusal", "onestop.stop"):
        for channel in ("email", "sms"):
            assert {(code, channel, "vi"), (code, channel, "en")} <= codes
    MessageTemplate.objects.filter(code="onestop.receipt", channel="sms", language="vi").update(
        body="UBND xa An Binh: da nhan ho so {{ code }}")
    dossier = intake()
    assert _messages(dossier)["sms"].body == f"UBND xa An Binh: da nhan ho so {dossier.code}"


def test_the_receipt_reaches_the_applicant_by_real_smtp_and_sms(intake, smtp_server, sms):
    dossier = intake()
    assert outbox.outbox_send_due() == {"sent": 2, "retry": 0, "failed": 0}
    assert len(smtp_server.messages) == 1 and smtp_server.messages[0]["To"] == \
        "an.nguyen@example.vn"
    body = smtp_server.messages[0].get_payload(decode=True).decode()
    assert dossier.code in body and "Hẹn trả kết quả" in body
    assert len(FlakySms.sent) == 1 and FlakySms.sent[0][0] == "+84912345678"
    assert set(OutboundMessage.objects.values_list("state", flat=True)) == {"sent"}


def test_the_verbs_the_services_write_are_understood(intake):
    from egov.onestop.notify import canonical_kind

    assert canonical_kind("onestop.request-supplement") == "supplement_requested"
    assert canonical_kind("Receive") == "received" and canonical_kind("resolved") == "resolved"
    received = intake(kind="receive")
    assert _messages(received)["email"].template_code == "onestop.receipt"
    refused = intake(state="refused", kind="refuse")
    assert _messages(refused)["email"].template_code == "onestop.refusal"
    # guidance listing the missing components by code: the applicant reads their names
    guided = intake(state="guidance", kind="guide")
    guided, event = change(guided, "guidance", details={"missing": ["GCS"]})
    mail = OutboundMessage.objects.get(key=f"onestop:{guided.code}:{event.pk}:email")
    assert "- Giấy chứng sinh\n" in mail.body and "GCS" not in mail.body
    processing, _e = change(received, "forward", "processing")
    for verb, state, template in (("request-supplement", "supplement", "onestop.supplement"),
                                  ("apologise", "supplement", "onestop.apology"),
                                  ("resolve", "resolved", "onestop.result"),
                                  ("return", "returned", None)):
        processing, event = change(processing, verb, state)
        sent = OutboundMessage.objects.filter(key__startswith=f"onestop:{processing.code}:"
                                              f"{event.pk}:")
        assert {m.template_code for m in sent} == ({template} if template else set())
    sync = NationalSync.objects.filter(dossier=processing).order_by("revision")
    assert [s.payload["TienDoXuLy"][0]["NoiDungXuLy"] for s in sync][:2] == [
        "Tiếp nhận hồ sơ", "Chuyển xử lý"]


def test_the_subscribers_cost_a_constant_number_of_queries(intake, django_assert_max_num_queries):
    from egov.onestop.models import Dossier

    dossier = intake()
    change(dossier, "forward", "processing")
    with transaction.atomic():
        dossier = Dossier.objects.select_related("version", "procedure", "agency") \
            .select_for_update(no_key=True, of=("self",)).get(pk=dossier.pk)
        dossier.state = "supplement"
        dossier.save(update_fields=["state"])
        # the event, two messages (a savepoint, the template, the insert, the row each) and the
        # national sync row (the last revision, the insert), and the statistics summary's
        # share (one look-up while the dossier is open)
        with django_assert_max_num_queries(14):
            records.event_write(dossier=dossier, kind="supplement_requested",
                                details={"items": ["Giấy chứng sinh"]})
    assert OutboundMessage.objects.filter(template_code="onestop.supplement").count() == 2
