# Seeds CalendarDay from `holidays` (Vietnam) for 2020–2035. Filled by the calendar work.
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("core", "0002_seed_roles")]
    operations = []
