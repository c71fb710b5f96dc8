"""Admin screens for the shared kernel's catalogue data."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from . import models


class OrgUnitNameInline(admin.TabularInline):
    model = models.OrgUnitName
    extra = 0


@admin.register(models.OrgUnit)
class OrgUnitAdmin(admin.ModelAdmin):
    list_display = ("name", "kind", "abbreviation", "electronic_id", "parent", "valid_from",
                    "valid_to", "successor")
    list_filter = ("kind", "is_demo")
    search_fields = ("name", "abbreviation", "electronic_id")
    autocomplete_fields = ("parent", "successor")
    inlines = [OrgUnitNameInline]


class PositionInline(admin.TabularInline):
    model = models.Position
    extra = 0
    autocomplete_fields = ("org_unit",)
    filter_horizontal = ("roles",)


@admin.register(models.User)
class UserAdmin(BaseUserAdmin):
    list_display = ("username", "full_name", "email", "is_active", "is_staff")
    search_fields = ("username", "full_name", "email")
    fieldsets = BaseUserAdmin.fieldsets + ((_("eGov"), {"fields": ("full_name", "is_demo")}),)
    inlines = [PositionInline]


class RoleGrantInline(admin.TabularInline):
    model = models.RoleGrant
    extra = 0


@admin.register(models.Role)
class RoleAdmin(admin.ModelAdmin):
    list_display = ("code", "name")
    inlines = [RoleGrantInline]


@admin.register(models.Position)
class PositionAdmin(admin.ModelAdmin):
    list_display = ("user", "title", "org_unit", "is_primary", "valid_from", "valid_to")
    list_filter = ("roles",)
    search_fields = ("user__username", "user__full_name", "title", "org_unit__name")
    autocomplete_fields = ("user", "org_unit")
    filter_horizontal = ("roles",)


@admin.register(models.Delegation)
class DelegationAdmin(admin.ModelAdmin):
    list_display = ("position", "delegate", "capacity", "start", "end")
    autocomplete_fields = ("position", "delegate")


@admin.register(models.CalendarDay)
class CalendarDayAdmin(admin.ModelAdmin):
    list_display = ("date", "kind", "name", "legal_basis")
    list_filter = ("kind",)
    date_hierarchy = "date"
    search_fields = ("name", "legal_basis")


@admin.register(models.WorkItem)
class WorkItemAdmin(admin.ModelAdmin):
    list_display = ("title", "module", "assignee_user", "assignee_unit", "role", "state", "due_at")
    list_filter = ("module", "state", "role")
    raw_id_fields = ("assignee_user", "assignee_unit", "created_by")
    show_full_result_count = False


@admin.register(models.AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    list_display = ("seq", "at", "actor_name", "action", "object_type", "object_id")
    list_filter = ("action",)
    show_full_result_count = False

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
