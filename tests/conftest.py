"""Shared fixtures: a small organisation tree and users holding roles through positions."""

from __future__ import annotations

import email
import socket

import pytest

from egov.core.models import OrgUnit, OrgUnitKind, Position, Role, User

PASSWORD = "Mat-khau-thu-2026"


def pytest_collection_modifyitems(config, items):
    """Tests marked `postgres_only` exercise PostgreSQL itself (a server connection ended by
    pg_terminate_backend: SQLite has no server and no connection to end). On SQLite they are
    deselected — reported as such in the summary, never run half-way or skipped."""
    from django.conf import settings

    if not settings.DATABASES["default"]["ENGINE"].endswith("sqlite3"):
        return
    kept = [item for item in items if item.get_closest_marker("postgres_only") is None]
    if len(kept) != len(items):
        config.hook.pytest_deselected(items=[i for i in items if i not in kept])
        items[:] = kept


@pytest.fixture(autouse=True)
def _default_language():
    """Each test starts in the site's default language (Vietnamese). A request through the test
    client runs the locale middleware in this thread, and the language it activated would
    otherwise carry over into the next test."""
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture(autouse=True)
def _fresh_content_types():
    """A transactional test's flush re-creates content types with new ids; Django's ContentType
    cache would still hold the old ones (work items reference content types)."""
    from django.contrib.contenttypes.models import ContentType

    ContentType.objects.clear_cache()
    yield
    ContentType.objects.clear_cache()


@pytest.fixture(autouse=True)
def _fresh_calendar_cache():
    """A rolled-back test sends no delete signal: drop the in-process calendar cache around
    every test so no test sees another's calendar edits."""
    from egov.core import calendar

    calendar.invalidate()
    yield
    calendar.invalidate()


@pytest.fixture
def org(db):
    """Province committee → office + two departments; a commune committee; a service centre."""
    province = OrgUnit.objects.create(
        kind=OrgUnitKind.PROVINCE_COMMITTEE, name="Ủy ban nhân dân tỉnh Thử Nghiệm",
        abbreviation="UBND", electronic_id="000.00.00.T99", place_name="Thử Nghiệm",
    )
    office = OrgUnit.objects.create(
        kind=OrgUnitKind.DIVISION, name="Văn phòng UBND tỉnh", abbreviation="VP",
        parent=province, electronic_id="000.00.01.T99", place_name="Thử Nghiệm",
    )
    justice = OrgUnit.objects.create(
        kind=OrgUnitKind.AGENCY, name="Sở Tư pháp", abbreviation="STP", parent=province,
        electronic_id="000.00.02.T99", place_name="Thử Nghiệm",
    )
    finance = OrgUnit.objects.create(
        kind=OrgUnitKind.AGENCY, name="Sở Tài chính", abbreviation="STC", parent=province,
        electronic_id="000.00.03.T99", place_name="Thử Nghiệm",
    )
    commune = OrgUnit.objects.create(
        kind=OrgUnitKind.COMMUNE_COMMITTEE, name="Ủy ban nhân dân xã An Bình",
        abbreviation="UBND", parent=province, electronic_id="000.01.00.T99",
        place_name="An Bình",
    )
    return {"province": province, "office": office, "justice": justice, "finance": finance,
            "commune": commune}


@pytest.fixture
def make_user(db):
    """make_user("name", unit, "clerk", "leader", title="…") → a user with one position."""

    def _make(username: str, unit: OrgUnit | None = None, *roles: str, title: str = "Chuyên viên",
              password: str = PASSWORD, **extra) -> User:
        user = User.objects.create_user(username=username, password=password,
                                        full_name=extra.pop("full_name", username.title()),
                                        **extra)
        if unit is not None:
            pos = Position.objects.create(user=user, org_unit=unit, title=title)
            if roles:
                pos.roles.set(Role.objects.filter(code__in=roles))
        return user

    return _make


@pytest.fixture
def smtp_server(settings):
    """A real SMTP server (aiosmtpd) on loopback; Django's SMTP backend is pointed at it.
    Yields the handler: `.messages` holds every e-mail received (email.message.Message)."""
    from aiosmtpd.controller import Controller

    class Collector:
        def __init__(self):
            self.messages: list[email.message.Message] = []

        async def handle_DATA(self, server, session, envelope):
            self.messages.append(email.message_from_bytes(envelope.original_content))
            return "250 OK"

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    handler = Collector()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = port
    try:
        yield handler
    finally:
        controller.stop()
