"""The procedure catalogue in the Django admin: procedures with their code history and versions;
a version with its components and steps; the import page (CSV / XLSX, egov.onestop.importing)
for holders of onestop.manage_catalogue."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from egov.core import policy
from egov.core.importers import ImportFailed

from .importing import MAX_BYTES, procedures_import
from .models import (
    Procedure,
    ProcedureCode,
    ProcedureComponent,
    ProcedureStep,
    ProcedureVersion,
)


class CatalogueAdminMixin:
    """Holders of onestop.manage_catalogue edit the catalogue (besides Django's own model
    permissions, which still work for superusers and groups)."""

    def _manages(self, request) -> bool:
        return policy.can(request.user, "onestop.manage_catalogue")

    def has_module_permission(self, request):
        return self._manages(request) or super().has_module_permission(request)

    def has_view_permission(self, request, obj=None):
        return self._manages(request) or super().has_view_permission(request, obj)

    def has_add_permission(self, request, obj=None):
        return self._manages(request) or super().has_add_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        return self._manages(request) or super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return self._manages(request) or super().has_delete_permission(request, obj)


class ProcedureCodeInline(CatalogueAdminMixin, admin.TabularInline):
    model = ProcedureCode
    extra = 0
    fields = ("code", "valid_from", "valid_to", "note")


class ProcedureVersionInline(CatalogueAdminMixin, admin.TabularInline):
    model = ProcedureVersion
    extra = 0
    fields = ("number", "field_name", "processing_days", "same_day", "online_level",
              "effective_from", "effective_to")
    readonly_fields = fields
    show_change_link = True
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Procedure)
class ProcedureAdmin(CatalogueAdminMixin, admin.ModelAdmin):
    list_display = ("code", "name", "level")
    list_filter = ("level", "versions__field_name", "versions__online_level")
    search_fields = ("code", "name", "codes__code")
    inlines = [ProcedureCodeInline, ProcedureVersionInline]
    change_list_template = "admin/onestop/procedure/change_list.html"

    def get_urls(self):
        return [path("import/", self.admin_site.admin_view(self.import_view),
                     name="onestop_procedure_import")] + super().get_urls()

    def changelist_view(self, request, extra_context=None):
        extra_context = {**(extra_context or {}),
                         "can_import": policy.can(request.user, "onestop.manage_catalogue")}
        return super().changelist_view(request, extra_context)

    def import_view(self, request):
        if not policy.can(request.user, "onestop.manage_catalogue"):
            raise DjangoPermissionDenied
        form = ImportForm(request.POST or None, request.FILES or None)
        errors = []
        if request.method == "POST" and form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                result = procedures_import(actor=request.user, data=upload.read(),
                                           name=upload.name)
            except ImportFailed as exc:
                errors = exc.errors
            else:
                self.message_user(request, gettext(
                    "Imported %(versions)d procedure version(s) (%(created)d new procedure(s))."
                ) % {"versions": result.versions, "created": result.created}, messages.SUCCESS)
                return redirect(reverse("admin:onestop_procedure_changelist"))
        context = {**self.admin_site.each_context(request), "opts": self.model._meta,
                   "title": _("Import procedures"), "form": form, "errors": errors}
        return TemplateResponse(request, "admin/onestop/procedure/import.html", context,
                                status=422 if errors else 200)


class ImportForm(forms.Form):
    file = forms.FileField(label=_("CSV or XLSX file"),
                           help_text=_("Columns and an example: docs/onestop.md, "
                                       "\"Catalogue import\"."))

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_BYTES:
            raise forms.ValidationError(_("The file is larger than 10 MB."))
        return upload


class ProcedureComponentInline(CatalogueAdminMixin, admin.TabularInline):
    model = ProcedureComponent
    extra = 0
    fields = ("ordering", "code", "name", "count", "copy_kind", "required", "form_name",
              "form_file")
    raw_id_fields = ("form_file",)


class ProcedureStepInline(CatalogueAdminMixin, admin.TabularInline):
    model = ProcedureStep
    extra = 0
    fields = ("ordering", "name", "unit", "role_code", "days")
    raw_id_fields = ("unit",)


@admin.register(ProcedureVersion)
class ProcedureVersionAdmin(CatalogueAdminMixin, admin.ModelAdmin):
    list_display = ("procedure", "number", "field_name", "level", "processing_days", "same_day",
                    "effective_from", "effective_to")
    list_filter = ("level", "field_name", "online_level", "same_day", "next_day_after_cutoff")
    search_fields = ("procedure__code", "name", "field_name")
    list_select_related = ("procedure",)
    raw_id_fields = ("procedure", "competent_unit")
    inlines = [ProcedureComponentInline, ProcedureStepInline]
    fieldsets = (
        (None, {"fields": ("procedure", "number", "name", "field_name", "level",
                           "competent_unit", "competent_body")}),
        (_("Time"), {"fields": ("processing_days", "same_day", "next_day_after_cutoff")}),
        (_("Fees and result"), {"fields": ("fees", "online_level", "result_type")}),
        (_("Legal basis and validity"), {"fields": ("legal_basis", "effective_from",
                                                    "effective_to", "transition_policy")}),
    )
