# Message keys of work items and notifications (rendered in the reader's language) and the
# index of the unread-notifications badge (issue 9 §5).

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('core', '0009_rate_counter'),
    ]

    operations = [
        migrations.AddField(
            model_name='notification',
            name='body_msg',
            field=models.JSONField(blank=True, editable=False, null=True),
        ),
        migrations.AddField(
            model_name='notification',
            name='subject_msg',
            field=models.JSONField(blank=True, editable=False, null=True),
        ),
        migrations.AddField(
            model_name='workitem',
            name='title_msg',
            field=models.JSONField(blank=True, editable=False, null=True),
        ),
        migrations.AddIndex(
            model_name='notification',
            index=models.Index(condition=models.Q(('read_at__isnull', True)), fields=['user'], name='notification_unread'),
        ),
    ]
