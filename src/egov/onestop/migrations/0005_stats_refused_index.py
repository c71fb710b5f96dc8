"""Statistics (i10-stats): refusals at the check are counted by submission time; a small
partial index finds them without scanning every dossier. Plain SQL (models.py is the shared
base and stays as it is): CREATE INDEX … WHERE works on PostgreSQL and SQLite alike."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("onestop", "0004_notify_templates")]
    operations = [
        migrations.RunSQL(
            "CREATE INDEX dossier_refused_submitted ON onestop_dossier (submitted_at) "
            "WHERE state = 'refused'",
            "DROP INDEX dossier_refused_submitted",
        ),
    ]
