# E-mail intake (i11-mail): petition mailboxes polled over IMAP, the messages imported, and the
# acknowledgement template. Self-contained (the lead renumbers at merge).

import django.db.models.deletion
from django.db import migrations, models


def seed_templates(apps, schema_editor):
    # The acknowledgement's texts (egov.petitions.mail_templates); rows an administrator
    # edited are left as they are.
    from egov.petitions.mail_templates import template_rows

    MessageTemplate = apps.get_model("core", "MessageTemplate")
    for row in template_rows():
        MessageTemplate.objects.get_or_create(
            code=row["code"], channel=row["channel"], language=row["language"],
            defaults={k: row[k] for k in ("subject", "body", "legal_basis", "notes")})


class Migration(migrations.Migration):

    dependencies = [
        ('core', '0014_notify_outbox'),
        ('petitions', '0003_slips_duplicates'),
    ]

    operations = [
        migrations.CreateModel(
            name='Mailbox',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('address', models.EmailField(max_length=254, verbose_name='public e-mail address')),
                ('host', models.CharField(max_length=255, verbose_name='IMAP server')),
                ('port', models.PositiveIntegerField(default=993, verbose_name='port')),
                ('security', models.CharField(choices=[('ssl', 'TLS from the start (IMAPS, port 993)'), ('starttls', 'STARTTLS (port 143)'), ('none', 'No encryption (loopback or tests only)')], default='ssl', max_length=16, verbose_name='encryption')),
                ('username', models.CharField(max_length=255, verbose_name='user name')),
                ('password_env', models.CharField(blank=True, help_text='Name of the environment variable of the workers that holds the password (e.g. EGOV_MAIL_PASSWORD_ANBINH).', max_length=128, verbose_name='password: environment variable')),
                ('password_file', models.CharField(blank=True, help_text='Or the path of a file readable by the workers that holds the password.', max_length=500, verbose_name='password: secrets file')),
                ('folder', models.CharField(default='INBOX', max_length=255, verbose_name='folder')),
                ('mark_seen', models.BooleanField(default=True, verbose_name='mark imported messages as read')),
                ('active', models.BooleanField(default=True, verbose_name='active')),
                ('poll_seconds', models.PositiveIntegerField(default=120, verbose_name='poll every (seconds)')),
                ('uidvalidity', models.BigIntegerField(blank=True, editable=False, null=True)),
                ('last_uid', models.BigIntegerField(default=0, editable=False)),
                ('last_poll_at', models.DateTimeField(blank=True, editable=False, null=True, verbose_name='last poll')),
                ('last_success_at', models.DateTimeField(blank=True, editable=False, null=True, verbose_name='last successful poll')),
                ('last_error', models.TextField(blank=True, editable=False, verbose_name='last error')),
                ('failures', models.PositiveIntegerField(default=0, editable=False, verbose_name='failures in a row')),
                ('next_poll_at', models.DateTimeField(blank=True, null=True, verbose_name='next poll')),
                ('lease_until', models.DateTimeField(blank=True, editable=False, null=True)),
                ('agency', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='core.orgunit', verbose_name='receiving agency')),
            ],
            options={
                'verbose_name': 'petition mailbox',
                'verbose_name_plural': 'petition mailboxes',
                'ordering': ['agency', 'address'],
            },
        ),
        migrations.CreateModel(
            name='MailMessage',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('uidvalidity', models.BigIntegerField()),
                ('uid', models.BigIntegerField()),
                ('message_id', models.CharField(max_length=255)),
                ('in_reply_to', models.CharField(blank=True, max_length=255)),
                ('references', models.TextField(blank=True)),
                ('outcome', models.CharField(choices=[('petition', 'New petition'), ('reply', 'Attached to a petition'), ('skipped', 'Not imported (delivery report)')], max_length=16)),
                ('ack_message_id', models.CharField(blank=True, max_length=255)),
                ('auto_reason', models.CharField(blank=True, max_length=64)),
                ('received_at', models.DateTimeField()),
                ('imported_at', models.DateTimeField(auto_now_add=True)),
                ('mailbox', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='messages', to='petitions.mailbox')),
                ('petition', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='mail_messages', to='petitions.petition')),
            ],
            options={
                'verbose_name': 'petition e-mail',
                'verbose_name_plural': 'petition e-mails',
                'ordering': ['mailbox', '-id'],
            },
        ),
        migrations.AddConstraint(
            model_name='mailbox',
            constraint=models.UniqueConstraint(fields=('host', 'username', 'folder'), name='mailbox_once'),
        ),
        migrations.AddIndex(
            model_name='mailmessage',
            index=models.Index(fields=['message_id'], name='mailmessage_msgid'),
        ),
        migrations.AddIndex(
            model_name='mailmessage',
            index=models.Index(condition=models.Q(('ack_message_id', ''), _negated=True), fields=['ack_message_id'], name='mailmessage_ackid'),
        ),
        migrations.AddConstraint(
            model_name='mailmessage',
            constraint=models.UniqueConstraint(fields=('mailbox', 'uidvalidity', 'uid'), name='mailmessage_uid'),
        ),
        migrations.AddConstraint(
            model_name='mailmessage',
            constraint=models.UniqueConstraint(fields=('mailbox', 'message_id'), name='mailmessage_message_id'),
        ),
        migrations.RunPython(seed_templates, migrations.RunPython.noop),
    ]
