"""The applicant's satisfaction rating (QĐ 766/QĐ-TTg indicator 5.4, services.md §1.7): once per
dossier, only after the result was returned, from the public page the QR code opens (the token
is the proof of holding the receipt; no login)."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from egov.core.audit import audit_log
from egov.core.errors import AppError, InvalidInput, NotFound

from ..models import Dossier, DossierState, Rating
from . import stats_summary

COMMENT_MAX = 2000


def dossier_rate(*, token: str, satisfied: bool, score: int | None = None,
                 comment: str = "") -> Rating:
    """Record the rating of the dossier whose public token is `token`.

    422 `invalid` for a score outside 1–5 or a comment too long; 404 for an unknown token;
    409 `not_returned` before the result is returned; 409 `already_rated` the second time."""
    errors: dict[str, list[str]] = {}
    if not isinstance(satisfied, bool):
        errors["satisfied"] = [_("Say whether you are satisfied.")]
    if score is not None and (isinstance(score, bool) or not isinstance(score, int)
                              or not 1 <= score <= 5):
        errors["score"] = [_("Give a score from 1 to 5, or none.")]
    comment = str(comment or "").strip()
    if len(comment) > COMMENT_MAX:
        errors["comment"] = [_("At most %(max)s characters.") % {"max": COMMENT_MAX}]
    if errors:
        raise InvalidInput(_("Check the highlighted fields."), fields=errors)
    with transaction.atomic():
        dossier = (Dossier.objects.select_for_update(no_key=True)
                   .filter(public_token=(token or "")[:64]).first() if token else None)
        if dossier is None:
            raise NotFound(_("No dossier has this link."))
        if dossier.state != DossierState.RETURNED:
            raise AppError("not_returned", _("The dossier can be rated once its result has been "
                                             "returned."), status=409)
        if Rating.objects.filter(dossier=dossier).exists():
            raise AppError("already_rated", _("This dossier has been rated already; a dossier "
                                              "is rated only once. Thank you."), status=409)
        try:
            with transaction.atomic():
                rating = Rating.objects.create(dossier=dossier, satisfied=satisfied,
                                               score=score, comment=comment)
        except IntegrityError as exc:  # pragma: no cover - the row lock above serialises
            raise AppError("already_rated", _("This dossier has been rated already; a dossier "
                                              "is rated only once. Thank you."),
                           status=409) from exc
        # The rating is one of the statistics' counts (dissatisfied): the summary moves with it.
        stats_summary.dossier_refresh(dossier)
        audit_log(actor=None, action="onestop.rating", obj=dossier,
                  details={"code": dossier.code, "satisfied": satisfied, "score": score})
    return rating
