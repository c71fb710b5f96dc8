"""Sort keys and indexes of the document lists (selectors.lists): the document's arrival date
copied onto each assignment (backfilled here), with one index per assignee kind in the list's
order; "newest first" indexes for those who see every document and for the outgoing list's
branches (drafting unit, signer)."""

from django.db import migrations, models

BACKFILL_PG = """
UPDATE documents_assignment a SET doc_arrival_date = d.arrival_date
FROM documents_incomingdocument d
WHERE d.id = a.document_id AND a.doc_arrival_date IS NULL
"""
BACKFILL = """
UPDATE documents_assignment SET doc_arrival_date = (
    SELECT d.arrival_date FROM documents_incomingdocument d
    WHERE d.id = documents_assignment.document_id)
WHERE doc_arrival_date IS NULL
"""


def backfill(apps, schema_editor):
    sql = BACKFILL_PG if schema_editor.connection.vendor == "postgresql" else BACKFILL
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(sql)
    if schema_editor.connection.vendor == "postgresql":
        # The NOT NULL change below alters the table: no deferred trigger may be pending.
        with schema_editor.connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")


class Migration(migrations.Migration):

    dependencies = [
        ("documents", "0004_registered_by_optional"),
    ]

    operations = [
        migrations.AddField(
            model_name="assignment",
            name="doc_arrival_date",
            field=models.DateTimeField(editable=False, null=True),
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop, elidable=False),
        migrations.AlterField(
            model_name="assignment",
            name="doc_arrival_date",
            field=models.DateTimeField(editable=False),
        ),
        migrations.AddIndex(
            model_name="assignment",
            index=models.Index(fields=["assignee_user", "-doc_arrival_date", "-document"],
                               name="assignment_user_recent"),
        ),
        migrations.AddIndex(
            model_name="assignment",
            index=models.Index(fields=["assignee_unit", "-doc_arrival_date", "-document"],
                               name="assignment_unit_recent"),
        ),
        migrations.AddIndex(
            model_name="incomingdocument",
            index=models.Index(fields=["-arrival_date", "-id"], name="incoming_recent"),
        ),
        migrations.AddIndex(
            model_name="outgoingdocument",
            index=models.Index(fields=["-created_at", "-id"], name="outgoing_recent"),
        ),
        migrations.AddIndex(
            model_name="outgoingdocument",
            index=models.Index(fields=["drafting_unit", "-created_at", "-id"],
                               name="outgoing_unit_recent"),
        ),
        migrations.AddIndex(
            model_name="outgoingdocument",
            index=models.Index(fields=["signer", "-created_at", "-id"],
                               name="outgoing_signer_recent"),
        ),
        migrations.RemoveIndex(model_name="outgoingdocument", name="outgoing_drafter"),
        migrations.AddIndex(
            model_name="outgoingdocument",
            index=models.Index(fields=["drafter", "-created_at", "-id"],
                               name="outgoing_drafter_recent"),
        ),
    ]
