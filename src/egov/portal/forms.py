from __future__ import annotations

import hashlib

from django import forms
from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from egov.core.forms import EgovForm
from egov.signing.verify import NotAPdf, verify_pdf


class VerifyForm(EgovForm):
    """One PDF file; clean() verifies it, so `cleaned_data["report"]` holds the report and a file
    that is not a readable PDF is an error by the field (never a 500)."""

    file = forms.FileField(
        label=gettext_lazy("Signed PDF file"),
        help_text=gettext_lazy("The file is checked and not kept."),
        widget=forms.ClearableFileInput(attrs={"accept": "application/pdf,.pdf"}),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        limit = settings.EGOV_MAX_UPLOAD_BYTES
        too_large = _("The file is larger than the limit of %(size)s.") % {
            "size": filesizeformat(limit)}
        if upload.size is not None and upload.size > limit:
            raise forms.ValidationError(too_large, code="too_large")
        data = upload.read(limit + 1)
        if len(data) > limit:
            raise forms.ValidationError(too_large, code="too_large")
        self.cleaned_data["sha256"] = hashlib.sha256(data).hexdigest()
        try:
            self.cleaned_data["report"] = verify_pdf(data)
        except NotAPdf as exc:
            raise forms.ValidationError(str(exc), code="not_pdf") from exc
        return upload


class CodeForm(EgovForm):
    """The verification code printed (with a QR code) on an issued document: XXXXX-XXXXX; what
    people type is normalised (egov.signing.verification_codes.normalise)."""

    code = forms.CharField(
        label=gettext_lazy("Verification code"),
        help_text=gettext_lazy("The code printed at the top of the document, e.g. 7K3QF-9XH2M."),
        max_length=40,
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters",
                                      "spellcheck": "false"}),
    )

    def clean_code(self):
        from egov.signing.verification_codes import normalise

        code = normalise(self.cleaned_data["code"])
        if code is None:
            raise forms.ValidationError(
                _("A verification code has 10 letters and digits, e.g. 7K3QF-9XH2M."),
                code="invalid")
        return code
