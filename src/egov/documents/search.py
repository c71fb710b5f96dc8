"""Search indexes of the documents module and the text-extraction job's service.

What is indexed (folded by `egov.core.search.fold` on SQLite, by `egov_search_fold` on
PostgreSQL — the same text either way):

| column  | incoming                                                   | outgoing                       |
| ------- | ---------------------------------------------------------- | ------------------------------ |
| subject | trích yếu (weight A / bm25 10)                             | trích yếu                      |
| meta    | code, type name, issuer, signer, signer's position, notes  | code, type name, agency, signer, signer's position |
| body    | text extracted from the PDF (first 200,000 characters)     | idem                           |

- **SQLite** (FTS5 tables `documents_incoming_fts` / `_code`, `documents_outgoing_fts` / `_code`
  created by migration 0003): written here from `post_save` / `post_delete` signals in the same
  transaction as the document, and after the text extraction. A save that changes no indexed
  field (a state change) costs nothing; one that does costs one or two statements.
- **PostgreSQL**: the `search_vector` column (added by migration 0003, unknown to Django's
  models) is kept by a BEFORE INSERT/UPDATE trigger; nothing to do here.

Text extraction: when a document gets a file (an incoming document created with `file`, or
whose `file` changes; an outgoing document whose signed or issued file changes, or a new draft
version with a PDF), `schedule_text_extraction` enqueues `tasks_search.extract_document_text`
on the "cpu" queue after the transaction commits (text extraction has limits: see textextract). The job fills `text_content` with
`QuerySet.update` (no signals, no loops) and reindexes.

The signals are connected when this module is imported: `DocumentsConfig.ready()` should do
`from . import search  # noqa: F401`; until then `selectors.search` (and so the search API and
pages) import it.
"""

from __future__ import annotations

import logging
import os
import tempfile

from django.db import connections, router, transaction
from django.db.models.signals import post_delete, post_init, post_save

from egov.core.files import PDF, file_open
from egov.core.search import FullTextIndex

from .models import DraftVersion, IncomingDocument, OutgoingDocument

log = logging.getLogger("egov.documents.search")

INCOMING_INDEX = FullTextIndex(table=IncomingDocument._meta.db_table, name="documents_incoming")
OUTGOING_INDEX = FullTextIndex(table=OutgoingDocument._meta.db_table, name="documents_outgoing")
INDEXES = {"incoming": INCOMING_INDEX, "outgoing": OUTGOING_INDEX}
MODELS = {"incoming": IncomingDocument, "outgoing": OutgoingDocument}

# Only this much of the extracted text is indexed (the same cap as the PostgreSQL trigger).
BODY_INDEX_CHARS = 200_000

INCOMING_FIELDS = frozenset({"subject", "code", "number", "notation", "doc_type", "doc_type_id",
                             "issuer_name", "signer_name", "signer_position", "description",
                             "text_content"})
OUTGOING_FIELDS = frozenset({"subject", "code", "number", "notation", "doc_type", "doc_type_id",
                             "agency", "agency_id", "signer", "signer_id", "signer_position",
                             "text_content"})


def kind_of(document) -> str:
    if isinstance(document, IncomingDocument):
        return "incoming"
    if isinstance(document, OutgoingDocument):
        return "outgoing"
    raise TypeError(f"not a document: {type(document).__name__}")


def _cached(document, field: str):
    """The related object if it is already loaded (no query), else None."""
    return document._state.fields_cache.get(field)


def incoming_texts(doc) -> tuple[list[str], str]:
    """([subject, meta, body], code) of an incoming document (also works on the historical
    models of migrations)."""
    doc_type = _cached(doc, "doc_type")
    if doc_type is not None:
        type_name = doc_type.name
    else:
        type_name = (type(doc)._meta.get_field("doc_type").related_model.objects
                     .filter(pk=doc.doc_type_id).values_list("name", flat=True).first() or "")
    meta = " ".join(p for p in (doc.code, type_name, doc.issuer_name, doc.signer_name,
                                doc.signer_position, doc.description) if p)
    return [doc.subject, meta, (doc.text_content or "")[:BODY_INDEX_CHARS]], doc.code


def outgoing_texts(doc) -> tuple[list[str], str]:
    """([subject, meta, body], code) of an outgoing document."""
    doc_type, agency, signer = (_cached(doc, "doc_type"), _cached(doc, "agency"),
                                _cached(doc, "signer"))
    if doc_type is None or agency is None or signer is None:
        type_name, agency_name, signer_name = (
            type(doc).objects.filter(pk=doc.pk)
            .values_list("doc_type__name", "agency__name", "signer__full_name").first()
            or ("", "", "")
        )
    else:
        type_name, agency_name, signer_name = doc_type.name, agency.name, signer.full_name
    meta = " ".join(p for p in (doc.code, type_name, agency_name, signer_name,
                                doc.signer_position) if p)
    return [doc.subject, meta, (doc.text_content or "")[:BODY_INDEX_CHARS]], doc.code


TEXTS = {"incoming": incoming_texts, "outgoing": outgoing_texts}


def _using(document, using: str | None) -> str:
    return using or document._state.db or router.db_for_write(type(document))


def _index(kind: str, document, using: str | None = None, *, texts: bool = True,
           code: bool = True) -> None:
    db = _using(document, using)
    if connections[db].vendor != "sqlite":
        return  # PostgreSQL: the trigger keeps search_vector
    if not (texts or code):
        return
    all_texts, doc_code = TEXTS[kind](document) if texts else (None, document.code)
    with connections[db].cursor() as cursor:
        INDEXES[kind].sqlite_write(cursor, document.pk, all_texts, doc_code if code else None)


def _unindex(kind: str, pk: int, using: str) -> None:
    if connections[using].vendor != "sqlite":
        return
    with connections[using].cursor() as cursor:
        INDEXES[kind].sqlite_delete(cursor, pk)


def index_incoming(doc: IncomingDocument, *, using: str | None = None) -> None:
    """(Re)index one incoming document (SQLite; a no-op on PostgreSQL)."""
    _index("incoming", doc, using)


def index_outgoing(doc: OutgoingDocument, *, using: str | None = None) -> None:
    """(Re)index one outgoing document (SQLite; a no-op on PostgreSQL)."""
    _index("outgoing", doc, using)


def unindex_incoming(doc_or_id, *, using: str = "default") -> None:
    _unindex("incoming", getattr(doc_or_id, "pk", doc_or_id), using)


def unindex_outgoing(doc_or_id, *, using: str = "default") -> None:
    _unindex("outgoing", getattr(doc_or_id, "pk", doc_or_id), using)


def reindex_all(*, using: str = "default", batch: int = 500) -> dict[str, int]:
    """Rebuild every index from the tables (SQLite: rewrite the FTS rows; PostgreSQL: recompute
    search_vector through the trigger). Returns the number of rows per kind."""
    counts = {}
    connection = connections[using]
    for kind, model in MODELS.items():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(f"UPDATE {model._meta.db_table} SET search_vector = NULL")
                counts[kind] = cursor.rowcount
            continue
        with transaction.atomic(using=using), connection.cursor() as cursor:
            for sql in INDEXES[kind].sqlite_drop_sql() + INDEXES[kind].sqlite_create_sql():
                cursor.execute(sql)
            qs = model.objects.using(using).select_related(
                *(("doc_type",) if kind == "incoming" else ("doc_type", "agency", "signer"))
            ).order_by("pk")
            n = 0
            for doc in qs.iterator(chunk_size=batch):
                texts, code = TEXTS[kind](doc)
                INDEXES[kind].sqlite_write(cursor, doc.pk, texts, code)
                n += 1
            counts[kind] = n
    return counts


# --- signals --------------------------------------------------------------------------------------
#
# On SQLite each save that changes an indexed field rewrites the row's FTS entries (one or two
# statements, plus one query for the type / agency / signer names when they are not loaded). To
# know what changed, the indexed fields' values are remembered when an instance is loaded
# (post_init, read from __dict__ so deferred fields are never fetched); a save that changes none
# of them — a state change, say — costs nothing.

_MISSING = object()
INCOMING_TEXT_FIELDS = ("subject", "doc_type_id", "issuer_name", "signer_name",
                        "signer_position", "description", "text_content")
OUTGOING_TEXT_FIELDS = ("subject", "doc_type_id", "agency_id", "signer_id", "signer_position",
                        "text_content")


def _snapshot(instance) -> tuple[tuple, object, tuple]:
    """(indexed text fields, code, file ids) as loaded, without fetching deferred fields."""
    values = instance.__dict__
    if isinstance(instance, IncomingDocument):
        texts, files = INCOMING_TEXT_FIELDS, ("file_id",)
    else:
        texts, files = OUTGOING_TEXT_FIELDS, ("issued_file_id", "signed_file_id")
    return (tuple(values.get(f, _MISSING) for f in texts), values.get("code", _MISSING),
            tuple(values.get(f) for f in files))


def _remember(sender, instance, **kwargs) -> None:
    instance._egov_search_state = _snapshot(instance)


def _saved(kind: str, instance, created: bool, using, update_fields) -> None:
    before = getattr(instance, "_egov_search_state", None)
    now = _snapshot(instance)
    instance._egov_search_state = now
    fields = INCOMING_FIELDS if kind == "incoming" else OUTGOING_FIELDS
    if update_fields is not None and not set(update_fields) & fields:
        texts = code = False
    elif created or before is None:
        texts, code = True, bool(instance.code)
    else:
        texts, code = now[0] != before[0], now[1] != before[1]
    _index(kind, instance, using, texts=texts, code=code)
    files = now[2]
    if any(files) and (created or before is None or files != before[2]):
        schedule_text_extraction(instance)


def _incoming_saved(sender, instance, created, raw=False, using=None, update_fields=None,
                    **kwargs) -> None:
    if not raw:
        _saved("incoming", instance, created, using, update_fields)


def _outgoing_saved(sender, instance, created, raw=False, using=None, update_fields=None,
                    **kwargs) -> None:
    if not raw:
        _saved("outgoing", instance, created, using, update_fields)


def _version_saved(sender, instance, created, raw=False, **kwargs) -> None:
    if raw:
        return
    if created and (instance.pdf_id or instance.file_id):
        schedule_text_extraction(instance.document)


def _incoming_deleted(sender, instance, using=None, **kwargs) -> None:
    unindex_incoming(instance.pk, using=using or "default")


def _outgoing_deleted(sender, instance, using=None, **kwargs) -> None:
    unindex_outgoing(instance.pk, using=using or "default")


def connect_signals() -> None:
    uid = "egov.documents.search"
    post_init.connect(_remember, sender=IncomingDocument, dispatch_uid=f"{uid}.in_init")
    post_init.connect(_remember, sender=OutgoingDocument, dispatch_uid=f"{uid}.out_init")
    post_save.connect(_incoming_saved, sender=IncomingDocument, dispatch_uid=f"{uid}.in_save")
    post_save.connect(_outgoing_saved, sender=OutgoingDocument, dispatch_uid=f"{uid}.out_save")
    post_save.connect(_version_saved, sender=DraftVersion, dispatch_uid=f"{uid}.version_save")
    post_delete.connect(_incoming_deleted, sender=IncomingDocument, dispatch_uid=f"{uid}.in_del")
    post_delete.connect(_outgoing_deleted, sender=OutgoingDocument,
                        dispatch_uid=f"{uid}.out_del")


connect_signals()


# --- text extraction ------------------------------------------------------------------------------


def schedule_text_extraction(document) -> None:
    """Extract the text of the document's PDF in the background, after the current transaction
    commits (nothing is enqueued if it rolls back). Callers: the signals above; services may call
    it too (e.g. after replacing a file with `QuerySet.update`)."""
    kind, pk = kind_of(document), document.pk
    using = _using(document, None)

    def enqueue() -> None:
        from .tasks_search import extract_document_text

        extract_document_text.enqueue(kind, pk)

    transaction.on_commit(enqueue, using=using, robust=True)


def _source_file(kind: str, document):
    """The stored PDF whose text represents the document, or None."""
    if kind == "incoming":
        candidates = [document.file]
    else:
        candidates = [document.issued_file, document.signed_file]
        version = document.versions.select_related("pdf", "file").order_by("-number").first()
        if version is not None:
            candidates += [version.pdf, version.file]
    for stored in candidates:
        if stored is not None and stored.content_type == PDF:
            return stored
    return None


def document_text_extract(*, kind: str, document_id: int) -> int:
    """Fill `text_content` from the document's PDF and reindex it; the number of characters
    (0 when there is no PDF or no text, e.g. a scan without a text layer). The job's body."""
    from .textextract import TextExtractionError, TextExtractionLimit, pdf_text

    if kind not in MODELS:
        raise ValueError(f"unknown document kind {kind!r}")
    model = MODELS[kind]
    document = model.objects.filter(pk=document_id).first()
    if document is None:
        return 0
    stored = _source_file(kind, document)
    if stored is None:
        return 0
    with tempfile.TemporaryDirectory(prefix="egov-text-") as tmp:
        path = os.path.join(tmp, "document.pdf")
        with file_open(stored) as source, open(path, "wb") as target:
            while block := source.read(1024 * 1024):
                target.write(block)
        try:
            text = pdf_text(path)
        except TextExtractionLimit as exc:
            log.warning("text extraction of %s %s (file %s) stopped: %s", kind, document_id,
                        stored.pk, exc)
            _flag_extraction_stopped(document, stored, exc.reason)
            return 0
        except TextExtractionError as exc:
            log.warning("no text from %s %s (file %s): %s", kind, document_id, stored.pk, exc)
            return 0
    with transaction.atomic():
        model.objects.filter(pk=document_id).update(text_content=text)
        document.text_content = text
        _index(kind, document, code=False)
    return len(text)


EXTRACTION_STOPPED = "text_extraction_stopped"


def _flag_extraction_stopped(document, stored, reason: str) -> None:
    """Flag the document on its page (one trail entry per file): its PDF hit a limit of the
    text extraction (too much text, too slow) — possibly a PDF bomb; it is not searchable by
    its text."""
    from django.conf import settings
    from django.utils import translation
    from django.utils.translation import gettext as _

    from .models import DocumentEvent
    from .trail import trail_record

    key = "incoming" if kind_of(document) == "incoming" else "outgoing"
    if DocumentEvent.objects.filter(**{key: document}, action=EXTRACTION_STOPPED,
                                    details__file=stored.pk).exists():
        return
    with translation.override(settings.LANGUAGE_CODE):
        if reason == "too_large":
            error = _("Text extraction stopped: the PDF holds too much text (possibly a PDF "
                      "bomb). The document cannot be found by its text.")
        else:
            error = _("Text extraction stopped: reading the PDF took too long (possibly a PDF "
                      "bomb). The document cannot be found by its text.")
    trail_record(document=document, action=EXTRACTION_STOPPED, actor=None,
                 details={"file": stored.pk, "reason": reason, "error": str(error)})
