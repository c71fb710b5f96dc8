from django.db import migrations


def forwards(apps, schema_editor):
    from egov.civil.catalog import seed_role_grants

    seed_role_grants(apps)


class Migration(migrations.Migration):
    dependencies = [("civil", "0001_initial"), ("core", "0014_notify_outbox")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
