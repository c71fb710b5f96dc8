"""Statistics summary of ended dossiers (issue 10, "one year of a province ≤ 1 s"; docs/onestop.md
"Statistics"): the tables StatsDay / StatsDossier, filled from the dossiers already there, and on
PostgreSQL two indexes that find the few dossiers the report judges live (open ones, and those
that ended across a period's start or end) without scanning the dossier table."""

import django.db.models.deletion
from django.db import migrations, models

# The report reads the dossiers the summary does not hold (selectors/stats_summary.py) through
# two PostgreSQL indexes instead of a scan of the dossier table:
# - the OPEN dossiers by receipt time, with every column the report reads (an index-only scan;
#   open dossiers are a small share of the table, spread over all its pages);
# - the span [received_at, ended_at] of the ENDED ones (GiST): those that ended after an instant
#   but were received before it — across a period's start or end. GREATEST: a range must not
#   end before it starts. SPAN_SQL there repeats this expression exactly.
OPEN_INDEX = (
    "CREATE INDEX IF NOT EXISTS dossier_open_received ON onestop_dossier (received_at) "
    "INCLUDE (id, ended_at, due_at, paused_since, supplement_requests, state, channel, "
    "result_medium, paused_days, competent_unit_id, agency_id, procedure_id) "
    "WHERE ended_at IS NULL AND due_at IS NOT NULL"
)
SPAN_INDEX = (
    "CREATE INDEX IF NOT EXISTS dossier_span_gist ON onestop_dossier USING gist "
    "(tstzrange(received_at, GREATEST(ended_at, received_at), '[]')) "
    "WHERE received_at IS NOT NULL AND due_at IS NOT NULL AND ended_at IS NOT NULL"
)


def span_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(OPEN_INDEX)
        schema_editor.execute(SPAN_INDEX)


def drop_span_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS dossier_span_gist")
        schema_editor.execute("DROP INDEX IF EXISTS dossier_open_received")


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
