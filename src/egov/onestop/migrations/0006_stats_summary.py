"""Statistics summary of ended dossiers (issue 10, "one year of a province ≤ 1 s"; docs/onestop.md
"Statistics"): the tables StatsDay / StatsDossier, filled from the dossiers already there, and on
PostgreSQL a GiST index on each dossier's span [received_at, ended_at] that finds the few
dossiers open across an instant (a period's start, its end) without scanning the table."""

import django.db.models.deletion
from django.db import migrations, models

# The span of a received dossier: [received_at, ended_at], unbounded while it has not ended
# (GREATEST: a range must not end before it starts). selectors/stats_summary.py SPAN_SQL
# repeats this expression exactly, so that the planner uses the index.
SPAN_INDEX = (
    "CREATE INDEX IF NOT EXISTS dossier_span_gist ON onestop_dossier USING gist "
    "(tstzrange(received_at, CASE WHEN ended_at IS NULL THEN NULL "
    "ELSE GREATEST(ended_at, received_at) END, '[]')) "
    "WHERE received_at IS NOT NULL AND due_at IS NOT NULL"
)


def span_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(SPAN_INDEX)


def drop_span_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS dossier_span_gist")


def fill(apps, schema_editor):
    # The current code on purpose: the same computation as the dossier services' hook.
    from egov.onestop.services.stats_summary import rebuild

    rebuild(audit=False)


class Migration(migrations.Migration):

    dependencies = [
        ('core', '0014_notify_outbox'),
        ('onestop', '0005_stats_refused_index'),
    ]

    operations = [
        migrations.CreateModel(
            name='StatsDay',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('day', models.DateField()),
                ('channel', models.CharField(max_length=16)),
                ('kind', models.CharField(max_length=8)),
                ('n', models.IntegerField(default=0)),
                ('resolved', models.IntegerField(default=0)),
                ('supplemented', models.IntegerField(default=0)),
                ('stopped', models.IntegerField(default=0)),
                ('withdrawn', models.IntegerField(default=0)),
                ('dissatisfied', models.IntegerField(default=0)),
                ('not_paper', models.IntegerField(default=0)),
                ('electronic', models.IntegerField(default=0)),
                ('solved_days', models.IntegerField(default=0)),
                ('agency', models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='core.orgunit')),
                ('competent_unit', models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='core.orgunit')),
                ('procedure', models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='onestop.procedure')),
            ],
        ),
        migrations.CreateModel(
            name='StatsDossier',
            fields=[
                ('dossier', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, primary_key=True, related_name='+', serialize=False, to='onestop.dossier')),
                ('flags', models.PositiveSmallIntegerField(default=0)),
                ('solved_days', models.IntegerField(default=0)),
                ('row', models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='onestop.statsday')),
            ],
        ),
        migrations.AddConstraint(
            model_name='statsday',
            constraint=models.UniqueConstraint(fields=('day', 'competent_unit', 'agency', 'procedure', 'channel', 'kind'), name='statsday_key'),
        ),
        migrations.RunPython(span_index, drop_span_index),
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]
