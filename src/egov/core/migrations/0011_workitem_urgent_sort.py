"""Open urgent work items without a deadline sorted last (due_sort = FAR_FUTURE); they are to be
handled at once (NĐ 30/2020 Điều 24.2): their sort key becomes their creation time, as
WorkItem.sort_key now sets it for new rows (issue 9 §5)."""

from django.db import migrations
from django.db.models import F

URGENT = ["urgent", "very_urgent", "flash", "flash_timed"]


def forwards(apps, schema_editor):
    WorkItem = apps.get_model("core", "WorkItem")
    WorkItem.objects.filter(state="open", due_at__isnull=True, urgency__in=URGENT).update(
        due_sort=F("created_at"))


def backwards(apps, schema_editor):
    import datetime as dt

    WorkItem = apps.get_model("core", "WorkItem")
    WorkItem.objects.filter(due_at__isnull=True, urgency__in=URGENT).update(
        due_sort=dt.datetime(9999, 12, 31, tzinfo=dt.UTC))


class Migration(migrations.Migration):

    dependencies = [
        ("core", "0010_workitem_notification_message_keys"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
