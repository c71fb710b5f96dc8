"""Background jobs of the shared kernel: thin wrappers around services (run by `egov worker`)."""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.utils import timezone, translation
from django_tasks import task

from .models import Notification

log = logging.getLogger("egov.tasks")


@task(queue_name="mail")
def send_notification_emails(notification_ids: list[int]) -> int:
    """E-mail each notification whose user has an address; idempotent (skips sent ones)."""
    pending = list(
        Notification.objects.select_related("user")
        .filter(pk__in=notification_ids, emailed_at__isnull=True)
        .exclude(user__email="")
    )
    if not pending:
        return 0
    sent = 0
    with get_connection() as connection:
        for n in pending:
            link = f"{settings.EGOV_SITE_URL}{n.url}" if n.url.startswith("/") else n.url
            # Users have no language preference stored: e-mails are in the default language
            # (Vietnamese), rendered from the message key when there is one.
            with translation.override(settings.LANGUAGE_CODE):
                subject, body = n.display_subject, n.display_body
            text = body + (f"\n\n{link}" if link else "")
            msg = EmailMessage(subject=subject, body=text, to=[n.user.email],
                               connection=connection)
            msg.send()
            Notification.objects.filter(pk=n.pk).update(emailed_at=timezone.now())
            sent += 1
    log.info("sent %d notification e-mails", sent)
    return sent
