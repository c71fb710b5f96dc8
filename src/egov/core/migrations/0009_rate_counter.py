"""The rate-limit counters (egov.core.throttle, issue 9 §4): one row per (scope, client, window),
counted by one INSERT … ON CONFLICT DO UPDATE … RETURNING.

On PostgreSQL the table is UNLOGGED: a counter is worth nothing after a crash, and a
transaction that writes only unlogged tables commits without waiting for the WAL flush, so a
hit costs a fraction of a millisecond instead of a disk sync."""

from django.db import migrations, models


def _unlogged(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("ALTER TABLE core_ratecounter SET UNLOGGED")


def _logged(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("ALTER TABLE core_ratecounter SET LOGGED")


class Migration(migrations.Migration):

    dependencies = [
        ('core', '0008_storedfile_active_content'),
    ]

    operations = [
        migrations.CreateModel(
            name='RateCounter',
            fields=[
                ('bucket', models.CharField(max_length=160, primary_key=True, serialize=False)),
                ('count', models.PositiveIntegerField(default=0)),
                ('expires', models.DateTimeField(db_index=True)),
            ],
            options={
                'verbose_name': 'rate counter',
                'verbose_name_plural': 'rate counters',
            },
        ),
        migrations.RunPython(_unlogged, _logged),
    ]
