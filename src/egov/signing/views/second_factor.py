"""The user's second factor for signing with a key the server holds (egov.signing.second_factor):
/signing/second-factor/ — set up the authenticator app (QR code of the otpauth URI, shown once;
active after one code is confirmed), or remove it."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from egov.core.errors import AppError
from egov.core.text import clean_field

from .. import second_factor as sf


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def second_factor_page(request):
    user = request.user
    context: dict = {"enrolled": sf.is_enrolled(user), "otp_errors": []}
    status = 200
    if request.method == "POST":
        action = request.POST.get("action", "")
        try:
            if action == "start":
                _secret, uri = sf.enrol_start(user=user)
                # segno's SVG of our own URI: no user input is rendered unescaped.
                context.update(qr=mark_safe(sf.qr_svg(uri)), uri=uri, secret=_secret,  # noqa: S308
                               started=True)
                return render(request, "signing/second_factor.html", context)
            if action == "confirm":
                sf.enrol_confirm(user=user, code=clean_field(request.POST.get("otp", ""),
                                                             "otp")[:12])
                messages.success(request, _("Your authenticator app is set up. Signing with "
                                            "the key held by the server now asks for its code."))
                return redirect("signing:second_factor")
            if action == "remove":
                sf.remove(actor=user, user=user)
                messages.success(request, _("Your authenticator app was removed."))
                return redirect("signing:second_factor")
        except AppError as err:
            context["otp_errors"] = err.fields.get("otp", [err.message])
            context["started"] = action == "confirm"
            status = err.status if 400 <= err.status < 500 else 400
    return render(request, "signing/second_factor.html", context, status=status)


urlpatterns = [path("", second_factor_page, name="second_factor")]
