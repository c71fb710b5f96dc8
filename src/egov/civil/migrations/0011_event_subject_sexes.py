"""The sexes of an event's subjects written on the event, so that the statistics count by sex in
their one scan of the events (docs/civil.md "Statistics"). The events already written get them
from their parties and persons: one UPDATE, on PostgreSQL and SQLite alike."""

from django.db import migrations, models

# models.SUBJECT_ROLES when this was written (a migration keeps its own copy).
SUBJECT_ROLES = ("child", "deceased", "husband", "wife")
_COUNT = """(SELECT count(*) FROM civil_eventparty p JOIN civil_person s ON s.id = p.person_id
             WHERE p.event_id = civil_civilevent.id AND p.role IN ({roles}) AND s.sex = '{sex}')"""


def forwards(apps, schema_editor):
    roles = ", ".join(f"'{r}'" for r in SUBJECT_ROLES)
    schema_editor.execute(
        f"UPDATE civil_civilevent SET subjects_male = {_COUNT.format(roles=roles, sex='male')}, "
        f"subjects_female = {_COUNT.format(roles=roles, sex='female')}")


class Migration(migrations.Migration):
    dependencies = [("civil", "0010_copies_book")]
    operations = [
        migrations.AddField("civilevent", "subjects_female",
                            models.PositiveSmallIntegerField(default=0, editable=False)),
        migrations.AddField("civilevent", "subjects_male",
                            models.PositiveSmallIntegerField(default=0, editable=False)),
        migrations.RunPython(forwards, migrations.RunPython.noop),
    ]
