"""Intake at the counter and by post, and the officer's check of online dossiers (services.md
§1.3; NĐ 118/2025/NĐ-CP Điều 15–18 as amended by NĐ 309/2026/NĐ-CP; TT 03/2025/TT-VPCP forms
01–03).

- complete → `received`: code, Mẫu 01, the clock starts at the receipt time;
- a required component missing → `guidance`: Mẫu 02 listing everything missing at once (the
  clock does not start; NĐ 118/2025 Điều 16.2: "hướng dẫn … một lần, đầy đủ");
- not competent / not eligible (`refuse_reason`) → `refused`: Mẫu 03.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..models import Dossier, Slip


@dataclass(frozen=True)
class IntakeResult:
    """What intake gave: the dossier (received, guidance or refused) and the slip handed over
    (Mẫu 01, 02 or 03); `missing` lists the components still to bring (Mẫu 02)."""

    dossier: Dossier
    slip: Slip
    missing: list[dict] = field(default_factory=list)

    @property
    def status(self) -> str:
        """The API's status word: received / supplement_requested / refused."""
        raise NotImplementedError


def dossier_intake(*, actor, agency, procedure_code: str, applicant: dict,
                   representative: dict | None = None, components: list[dict],
                   channel: str = "counter", request_content: str = "", copies: int = 1,
                   result_delivery: str = "counter", refuse_reason: str = "",
                   files: dict | None = None) -> IntakeResult:
    """Receive a dossier at the counter (or by post) for `agency` (the receiving centre, an
    OrgUnit; the actor needs `onestop.receive` on it).

    `applicant`: {"kind": "person"|"organisation", "full_name", "personal_id" (12 digits for a
    person; a tax code of 10 or 10-3 digits for an organisation), "address", "phone", "email"};
    `representative`: the same keys plus "authorisation", or None; `components`: [{"code",
    "provided": bool}] against the version in force; `files`: {component code: upload} (scanned
    files, stored through egov.core.files.file_store). Bad input → InvalidInput with the fields
    named, nothing written; unknown procedure → 422 `unknown_procedure`.
    """
    raise NotImplementedError


def dossier_accept(*, actor, code: str, components: list[dict] | None = None) -> IntakeResult:
    """The officer accepts an online dossier (state `submitted`): complete → `received` (the
    clock starts now, Mẫu 01), a required component missing → `guidance` (Mẫu 02).
    `components` may correct the check-off ([{"code", "provided"}]); None keeps the
    applicant's."""
    raise NotImplementedError


def dossier_refuse(*, actor, code: str, reason: str) -> IntakeResult:
    """Refuse a dossier in state `submitted` or `guidance` (not competent / not eligible):
    `refused` with Mẫu 03 giving `reason`."""
    raise NotImplementedError
