""""Soạn văn bản trả lời" (issue 9 §5): the drafting form opened from an incoming document is
prefilled as its answer — linked to it (in_reply_to: issuing the reply completes its handling),
addressed to its sender (the sending agency inside eGov, or its name as an external recipient),
and with the trích yếu "V/v trả lời <type> số <số/ký hiệu> ngày <date> của <issuer>" (the usual
wording of a công văn's trích yếu, NĐ 30/2020 Phụ lục I §II.5.b: "V/v" + the matter)."""

from __future__ import annotations

from typing import Any

from .models import IncomingDocument

SUBJECT_MAX = 500


def reply_subject(incoming: IncomingDocument) -> str:
    parts = ["V/v trả lời", incoming.doc_type.name.lower() if incoming.doc_type_id else "văn bản"]
    if incoming.code:
        parts.append(f"số {incoming.code}")
    if incoming.issued_date:
        parts.append(f"ngày {incoming.issued_date.strftime('%d/%m/%Y')}")
    if incoming.issuer_name:
        parts.append(f"của {incoming.issuer_name}")
    return " ".join(parts)[:SUBJECT_MAX]


def sender_unit_id(incoming: IncomingDocument) -> int | None:
    """The sending agency when it is inside eGov (an electronic delivery or a known issuer)."""
    if incoming.source_id and incoming.source is not None:
        return incoming.source.agency_id
    return incoming.issuer_unit_id


def reply_initial(incoming: IncomingDocument, *, agency_ids: set[int]) -> dict[str, Any]:
    """Initial values of the drafting form for a reply to `incoming`; `agency_ids` are the
    recipients the form offers."""
    initial: dict[str, Any] = {"subject": reply_subject(incoming),
                               "in_reply_to": [str(incoming.pk)]}
    unit_id = sender_unit_id(incoming)
    if unit_id is not None and unit_id in agency_ids:
        initial["recipients_units"] = [str(unit_id)]
    elif incoming.issuer_name:
        initial["recipients_external"] = incoming.issuer_name
    return initial
