"""The public page of the one question after closing (no login):
/public/petitions/answer/<token>/ — GET shows the question, POST records yes/no + a comment
once; a second answer is refused politely. Shows the code only: no content, no identity."""

from __future__ import annotations

from django import forms
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from egov.core.errors import AppError, NotFound
from egov.core.forms import EgovForm

from ..services import satisfaction as svc


class AnswerForm(EgovForm):
    resolved = forms.TypedChoiceField(
        label=_("Did the answer resolve the matter?"),
        choices=[("yes", _("Yes, it did")), ("no", _("No, it did not"))],
        coerce=lambda v: v == "yes", widget=forms.RadioSelect)
    comment = forms.CharField(label=_("Comment (optional)"), required=False,
                              max_length=svc.MAX_COMMENT,
                              widget=forms.Textarea(attrs={"rows": 4}))


@require_http_methods(["GET", "HEAD", "POST"])
def answer(request, token: str):
    try:
        row = svc.satisfaction_by_token(token)
    except NotFound:
        return render(request, "petitions/satisfaction/unknown.html", {}, status=404)
    context = {"code": row.petition.code, "agency": row.petition.agency.name}
    if row.answered_at is not None:
        return render(request, "petitions/satisfaction/done.html",
                      {**context, "already": True}, status=200 if request.method != "POST"
                      else 409)
    form = AnswerForm(request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            try:
                svc.satisfaction_answer(token=token, resolved=form.cleaned_data["resolved"],
                                        comment=form.cleaned_data.get("comment", ""))
            except AppError as err:
                if err.code == "already_answered":
                    return render(request, "petitions/satisfaction/done.html",
                                  {**context, "already": True}, status=409)
                form.add_error(None, err.message)
                status = err.status
            else:
                return render(request, "petitions/satisfaction/done.html",
                              {**context, "already": False})
    return render(request, "petitions/satisfaction/answer.html", {**context, "form": form},
                  status=status)
