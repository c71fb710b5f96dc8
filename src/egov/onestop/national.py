"""Synchronisation with the national public-service portal (Cổng Dịch vụ công quốc gia, DVCQG).

Every dossier change is queued as a :class:`~egov.onestop.models.NationalSync` row inside the
transaction that made it (a subscriber of egov.onestop.hooks): revision = the next number for
the dossier, idempotency key ``<dossier code>:<revision>``, and the payload with the DVCQG
fields (services.md §1.8). The job ``egov.onestop.tasks.national_push`` pushes the queued rows,
in revision order per dossier, through the portal plugin chosen by EGOV_NATIONAL_PORTAL:

- :class:`HttpNationalPortal` — the real adapter: JSON over HTTPS to EGOV_NATIONAL_PORTAL_URL
  with a bearer token (EGOV_NATIONAL_PORTAL_TOKEN), the key in an ``Idempotency-Key`` header
  and a timeout (EGOV_NATIONAL_PORTAL_TIMEOUT).
- :class:`LoggingNationalPortal` — the demo's double: it logs and remembers what it received,
  de-duplicating by key like the real receiver.

A row is marked sent in the transaction after the push returns; a crash between the two
pushes the same key again and the receiver de-duplicates by key, so every change arrives
exactly once (a lost database connection alone pushes nothing twice: egov.core.outbox.mark_taken;
docs/onestop.md "Background work and crashes"). The official DVCQG interface specification is not public: the field names follow
the adapters described in services.md §1.8 (UNVERIFIED), and only this module knows them.
Personal data: only ChuHoSo and SoDinhDanh (the portal needs them); no address, phone, e-mail
or officer's name.
"""

from __future__ import annotations

import json
import logging
import threading
import urllib.error
import urllib.request

from django.conf import settings
from django.db.models import Exists, Max, OuterRef
from django.utils.module_loading import import_string

from egov.core import calendar
from egov.core.outbox_push import OutboxPush, exponential_backoff

from .models import ApplicantKind, Dossier, DossierEvent, NationalSync, SyncState
from .notify import canonical_kind

log = logging.getLogger("egov.onestop.national")


class NationalPortalError(Exception):
    """The push did not go through."""


class NationalPortalUnavailable(NationalPortalError):
    """Down, timed out, 5xx, throttled: try again later."""


class NationalPortalRejected(NationalPortalError):
    """The portal refused this payload (4xx): retrying the same payload cannot help."""


class NationalPortal:
    """The plugin interface: push one change; return the portal's receipt id."""

    def push(self, *, key: str, payload: dict) -> str:  # pragma: no cover - interface
        raise NotImplementedError


class HttpNationalPortal(NationalPortal):
    """JSON over HTTP(S) with a bearer token and an idempotency key header."""

    def __init__(self, url: str | None = None, token: str | None = None,
                 timeout: float | None = None) -> None:
        self.url = url if url is not None else getattr(settings, "EGOV_NATIONAL_PORTAL_URL", "")
        self.token = (token if token is not None
                      else getattr(settings, "EGOV_NATIONAL_PORTAL_TOKEN", ""))
        self.timeout = float(timeout if timeout is not None
                             else getattr(settings, "EGOV_NATIONAL_PORTAL_TIMEOUT", 10))

    def push(self, *, key: str, payload: dict) -> str:
        if not self.url:
            raise NationalPortalUnavailable("EGOV_NATIONAL_PORTAL_URL is not set")
        headers = {"Content-Type": "application/json; charset=utf-8",
                   "Accept": "application/json", "Idempotency-Key": key}
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        request = urllib.request.Request(
            self.url, data=json.dumps(payload, ensure_ascii=False).encode(), method="POST",
            headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                body = response.read(65536)
        except urllib.error.HTTPError as exc:
            detail = f"HTTP {exc.code}: {exc.read(500).decode(errors='replace')}"
            if exc.code == 409:
                return key  # the portal has this key already: the change arrived before
            if 400 <= exc.code < 500 and exc.code not in (408, 425, 429):
                raise NationalPortalRejected(detail) from exc
            raise NationalPortalUnavailable(detail) from exc
        except (urllib.error.URLError, OSError, TimeoutError) as exc:
            raise NationalPortalUnavailable(f"{type(exc).__name__}: {exc}") from exc
        try:
            data = json.loads(body or b"{}")
        except ValueError:
            data = {}
        receipt = data.get("id") or data.get("MaTiepNhan") if isinstance(data, dict) else None
        return str(receipt or key)[:200]


class LoggingNationalPortal(NationalPortal):
    """The demo's portal: logs each change and keeps the latest ones in memory, once per key."""

    received: dict[str, dict] = {}
    keep = 10_000
    _lock = threading.Lock()

    def push(self, *, key: str, payload: dict) -> str:
        with self._lock:
            if key not in self.received:
                self.received[key] = payload
                while len(self.received) > self.keep:
                    self.received.pop(next(iter(self.received)))
                log.info("national portal (double): %s status %s", key,
                         payload.get("TrangThaiHoSo"))
        return f"log-{key}"


_portal: NationalPortal | None = None


def get_portal() -> NationalPortal:
    """The plugin named by EGOV_NATIONAL_PORTAL (dotted path; the double by default)."""
    global _portal
    path = getattr(settings, "EGOV_NATIONAL_PORTAL",
                   "egov.onestop.national.LoggingNationalPortal")
    if _portal is None or f"{type(_portal).__module__}.{type(_portal).__qualname__}" != path:
        _portal = import_string(path)()
    return _portal


def reset_portal() -> None:
    """Forget the cached plugin (settings changed: tests)."""
    global _portal
    _portal = None


# --- the payload --------------------------------------------------------------------------------

# NoiDungXuLy of the progress row: fixed texts per event kind (never an officer's free note,
# which might hold personal data).
PROGRESS_TEXT = {
    "submitted": "Nộp hồ sơ trực tuyến",
    "received": "Tiếp nhận hồ sơ",
    "accepted": "Tiếp nhận hồ sơ",
    "guidance": "Hướng dẫn bổ sung hồ sơ",
    "refused": "Từ chối tiếp nhận hồ sơ",
    "forwarded": "Chuyển xử lý",
    "supplement_requested": "Yêu cầu bổ sung hồ sơ",
    "supplement_received": "Nhận hồ sơ bổ sung",
    "apologised": "Xin lỗi và hẹn lại ngày trả kết quả",
    "resolved": "Đã xử lý xong",
    "returned": "Trả kết quả",
    "stopped": "Dừng xử lý",
    "withdrawn": "Công dân rút hồ sơ",
}


def _ts(value) -> str | None:
    """DVCQG timestamps: yyyyMMddHHmmss in Vietnamese time."""
    return calendar.localtime(value).strftime("%Y%m%d%H%M%S") if value else None


def national_payload(dossier: Dossier, event: DossierEvent, revision: int) -> dict:
    """The change as DVCQG reads it (services.md §1.8; field names adapter-specific)."""
    version = dossier.version
    return {
        "MaHoSo": dossier.code,
        "MaTTHC": dossier.procedure.code,
        "MaDonViTiepNhan": dossier.agency.electronic_id,
        "TrangThaiHoSo": dossier.national_status,
        "KenhThucHien": dossier.national_channel,
        "NgayNop": _ts(dossier.submitted_at),
        "NgayTiepNhan": _ts(dossier.received_at),
        "NgayHenTra": _ts(dossier.due_at),
        "NgayKetThucXuLy": _ts(dossier.ended_at),
        "NgayTraKetQua": _ts(dossier.returned_at),
        "ThoiGianGiaiQuyet": 0 if version.same_day else version.processing_days,
        "DonViTinh": "Trong ngày" if version.same_day else "Ngày làm việc",
        "LoaiDoiTuong": 2 if dossier.applicant_kind == ApplicantKind.ORGANISATION else 1,
        "ChuHoSo": dossier.applicant_name,
        "SoDinhDanh": dossier.applicant_id,
        "SoLanBoSung": dossier.supplement_requests,
        "MaKetQua": dossier.result_number or None,
        "TienDoXuLy": [{
            "ThoiDiemXuLy": _ts(event.at),
            "PhongBanXuLy": event.unit.name if event.unit_id else dossier.agency.name,
            "NoiDungXuLy": PROGRESS_TEXT.get(canonical_kind(event.kind), event.kind),
            "TrangThai": dossier.national_status,
            "NgayBatDau": _ts(event.at),
            "NgayKetThucTheoQuyDinh": _ts(dossier.due_at),
        }],
        "PhienBan": revision,
    }


def sync_key(dossier: Dossier, revision: int) -> str:
    return f"{dossier.code}:{revision}"


def on_dossier_changed(*, dossier: Dossier, event: DossierEvent) -> NationalSync:
    """The hooks subscriber: queue this change for the portal (the caller holds the dossier's
    row lock, so revisions are numbered one after the other; the unique (dossier, revision)
    constraint guards the rest)."""
    last = NationalSync.objects.filter(dossier=dossier).aggregate(n=Max("revision"))["n"]
    revision = (last or 0) + 1
    row = NationalSync.objects.create(
        dossier=dossier, revision=revision, key=sync_key(dossier, revision),
        payload=national_payload(dossier, event, revision))
    QUEUE.kick_after_commit()
    return row


# --- pushing ------------------------------------------------------------------------------------


def backoff_seconds(attempts: int) -> float:
    """base × 2^(attempts-1), capped: an outage of the portal is waited out, never given up
    (only a payload the portal rejects ends failed)."""
    return exponential_backoff(
        attempts, base=float(getattr(settings, "EGOV_NATIONAL_BACKOFF_SECONDS", 30)),
        cap=float(getattr(settings, "EGOV_NATIONAL_BACKOFF_MAX_SECONDS", 3600)))


def _due(now):
    """Queued rows that are due and have no earlier queued revision of their dossier (in
    order per dossier: a later change waits while an earlier one is being retried). Rows that
    failed before come after fresh ones (their next attempt is later), so one change the portal
    keeps failing on never holds up the other dossiers."""
    earlier = NationalSync.objects.filter(dossier_id=OuterRef("dossier_id"),
                                          state=SyncState.QUEUED,
                                          revision__lt=OuterRef("revision"))
    return (NationalSync.objects.filter(state=SyncState.QUEUED, next_attempt_at__lte=now)
            .exclude(Exists(earlier)).order_by("next_attempt_at", "id"))


QUEUE = OutboxPush(model=NationalSync, task="egov.onestop.tasks.national_push", due=_due,
                   refused=NationalPortalRejected, backoff=lambda n: backoff_seconds(n),
                   name="national sync", log=log)


def national_push_due(*, limit: int = 500, now=None) -> dict[str, int]:
    """Push up to `limit` due changes, one at a time, each marked in the transaction in which
    it was taken (PostgreSQL: FOR NO KEY UPDATE SKIP LOCKED, so several workers never push one row;
    see egov.core.outbox_push). Returns counts by outcome."""
    portal = get_portal()

    def push(row: NationalSync) -> None:
        portal.push(key=row.key, payload=row.payload)

    return QUEUE.push_due(push, limit=limit, now=now)


def national_sweep() -> bool:
    """The periodic pass: enqueue a push job when changes are due and none is waiting."""
    return QUEUE.sweep()
