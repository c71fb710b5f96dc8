# The time-limit table of services.md §2.3 as DeadlineRule rows (egov.petitions.rules.RULES),
# with legal basis and effective dates (the 1/7/2026 switch of the complaint thụ lý period).
# Rows already there (edited by an administrator) are left as they are.
from django.db import migrations


def seed(apps, schema_editor):
    from egov.petitions.rules import RULES

    DeadlineRule = apps.get_model("petitions", "DeadlineRule")
    for row in RULES:
        DeadlineRule.objects.get_or_create(
            code=row["code"], effective_from=row["effective_from"],
            defaults={k: v for k, v in row.items() if k not in ("code", "effective_from")})


class Migration(migrations.Migration):
    dependencies = [("petitions", "0003_slips_duplicates")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
