"""What signing signs, without knowing any module: the registry of subject kinds.

Signing is a service below every module (docs/architecture.md): it signs "this PDF for this
certificate holder with this appearance" (:mod:`egov.signing.stamping`), verifies, keeps
certificates, own-token sessions, batches and verification codes. Where one of those must call
back into a module — load the thing a verification code or a session is about, check that a
user may sign it, finish it once the user's own token has signed it, sign one item of a batch,
show the public facts behind a verification code — the module registers a :class:`SubjectKind`
in its ``AppConfig.ready()``, and signing refers to the subject as (kind, id) only.

The documents module registers ``"documents.outgoing"`` (egov.documents.signing_subject); the
later modules (one-stop results, civil-status certificates) register their own kinds.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from egov.core.errors import NotFound


@dataclass(frozen=True)
class TokenSigning:
    """What a module hands to an own-token signing session (:mod:`egov.signing.user_token`):
    the PDF prepared for the signature (``prepared``, derived from the stored file
    ``original``), the field to sign and how, and the visible appearance the agent draws."""

    original: Any            # egov.core.models.StoredFile the prepared PDF is derived from
    prepared: bytes
    field: str
    appearance: Any          # egov.signing.pades.StampSpec
    reason: str = ""
    location: str = ""
    certify: bool = True
    details: dict = field(default_factory=dict)  # audited with the session


@dataclass(frozen=True)
class SubjectRow:
    """One subject in a signing page's list (e.g. the documents awaiting my signature)."""

    pk: int
    title: str
    url: str = ""
    type: str = ""
    unit: str = ""
    created_at: Any = None


@dataclass(frozen=True)
class SubjectKind:
    """A module's kind of signed subject and its hooks (all keyword arguments; a hook that is
    None means the kind does not take part in that feature)."""

    kind: str
    # (id) -> the subject or None; any actor (used for public verification codes)
    load: Callable[..., Any]
    # (actor, id) -> the subject the actor may see, else raise NotFound
    get: Callable[..., Any] | None = None
    # the subject's short title for lists (e.g. a document's subject line)
    title: Callable[[Any], str] = str
    # own-token sessions: (actor, subject) -> None, raising AppError unless the actor may sign
    # the subject now with their own token
    token_check: Callable[..., Any] | None = None
    # (actor, subject) -> TokenSigning (called after token_check and the certificate check)
    token_prepare: Callable[..., TokenSigning] | None = None
    # (actor, subject, original_id, signed) -> the stored signed file; raises AppError (the
    # session is then rejected with its code and message)
    token_finish: Callable[..., Any] | None = None
    # (subject) -> a short state code shown with a session ("approved", "signed", …)
    state: Callable[[Any], str] = lambda subject: ""
    # batches with the actor's server-side key: (actor, ids) -> the ids the actor may sign now
    batch_signable: Callable[..., set[int]] | None = None
    # (actor, id, *, resume) -> True when signed, False when a re-run (``resume``: the worker of
    # an earlier attempt died) finds it no longer waiting; locks the subject's row first and
    # signs inside the caller's transaction, or raises
    batch_sign: Callable[..., Any] | None = None
    # (actor, cursor, limit) -> egov.core.pagination.Page of subjects awaiting the actor
    batch_awaiting: Callable[..., Any] | None = None
    # (actor, ids) -> {id: title} of the subjects the actor can still see
    batch_titles: Callable[..., dict[int, str]] | None = None
    # (subject) -> SubjectRow for lists; (id) -> the subject's page for staff
    row: Callable[[Any], SubjectRow] | None = None
    url: Callable[[int], str] | None = None
    # verification codes: (subject, code row) -> the public facts, or None when not public
    public_record: Callable[..., dict | None] | None = None


_kinds: dict[str, SubjectKind] = {}
# Actions whose holders use a unit's organisation certificate (e.g. "documents.issue"): they are
# warned before it expires (egov.signing.services.certificates_warn_expiring).
_unit_certificate_actions: list[str] = []


def register_unit_certificate_action(action: str) -> None:
    """A module says: holders of ``action`` in a unit sign with the unit's certificate."""
    if action not in _unit_certificate_actions:
        _unit_certificate_actions.append(action)


def unit_certificate_actions() -> list[str]:
    return list(_unit_certificate_actions)


def register(kind: SubjectKind) -> SubjectKind:
    """Register (or replace) a kind; modules call it in their AppConfig.ready()."""
    _kinds[kind.kind] = kind
    return kind


def get_kind(kind: str) -> SubjectKind:
    """The registered kind, or NotFound (a row of a module that is no longer installed)."""
    found = _kinds.get(kind or "")
    if found is None:
        raise NotFound()
    return found


def kinds() -> list[str]:
    return sorted(_kinds)


def with_hook(hook: str) -> list[SubjectKind]:
    """The registered kinds that take part in a feature (``hook`` is set)."""
    return [k for _name, k in sorted(_kinds.items()) if getattr(k, hook) is not None]


def load(kind: str, subject_id: int | None):
    """The subject (kind, id), or None when the kind is unknown or the row is gone."""
    found = _kinds.get(kind or "")
    if found is None or subject_id is None:
        return None
    return found.load(subject_id)
