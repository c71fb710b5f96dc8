"""Storing a file that is part of the petitioner's identity (a scan of the handwritten letter,
an ID paper): under a neutral name.

`egov.core.files.file_store` writes the upload's name to the audit trail ("file.store", read by
auditors and administrators) and to `StoredFile.original_name` (shown wherever a file is
listed). A citizen's file is often named after them ("Don_to_cao_Nguyen_Van_A.pdf"), so an
identity file is stored as `giay-to-<n>.<ext>` and its own name kept only in
`PetitionIdentityFile.description`, which only those who may read the identity see (Luật Tố
cáo 25/2018 Art.47.2, 56). Intake (portal, desk, e-mail) calls this for identity files.
"""

from __future__ import annotations

import os
import secrets

from egov.core.files import file_store

from ..models import Petition, PetitionIdentityFile


class _Renamed:
    """The upload under another name (everything else passed through)."""

    def __init__(self, upload, name: str):
        self._upload = upload
        self.name = name

    def __getattr__(self, item):
        return getattr(self._upload, item)


def neutral_name(name: str) -> str:
    ext = os.path.splitext(name or "")[1].lower()
    if not ext[1:].isalnum() or len(ext) > 6:
        ext = ""
    return f"giay-to-{secrets.token_hex(4)}{ext}"


def neutral_upload(upload):
    """`upload` (a file object or a (name, bytes) pair) under a neutral name: every file a
    citizen hands in is stored this way, since any of them may be named after its sender."""
    if isinstance(upload, tuple) and len(upload) == 2:
        return (neutral_name(str(upload[0])), upload[1])
    return _Renamed(upload, neutral_name(str(getattr(upload, "name", "") or "")))


def identity_file_store(*, actor, petition: Petition, upload,
                        description: str = "") -> PetitionIdentityFile:
    """Store `upload` as an identity file of `petition` (inside the caller's transaction)."""
    if isinstance(upload, tuple) and len(upload) == 2:
        original = str(upload[0])
        renamed = (neutral_name(original), upload[1])
    else:
        original = str(getattr(upload, "name", "") or "")
        renamed = _Renamed(upload, neutral_name(original))
    stored = file_store(actor=actor, upload=renamed)
    note = " — ".join(x for x in (description, original) if x)
    return PetitionIdentityFile.objects.create(petition=petition, file=stored,
                                               description=note[:255])
