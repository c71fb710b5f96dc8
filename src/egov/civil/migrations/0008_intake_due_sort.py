"""The intake list in keyset pages: a non-null sort key (due_at, or far in the future)."""

import datetime as dt

from django.db import migrations, models

FAR_FUTURE = dt.datetime(9999, 12, 31, tzinfo=dt.UTC)


def forwards(apps, schema_editor):
    CivilIntake = apps.get_model("civil", "CivilIntake")
    CivilIntake.objects.filter(due_at__isnull=False).update(due_sort=models.F("due_at"))


class Migration(migrations.Migration):
    dependencies = [("civil", "0007_noted_decisions")]
    operations = [
        migrations.AddField("civilintake", "due_sort",
                            models.DateTimeField(editable=False, default=FAR_FUTURE)),
        migrations.RunPython(forwards, migrations.RunPython.noop),
        migrations.RemoveIndex("civilintake", "civil_intake_commune_due"),
        migrations.AddIndex("civilintake", models.Index(
            fields=["commune", "event", "due_sort", "id"], name="civil_intake_commune_due_sort")),
    ]
