"""The civil-status catalogue in the Django admin, for holders of civil.manage: the kinds' rules
(law as data: a new period of rules is added here, e.g. Luật Hộ tịch 03/2026 from 1/3/2027) and
the provinces' fee rates (Luật Hộ tịch 2014, Điều 11.3). Rows are never deleted: a rule or rate
ends by its `effective_to`, so past registrations keep the rule they were made under."""

from __future__ import annotations

from django.contrib import admin

from egov.core import policy

from .models import FeeRate, KindRule


class ManageMixin:
    def _manages(self, request) -> bool:
        return policy.can(request.user, "civil.manage")

    def has_module_permission(self, request):
        return self._manages(request) or super().has_module_permission(request)

    def has_view_permission(self, request, obj=None):
        return self._manages(request) or super().has_view_permission(request, obj)

    def has_add_permission(self, request, obj=None):
        return self._manages(request) or super().has_add_permission(request)

    def has_change_permission(self, request, obj=None):
        return self._manages(request) or super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(KindRule)
class KindRuleAdmin(ManageMixin, admin.ModelAdmin):
    list_display = ("kind", "book_name", "effective_from", "effective_to")
    list_filter = ("kind",)


@admin.register(FeeRate)
class FeeRateAdmin(ManageMixin, admin.ModelAdmin):
    list_display = ("province", "kind", "amount", "effective_from", "effective_to", "is_demo")
    list_filter = ("kind",)
    raw_id_fields = ("province",)
