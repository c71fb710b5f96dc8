"""Notifications: in-app rows written in the caller's transaction; e-mail (and later SMS) sent by
a background job that is enqueued only after the transaction commits, so a rolled-back action
never notifies anybody."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction

from .models import Notification


def notify(*, users: Iterable, subject, body="", url: str = "",
           email: bool = True) -> list[Notification]:
    """Notify each user in-app and (if `email` and the user has an address) by e-mail.

    `subject` and `body` may be `msgtext.Msg` (or lazy translations): the key is stored and each
    reader sees the text in the language of the page; the text columns keep Vietnamese."""
    from .msgtext import stored

    subject_text, subject_msg = stored(subject)
    body_text, body_msg = stored(body)
    rows = [Notification(user=u, subject=str(subject_text)[:255], body=str(body_text), url=url,
                         subject_msg=subject_msg, body_msg=body_msg)
            for u in {u.pk: u for u in users}.values()]
    if not rows:
        return []
    Notification.objects.bulk_create(rows)
    if email:
        # bulk_create sets primary keys on PostgreSQL and on SQLite ≥ 3.35.
        ids = [r.pk for r in rows]

        def _enqueue() -> None:
            from .tasks import send_notification_emails

            send_notification_emails.enqueue(ids)

        transaction.on_commit(_enqueue)
    return rows


def mark_all_read(*, actor) -> int:
    from django.utils import timezone

    return Notification.objects.filter(user=actor, read_at__isnull=True).update(
        read_at=timezone.now()
    )
