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

import json
import re
import threading
from collections import OrderedDict
from datetime import date, datetime

from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.shortcuts import redirect, render
from django.utils import translation
from django.views.decorators.http import require_http_methods

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


def _parse_date(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
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
    return None if verdict.allowed else _refused(request, verdict)


def _refused(request, verdict):
    """The 429 page, with Retry-After."""
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
    # The client's rate counter and the code row: one statement on PostgreSQL.
    verdict, vc = vcodes.find_counted(request, code,
                                      "upload" if request.method == "POST" else "code")
    if not verdict.allowed:
        return _refused(request, verdict)
    data = vcodes.public_page_bytes(vc) if vc is not None else None
    if data is None:
        return render(request, "portal/verify_code_unknown.html", {"code": code[:40]},
                      status=404)
    if vc.code != code:  # typed in lower case, with a dash, I for 1…: the canonical address
        return redirect("portal:verify_code", code=vc.code)
    # At most one cache read (egov.signing.verification_codes.public_page_bytes; none once this
    # process memoised it under the code row's public_version): the public record and
    # the issued file's report as plain facts; no subject, file or pyHanko object on a hit. A
    # plain GET by an anonymous visitor reuses what this process rendered from the same bytes.
    memo_key = _memo_key(request, data)
    if memo_key is not None:
        html = _RENDERED.get(memo_key)
        if html is not None:
            return HttpResponse(html.replace(CSRF_PLACEHOLDER, get_token(request)))
    page = json.loads(data)
    record = page["record"]
    facts = dict(record["document"])
    facts["issued_date"] = _parse_date(facts.get("issued_date"))
    context = {
        "vc": vc, "record": record, "document": facts,
        "recalled_at": _parse(record.get("recalled_at")),
        "code_display": record["code"],
        # The original was issued on paper (egov.documents.services.issuing_paper).
        "paper_original": facts.get("medium") == "paper",
        "issued": _report_context(vcodes.report_from_dict(page["report"]), ""),
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
    response = render(request, "portal/verify_code.html", context, status=200)
    if memo_key is not None:
        _remember(memo_key, response.content.decode())
    return response


# What verify_code rendered for anonymous GETs, per process: (cached bytes, language, path) →
# the page with its CSRF token replaced by a placeholder (each visitor gets their own token).
# The cached bytes change whenever the document's state or report does, so this is never stale.
CSRF_PLACEHOLDER = "__egov_csrf_token__"
_CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([A-Za-z0-9]{32,})"')
_RENDERED: OrderedDict[tuple, str] = OrderedDict()
_RENDERED_MAX = 256
_RENDERED_LOCK = threading.Lock()


def _memo_key(request, data: bytes) -> tuple | None:
    if request.method != "GET" or request.GET or request.COOKIES.get("messages"):
        return None
    if getattr(request, "user", None) is not None and request.user.is_authenticated:
        return None  # the shell shows who is signed in
    return (data, translation.get_language(), request.path)


def _remember(key: tuple, html: str) -> None:
    tokens = set(_CSRF_INPUT.findall(html))
    if len(tokens) != 1:
        return  # not the expected form: render each time
    with _RENDERED_LOCK:
        _RENDERED[key] = html.replace(tokens.pop(), CSRF_PLACEHOLDER)
        while len(_RENDERED) > _RENDERED_MAX:
            _RENDERED.popitem(last=False)
