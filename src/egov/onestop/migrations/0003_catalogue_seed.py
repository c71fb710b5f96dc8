"""The starting procedure catalogue (egov.onestop.catalogue_seed): civil status, chứng thực,
residence, social allowances and land, with versions, components, steps and code history."""

from django.db import migrations


def forwards(apps, schema_editor):
    from egov.onestop.catalogue_seed import seed_catalogue

    seed_catalogue(apps)


class Migration(migrations.Migration):
    dependencies = [("onestop", "0002_role_grants")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
