"""The public verification page: anyone can check the digital signatures of a PDF without an
account (NĐ 30/2020, Điều 13 and Phụ lục I: a recipient must be able to check the digital
signature of an electronic document; Luật Giao dịch điện tử 2023, Điều 22-24 and NĐ 130/2018,
Điều 9: what is checked — certificate path to a trusted root, integrity, changes after signing).

The same report as POST /api/v1/signing/verify (egov.signing.verify.verify_pdf), presented for
people. The uploaded file is verified in memory and never stored.
"""

from __future__ import annotations

from datetime import datetime

from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from egov.signing.incoming_verifier import status_of
from egov.signing.verify import MODIFICATION_LABELS

from .forms import VerifyForm


def _parse(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        return None


def _signatures(report) -> list[dict]:
    rows = []
    for sig in report.signatures:
        timestamp = sig.timestamp
        rows.append({
            "sig": sig,
            "signed_at": _parse(sig.signed_at),
            "timestamp_at": _parse(timestamp.time) if timestamp else None,
            "modification_label": MODIFICATION_LABELS.get(sig.modification, sig.modification),
        })
    return rows


@require_http_methods(["GET", "POST"])
def verify(request):
    """GET: the upload form; POST: verify the uploaded PDF and show the report."""
    context = {}
    if request.method == "POST":
        form = VerifyForm(request.POST, request.FILES)
        if form.is_valid():
            report = form.cleaned_data["report"]
            context.update(report=report, verdict=status_of(report),
                           signatures=_signatures(report),
                           file_name=form.cleaned_data["file"].name)
            form = VerifyForm()
    else:
        form = VerifyForm()
    context["form"] = form
    return render(request, "portal/verify.html", context, status=200)
