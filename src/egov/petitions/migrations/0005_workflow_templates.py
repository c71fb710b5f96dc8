# The default texts of the messages to petitioners on state changes (egov.petitions.
# workflow_notify), in Vietnamese and English; rows already there are left as they are.
from django.db import migrations


def seed(apps, schema_editor):
    from egov.petitions.workflow_templates import template_rows

    MessageTemplate = apps.get_model("core", "MessageTemplate")
    for row in template_rows():
        MessageTemplate.objects.get_or_create(
            code=row["code"], channel=row["channel"], language=row["language"],
            defaults={k: row[k] for k in ("subject", "body", "legal_basis", "notes")})


class Migration(migrations.Migration):
    dependencies = [("petitions", "0004_deadline_rules"), ("core", "0014_notify_outbox")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
