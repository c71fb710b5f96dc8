from django.db import migrations


def forwards(apps, schema_editor):
    from egov.core.catalog import seed_roles

    seed_roles(apps.get_model("core", "Role"), apps.get_model("core", "RoleGrant"))


class Migration(migrations.Migration):
    dependencies = [("core", "0001_initial")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
