"""Set-up level behaviour: settings from the environment, the deploy check, the CLI, demo data,
notifications by e-mail through a real SMTP server on loopback."""

from __future__ import annotations

import email
import email.header
import os
import secrets
import subprocess
import sys

import pytest
from django.core.management import call_command
from django.db import transaction

from egov.core.models import Notification, OrgUnit, User, WorkItem


def _egov(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess:
    base = {k: v for k, v in os.environ.items()
            if not k.startswith("EGOV_")
            and k not in {"DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE"}}
    base.update(env)
    return subprocess.run([sys.executable, "-m", "egov.cli", *args], env=base,
                          capture_output=True, text=True, timeout=120)


def test_production_settings_pass_the_deploy_check(tmp_path):
    result = _egov(["check", "--deploy", "--fail-level", "WARNING"], {
        "EGOV_SECRET_KEY": secrets.token_urlsafe(64),
        "EGOV_ALLOWED_HOSTS": "egov.example.gov.vn",
        "EGOV_SQLITE_PATH": str(tmp_path / "db.sqlite3"),
    })
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_to_start_without_a_secret_key(tmp_path):
    # A VAR_DIR without the demo's secret_key file (./var/ may hold one after `make run`).
    result = _egov(["check"], {"EGOV_SQLITE_PATH": str(tmp_path / "db.sqlite3"),
                               "EGOV_VAR_DIR": str(tmp_path)})
    assert result.returncode != 0
    assert "EGOV_SECRET_KEY" in result.stderr


def test_cli_accepts_dashed_command_names(tmp_path):
    result = _egov(["import-orgs", "--help"], {"EGOV_DEBUG": "1",
                                               "EGOV_SQLITE_PATH": str(tmp_path / "x.sqlite3")})
    assert result.returncode == 0, result.stderr
    assert "import_orgs" in result.stdout or "FILE" in result.stdout.upper()


def test_demo_is_idempotent_and_marked(db):
    call_command("demo", quiet_accounts=True)
    counts = (OrgUnit.objects.count(), User.objects.count(), WorkItem.objects.count())
    call_command("demo", quiet_accounts=True)
    assert (OrgUnit.objects.count(), User.objects.count(), WorkItem.objects.count()) == counts
    from egov.core.demo import DEMO_PASSWORD

    for username in ["admin", "vanthu", "lanhdao", "chuyenvien", "motcua", "tiepdan", "hotich"]:
        user = User.objects.get(username=username)
        assert user.is_demo and user.check_password(DEMO_PASSWORD)
        assert user.positions.exists()
    kinds = set(OrgUnit.objects.values_list("kind", flat=True))
    assert {"province_committee", "agency", "service_centre", "commune_committee"} <= kinds
    assert OrgUnit.objects.filter(kind="commune_committee").count() == 3
    assert OrgUnit.objects.filter(kind="agency").count() == 2
    assert all("(mẫu)" in u.name and u.is_demo for u in OrgUnit.objects.all())


def _decoded_subject(msg) -> str:
    return str(email.header.make_header(email.header.decode_header(msg["Subject"])))


def test_notification_email_is_sent_by_the_worker_after_commit(
        transactional_db, smtp_server, make_user, org):
    handler = smtp_server
    user = make_user("lanhdao2", org["province"], "leader", email="lanhdao2@example.gov.vn")
    subject = "Văn bản đến hỏa tốc: Quyết định số 05/QĐ-UBND về việc phòng, chống lũ"

    from django_tasks_db.models import DBTaskResult

    from egov.core.notifications import notify

    with transaction.atomic():
        notify(users=[user], subject=subject, body="Đồng chí xem và chỉ đạo.",
               url="/documents/1/")
        assert not DBTaskResult.objects.exists()  # enqueued only after commit
    assert DBTaskResult.objects.count() == 1
    assert handler.messages == []  # nothing is sent before the worker runs
    assert Notification.objects.filter(user=user, subject=subject).count() == 1

    call_command("worker", batch=True, startup_delay=False, verbosity=0)

    assert len(handler.messages) == 1
    msg = handler.messages[0]
    assert _decoded_subject(msg) == subject
    assert msg["To"] == "lanhdao2@example.gov.vn"
    body = msg.get_payload(decode=True).decode(msg.get_content_charset())
    assert "Đồng chí xem và chỉ đạo." in body and "/documents/1/" in body
    assert Notification.objects.get(user=user).emailed_at is not None


def test_rolled_back_action_notifies_nobody(db, make_user, org,
                                             django_capture_on_commit_callbacks):
    user = make_user("u1", org["province"], email="u1@example.gov.vn")
    from egov.core.notifications import notify

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with pytest.raises(RuntimeError), transaction.atomic():
            notify(users=[user], subject="Thử", body="")
            raise RuntimeError("the action failed")
    assert callbacks == []
    assert not Notification.objects.exists()


def test_sms_gateway_is_a_plugin(settings):
    from egov.core import sms
    from egov.core.errors import InvalidInput

    settings.EGOV_SMS_GATEWAY = "egov.core.sms.OutboxSmsGateway"
    assert sms.sms_send(to="0912 345 678", text="Hồ sơ của ông/bà đã có kết quả") == "outbox-1"
    assert sms.get_gateway().outbox == [("+84912345678", "Hồ sơ của ông/bà đã có kết quả")]
    with pytest.raises(InvalidInput) as err:
        sms.sms_send(to="12345", text="x")
    assert err.value.code == "bad_phone" and "phone" in err.value.fields
