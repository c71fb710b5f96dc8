"""Migration signing 0003: verification codes and own-token sessions that pointed at an outgoing
document by a foreign key keep their subject as ("documents.outgoing", id) — no data is lost when
signing stops referring to the documents module's table (issue 8 §4)."""

from __future__ import annotations

import datetime as dt

from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from egov.documents.selectors.outgoing import latest_version
from egov.signing.models import SigningSession, VerificationCode
from tests.documents.conftest import docs_org  # noqa: F401 (fixture)
from tests.documents.test_outgoing_support import approved

BEFORE = [("signing", "0002_issue4_models")]
AFTER = [("signing", "0003_generic_subjects")]


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


def test_codes_and_sessions_keep_their_document(transactional_db, docs_org):  # noqa: F811
    doc = approved(docs_org)
    other = approved(docs_org)
    pdf_id = latest_version(doc).pdf_id
    leader_id = docs_org["leader"].pk
    try:
        old = _migrate(BEFORE)
        OldCode = old.get_model("signing", "VerificationCode")
        OldSession = old.get_model("signing", "SigningSession")
        OldCode.objects.create(code="AAAAA11111", document_id=doc.pk)
        OldCode.objects.create(code="BBBBB22222", document_id=other.pk, file_id=pdf_id)
        OldCode.objects.create(code="CCCCC33333", document_id=None)
        OldSession.objects.create(
            document_id=doc.pk, actor_id=leader_id, prepared_file_id=pdf_id,
            prepared_sha256="0" * 64, download_token_hash="d" * 64, upload_token_hash="u" * 64,
            expires_at=timezone.now() + dt.timedelta(minutes=5))
    finally:
        _migrate(AFTER)
        # every app at its latest migration again, as the rest of the suite expects
        MigrationExecutor(connection).migrate(
            MigrationExecutor(connection).loader.graph.leaf_nodes())

    codes = {vc.code: (vc.subject_kind, vc.subject_id, vc.file_id)
             for vc in VerificationCode.objects.all()}
    assert codes == {"AAAAA11111": ("documents.outgoing", doc.pk, None),
                     "BBBBB22222": ("documents.outgoing", other.pk, pdf_id),
                     "CCCCC33333": ("", None, None)}
    session = SigningSession.objects.get()
    assert (session.subject_kind, session.subject_id, session.field_name) == (
        "documents.outgoing", doc.pk, "leader_signature")
    assert session.actor_id == leader_id and session.prepared_file_id == pdf_id
