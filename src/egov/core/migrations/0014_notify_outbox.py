# The outbox (egov.core.outbox): outbound messages and their editable templates, and a trigger
# that refuses any move of a message's state that is not forward (queued → sent → delivered,
# queued/sent → failed). Note: a later SQLite table rebuild of core_outboundmessage must create
# the trigger again.

import django.utils.timezone
from django.db import migrations, models


MESSAGE = "outbound message state may only move forward"
ALLOWED = ("(OLD.state = 'queued' AND NEW.state IN ('sent', 'failed')) OR "
           "(OLD.state = 'sent' AND NEW.state IN ('delivered', 'failed'))")

PG_FORWARD = [
    f"""
    CREATE OR REPLACE FUNCTION egov_outbox_forward_only() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        IF NEW.state <> OLD.state AND NOT ({ALLOWED}) THEN
            RAISE EXCEPTION '{MESSAGE} (% -> %)', OLD.state, NEW.state
                USING ERRCODE = 'check_violation';
        END IF;
        RETURN NEW;
    END;
    $$;
    """,
    """
    CREATE TRIGGER core_outboundmessage_forward
    BEFORE UPDATE OF state ON core_outboundmessage
    FOR EACH ROW EXECUTE FUNCTION egov_outbox_forward_only();
    """,
]
PG_REVERSE = [
    "DROP TRIGGER IF EXISTS core_outboundmessage_forward ON core_outboundmessage;",
    "DROP FUNCTION IF EXISTS egov_outbox_forward_only();",
]
SQLITE_FORWARD = [
    f"""
    CREATE TRIGGER core_outboundmessage_forward
    BEFORE UPDATE OF state ON core_outboundmessage
    WHEN NEW.state <> OLD.state AND NOT ({ALLOWED})
    BEGIN
        SELECT RAISE(ABORT, '{MESSAGE}');
    END;
    """,
]
SQLITE_REVERSE = ["DROP TRIGGER IF EXISTS core_outboundmessage_forward;"]


def _run(schema_editor, statements_by_vendor):
    for sql in statements_by_vendor.get(schema_editor.connection.vendor, []):
        schema_editor.execute(sql, params=None)


def forward(apps, schema_editor):
    _run(schema_editor, {"postgresql": PG_FORWARD, "sqlite": SQLITE_FORWARD})


def reverse(apps, schema_editor):
    _run(schema_editor, {"postgresql": PG_REVERSE, "sqlite": SQLITE_REVERSE})


class Migration(migrations.Migration):

    dependencies = [
        ('core', '0013_seed_announced_calendar'),
    ]

    operations = [
        migrations.CreateModel(
            name='MessageTemplate',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('code', models.CharField(max_length=64, verbose_name='code')),
                ('channel', models.CharField(choices=[('email', 'E-mail'), ('sms', 'SMS')], max_length=8, verbose_name='channel')),
                ('language', models.CharField(default='vi', max_length=8, verbose_name='language')),
                ('subject', models.CharField(blank=True, help_text='E-mail only; SMS messages have no subject.', max_length=255, verbose_name='subject')),
                ('body', models.TextField(verbose_name='body')),
                ('legal_basis', models.CharField(blank=True, max_length=500, verbose_name='legal basis')),
                ('notes', models.TextField(blank=True, help_text='The variables the template may use, and why it is sent.', verbose_name='notes')),
                ('updated_at', models.DateTimeField(auto_now=True, verbose_name='updated at')),
            ],
            options={
                'verbose_name': 'message template',
                'verbose_name_plural': 'message templates',
                'ordering': ['code', 'channel', 'language'],
                'constraints': [models.UniqueConstraint(fields=('code', 'channel', 'language'), name='messagetemplate_once')],
            },
        ),
        migrations.CreateModel(
            name='OutboundMessage',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('key', models.CharField(max_length=200, unique=True, verbose_name='idempotency key')),
                ('channel', models.CharField(choices=[('email', 'E-mail'), ('sms', 'SMS')], max_length=8, verbose_name='channel')),
                ('recipient', models.CharField(max_length=254, verbose_name='recipient')),
                ('subject', models.CharField(blank=True, max_length=255, verbose_name='subject')),
                ('body', models.TextField(verbose_name='body')),
                ('template_code', models.CharField(blank=True, max_length=64, verbose_name='template')),
                ('language', models.CharField(default='vi', max_length=8, verbose_name='language')),
                ('state', models.CharField(choices=[('queued', 'Queued'), ('sent', 'Sent'), ('delivered', 'Delivered'), ('failed', 'Failed')], default='queued', max_length=12, verbose_name='state')),
                ('attempts', models.PositiveSmallIntegerField(default=0, verbose_name='attempts')),
                ('next_attempt_at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='next attempt at')),
                ('last_error', models.TextField(blank=True, verbose_name='last error')),
                ('provider_id', models.CharField(blank=True, max_length=200, verbose_name='provider message id')),
                ('module', models.CharField(max_length=32, verbose_name='module')),
                ('object_type', models.CharField(blank=True, max_length=64, verbose_name='object type')),
                ('object_id', models.CharField(blank=True, max_length=64, verbose_name='object id')),
                ('created_at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='created at')),
                ('sent_at', models.DateTimeField(blank=True, null=True, verbose_name='sent at')),
                ('delivered_at', models.DateTimeField(blank=True, null=True, verbose_name='delivered at')),
                ('failed_at', models.DateTimeField(blank=True, null=True, verbose_name='failed at')),
            ],
            options={
                'verbose_name': 'outbound message',
                'verbose_name_plural': 'outbound messages',
                'ordering': ['-id'],
                'indexes': [models.Index(condition=models.Q(('state', 'queued')), fields=['next_attempt_at'], name='outboundmessage_due'), models.Index(condition=models.Q(('provider_id', ''), _negated=True), fields=['provider_id'], name='outboundmessage_provider'), models.Index(fields=['module', 'object_type', 'object_id'], name='outboundmessage_object')],
                'constraints': [models.CheckConstraint(condition=models.Q(('state__in', ['queued', 'sent', 'delivered', 'failed'])), name='outboundmessage_state_known'), models.CheckConstraint(condition=models.Q(models.Q(('delivered_at__isnull', True), ('failed_at__isnull', True), ('sent_at__isnull', True), ('state', 'queued')), models.Q(('delivered_at__isnull', True), ('failed_at__isnull', True), ('sent_at__isnull', False), ('state', 'sent')), models.Q(('delivered_at__isnull', False), ('failed_at__isnull', True), ('sent_at__isnull', False), ('state', 'delivered')), models.Q(('delivered_at__isnull', True), ('failed_at__isnull', False), ('state', 'failed')), _connector='OR'), name='outboundmessage_state_times')],
            },
        ),
        migrations.RunPython(forward, reverse, elidable=False),
    ]
