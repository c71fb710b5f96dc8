# The default text of the daily digest of directive reminders (egov.directives.mail_templates),
# in Vietnamese and English; rows already there are left as they are.
from django.db import migrations


def seed(apps, schema_editor):
    from egov.directives.mail_templates import template_rows

    MessageTemplate = apps.get_model("core", "MessageTemplate")
    for row in template_rows():
        MessageTemplate.objects.get_or_create(
            code=row["code"], channel=row["channel"], language=row["language"],
            defaults={k: row[k] for k in ("subject", "body", "legal_basis", "notes")})


class Migration(migrations.Migration):
    dependencies = [("directives", "0003_reports_counts"), ("core", "0014_notify_outbox")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
