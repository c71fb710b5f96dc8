# Database triggers that make core_auditevent append-only. Filled by the audit work.
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("core", "0003_seed_calendar")]
    operations = []
