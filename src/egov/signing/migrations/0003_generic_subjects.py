"""Signing refers to what it signs generically (egov.signing.subjects: a kind and an id) instead
of a foreign key to the documents module's table, so signing knows no module (issue 8 §4).
The existing rows keep their subject: ``document_id`` becomes ("documents.outgoing", id). The
foreign key's CASCADE is not missed: an outgoing document is never deleted (its versions and
trail events protect it)."""

from django.db import migrations, models

KIND = "documents.outgoing"


def forwards(apps, schema_editor):
    VerificationCode = apps.get_model("signing", "VerificationCode")
    SigningSession = apps.get_model("signing", "SigningSession")
    for row in VerificationCode.objects.filter(document__isnull=False).only("pk", "document"):
        VerificationCode.objects.filter(pk=row.pk).update(subject_kind=KIND,
                                                          subject_id=row.document_id)
    for row in SigningSession.objects.only("pk", "document"):
        SigningSession.objects.filter(pk=row.pk).update(subject_kind=KIND,
                                                        subject_id=row.document_id)


def backwards(apps, schema_editor):
    VerificationCode = apps.get_model("signing", "VerificationCode")
    SigningSession = apps.get_model("signing", "SigningSession")
    for row in VerificationCode.objects.filter(subject_kind=KIND).only("pk", "subject_id"):
        VerificationCode.objects.filter(pk=row.pk).update(document_id=row.subject_id)
    for row in SigningSession.objects.filter(subject_kind=KIND).only("pk", "subject_id"):
        SigningSession.objects.filter(pk=row.pk).update(document_id=row.subject_id)


class Migration(migrations.Migration):

    dependencies = [
        ("signing", "0002_issue4_models"),
    ]

    operations = [
        migrations.AddField(
            model_name="verificationcode", name="subject_kind",
            field=models.CharField(blank=True, default="", max_length=40)),
        migrations.AddField(
            model_name="verificationcode", name="subject_id",
            field=models.BigIntegerField(blank=True, null=True)),
        migrations.AddField(
            model_name="signingsession", name="subject_kind",
            field=models.CharField(default="", max_length=40), preserve_default=False),
        migrations.AddField(
            model_name="signingsession", name="subject_id",
            field=models.BigIntegerField(default=0), preserve_default=False),
        migrations.AddField(
            model_name="signingsession", name="field_name",
            field=models.CharField(default="leader_signature", max_length=64)),
        migrations.AddField(
            model_name="batchsigningjob", name="subject_kind",
            field=models.CharField(default="documents.outgoing", max_length=40)),
        migrations.RunPython(forwards, backwards),
        migrations.RemoveIndex(model_name="signingsession", name="signingsession_doc"),
        migrations.RemoveField(model_name="verificationcode", name="document"),
        migrations.RemoveField(model_name="signingsession", name="document"),
        migrations.AddIndex(
            model_name="verificationcode",
            index=models.Index(fields=["subject_kind", "subject_id"], name="verifcode_subject")),
        migrations.AddIndex(
            model_name="signingsession",
            index=models.Index(fields=["subject_kind", "subject_id", "-created_at"],
                               name="signingsession_subject")),
    ]
