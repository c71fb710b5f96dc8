"""After closing: ask the petitioner, once, whether the answer resolved the matter (issue 11;
the answers feed the periodic report, selectors.reports.satisfaction_counts).

A subscriber of the petition events (hooks): on `close`, inside the closing transaction, it
creates the `Satisfaction` row with a random token and queues ONE message through the core
outbox — an e-mail when the petitioner gave an address, otherwise an SMS to their phone (the
core outbox's SMS channel and gateway, egov.core.sms) — with the link
`/public/petitions/answer/<token>/`. The address is read with `access.identity_for_system`
(audited) and goes only into the outbox row; the message holds the code and the date, never
the content. A petition closed again (second instance) is not asked twice: the row exists.

`satisfaction_answer()` records yes/no and a comment once; a second answer is refused with
`already_answered` (409), politely, by the public page.
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from egov.core import calendar
from egov.core.audit import audit_log
from egov.core.errors import AppError, InvalidInput, NotFound
from egov.core.outbox import outbox_enqueue
from egov.core.text import clean_text

from ..models import Satisfaction
from ..selectors import access
from . import records

TEMPLATE = "petitions.satisfaction"
MAX_COMMENT = 2000
LEGAL = "Luật Tiếp công dân 42/2013; NĐ 154/2026 (theo dõi kết quả giải quyết)"

TEXTS = {
    ("email", "vi"): (
        "Đơn {{ code }}: kết quả giải quyết có đáp ứng yêu cầu của Ông/Bà?",
        "Kính gửi Ông/Bà,\n\n"
        "{{ agency }} đã kết thúc việc giải quyết đơn mã số {{ code }} ngày {{ closed_on }}.\n"
        "Xin Ông/Bà cho biết kết quả giải quyết có đáp ứng yêu cầu của mình không, tại địa "
        "chỉ:\n{{ answer_url }}\n\n"
        "Mỗi đơn chỉ được hỏi một lần. Đây là thư tự động, xin không trả lời thư này."),
    ("email", "en"): (
        "Petition {{ code }}: did the answer resolve the matter?",
        "Dear petitioner,\n\n"
        "{{ agency }} closed petition {{ code }} on {{ closed_on }}.\n"
        "Please tell us whether the answer resolved the matter:\n{{ answer_url }}\n\n"
        "You are asked only once. This is an automatic message; please do not reply."),
    ("sms", "vi"): (
        "", "Don {{ code }} da giai quyet xong. Xin cho biet ket qua co dap ung yeu cau: "
            "{{ answer_url }}"),
    ("sms", "en"): (
        "", "Petition {{ code }} closed. Did the answer resolve the matter? {{ answer_url }}"),
}


def template_rows() -> list[dict]:
    return [{"code": TEMPLATE, "channel": ch, "language": lang, "subject": subject,
             "body": body, "legal_basis": LEGAL,
             "notes": "Variables: code, agency, closed_on, answer_url."}
            for (ch, lang), (subject, body) in TEXTS.items()]


def answer_url(token: str) -> str:
    return f"{settings.EGOV_SITE_URL}/public/petitions/answer/{token}/"


def satisfaction_ask(petition) -> Satisfaction | None:
    """Queue the one question (inside the caller's transaction); None when the petitioner left
    no address or number, or was asked before."""
    if Satisfaction.objects.filter(petition=petition).exists():
        return None
    identity = access.identity_for_system(petition, purpose="satisfaction")
    if identity is None:
        return None
    channel, to = "", ""
    if identity.email:
        channel, to = "email", identity.email
    elif identity.phone:
        channel, to = "sms", identity.phone
    if not channel:
        return None
    row = Satisfaction.objects.create(petition=petition, token=secrets.token_urlsafe(24),
                                      asked_via=channel)
    closed = petition.closed_at or timezone.now()
    try:
        outbox_enqueue(key=f"petitions:{petition.code}:satisfaction:{channel}", channel=channel,
                       to=to, template=TEMPLATE, module="petitions", subject=petition,
                       context={"code": petition.code, "agency": petition.agency.name,
                                "closed_on": calendar.localtime(closed).strftime("%d/%m/%Y"),
                                "answer_url": answer_url(row.token)})
    except InvalidInput:
        # An address the outbox refuses (a landline, a malformed e-mail): nobody to ask.
        row.delete()
        return None
    return row


def on_petition_changed(*, petition, event) -> None:
    """Subscriber (hooks): the question goes out when the petition is closed."""
    if event.kind == "close":
        satisfaction_ask(petition)


def satisfaction_by_token(token: str) -> Satisfaction:
    token = (token or "").strip()
    row = (Satisfaction.objects.select_related("petition", "petition__agency")
           .filter(token=token).first()) if 16 <= len(token) <= 48 else None
    if row is None:
        raise NotFound()
    return row


def satisfaction_answer(*, token: str, resolved: bool, comment: str = "") -> Satisfaction:
    """Record the answer once: 404 for an unknown token, 409 `already_answered` the second
    time, 422 for a comment too long."""
    comment = clean_text(comment or "").strip()
    if len(comment) > MAX_COMMENT:
        raise InvalidInput(_("The comment is too long."),
                           fields={"comment": [_("At most 2,000 characters.")]})
    with transaction.atomic():
        found = satisfaction_by_token(token)
        row = Satisfaction.objects.select_for_update(no_key=True).get(pk=found.pk)
        if row.answered_at is not None:
            raise AppError("already_answered",
                           _("Thank you: your answer was already recorded."), status=409)
        row.answered_at = timezone.now()
        row.resolved = bool(resolved)
        row.comment = comment
        row.save(update_fields=["answered_at", "resolved", "comment"])
        petition = found.petition
        records.event_write(petition=petition, kind="satisfaction", public=False,
                            details={"resolved": row.resolved})
        audit_log(actor=None, action="petition.satisfaction", obj=petition,
                  details={"code": petition.code, "resolved": row.resolved})
    return row
