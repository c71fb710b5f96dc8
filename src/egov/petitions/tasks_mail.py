"""Background job of the e-mail intake (i11-mail), run by `egov worker`; enqueued by the workers'
periodic duty `petitions.mail` (services.mail.mail_sweep)."""

from __future__ import annotations

from django_tasks import task

from .services import mail


@task(queue_name="default")
def mail_poll() -> dict[str, dict]:
    """Poll every due mailbox; a failing mailbox is recorded on its row (backoff) and never
    stops the others."""
    return {r.mailbox: {"fetched": r.fetched, "outcomes": r.outcomes, "error": r.error}
            for r in mail.mail_poll_due()}
