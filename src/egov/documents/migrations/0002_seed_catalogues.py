from django.db import migrations


def forwards(apps, schema_editor):
    from egov.documents.catalog import seed

    seed(apps)


class Migration(migrations.Migration):
    dependencies = [("documents", "0001_initial"), ("core", "0005_orgunit_agency")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
