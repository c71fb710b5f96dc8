"""A signature report (:mod:`egov.signing.verify`) in words for people (issue 9 §1).

The report's own fields stay technical (the API gives them as they are); the public pages say:

- **whose** signature it is — "the signature of the competent signer" for the field
  ``leader_signature`` (NĐ 30/2020 Phụ lục I ô 7c), "the agency's signature" for
  ``org_signature`` (ô 8), never the field's internal name;
- **integrity** — is the content unchanged since each signature (the digest matches and only
  permitted changes follow) — and **trust** — does the certificate lead to a trusted root and
  was it valid at the time of signing — *separately*. A file whose content was changed says
  so; its certificate is then "not checked" rather than "untrusted" (pyHanko does not validate
  the path of a signature whose digest no longer matches). A file whose content is intact but
  whose certificate is untrusted says exactly that.

Everything is computed from the report's booleans at rendering time, so the words follow the
reader's language even when the report itself was cached in another one.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .stamping import FIELD_LEADER, FIELD_ORG
from .verify import MODIFICATION_LABELS

ROLE_LABELS = {
    FIELD_LEADER: gettext_lazy("the signature of the competent signer"),
    FIELD_ORG: gettext_lazy("the agency's signature"),
}

INTACT, CHANGED = "intact", "changed"
TRUSTED, UNTRUSTED, NOT_CHECKED = "trusted", "untrusted", "not_checked"


def role_label(sig, number: int) -> str:
    """Whose signature ``sig`` is, in words (capitalised at the start of a sentence by the
    template)."""
    if getattr(sig, "kind", "signature") == "document_timestamp":
        return _("document timestamp %(n)d") % {"n": number}
    label = ROLE_LABELS.get(getattr(sig, "field", "") or "")
    if label is not None:
        return str(label)
    return _("digital signature %(n)d") % {"n": number}


def _broken(sig) -> bool:
    """A signature the verifier could not read at all (no certificate was found)."""
    return not sig.intact and not (sig.subject or sig.signer or sig.issuer)


@dataclass
class SignatureWords:
    sig: object
    role: str
    integrity: str          # intact | changed
    trust: str              # trusted | untrusted | not_checked
    messages: list[str] = field(default_factory=list)


@dataclass
class ReportWords:
    integrity: str          # intact | changed ("" without signatures)
    trust: str              # trusted | untrusted | not_checked ("" without signatures)
    messages: list[str]
    signatures: list[SignatureWords]


def describe(report) -> ReportWords:
    """The words of a whole report (see the module docstring)."""
    sigs = list(getattr(report, "signatures", []) or [])
    rows: list[SignatureWords] = []
    messages: list[str] = []
    for n, sig in enumerate(sigs, start=1):
        role = role_label(sig, n)
        own: list[str] = []
        if _broken(sig):
            integrity, trust = CHANGED, NOT_CHECKED
            own.extend(str(r) for r in (getattr(sig, "reasons", None) or []))
            own.append(_("%(role)s could not be read, so the content it covers cannot be "
                         "confirmed.") % {"role": role})
        else:
            integrity = INTACT if sig.intact and sig.docmdp_ok else CHANGED
            if not sig.intact:
                own.append(_("The content covered by %(role)s was changed after signing.")
                           % {"role": role})
            elif not sig.docmdp_ok:
                own.append(_("The document was changed after %(role)s in a way that is not "
                             "allowed.") % {"role": role})
            if not sig.intact:
                trust = NOT_CHECKED  # a broken digest: the path is not validated (docstring)
            elif sig.trusted:
                trust = TRUSTED
            else:
                trust = UNTRUSTED
                own.append(_("The certificate of %(role)s does not lead to a trusted root "
                             "certificate, or was not valid at the time of signing.")
                           % {"role": role})
            timestamp = getattr(sig, "timestamp", None)
            if (getattr(sig, "kind", "") != "document_timestamp" and timestamp is not None
                    and not (timestamp.intact and timestamp.trusted)):
                own.append(_("The timestamp of %(role)s is not valid or not trusted.")
                           % {"role": role})
        rows.append(SignatureWords(sig=sig, role=role, integrity=integrity, trust=trust,
                                   messages=own))
        messages.extend(_capitalise(m) for m in own)
    if sigs and not sigs[-1].whole_file and not _broken(sigs[-1]):
        last = sigs[-1]
        messages.append(_("Changes were added to the document after the last signature: "
                          "%(label)s.") % {"label": MODIFICATION_LABELS.get(
                              last.modification, last.modification)})
    if not rows:
        return ReportWords(integrity="", trust="", messages=[], signatures=[])
    integrity = (INTACT if all(r.integrity == INTACT for r in rows) and sigs[-1].whole_file
                 else CHANGED)
    if all(r.trust == TRUSTED for r in rows):
        trust = TRUSTED
    elif any(r.trust == UNTRUSTED for r in rows):
        trust = UNTRUSTED
    else:
        trust = NOT_CHECKED
    for row in rows:
        row.messages = [_capitalise(m) for m in row.messages]
    return ReportWords(integrity=integrity, trust=trust, messages=messages, signatures=rows)


def _capitalise(text: str) -> str:
    return text[:1].upper() + text[1:] if text else text
