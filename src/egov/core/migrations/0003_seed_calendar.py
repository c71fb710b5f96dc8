# Seeds CalendarDay from `holidays` (Vietnam) for 2020–2035: statutory holidays, compensatory and
# swapped days off, and make-up working Saturdays (see egov.core.calendar.seed_from_holidays).
# Idempotent; later years or new government swaps: `egov calendar_seed` or the admin.
from django.db import migrations

YEARS = range(2020, 2036)


def seed(apps, schema_editor):
    from egov.core.calendar import seed_from_holidays

    seed_from_holidays(apps.get_model("core", "CalendarDay"), YEARS)


class Migration(migrations.Migration):
    dependencies = [("core", "0002_seed_roles")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
