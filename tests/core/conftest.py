"""Fixtures of the core tests (API clients, tokens, extra units)."""

from __future__ import annotations

import pytest

from egov.core import tokens
from egov.core.models import OrgUnit, OrgUnitKind


@pytest.fixture
def bearer(db):
    """bearer(user) → extra kwargs for django.test.Client calls with a fresh API token."""

    def _bearer(user) -> dict:
        _token, raw = tokens.token_create(actor=user, name="test token")
        return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}

    return _bearer


@pytest.fixture
def justice_division(org):
    """An internal division below the Department of Justice (a sub-unit for policy tests)."""
    return OrgUnit.objects.create(
        kind=OrgUnitKind.DIVISION, name="Phòng Hành chính tư pháp", abbreviation="HCTP",
        parent=org["justice"], electronic_id="000.02.02.T99", place_name="Thử Nghiệm",
    )
