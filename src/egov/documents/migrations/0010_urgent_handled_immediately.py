# NĐ 30/2020 Điều 24.2: hỏa tốc, thượng khẩn and khẩn incoming documents are handled immediately.
# The default UrgencyDeadline rows seeded with khẩn = 2 and thượng khẩn = 1 working days become 0
# (the same working day). Rows an administrator changed (other days or basis) are kept.
from django.db import migrations


def forwards(apps, schema_editor):
    from egov.documents.catalog import fix_urgent_deadlines

    fix_urgent_deadlines(apps)


class Migration(migrations.Migration):
    dependencies = [("documents", "0009_outgoing_issue_medium")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
