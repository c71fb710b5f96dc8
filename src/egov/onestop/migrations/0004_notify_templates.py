# The default texts of the messages to applicants (egov.onestop.notify), in Vietnamese and
# English; existing rows (edited by an administrator) are left as they are.
from django.db import migrations


def seed(apps, schema_editor):
    from egov.onestop.notify_templates import template_rows

    MessageTemplate = apps.get_model("core", "MessageTemplate")
    for row in template_rows():
        MessageTemplate.objects.get_or_create(
            code=row["code"], channel=row["channel"], language=row["language"],
            defaults={k: row[k] for k in ("subject", "body", "legal_basis", "notes")})


class Migration(migrations.Migration):
    dependencies = [("onestop", "0003_catalogue_seed"), ("core", "0014_notify_outbox")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
