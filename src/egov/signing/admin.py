"""Administration of trust anchors and registered signing certificates.

Key material is never shown: SigningCertificate.key_material is excluded from every form and
list, and key fields are read-only. Registration of key files goes through the services (which
encrypt the key); the admin only lists, inspects and revokes.
"""

from __future__ import annotations

import base64

from django import forms
from django.contrib import admin
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from egov.core.errors import AppError
from egov.core.forms import EgovModelForm

from . import services
from .models import AppearanceImage, SecondFactorPolicy, SigningCertificate, TrustAnchor


class TrustAnchorAddForm(EgovModelForm):
    pem_text = forms.CharField(label=_("Certificate (PEM text)"), required=False,
                               widget=forms.Textarea(attrs={"rows": 8, "cols": 70}))
    upload = forms.FileField(label=_("or certificate file (PEM or DER)"), required=False)

    request = None  # set by TrustAnchorAdmin.get_form
    anchor = None

    class Meta:
        model = TrustAnchor
        fields = ("name",)

    def clean(self):
        data = super().clean()
        raw = data.get("pem_text", "").strip().encode()
        upload = data.get("upload")
        if upload is not None:
            raw = upload.read()
        if not raw:
            raise forms.ValidationError(_("Paste the PEM text or choose a certificate file."))
        # The anchor is created here (through the service: permission, checks, audit) so that
        # a refusal is shown on the form instead of failing in save_model.
        try:
            self.anchor = services.trust_anchor_add(actor=self.request.user,
                                                    certificate_der_or_pem=raw,
                                                    name=data.get("name", ""))
        except AppError as exc:
            raise forms.ValidationError(exc.message) from None
        return data


@admin.register(TrustAnchor)
class TrustAnchorAdmin(admin.ModelAdmin):
    list_display = ("name", "fingerprint_sha256", "is_active", "is_demo", "created_at")
    list_filter = ("is_active", "is_demo")
    search_fields = ("name", "fingerprint_sha256")
    readonly_fields = ("fingerprint_sha256", "is_demo", "created_at")
    exclude = ("certificate_der",)
    actions = ("deactivate",)

    def get_form(self, request, obj=None, **kwargs):
        if obj is None:
            kwargs["form"] = type("BoundTrustAnchorAddForm", (TrustAnchorAddForm,),
                                  {"request": request})
        return super().get_form(request, obj, **kwargs)

    def get_fields(self, request, obj=None):
        if obj is None:
            return ("name", "pem_text", "upload")
        return ("name", "fingerprint_sha256", "is_active", "is_demo", "created_at")

    def get_readonly_fields(self, request, obj=None):
        return () if obj is None else self.readonly_fields

    def save_model(self, request, obj, form, change):
        if change:
            return super().save_model(request, obj, form, change)
        anchor = form.anchor
        obj.pk = anchor.pk
        obj.__dict__.update({f.attname: getattr(anchor, f.attname)
                             for f in TrustAnchor._meta.concrete_fields})

    @admin.action(description=_("Deactivate the selected trust anchors"))
    def deactivate(self, request, queryset):
        for anchor in queryset:
            services.trust_anchor_deactivate(actor=request.user, anchor=anchor)


@admin.register(SigningCertificate)
class SigningCertificateAdmin(admin.ModelAdmin):
    list_display = ("subject", "owner_user", "owner_unit", "key_source", "not_after",
                    "revoked_at")
    list_filter = ("key_source",)
    search_fields = ("subject", "issuer", "serial", "fingerprint_sha256")
    exclude = ("key_material", "certificate_der")
    readonly_fields = ("owner_user", "owner_unit", "subject", "issuer", "serial",
                       "fingerprint_sha256", "not_before", "not_after", "key_source",
                       "key_config", "revoked_at", "created_at")
    actions = ("revoke",)

    def has_add_permission(self, request) -> bool:
        return False  # registration goes through the services, which encrypt the key

    @admin.action(description=_("Revoke the selected certificates"))
    def revoke(self, request, queryset):
        for cert in queryset:
            services.certificate_revoke(actor=request.user, certificate=cert,
                                        reason=str(_("Revoked by an administrator")))


class AppearanceImageAddForm(EgovModelForm):
    """Upload of a signature or seal image through :func:`appearance_image_set` (checks: a
    transparent PNG, sizes, permission; audit)."""

    upload = forms.FileField(label=_("Image (transparent PNG)"))

    request = None  # set by AppearanceImageAdmin.get_form
    image = None

    class Meta:
        model = AppearanceImage
        fields = ("kind", "owner_user", "owner_unit", "width_mm", "height_mm")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["width_mm"].required = False
        self.fields["height_mm"].required = False

    def clean(self):
        from .appearance import MAX_BYTES, appearance_image_set

        data = super().clean()
        upload = data.get("upload")
        if upload is None or self.errors:
            return data
        if upload.size > MAX_BYTES:
            self.add_error("upload", _("The image is larger than 512 KB."))
            return data
        try:
            self.image = appearance_image_set(
                actor=self.request.user, kind=data.get("kind"), png=upload.read(),
                owner_user=data.get("owner_user"), owner_unit=data.get("owner_unit"),
                width_mm=data.get("width_mm"), height_mm=data.get("height_mm"))
        except AppError as exc:
            placed = False
            for name, messages in exc.fields.items():
                target = "upload" if name == "image" else name
                if target in self.fields:
                    for message in messages:
                        self.add_error(target, message)
                    placed = True
            if not placed:
                raise forms.ValidationError(exc.message) from None
        return data


@admin.register(AppearanceImage)
class AppearanceImageAdmin(admin.ModelAdmin):
    list_display = ("__str__", "kind", "owner_user", "owner_unit", "width_mm", "height_mm",
                    "is_active", "created_at", "thumbnail")
    list_filter = ("kind", "is_active")
    readonly_fields = ("kind", "owner_user", "owner_unit", "width_mm", "height_mm",
                       "uploaded_by", "created_at", "preview")
    exclude = ("image_png",)

    def get_form(self, request, obj=None, **kwargs):
        if obj is None:
            kwargs["form"] = type("BoundAppearanceImageAddForm", (AppearanceImageAddForm,),
                                  {"request": request})
        return super().get_form(request, obj, **kwargs)

    def get_fields(self, request, obj=None):
        if obj is None:
            return ("kind", "owner_user", "owner_unit", "width_mm", "height_mm", "upload")
        return ("kind", "owner_user", "owner_unit", "width_mm", "height_mm", "is_active",
                "uploaded_by", "created_at", "preview")

    def get_readonly_fields(self, request, obj=None):
        return () if obj is None else self.readonly_fields

    def save_model(self, request, obj, form, change):
        if change:
            return super().save_model(request, obj, form, change)
        image = form.image
        obj.pk = image.pk
        obj.__dict__.update({f.attname: getattr(image, f.attname)
                             for f in AppearanceImage._meta.concrete_fields})

    def _img(self, obj, height: int):
        if obj is None or not obj.image_png:
            return "-"
        data = base64.b64encode(bytes(obj.image_png)).decode()
        # A checkerboard behind the image shows its transparency.
        return format_html(
            '<img src="data:image/png;base64,{}" alt="" style="height:{}px;background:'
            'repeating-conic-gradient(#ddd 0 25%, #fff 0 50%) 0 0/16px 16px">', data, height)

    @admin.display(description=_("Image"))
    def thumbnail(self, obj):
        return self._img(obj, 40)

    @admin.display(description=_("Preview"))
    def preview(self, obj):
        return self._img(obj, 160)


class SecondFactorPolicyForm(EgovModelForm):
    class Meta:
        model = SecondFactorPolicy
        fields = ("unit", "required", "method")


@admin.register(SecondFactorPolicy)
class SecondFactorPolicyAdmin(admin.ModelAdmin):
    """The agency's switch for the signer's second factor (egov.signing.second_factor); saved
    through the service (permission, audit)."""

    form = SecondFactorPolicyForm
    list_display = ("unit", "required", "method", "updated_at")
    list_filter = ("required", "method")

    def save_model(self, request, obj, form, change):
        from .second_factor import policy_set

        saved = policy_set(actor=request.user, unit=obj.unit, required=obj.required,
                           method=obj.method)
        obj.pk = saved.pk
