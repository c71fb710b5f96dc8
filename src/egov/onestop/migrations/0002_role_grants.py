from django.db import migrations


def forwards(apps, schema_editor):
    from egov.onestop.catalog import seed_role_grants

    seed_role_grants(apps)


class Migration(migrations.Migration):
    dependencies = [("onestop", "0001_initial"), ("core", "0013_seed_announced_calendar")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
