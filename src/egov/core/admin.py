"""Admin screens for the shared kernel's catalogue data."""

from django import forms
from django.contrib import admin
from django.contrib.auth.admin import GroupAdmin as BaseGroupAdmin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.models import Group
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from . import models

# Django stores the names of the built-in permissions in English at migrate time ("Can add
# draft version"); the admin shows them translated from the codename instead (issue 9 §5).
BUILTIN_PERMISSION_NAMES = {
    "add": _("Can add %(model)s"),
    "change": _("Can change %(model)s"),
    "delete": _("Can delete %(model)s"),
    "view": _("Can view %(model)s"),
}


def permission_label(permission) -> str:
    """"<app> | <model> | <permission>" in the active language."""
    ct = permission.content_type
    model = ct.model_class()
    action, _sep, model_name = permission.codename.partition("_")
    if model is not None and action in BUILTIN_PERMISSION_NAMES \
            and model_name == model._meta.model_name:
        name = BUILTIN_PERMISSION_NAMES[action] % {"model": model._meta.verbose_name}
    else:
        name = gettext(permission.name)  # custom permissions: translated if catalogued
    if model is None:
        return f"{ct.app_label} | {name}"
    return f"{model._meta.app_config.verbose_name} | {model._meta.verbose_name} | {name}"


class PermissionChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj) -> str:
        return permission_label(obj)


class TranslatedPermissionsMixin:
    """Permission pickers (filter_horizontal) with translated labels."""

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name in ("permissions", "user_permissions"):
            kwargs["form_class"] = PermissionChoiceField
            qs = kwargs.get("queryset", db_field.remote_field.model.objects.all())
            kwargs["queryset"] = qs.select_related("content_type")
        return super().formfield_for_manytomany(db_field, request, **kwargs)


admin.site.unregister(Group)


@admin.register(Group)
class GroupAdmin(TranslatedPermissionsMixin, BaseGroupAdmin):
    pass


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
class UserAdmin(TranslatedPermissionsMixin, BaseUserAdmin):
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
    list_display = ("date", "kind", "name", "legal_basis", "announcement")
    list_filter = ("kind",)
    date_hierarchy = "date"
    search_fields = ("name", "legal_basis")
    raw_id_fields = ("announcement",)

    def changelist_view(self, request, extra_context=None):
        # BLLĐ 2019 Điều 112.3: the Prime Minister fixes the Tết days and the second Quốc khánh
        # day every year; until next year's are entered, deadlines across the year end are wrong.
        if request.method == "GET":
            _warn_missing_announcements(request)
        return super().changelist_view(request, extra_context)


def _warn_missing_announcements(request) -> None:
    from django.contrib import messages
    from django.urls import reverse
    from django.utils.html import format_html
    from django.utils.http import urlencode

    from .calendar_announced import missing_announcements

    year = timezone.localdate().year + 1
    labels = dict(models.CalendarOccasion.choices)
    for occasion in missing_announcements(year):
        url = reverse("admin:core_calendarannouncement_add") + "?" + urlencode(
            {"year": year, "occasion": occasion})
        messages.warning(request, format_html(
            '{} <a href="{}">{}</a>',
            _("No announced schedule of %(occasion)s %(year)d has been entered: deadlines "
              "counted into that year may be wrong.") % {"occasion": labels[occasion],
                                                         "year": year},
            url, _("Enter the announcement")))


class CalendarAnnouncementDayInline(admin.TabularInline):
    model = models.CalendarDay
    fields = ("date", "kind", "name", "legal_basis")
    extra = 3


@admin.register(models.CalendarAnnouncement)
class CalendarAnnouncementAdmin(admin.ModelAdmin):
    list_display = ("year", "occasion", "reference", "note")
    list_filter = ("occasion", "year")
    search_fields = ("reference", "note")
    inlines = [CalendarAnnouncementDayInline]


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
from . import admin_outbox  # noqa: E402,F401  (the outbox: messages and templates)
