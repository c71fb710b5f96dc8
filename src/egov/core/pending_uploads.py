"""A file chosen in a form survives the form's errors (issue 9 §5): browsers never re-send a
chosen file, so after an error the view keeps the upload as a pending file and the page carries
a signed token in a hidden field (`<field>_token`) and says "Đã chọn: <name>"; sending the form
again without a new file uses the pending one.

Safety: the token is signed (django.core.signing, its own salt) and names the uploader — only
the user who uploaded the file can use it; it expires after MAX_AGE. Pending files live under
`pending/` in the default storage and are deleted when used, and those older than MAX_AGE are
purged whenever a new one is kept (and by `purge()`). The services still check the file on use
(type, size, content) exactly as a fresh upload.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import secrets
from dataclasses import dataclass

from django.core import signing
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from django.utils.translation import gettext as _

SALT = "egov.core.pending_upload"
MAX_AGE = 2 * 60 * 60  # seconds
DIRECTORY = "pending"

log = logging.getLogger(__name__)


@dataclass
class Pending:
    token: str
    name: str
    size: int


def purge(now: dt.datetime | None = None) -> int:
    """Delete pending files older than MAX_AGE; the number deleted."""
    now = now or timezone.now()
    try:
        _dirs, files = default_storage.listdir(DIRECTORY)
    except (FileNotFoundError, NotImplementedError, OSError):
        return 0
    deleted = 0
    for name in files:
        path = f"{DIRECTORY}/{name}"
        try:
            if (now - default_storage.get_modified_time(path)).total_seconds() > MAX_AGE:
                default_storage.delete(path)
                deleted += 1
        except (FileNotFoundError, OSError, NotImplementedError):
            continue
    return deleted


def stash(*, user, upload) -> Pending:
    """Keep `upload` (an UploadedFile) for `user`; its token for the page."""
    purge()
    if hasattr(upload, "seek"):
        upload.seek(0)
    path = default_storage.save(f"{DIRECTORY}/{secrets.token_hex(16)}.bin", upload)
    name = os.path.basename(getattr(upload, "name", "") or "file")[:255]
    size = int(getattr(upload, "size", 0) or 0)
    token = signing.dumps({"p": path, "u": user.pk, "n": name, "s": size,
                           "t": getattr(upload, "content_type", "") or ""}, salt=SALT)
    return Pending(token=token, name=name, size=size)


def _claim(token: str, user) -> dict | None:
    try:
        claim = signing.loads(token, salt=SALT, max_age=MAX_AGE)
    except signing.BadSignature:
        return None
    if not isinstance(claim, dict) or claim.get("u") != user.pk:
        return None
    path = str(claim.get("p") or "")
    if not path.startswith(f"{DIRECTORY}/") or ".." in path or not default_storage.exists(path):
        return None
    return claim


def take(*, user, token: str) -> SimpleUploadedFile | None:
    """The pending file of `token` as an upload, or None when the token is not the user's,
    expired or its file is gone."""
    claim = _claim(token, user)
    if claim is None:
        return None
    with default_storage.open(claim["p"], "rb") as fh:
        data = fh.read()
    return SimpleUploadedFile(claim["n"], data, claim.get("t") or "application/octet-stream")


def discard(*, user, token: str) -> None:
    claim = _claim(token, user)
    if claim is not None:
        try:
            default_storage.delete(claim["p"])
        except OSError:  # pragma: no cover - storage trouble; purge() retries
            log.warning("pending upload %s could not be deleted", claim["p"])


class KeptFile:
    """The view's helper for one file field:

        kept = KeptFile(request, "file")
        upload = kept.upload(form.cleaned_data.get("file"))   # new file, else the pending one
        ... on an error that is not about the file: kept.keep(upload)
        ... on success: kept.done()
        render(..., {**kept.context()})
    """

    def __init__(self, request, field: str = "file"):
        self.request = request
        self.field = field
        self.token = (request.POST.get(f"{field}_token") or "")[:2000]
        self.pending: Pending | None = None
        self.expired = False

    def upload(self, current):
        if current is not None:
            if self.token:  # replaced by a new choice
                discard(user=self.request.user, token=self.token)
                self.token = ""
            return current
        if not self.token:
            return None
        found = take(user=self.request.user, token=self.token)
        if found is None:
            self.expired = True
            self.token = ""
            return None
        self.pending = Pending(token=self.token, name=found.name, size=found.size)
        return found

    def keep(self, upload) -> None:
        """After an error not about the file: keep it for the next try."""
        if upload is None or self.pending is not None:
            return
        self.pending = stash(user=self.request.user, upload=upload)

    def drop(self) -> None:
        """The file itself was refused: forget it."""
        if self.pending is not None:
            discard(user=self.request.user, token=self.pending.token)
            self.pending = None

    def done(self) -> None:
        if self.pending is not None:
            discard(user=self.request.user, token=self.pending.token)

    def context(self) -> dict:
        return {f"kept_{self.field}": self.pending, f"kept_{self.field}_expired": self.expired,
                "kept_expired_message": _("The file chosen earlier has expired; choose it "
                                          "again.") if self.expired else ""}
