"""Personal API tokens: shown once, stored as SHA-256, revocable."""

from __future__ import annotations

import hashlib
import secrets

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .errors import InvalidInput, NotFound
from .models import ApiToken

PREFIX = "egov_"


def _hash(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def token_create(*, actor, name: str) -> tuple[ApiToken, str]:
    """Create a token for the actor; returns the row and the raw token (shown once)."""
    name = (name or "").strip()
    if not name:
        raise InvalidInput(_("Give the token a name."), fields={"name": [_("This field is required.")]})
    if len(name) > 100:
        raise InvalidInput(_("The name is too long."), fields={"name": [_("At most 100 characters.")]})
    raw = PREFIX + secrets.token_urlsafe(32)
    from .audit import audit_log

    with transaction.atomic():
        token = ApiToken.objects.create(user=actor, name=name, prefix=raw[:12], key_hash=_hash(raw))
        audit_log(actor=actor, action="api_token.create", obj=token, details={"name": name})
    return token, raw


def token_revoke(*, actor, token_id: int) -> ApiToken:
    from .audit import audit_log

    with transaction.atomic():
        token = ApiToken.objects.select_for_update().filter(pk=token_id, user=actor).first()
        if token is None:
            raise NotFound()
        if token.revoked_at is None:
            token.revoked_at = timezone.now()
            token.save(update_fields=["revoked_at"])
            audit_log(actor=actor, action="api_token.revoke", obj=token, details={})
    return token


def token_authenticate(raw: str):
    """The active user owning this raw token, or None."""
    if not raw or not raw.startswith(PREFIX):
        return None
    token = (
        ApiToken.objects.select_related("user")
        .filter(key_hash=_hash(raw), revoked_at__isnull=True)
        .first()
    )
    if token is None or not token.user.is_active:
        return None
    now = timezone.now()
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user
