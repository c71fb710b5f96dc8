# Seeds the announced holiday schedules of services.md §4.3 (Tết Dương lịch 2026 with the
# 2/1 ↔ 10/1 swap, VPCP 12729/VPCP-KGVX; Tết, Giỗ Tổ, 30/4–1/5, Quốc khánh and 24/11 of 2025–2026)
# as CalendarAnnouncement rows with their days (egov.core.calendar_announced.seed_announced).
# Idempotent; days or announcements an administrator entered or edited are kept.
from django.db import migrations


def seed(apps, schema_editor):
    from egov.core.calendar_announced import seed_announced

    seed_announced(apps.get_model("core", "CalendarDay"),
                   apps.get_model("core", "CalendarAnnouncement"))


class Migration(migrations.Migration):
    dependencies = [("core", "0012_calendar_announcements")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
