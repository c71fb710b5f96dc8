""""My certificates" (Chứng thư số của tôi): the signed-in person's signing certificates and
their handwritten-signature image (issue 4).

Luật Giao dịch điện tử 2023 (Điều 22–24) and NĐ 130/2018 / NĐ 23/2025: a digital signature is
made with a certificate issued by a licensed CA; an expired or revoked certificate may not be
used to sign, so the page shows each certificate's state and warns 30 days before expiry.
NĐ 30/2020 Phụ lục I §II.7: the visible signature of the competent person shows the image of
their handwritten signature (blue, transparent PNG).

One page, several forms (the hidden ``op`` says which one was sent):
- ``public``: a certificate file of a key on my USB token → certificate_register_public;
- ``pkcs12``: a key file + password, kept on the server encrypted → certificate_register_pkcs12;
- ``revoke``: one of my certificates + a reason → certificate_revoke;
- ``signature``: my handwritten-signature PNG → appearance_image_set.
"Read from my USB token" is done in the browser (static/signing/certificates.js): it asks the
local signing agent for the token's certificates and registers one through
POST /api/v1/signing/certificates {"der"}.
"""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from egov.core.errors import AppError, InvalidInput
from egov.core.forms import EgovForm, apply_app_error

from .. import certificate_files as cf
from ..models import AppearanceKind, SigningCertificate
from ..selectors import appearance_image_for, certificates_of
from ..services import certificate_register_pkcs12, certificate_register_public, certificate_revoke

MAX_IMAGE_BYTES = 512 * 1024


class PublicCertificateForm(EgovForm):
    file = forms.FileField(
        label=gettext_lazy("Certificate file"),
        help_text=gettext_lazy("The certificate of a key on your USB token: .cer, .crt, .pem or "
                               ".der. The key stays on your token."),
        widget=forms.ClearableFileInput(attrs={"accept": ".cer,.crt,.pem,.der"}))

    def clean_file(self):
        upload = self.cleaned_data["file"]
        try:
            data = cf.read_limited(upload, cf.MAX_CERTIFICATE_BYTES, "file")
            self.cleaned_data["der"] = cf.certificate_der_from_file(upload.name, data,
                                                                    field="file")
        except InvalidInput as err:
            raise forms.ValidationError(err.fields["file"]) from err
        return upload


class Pkcs12Form(EgovForm):
    file = forms.FileField(
        label=gettext_lazy("Key file (PKCS#12)"),
        help_text=gettext_lazy("A .p12 or .pfx file with your key and certificate. The server "
                               "keeps it encrypted; the password is not stored."),
        widget=forms.ClearableFileInput(attrs={"accept": ".p12,.pfx"}))
    password = forms.CharField(label=gettext_lazy("Password of the key file"), max_length=200,
                               strip=False,
                               widget=forms.PasswordInput(attrs={"autocomplete": "off"}))

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if not cf.is_pkcs12_name(upload.name):
            raise forms.ValidationError(_("Choose a key file (.p12 or .pfx)."))
        try:
            self.cleaned_data["data"] = cf.read_limited(upload, cf.MAX_PKCS12_BYTES, "file")
        except InvalidInput as err:
            raise forms.ValidationError(err.fields["file"]) from err
        return upload

    def clean(self):
        data = super().clean()
        if "data" in data and "password" in data:
            try:
                cf.pkcs12_check_password(data["data"], data["password"])
            except InvalidInput as err:
                for name, msgs in err.fields.items():
                    for msg in msgs:
                        self.add_error(name, msg)
        return data


class RevokeForm(EgovForm):
    certificate = forms.ModelChoiceField(label=gettext_lazy("Certificate"),
                                         queryset=SigningCertificate.objects.none())
    reason = forms.CharField(label=gettext_lazy("Reason"), max_length=500,
                             help_text=gettext_lazy("For example: the token was lost, the "
                                                    "certification authority revoked it."),
                             widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["certificate"].queryset = certificates_of(user).filter(
            revoked_at__isnull=True)
        self.fields["certificate"].label_from_instance = lambda c: (
            f"{cf.common_name(c.certificate_der) or c.subject} — {c.serial}")


class SignatureImageForm(EgovForm):
    image = forms.FileField(
        label=gettext_lazy("Signature image (PNG)"),
        help_text=gettext_lazy("Your handwritten signature in blue on a transparent background, "
                               "PNG, at most 512 KB."),
        widget=forms.ClearableFileInput(attrs={"accept": "image/png,.png"}))

    def clean_image(self):
        upload = self.cleaned_data["image"]
        if upload.size is not None and upload.size > MAX_IMAGE_BYTES:
            raise forms.ValidationError(_("The image is larger than 512 KB."))
        self.cleaned_data["png"] = upload.read(MAX_IMAGE_BYTES + 1)
        return upload


FORMS = {"public": PublicCertificateForm, "pkcs12": Pkcs12Form, "revoke": RevokeForm,
         "signature": SignatureImageForm}


def _form(op: str, user, data=None, files=None):
    kwargs = {"prefix": op}
    if op == "revoke":
        kwargs["user"] = user
    return FORMS[op](data, files, **kwargs) if data is not None else FORMS[op](**kwargs)


def _name(cert) -> str:
    return cf.common_name(cert.certificate_der) or cert.subject


def _handle(request, op: str, form) -> str | None:
    """Run the service of ``op``; the success message, or None when the form has errors."""
    user = request.user
    data = form.cleaned_data
    try:
        if op == "public":
            cert = certificate_register_public(actor=user, owner_user=user,
                                               certificate_der=data["der"])
            return _("Certificate “%(subject)s” registered.") % {"subject": _name(cert)}
        if op == "pkcs12":
            cert = certificate_register_pkcs12(actor=user, owner_user=user, pkcs12=data["data"],
                                               password=data["password"])
            return _("Key file of “%(subject)s” registered; the server keeps it encrypted.") % {
                "subject": _name(cert)}
        if op == "revoke":
            cert = certificate_revoke(actor=user, certificate=data["certificate"],
                                      reason=data["reason"])
            return _("Certificate “%(subject)s” revoked: it can no longer sign.") % {
                "subject": _name(cert)}
        if op == "signature":
            from ..appearance import appearance_image_set

            appearance_image_set(actor=user, kind=AppearanceKind.SIGNATURE, png=data["png"],
                                 owner_user=user, width_mm=None, height_mm=None)
            return _("Your signature image is saved.")
    except AppError as err:
        if op in ("public", "pkcs12"):
            err = cf.refield(err, "file")
        apply_app_error(form, err)
    return None


def _rows(certs) -> list[dict]:
    rows = []
    for cert in certs:
        state, days = cf.certificate_state(cert)
        rows.append({"cert": cert, "state": state, "days": days,
                     "name": cf.common_name(cert.certificate_der) or cert.subject})
    return rows


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def certificates(request):
    user = request.user
    bound = None
    status = 200
    if request.method == "POST":
        op = request.POST.get("op", "")
        if op not in FORMS:
            messages.error(request, _("Unknown action."))
            return redirect("signing:certificates")
        bound = _form(op, user, request.POST, request.FILES)
        if bound.is_valid():
            done = _handle(request, op, bound)
            if done:
                messages.success(request, done)
                return redirect("signing:certificates")
        status = 422
    forms_ = {op: (bound if bound is not None and bound.prefix == op else _form(op, user))
              for op in FORMS}
    registered = request.GET.get("registered", "")
    if registered.isdigit():
        cert = certificates_of(user).filter(pk=int(registered)).first()
        if cert is not None:
            messages.success(request, _("Certificate “%(subject)s” registered.")
                             % {"subject": _name(cert)})
    rows = _rows(certificates_of(user))
    signature = appearance_image_for(user=user, kind=AppearanceKind.SIGNATURE)
    return render(request, "signing/certificates.html", {
        "rows": rows,
        "expiring": [r for r in rows if r["state"] == "expiring"],
        "forms": forms_,
        "revocable": forms_["revoke"].fields["certificate"].queryset.exists(),
        "signature": signature,
        "agent_url": settings.EGOV_SIGN_AGENT_URL,
        "fingerprints": " ".join(r["cert"].fingerprint_sha256 for r in rows),
        "warn_days": cf.WARN_DAYS,
    }, status=status)


@login_required
@require_http_methods(["GET", "HEAD"])
def signature_image(request):
    """My current signature image (only mine: it is personal)."""
    image = appearance_image_for(user=request.user, kind=AppearanceKind.SIGNATURE)
    if image is None:
        raise Http404
    response = HttpResponse(bytes(image.image_png), content_type="image/png")
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


urlpatterns = [
    path("", certificates, name="certificates"),
    path("signature.png", signature_image, name="certificates_signature_image"),
]
