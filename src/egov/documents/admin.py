"""Catalogue data of the documents module edited by administrators."""

from django.contrib import admin

from . import models


@admin.register(models.DocumentType)
class DocumentTypeAdmin(admin.ModelAdmin):
    list_display = ("name", "abbreviation", "code", "is_legal_normative", "is_copy", "valid_from",
                    "valid_to")
    search_fields = ("name", "abbreviation", "code")
    list_filter = ("is_legal_normative", "is_copy")


@admin.register(models.UrgencyDeadline)
class UrgencyDeadlineAdmin(admin.ModelAdmin):
    list_display = ("urgency", "agency", "working_days", "legal_basis")
    list_filter = ("urgency",)
    raw_id_fields = ("agency",)


@admin.register(models.Register)
class RegisterAdmin(admin.ModelAdmin):
    list_display = ("name", "agency", "direction", "kind", "year_in_notation", "is_active")
    list_filter = ("direction", "kind", "is_active")
    search_fields = ("name", "agency__name")
    raw_id_fields = ("agency",)
    filter_horizontal = ("document_types",)
