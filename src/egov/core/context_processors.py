"""Template context for the web shell: navigation filtered by what the user may use, and the
user's current position for the header. Both are lazy: pages that do not show them (the admin,
e-mails) run no query for them."""

from __future__ import annotations

from django.utils.functional import SimpleLazyObject


def _current_position(user):
    from django.db.models import Q
    from django.utils import timezone

    from .models import Position

    today = timezone.localdate()
    return (
        Position.objects.filter(user=user, valid_from__lte=today)
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=today))
        .select_related("org_unit")
        .order_by("-is_primary", "id")
        .first()
    )


def shell(request):
    from .nav import navigation_for, unread_count_label

    user = getattr(request, "user", None)
    signed_in = user is not None and user.is_authenticated
    return {
        "nav_items": SimpleLazyObject(lambda: navigation_for(request)),
        "unread_label": SimpleLazyObject(
            lambda: unread_count_label(request) if signed_in else ""),
        "current_position": SimpleLazyObject(
            lambda: _current_position(user) if signed_in else None
        ),
    }
