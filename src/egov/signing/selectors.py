"""Read-only queries over registered signing certificates."""

from __future__ import annotations

import datetime as dt

from django.db.models import QuerySet
from django.utils import timezone

from .models import KeySource, SigningCertificate


def _valid_q(now: dt.datetime):
    return {"revoked_at__isnull": True, "not_before__lte": now, "not_after__gte": now}


def certificates_expiring(within_days: int = 30, *, now: dt.datetime | None = None) -> QuerySet:
    """Valid, unrevoked certificates whose validity ends within ``within_days`` days."""
    now = now or timezone.now()
    return (SigningCertificate.objects.filter(**_valid_q(now),
                                              not_after__lte=now + dt.timedelta(days=within_days))
            .order_by("not_after", "pk"))


def certificates_of(user) -> QuerySet:
    """The certificates a person holds (newest first), revoked and expired ones included."""
    return SigningCertificate.objects.filter(owner_user=user).order_by("-not_before", "-pk")


def usable_certificate(*, user=None, unit=None, now: dt.datetime | None = None
                       ) -> SigningCertificate | None:
    """The newest certificate of ``user`` (or ``unit``) the server can sign with today."""
    if (user is None) == (unit is None):
        raise ValueError("give exactly one of user or unit")
    now = now or timezone.now()
    owner = {"owner_user": user} if user is not None else {"owner_unit": unit}
    return (SigningCertificate.objects.filter(**owner, **_valid_q(now),
                                              key_source__in=[KeySource.KEY_FILE,
                                                              KeySource.PKCS11])
            .order_by("-not_before", "-pk").first())


def appearance_image_for(*, user=None, unit=None, kind: str):
    """The newest active signature image (``kind`` "signature") of ``user`` or seal image
    ("seal") of ``unit``, or None."""
    from .models import AppearanceImage

    if (user is None) == (unit is None):
        raise ValueError("give exactly one of user or unit")
    owner = {"owner_user": user} if user is not None else {"owner_unit": unit}
    return (AppearanceImage.objects.filter(**owner, kind=kind, is_active=True)
            .order_by("-created_at", "-pk").first())
