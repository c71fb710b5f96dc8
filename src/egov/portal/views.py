"""The public verification page: anyone can check the digital signatures of a PDF without an
account (NĐ 30/2020, Điều 13 and Phụ lục I: a recipient must be able to check the digital
signature of an electronic document; Luật Giao dịch điện tử 2023, Điều 22-24 and NĐ 130/2018,
Điều 9: what is checked — certificate path to a trusted root, integrity, changes after signing).

The same report as POST /api/v1/signing/verify (egov.signing.verify.verify_pdf), presented for
people. The uploaded file is verified in memory and never stored.

/verify/c/<code>/ is the target of the QR code printed on issued documents
(egov.signing.verification_codes): the document's number, date, agency, type and summary, its
state (issued, recalled, replaced), the SHA-256 and the signature report of the issued PDF —
never the PDF itself — and a form to compare one's own copy with it. Lookups by code and
uploads are rate-limited per client (egov.signing.ratelimit); over the limit → 429.
"""

from __future__ import annotations

from datetime import datetime

from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from egov.documents.verification_codes import replacement_of
from egov.signing import ratelimit
from egov.signing import verification_codes as vcodes
from egov.signing.incoming_verifier import status_of
from egov.signing.report_labels import describe
from egov.signing.verify import MODIFICATION_LABELS

from .forms import CodeForm, VerifyForm


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


def _limited(request, scope: str):
    """A 429 page when the client is over the ``scope`` limit, else None."""
    verdict = ratelimit.hit(request, scope)
    if verdict.allowed:
        return None
    response = render(request, "portal/rate_limited.html",
                      {"retry_minutes": max(1, (verdict.retry_after + 59) // 60)}, status=429)
    response["Retry-After"] = str(verdict.retry_after)
    return response


def _report_context(report, file_name: str) -> dict:
    # The words (whose signature, integrity and trust apart) come from signing.report_labels.
    words = describe(report)
    signatures = _signatures(report)
    for row, sig_words in zip(signatures, words.signatures, strict=True):
        row["words"] = sig_words
    return {"report": report, "verdict": status_of(report), "signatures": signatures,
            "words": words, "file_name": file_name}


@require_http_methods(["GET", "POST"])
def verify(request):
    """GET: the upload form and the code form (GET ?code= → the code's page); POST: verify the
    uploaded PDF and show the report."""
    context = {}
    code_form = CodeForm()
    if request.method == "POST":
        limited = _limited(request, "upload")
        if limited is not None:
            return limited
        form = VerifyForm(request.POST, request.FILES)
        if form.is_valid():
            context.update(_report_context(form.cleaned_data["report"],
                                           form.cleaned_data["file"].name))
            form = VerifyForm()
    else:
        form = VerifyForm()
        if "code" in request.GET:
            code_form = CodeForm(request.GET)
            if code_form.is_valid():
                return redirect("portal:verify_code", code=code_form.cleaned_data["code"])
    context.update(form=form, code_form=code_form)
    return render(request, "portal/verify.html", context, status=200)


@require_http_methods(["GET", "POST"])
def verify_code(request, code: str):
    """The page of one verification code. GET: the issued document and its signature report;
    POST: also compare the visitor's copy (upload) with the issued file. Unknown codes (and
    codes of documents not issued yet) → 404; every lookup counts against the rate limit."""
    limited = _limited(request, "upload" if request.method == "POST" else "code")
    if limited is not None:
        return limited
    vc = vcodes.find(code)
    if vc is None or not vcodes.is_public(vc):
        return render(request, "portal/verify_code_unknown.html", {"code": code[:40]},
                      status=404)
    if vc.code != code:  # typed in lower case, with a dash, I for 1…: the canonical address
        return redirect("portal:verify_code", code=vc.code)
    record = vcodes.public_record(vc)
    document = vcodes.subject_of(vc)
    issued_report = vcodes.issued_report(vc.file)
    context = {
        "vc": vc, "record": record, "document": document,
        "replacement": replacement_of(document)[0],
        "code_display": record["code"],
        # The original was issued on paper (egov.documents.services.issuing_paper).
        "paper_original": getattr(document, "medium", "") == "paper",
        "issued": _report_context(issued_report, ""),
        "form": VerifyForm(),
    }
    if request.method == "POST":
        form = VerifyForm(request.POST, request.FILES)
        if form.is_valid():
            context["upload"] = _report_context(form.cleaned_data["report"],
                                                form.cleaned_data["file"].name)
            context["upload"]["same_file"] = form.cleaned_data["sha256"] == vc.file.sha256
            context["upload"]["sha256"] = form.cleaned_data["sha256"]
        else:
            context["form"] = form
    return render(request, "portal/verify_code.html", context, status=200)
