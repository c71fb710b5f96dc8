"""The identity-protection walk (Luật Tố cáo 25/2018 Art.47, 56; issue 11 "Denouncer protection").

Petitions with a distinctive identity (name, ID, phone, e-mail, address) are created on every
channel, with attachments, identity files, a reception session, a closed petition whose
petitioner was asked the satisfaction question (an outbox row), and audited identity reads.
Then, as EACH role that may not read the identity — a colleague in the handling unit, the unit
head, the one-stop officer, another reception officer of the agency (reports, view_all), the
administrator, an auditor (core.view_audit), the superuser, another agency's head and
reception officer, a user with no post, and an anonymous visitor — the walk GETs every URL of
the petitions app and every petitions / portal-petitions API route (enumerated from the URL
resolver, the Ninja routes included), the public petition pages, the notifications, inbox and
audit pages (with audit details), and the admin pages of every petitions model and of the
outbox, with the names of the test petitions as search terms; exported files (XLSX, PDF) are
opened and their text extracted. No response body or file may contain any identity string —
as written, folded (no diacritics, any case), or digits with separators.

Both ways: as the receiving officer, the handler and the head, the identity DOES appear on the
detail page and API, so a walk that saw nothing because everything was hidden would fail.

The walk is generic: a route added later is covered automatically; a route whose path
parameters the walk cannot fill FAILS (add its parameter to FILL, or the route to EXCLUDED with
the reason) — it is never skipped silently.
"""

from __future__ import annotations

import datetime as dt
import html
import io
import itertools
import json
import re
import subprocess
import tempfile

import pytest
from django.contrib import admin
from django.core.files.base import ContentFile
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.urls.resolvers import RoutePattern
from django.utils import timezone

from egov.core.files import file_store
from egov.core.models import AuditEvent, Role, RoleGrant
from egov.core.search import fold
from egov.petitions.models import (
    Channel,
    Petition,
    PetitionFile,
    PetitionIdentity,
    PetitionIdentityFile,
    PetitionState,
    ReceptionSession,
    ReceptionVisit,
    Satisfaction,
    VisitorIdentity,
)
from egov.petitions.selectors import access
from egov.petitions.services.identity_files import identity_file_store
from egov.petitions.services.records import event_write

pytestmark = pytest.mark.django_db

WALK = {"full_name": "Phùng Thị Xuân Quỳnh", "personal_id": "036187004321",
        "phone": "0912345678", "email": "xuanquynh.phung@example.org",
        "address": "Số 77 ngõ Hòe Nhai, thôn Vạn Xuân"}
# The letter as written, with the identity in every spelling (removed at intake).
WALK_CONTENT = (
    "Tôi tên Phùng Thị Xuân Quỳnh (PHUNG THI XUAN QUYNH), CCCD 036 187 004 321, điện thoại "
    "0912.345.678, thư xuanquynh.phung@example.org, ở Số 77 ngõ Hòe Nhai, thôn Vạn Xuân. "
    "Tôi tố cáo ông Đỗ Văn Khải, trưởng thôn, thu tiền đóng góp trái quy định.")

# Strings that must never appear (case-insensitive), their folded forms, and digit runs.
NEEDLES = [WALK["full_name"], WALK["email"], WALK["address"], "Xuân Quỳnh", "xuanquynh",
           "Hòe Nhai"]
FOLDED = sorted({fold(s) for s in NEEDLES} | {"xuan quynh", "phung thi", "hoe nhai"})
DIGITS = [WALK["personal_id"], WALK["phone"]]
DIGIT_RES = [re.compile(r"(?<!\d)" + r"[\s.\-/]*".join(d) + r"(?!\d)") for d in DIGITS]

# URL prefixes (from the site root, no leading slash) whose routes the walk covers.
WALKED_PREFIXES = ("petitions/", "public/petitions/", "api/v1/petitions",
                   "api/v1/portal/petitions")

# Routes the walk does not request, with the reason. Keep it short and justified.
EXCLUDED: dict[str, str] = {}

# Path parameter → how to fill it from the walk's data (a list of values per petition).
FILL = {
    "pk": lambda d, p: [p.pk, *d["slip_ids"].get(p.pk, []), *d["session_ids"],
                        *d["visit_ids"]],
    "id": lambda d, p: [p.pk],
    "petition_id": lambda d, p: [p.pk],
    "file_id": lambda d, p: d["file_ids"].get(p.pk, []) + d["identity_file_ids"].get(p.pk, []),
    "slip_id": lambda d, p: d["slip_ids"].get(p.pk, []) or [0],
    "session_id": lambda d, p: d["session_ids"],
    "visit_id": lambda d, p: d["visit_ids"],
    "code": lambda d, p: [p.code],
    "token": lambda d, p: [d["tokens"].get(p.pk, "x" * 32), p.lookup_check],
    "action": lambda d, p: ["classify", "assign", "accept", "transfer", "extend", "resolve",
                            "close", "register", "withdraw"],
    "register": lambda d, p: ["reception", "tracking"],
    "fmt": lambda d, p: ["xlsx", "pdf"],
    "form": lambda d, p: ["02_tcd", "transfer", "kn_04"],
}


# The path parameters that name one record (its page reads no list or report parameter).
RECORD_PARAMS = {"pk", "id", "petition_id", "file_id", "slip_id", "session_id", "visit_id",
                 "code", "token"}


# --- the data ---------------------------------------------------------------------------------


def _stored(user, name: str, data: bytes):
    return file_store(actor=user, upload=ContentFile(data, name=name))


@pytest.fixture
def walk_data(pet, make_petition):
    from egov.petitions.services.satisfaction import satisfaction_ask  # noqa: F401 (subscriber)

    now = timezone.now()
    petitions = []
    for i, channel in enumerate(Channel.values):
        draft = channel in (Channel.PORTAL, Channel.EMAIL)
        fields = {}
        if i % 2 == 0:
            fields.update(handler=pet["handler"], handling_unit=pet["division"])
        if i % 3 == 0:
            fields["due_at"] = now - dt.timedelta(days=3)
        petitions.append(make_petition(
            channel=channel, identity=WALK, content=WALK_CONTENT,
            kind="denunciation" if i % 2 == 0 else "complaint",
            state=PetitionState.DRAFT if draft else PetitionState.RECEIVED, **fields))
    reception = pet["reception"]
    file_ids, identity_file_ids = {}, {}
    with transaction.atomic():
        for p in petitions[:2]:
            f = PetitionFile.objects.create(
                petition=p, file=_stored(reception, "bien-ban-xac-minh.txt", b"xac minh"))
            # Through the contract for identity files (services/identity_files.py): the
            # citizen's file name, which names them, never reaches the audit trail.
            i = identity_file_store(
                actor=reception, petition=p,
                upload=("Don cua Phung Thi Xuan Quynh.txt", WALK_CONTENT.encode()),
                description="Đơn viết tay của Phùng Thị Xuân Quỳnh")
            file_ids[p.pk] = [f.pk]
            identity_file_ids[p.pk] = [i.pk]
        # A closed petition: the satisfaction question goes to the petitioner (outbox row).
        closed = petitions[1]
        closed.state, closed.closed_at = PetitionState.CLOSED, now
        closed.save(update_fields=["state", "closed_at"])
        event_write(petition=closed, kind="close", actor=pet["head"], note="Đã giải quyết xong")
        # The citizen reception register: a visit with a petition, one without (visitor).
        session = ReceptionSession.objects.create(agency=pet["commune"], day=now.date(),
                                                  place="Trụ sở UBND xã",
                                                  officer=reception, leader=pet["head"])
        v1 = ReceptionVisit.objects.create(session=session, number=1, petition=petitions[1],
                                           summary="Tố cáo việc thu tiền trái quy định",
                                           kind="denunciation", officer=reception)
        v2 = ReceptionVisit.objects.create(session=session, number=2,
                                           summary="Hỏi về thủ tục đất đai", kind="proposal",
                                           refused=False, officer=reception)
        VisitorIdentity.objects.create(visit=v2, full_name=WALK["full_name"],
                                       personal_id=WALK["personal_id"],
                                       address=WALK["address"])
    # Audited reads of the identity (the audit page shows petition rows).
    for who in ("head", "reception"):
        access.identity_for(pet[who], petitions[0], purpose="page")
    tokens = dict(Satisfaction.objects.values_list("petition_id", "token"))
    assert tokens, "the closed petition's petitioner was not asked"
    slip_ids: dict[int, list[int]] = {}
    for p in petitions:
        slip_ids[p.pk] = list(p.slips.values_list("pk", flat=True))
    return {"petitions": petitions, "file_ids": file_ids,
            "identity_file_ids": identity_file_ids, "session_ids": [session.pk],
            "visit_ids": [v1.pk, v2.pk], "tokens": tokens, "slip_ids": slip_ids}


@pytest.fixture
def walk_roles(pet, make_user):
    """The users who may NOT read the identity of the walk's petitions."""
    auditor_role = Role.objects.create(code="auditor_walk", name="Thanh tra (kiểm thử)")
    RoleGrant.objects.create(role=auditor_role, action="core.view_audit", scope="agency")
    return {
        "colleague": pet["colleague"], "unit_head": pet["unit_head"],
        "onestop": pet["onestop"], "admin": pet["admin"],
        "auditor": make_user("thanhtra", pet["commune"], "auditor_walk", title="Thanh tra viên"),
        "reception_b": make_user("tiepdan_b", pet["commune"], "petition_officer"),
        "superuser": pet["superuser"], "other_head": pet["other_head"],
        "other_reception": pet["other_reception"], "nobody": pet["nobody"],
        "anonymous": None,
    }


# --- enumeration --------------------------------------------------------------------------------


def _walk_patterns(patterns, prefix: str = ""):
    for p in patterns:
        if isinstance(p, URLResolver):
            yield from _walk_patterns(p.url_patterns, prefix + str(p.pattern))
        elif isinstance(p, URLPattern):
            yield prefix + str(p.pattern), p


_PARAM = re.compile(r"<(?:(?P<conv>[^>:]+):)?(?P<name>[^>]+)>")


def walked_routes() -> list[str]:
    routes = []
    for route, pattern in _walk_patterns(get_resolver().url_patterns):
        route = route.lstrip("^")
        if not route.startswith(WALKED_PREFIXES):
            continue
        if not isinstance(pattern.pattern, RoutePattern):
            raise AssertionError(f"route {route!r} is a regular expression: the walk cannot "
                                 f"fill it; write it as a path() or add it to EXCLUDED")
        if route in EXCLUDED:
            continue
        routes.append(route)
    return sorted(set(routes))


def urls_for(route: str, data: dict) -> list[str]:
    names = [m.group("name") for m in _PARAM.finditer(route)]
    missing = [n for n in names if n not in FILL]
    if missing:
        raise AssertionError(f"the walk cannot fill {missing} of route {route!r}: add them to "
                             f"FILL in {__name__} (or the route to EXCLUDED with a reason)")
    urls = set()
    for p in data["petitions"]:
        choices = [FILL[n](data, p) for n in names]
        if any(not c for c in choices):
            continue
        for combo in itertools.product(*choices):
            values = dict(zip(names, combo, strict=True))
            urls.add("/" + _PARAM.sub(lambda m, v=values: str(v[m.group("name")]), route))
    if not urls:
        raise AssertionError(f"the walk found no value for the parameters of {route!r}")
    return sorted(urls)


def admin_urls(data) -> list[str]:
    """The admin pages of every petitions model that is registered, and the outbox's."""
    from egov.core.models_outbox import OutboundMessage

    urls = []
    for model in admin.site._registry:
        if model._meta.app_label != "petitions":
            continue
        base = f"/admin/petitions/{model._meta.model_name}/"
        urls += [base, base + "?q=" + WALK["full_name"]]
        for row in model._default_manager.all()[:20]:
            urls.append(f"{base}{row.pk}/change/")
    urls += ["/admin/core/outboundmessage/",
             "/admin/core/outboundmessage/?q=" + WALK["email"],
             "/admin/core/outboundmessage/?q=petitions",
             "/admin/core/auditevent/", "/admin/core/auditevent/?q=petition"]
    for pk in OutboundMessage.objects.filter(module="petitions").values_list("pk", flat=True):
        urls.append(f"/admin/core/outboundmessage/{pk}/change/")
    return urls


def core_urls(data) -> list[str]:
    p = data["petitions"][0]
    return ["/", "/notifications/", "/audit/", "/audit/?object_type=petitions.petition",
            f"/audit/?object_type=petitions.petition&object_id={p.pk}",
            "/audit/?action=petition.identity.read"]


# --- what a response holds -------------------------------------------------------------------


def response_text(response) -> str:
    if getattr(response, "streaming", False):
        raw = b"".join(response.streaming_content)
    else:
        raw = response.content
    ctype = response.get("Content-Type", "")
    if "spreadsheetml" in ctype or raw[:2] == b"PK":
        from openpyxl import load_workbook

        try:
            wb = load_workbook(io.BytesIO(raw), read_only=True)
        except Exception:  # noqa: BLE001 - a zip that is not a workbook: search its bytes
            return raw.decode("utf-8", "ignore")
        cells = [str(c) for ws in wb.worksheets for row in ws.iter_rows(values_only=True)
                 for c in row if c is not None]
        return "\n".join(cells)
    if "pdf" in ctype or raw[:5] == b"%PDF-":
        with tempfile.NamedTemporaryFile(suffix=".pdf") as fh:
            fh.write(raw)
            fh.flush()
            # -raw: the content stream's order, so a name wrapped inside a table cell comes
            # out as consecutive words (white space is collapsed before matching).
            out = subprocess.run(["pdftotext", "-raw", fh.name, "-"], capture_output=True,
                                 check=True)
        return out.stdout.decode("utf-8", "ignore") + "\n" + raw.decode("latin-1")
    text = raw.decode("utf-8", "ignore")
    if "json" in ctype:
        try:
            text += "\n" + json.dumps(json.loads(raw), ensure_ascii=False)
        except ValueError:
            pass
    # (A redirect's Location is the requested address itself — the user's own input — and is
    # not searched.)
    return html.unescape(text) + "\n" + response.get("Content-Disposition", "")


def strip_echo(text: str, sent: list[str]) -> str:
    """Remove the search terms the walk itself typed where a page echoes them back — the
    search box's value and the q= of links — and nowhere else: a result naming the petitioner
    still shows as plain text and is caught."""
    from urllib.parse import quote, quote_plus

    for value in sorted(set(sent), key=len, reverse=True):
        text = text.replace(f'value="{value}"', 'value=""')
        for enc in (quote_plus(value), quote(value), quote_plus(value, safe="@")):
            text = text.replace(f"q={enc}", "q=")
    return text


def leaks(text: str) -> list[str]:
    found = []
    low = " ".join(text.lower().split())
    for s in NEEDLES:
        if s.lower() in low:
            found.append(s)
    folded = fold(text)
    for s in FOLDED:
        if s in folded:
            found.append(f"folded {s!r}")
    for d, rx in zip(DIGITS, DIGIT_RES, strict=True):
        if rx.search(text):
            found.append(f"digits {d}")
    return found


def _q_of(url: str) -> list[str]:
    from urllib.parse import parse_qsl, urlsplit

    return [v for k, v in parse_qsl(urlsplit(url).query) if k == "q"]


def _client(user) -> Client:
    c = Client(raise_request_exception=False)
    if user is not None:
        c.force_login(user)
    return c


# --- the walk ----------------------------------------------------------------------------------


def test_identity_never_leaks_to_those_who_may_not_read_it(walk_data, walk_roles, pet):
    today = timezone.localdate()
    query = {"q": WALK["full_name"], "agency": pet["commune"].pk,
             "start": (today - dt.timedelta(days=300)).isoformat(), "end": today.isoformat()}
    routes = walked_routes()
    assert "petitions/" in routes and "api/v1/petitions" in routes
    assert any(r.startswith("public/petitions/") for r in routes)
    urls = [u for r in routes for u in urls_for(r, walk_data)]
    urls += [u + ("&" if "?" in u else "?") + "q=" + q
             for u in ("/petitions/", "/api/v1/petitions")
             for q in (WALK["full_name"], fold(WALK["full_name"]), "xuan quynh", "0912345678",
                       WALK["personal_id"], WALK["email"])]
    urls += core_urls(walk_data) + admin_urls(walk_data)
    # The list, search, report and register addresses (no record in the path) are also asked
    # with the search term, an agency and a period; an address of one record is asked as it is
    # (its view reads no such parameter). The admin refuses unknown filter parameters: it gets
    # its own ?q= only.
    listing = {u for r in routes
               if not {m.group("name") for m in _PARAM.finditer(r)} & RECORD_PARAMS
               for u in urls_for(r, walk_data)}
    listing |= {u for u in urls if u.split("?")[0] in ("/petitions/", "/api/v1/petitions")}
    assert "/petitions/reports/registers/reception.pdf" in listing
    problems, statuses = [], {}
    for role, user in walk_roles.items():
        c = _client(user)
        for url in urls:
            for params in ({}, query) if url in listing else ({},):
                r = c.get(url, params)
                if not params:
                    statuses[(role, url)] = r.status_code
                assert r.status_code < 500, (role, url, r.status_code)
                sent = [v for v in (*params.values(), *_q_of(url)) if isinstance(v, str)]
                found = leaks(strip_echo(response_text(r), sent))
                if found:
                    problems.append(f"{role} GET {url} {params or ''}: {found}")
    assert not problems, "identity leaked:\n" + "\n".join(problems[:40])
    # The walk saw real pages, not only refusals: the superuser and the second reception
    # officer opened the petitions and the registers.
    p = walk_data["petitions"][0]
    for role in ("superuser", "reception_b", "colleague"):
        assert statuses[(role, f"/petitions/{p.pk}/")] == 200, role
        assert statuses[(role, f"/api/v1/petitions/{p.pk}")] == 200, role
    assert statuses[("reception_b", "/petitions/reports/registers/reception.pdf")] == 200
    assert statuses[("reception_b", "/petitions/reports/registers/tracking.xlsx")] == 200
    assert statuses[("superuser", "/admin/core/outboundmessage/")] == 200


def test_identity_appears_for_the_allowed(walk_data, pet):
    """Both ways: the receiving officer, the handler and the head see the identity."""
    p = walk_data["petitions"][2]  # one-stop desk: received by the reception officer, handled
    assert p.received_by == pet["reception"] and p.handler == pet["handler"]
    for who in ("reception", "handler", "head"):
        c = _client(pet[who])
        page = response_text(c.get(f"/petitions/{p.pk}/"))
        api = response_text(c.get(f"/api/v1/petitions/{p.pk}"))
        for text in (page, api):
            assert WALK["full_name"] in text and WALK["personal_id"] in text, who
            assert WALK["email"] in text and WALK["address"] in text, who
        found = c.get("/api/v1/petitions", {"q": "xuan quynh"}).json()["items"]
        assert p.pk in [i["id"] for i in found], who
    # The head's registers carry the identities (and the export is audited).
    c = _client(pet["head"])
    before = AuditEvent.objects.filter(action="petition.identity.export").count()
    for register in ("reception", "tracking"):
        for fmt in ("xlsx", "pdf"):
            r = c.get(f"/petitions/reports/registers/{register}.{fmt}")
            assert r.status_code == 200
            text = response_text(r)
            text = " ".join(text.split())
            assert WALK["full_name"] in text and WALK["personal_id"] in text, (register, fmt)
    assert AuditEvent.objects.filter(action="petition.identity.export").count() == before + 4
    # The identity file opens for the head.
    p = walk_data["petitions"][1]
    fid = walk_data["identity_file_ids"][p.pk][0]
    r = c.get(f"/petitions/{p.pk}/identity-files/{fid}/")
    assert r.status_code == 200 and WALK["full_name"] in response_text(r)


def test_identity_models_are_not_in_the_admin():
    """Decision: the identity tables are not registered in the admin at all (an administrator
    or superuser would otherwise read them): PetitionIdentity, PetitionIdentityFile,
    VisitorIdentity, and Satisfaction (its comment is the petitioner's own words)."""
    from egov.petitions.models import Satisfaction as Sat

    for model in (PetitionIdentity, PetitionIdentityFile, VisitorIdentity, Sat):
        assert not admin.site.is_registered(model), model


def test_the_walk_fails_on_a_route_it_cannot_fill(walk_data):
    with pytest.raises(AssertionError, match="cannot fill"):
        urls_for("petitions/<int:pk>/mystery/<int:gizmo_id>/", walk_data)


def test_the_leak_detector_sees_every_spelling():
    assert leaks("... PHUNG THI XUAN QUYNH ...")
    assert leaks("<td>phùng thị xuân quỳnh</td>")
    assert leaks("0912 345 678") and leaks("036.187.004.321") and leaks("0912-345-678")
    assert leaks("XuanQuynh.Phung@Example.org")
    assert not leaks("Đỗ Văn Khải, thôn Đông, 0987")
    echo = '<input name="q" value="Phùng Thị Xuân Quỳnh"> <a href="?q=Ph%C3%B9ng+Th%E1%BB%8B+Xu%C3%A2n+Qu%E1%BB%B3nh">'
    assert not leaks(strip_echo(echo, [WALK["full_name"]]))
    assert leaks(strip_echo(echo + "<td>Phùng Thị Xuân Quỳnh</td>", [WALK["full_name"]]))
    assert Petition.objects.count() == 0
