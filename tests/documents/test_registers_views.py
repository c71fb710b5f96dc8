"""Registers (NĐ 30/2020 Phụ lục IV): rows, columns, ordering, filters, permissions, keyset
pages with a constant number of queries; the API and the pages.

The factories below (documents made directly with the ORM) are shared by the other register,
report, case-file and export tests of this area.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from egov.core.errors import InvalidInput, PermissionDenied
from egov.documents.models import (
    Assignment,
    DocumentType,
    IncomingDocument,
    IncomingState,
    OutgoingDocument,
    OutgoingState,
    Recipient,
    Register,
)
from egov.documents.rules import make_code

VN = ZoneInfo("Asia/Ho_Chi_Minh")
YEAR = 2026


def at(y, m, d, hh=9, mm=0) -> dt.datetime:
    return dt.datetime(y, m, d, hh, mm, tzinfo=VN)


# --- factories ----------------------------------------------------------------------------------


@pytest.fixture(name="reg")
def reg_fixture(org, make_user):
    """The province committee's registers and people: a clerk (office), a leader, an officer
    of the office, and a clerk of the Department of Justice (another agency)."""
    province = org["province"]
    clerk = make_user("vanthu", org["office"], "clerk", title="Văn thư",
                      full_name="Lê Thị Văn Thư")
    leader = make_user("lanhdao", province, "leader", title="Chủ tịch",
                       full_name="Nguyễn Văn Lãnh")
    officer = make_user("chuyenvien", org["office"], "officer", title="Chuyên viên",
                        full_name="Trần Văn Chuyên")
    other_clerk = make_user("vanthustp", org["justice"], "clerk", title="Văn thư",
                            full_name="Phạm Thị Tư Pháp")
    incoming = Register.objects.create(agency=province, direction="incoming", kind="incoming",
                                       name="Sổ văn bản đến UBND tỉnh")
    outgoing = Register.objects.create(agency=province, direction="outgoing", kind="shared",
                                       name="Sổ văn bản đi UBND tỉnh")
    justice_in = Register.objects.create(agency=org["justice"], direction="incoming",
                                         kind="incoming", name="Sổ văn bản đến Sở Tư pháp")
    return {"org": org, "province": province, "clerk": clerk, "leader": leader,
            "officer": officer, "other_clerk": other_clerk, "incoming": incoming,
            "outgoing": outgoing, "justice_in": justice_in}


def doc_type(code: str = "CV") -> DocumentType:
    return DocumentType.objects.get(code=code)


def make_incoming(register: Register, number: int, *, by, arrival: dt.datetime | None = None,
                  issuer: str = "Bộ Nội vụ", notation: str = "BNV-VP",
                  subject: str = "V/v hướng dẫn công tác văn thư năm 2026",
                  type_code: str = "CV", urgency: str = "normal", issued: dt.date | None = None,
                  state: str = IncomingState.REGISTERED, **extra) -> IncomingDocument:
    arrival = arrival or at(YEAR, 1, 5) + dt.timedelta(hours=number % 7, minutes=number)
    num = str(100 + number)
    return IncomingDocument.objects.create(
        agency=register.agency, register=register, year=arrival.year, arrival_number=number,
        arrival_date=arrival, issuer_name=issuer, number=num, notation=notation,
        code=make_code(num, notation), issued_date=issued or arrival.date() - dt.timedelta(2),
        doc_type=doc_type(type_code), subject=subject, urgency=urgency, state=state,
        registered_by=by, signer_name="Nguyễn Văn Ký", signer_position="Thứ trưởng",
        page_count=2, **extra)


def make_assignment(doc: IncomingDocument, *, by, unit=None, user=None, role: str = "lead",
                    due: dt.date | None = None, assigned_at: dt.datetime | None = None,
                    state: str = "open", finished_at: dt.datetime | None = None,
                    parent: Assignment | None = None, **extra) -> Assignment:
    return Assignment.objects.create(
        document=doc, role=role, assignee_unit=unit, assignee_user=user, due_date=due,
        assigned_at=assigned_at or doc.arrival_date + dt.timedelta(hours=1), state=state,
        finished_at=finished_at, assigned_by=by, parent=parent, **extra)


def make_outgoing(register: Register, number: int, *, drafter, signer,
                  state: str = OutgoingState.ISSUED, type_code: str = "QD",
                  subject: str = "Về việc ban hành Quy chế công tác văn thư",
                  issued: dt.date | None = None, recipients: tuple[str, ...] = (
                      "Sở Nội vụ", "Sở Tư pháp"), **extra) -> OutgoingDocument:
    issued = issued or dt.date(YEAR, 2, 1) + dt.timedelta(days=number)
    t = doc_type(type_code)
    notation = f"{t.abbreviation}-UBND" if t.abbreviation else "UBND-VP"
    num = f"{number:02d}"
    doc = OutgoingDocument.objects.create(
        agency=register.agency, drafting_unit=drafter.positions.first().org_unit,
        drafter=drafter, doc_type=t, subject=subject, signer=signer, signer_capacity="KT",
        signer_position="Phó Chủ tịch", state=state, register=register, year=issued.year,
        number=number, notation=notation, code=make_code(num, notation), issued_date=issued,
        issued_at=dt.datetime.combine(issued, dt.time(10), tzinfo=VN), copies=3, page_count=1,
        **extra)
    for name in recipients:
        Recipient.objects.create(document=doc, name=name)
    return doc


# --- Sổ đăng ký văn bản đến ---------------------------------------------------------------------


def _incoming_rows(actor, agency, **kw):
    from egov.documents.selectors.registers import incoming_register_rows

    return incoming_register_rows(actor=actor, agency=agency, year=kw.pop("year", YEAR), **kw)


def test_incoming_register_columns_and_order(reg):
    clerk = reg["clerk"]
    second = make_incoming(reg["incoming"], 2, by=clerk, urgency="flash",
                           subject="V/v phòng, chống lũ bão", issuer="Ban Chỉ đạo Quốc gia")
    first = make_incoming(reg["incoming"], 1, by=clerk, type_code="QD", notation="QĐ-BNV",
                          subject="về việc phê duyệt Đề án số hóa")
    lead = make_assignment(first, by=reg["leader"], unit=reg["org"]["office"],
                           assigned_at=at(YEAR, 1, 6, 8))
    Assignment.objects.filter(pk=lead.pk).update(first_viewed_at=at(YEAR, 1, 6, 9, 30))
    make_assignment(first, by=reg["leader"], user=reg["officer"], role="support")

    page = _incoming_rows(clerk, reg["province"])

    assert [r.id for r in page.items] == [first.pk, second.pk]
    row = dict((c.key, v) for c, v in page.items[0].cells)
    assert [c.heading for c, _ in page.items[0].cells] == [
        "Ngày đến", "Số đến", "Tác giả", "Số, ký hiệu văn bản", "Ngày tháng văn bản",
        "Tên loại và trích yếu nội dung", "Đơn vị hoặc người nhận", "Ngày chuyển", "Ký nhận",
        "Ghi chú"]
    assert row["arrival_date"] == first.arrival_date.astimezone(VN).date()
    assert row["arrival_number"] == 1
    assert row["issuer"] == "Bộ Nội vụ"
    assert row["code"] == "101/QĐ-BNV"
    assert row["issued_date"] == first.issued_date
    assert row["type_subject"] == "Quyết định về việc phê duyệt Đề án số hóa"
    assert row["receivers"] == "Văn phòng UBND tỉnh"  # the lead only, not the support
    assert row["transfer_date"] == dt.date(YEAR, 1, 6)
    assert row["receipt"] == at(YEAR, 1, 6, 9, 30)
    second_row = dict((c.key, v) for c, v in page.items[1].cells)
    assert second_row["receivers"] == "" and second_row["transfer_date"] is None
    assert "Hỏa tốc" in second_row["notes"]


def test_incoming_register_filters(reg):
    clerk = reg["clerk"]
    for n in range(1, 8):
        make_incoming(reg["incoming"], n, by=clerk, arrival=at(YEAR, 3, n),
                      type_code="QD" if n % 2 else "CV", urgency="urgent" if n == 4 else "normal")
    make_incoming(reg["incoming"], 1, by=clerk, arrival=at(YEAR - 1, 12, 30))  # last year
    from egov.documents.selectors.registers import RegisterFilters, parse_filters

    def numbers(**filters):
        page = _incoming_rows(clerk, reg["province"], filters=RegisterFilters(**filters))
        return [dict((c.key, v) for c, v in r.cells)["arrival_number"] for r in page.items]

    assert numbers() == [1, 2, 3, 4, 5, 6, 7]
    assert numbers(date_from=dt.date(YEAR, 3, 3), date_to=dt.date(YEAR, 3, 5)) == [3, 4, 5]
    assert numbers(type_code="QD") == [1, 3, 5, 7]
    assert numbers(urgency="urgent") == [4]
    assert numbers(number_from=6) == [6, 7]
    assert numbers(number_to=2) == [1, 2]
    assert numbers(register_id=reg["incoming"].pk) == [1, 2, 3, 4, 5, 6, 7]
    page = _incoming_rows(clerk, reg["province"], year=YEAR - 1)
    assert len(page.items) == 1
    # Bad filters are refused with their fields.
    with pytest.raises(InvalidInput) as err:
        parse_filters({"date_from": "31/02/2026", "urgency": "slow", "number_from": "x"})
    assert set(err.value.fields) == {"date_from", "urgency", "number_from"}
    with pytest.raises(InvalidInput) as err:
        _incoming_rows(clerk, reg["province"],
                       filters=RegisterFilters(register_id=reg["justice_in"].pk))
    assert "register_id" in err.value.fields


def test_incoming_register_permissions(reg, make_user):
    make_incoming(reg["incoming"], 1, by=reg["clerk"])
    assert len(_incoming_rows(reg["leader"], reg["province"]).items) == 1
    # A clerk of another agency, an officer and a unit head get nothing (403).
    head = make_user("truongphong", reg["org"]["office"], "unit_head", title="Chánh VP")
    for actor in (reg["other_clerk"], reg["officer"], head):
        with pytest.raises(PermissionDenied):
            _incoming_rows(actor, reg["province"])
    # The other clerk reads their own agency's register, which holds nothing of the province.
    assert _incoming_rows(reg["other_clerk"], reg["org"]["justice"]).items == []


def test_incoming_register_keyset_constant_queries(reg, django_assert_max_num_queries):
    clerk = reg["clerk"]
    for n in range(1, 26):
        d = make_incoming(reg["incoming"], n, by=clerk)
        make_assignment(d, by=reg["leader"], unit=reg["org"]["office"])
        make_assignment(d, by=reg["leader"], user=reg["officer"])
    seen, cursor = [], None
    _incoming_rows(clerk, reg["province"], limit=1)  # grants cached on the user
    while True:
        with django_assert_max_num_queries(3):
            page = _incoming_rows(clerk, reg["province"], cursor=cursor, limit=10)
            rows = [r.values for r in page.items]  # noqa: F841 - touches every cell
        seen += [r.id for r in page.items]
        if not page.next:
            break
        cursor = page.next
    assert len(seen) == 25 == len(set(seen))
    with pytest.raises(InvalidInput):
        _incoming_rows(clerk, reg["province"], cursor="garbage!")


# --- Sổ đăng ký văn bản đi ----------------------------------------------------------------------


def test_outgoing_register_rows(reg):
    clerk, leader, officer = reg["clerk"], reg["leader"], reg["officer"]
    out = reg["outgoing"]
    d5 = make_outgoing(out, 5, drafter=officer, signer=leader)
    d3 = make_outgoing(out, 3, drafter=officer, signer=leader, type_code="CV",
                       subject="V/v đôn đốc nộp báo cáo")
    recalled = make_outgoing(out, 4, drafter=officer, signer=leader,
                             state=OutgoingState.RECALLED, recall_reason="Sai thẩm quyền",
                             recalled_at=at(YEAR, 3, 1))
    make_outgoing(out, 6, drafter=officer, signer=leader, state=OutgoingState.REPLACED)
    OutgoingDocument.objects.create(  # a draft is not in the register
        agency=reg["province"], drafting_unit=reg["org"]["office"], drafter=officer,
        doc_type=doc_type("QD"), subject="Dự thảo", signer=leader)
    from egov.documents.selectors.registers import outgoing_register_rows

    page = outgoing_register_rows(actor=clerk, agency=reg["province"], year=YEAR)
    assert [dict((c.key, v) for c, v in r.cells)["code"] for r in page.items] == [
        "03/UBND-VP", "04/QĐ-UBND", "05/QĐ-UBND", "06/QĐ-UBND"]
    assert [c.heading for c, _ in page.items[0].cells] == [
        "Số, ký hiệu văn bản", "Ngày tháng văn bản", "Tên loại và trích yếu nội dung",
        "Người ký", "Nơi nhận văn bản", "Đơn vị, người nhận bản lưu", "Số lượng bản",
        "Ngày chuyển", "Ký nhận", "Ghi chú"]
    row = dict((c.key, v) for c, v in page.items[0].cells)
    assert row["issued_date"] == d3.issued_date
    assert row["type_subject"] == "Công văn V/v đôn đốc nộp báo cáo"
    assert row["signer"] == "KT. Phó Chủ tịch Nguyễn Văn Lãnh"
    assert row["recipients"] == "Sở Nội vụ; Sở Tư pháp"
    assert row["file_copy"] == "Văn phòng UBND tỉnh"
    assert row["copies"] == 3
    assert row["transfer_date"] == d3.issued_date
    assert "Đã thu hồi ngày 01/03/2026: Sai thẩm quyền" in dict(
        (c.key, v) for c, v in page.items[1].cells)["notes"]
    assert recalled.pk == page.items[1].id and d5.pk == page.items[2].id
    with pytest.raises(PermissionDenied):
        outgoing_register_rows(actor=reg["other_clerk"], agency=reg["province"], year=YEAR)


def test_tracking_register_rows(reg):
    clerk, leader = reg["clerk"], reg["leader"]
    done = make_incoming(reg["incoming"], 1, by=clerk, state=IncomingState.DONE,
                         completed_at=at(YEAR, 1, 20, 10), handling_due_date=dt.date(YEAR, 1, 16))
    make_assignment(done, by=leader, unit=reg["org"]["office"], due=dt.date(YEAR, 1, 16),
                    state="done", finished_at=at(YEAR, 1, 20, 10))
    reply = make_outgoing(reg["outgoing"], 7, drafter=reg["officer"], signer=leader,
                          type_code="CV")
    reply.in_reply_to.add(done)
    open_doc = make_incoming(reg["incoming"], 2, by=clerk, state=IncomingState.IN_PROGRESS)
    make_assignment(open_doc, by=leader, user=reg["officer"], due=dt.date(YEAR + 5, 1, 2))
    from egov.documents.selectors.registers import tracking_register_rows

    page = tracking_register_rows(actor=clerk, agency=reg["province"], year=YEAR)
    rows = [dict((c.key, v) for c, v in r.cells) for r in page.items]
    assert [c.heading for c, _ in page.items[0].cells] == [
        "Số đến", "Tên loại, số, ký hiệu, ngày tháng và cơ quan ban hành",
        "Đơn vị hoặc người nhận", "Thời hạn giải quyết", "Tiến độ giải quyết",
        "Số, ký hiệu văn bản trả lời", "Ghi chú"]
    assert rows[0]["document"] == (f"Công văn số 101/BNV-VP ngày "
                                   f"{done.issued_date:%d/%m/%Y} của Bộ Nội vụ")
    assert rows[0]["due_date"] == dt.date(YEAR, 1, 16)
    assert rows[0]["progress"] == "Đã giải quyết ngày 20/01/2026 (quá hạn)"
    assert rows[0]["reply"] == "07/UBND-VP"
    assert rows[1]["receivers"] == "Trần Văn Chuyên"
    assert rows[1]["progress"] == "Đang giải quyết (trong hạn)"


# --- API ----------------------------------------------------------------------------------------


def test_api_incoming_register(reg, client):
    for n in range(1, 4):
        make_incoming(reg["incoming"], n, by=reg["clerk"])
    client.force_login(reg["clerk"])
    url = "/api/v1/documents/registers/incoming"
    r = client.get(url, {"agency_id": reg["province"].pk, "year": YEAR, "limit": 2})
    assert r.status_code == 200, r.content
    body = r.json()
    assert [c["heading"] for c in body["columns"]][:2] == ["Ngày đến", "Số đến"]
    assert [i["arrival_number"] for i in body["items"]] == [1, 2]
    assert body["items"][0]["arrival_date"] == "2026-01-05"
    r2 = client.get(url, {"agency_id": reg["province"].pk, "year": YEAR, "cursor": body["next"]})
    assert [i["arrival_number"] for i in r2.json()["items"]] == [3]
    assert r2.json()["next"] is None
    bad = client.get(url, {"agency_id": reg["province"].pk, "year": YEAR, "date_from": "x"})
    assert bad.status_code == 422 and "date_from" in bad.json()["fields"]
    client.force_login(reg["other_clerk"])
    denied = client.get(url, {"agency_id": reg["province"].pk, "year": YEAR})
    assert denied.status_code == 403 and denied.json()["code"] == "forbidden"
    assert client.get(url, {"agency_id": 999999, "year": YEAR}).status_code == 404


def test_api_outgoing_register(reg, client):
    make_outgoing(reg["outgoing"], 1, drafter=reg["officer"], signer=reg["leader"])
    client.force_login(reg["leader"])
    r = client.get("/api/v1/documents/registers/outgoing",
                   {"agency_id": reg["province"].pk, "year": YEAR})
    assert r.status_code == 200, r.content
    assert r.json()["items"][0]["code"] == "01/QĐ-UBND"
    assert r.json()["items"][0]["recipients"] == "Sở Nội vụ; Sở Tư pháp"


# --- pages --------------------------------------------------------------------------------------


def test_registers_page(reg, client, django_assert_max_num_queries):
    for n in range(1, 4):
        make_incoming(reg["incoming"], n, by=reg["clerk"],
                      subject=f"V/v kiểm tra công tác văn thư đợt {n}")
    client.force_login(reg["clerk"])
    url = reverse("documents:registers")
    client.get(url)  # warm caches (session, content types)
    # 12 + the menu's counts (one statement for every badge, issue 9 §5)
    with django_assert_max_num_queries(13):
        r = client.get(url, {"kind": "incoming_register", "agency": reg["province"].pk,
                             "year": YEAR})
    assert r.status_code == 200
    html = r.content.decode()
    assert "V/v kiểm tra công tác văn thư đợt 3" in html
    assert 'data-label=' in html
    assert reverse("documents:export_create") in html
    make_outgoing(reg["outgoing"], 1, drafter=reg["officer"], signer=reg["leader"],
                  subject="Về việc kiểm tra công tác văn thư năm 2026")
    for kind, text in (("outgoing_register", "01/QĐ-UBND"),
                       ("tracking_register", "Chưa phân công giải quyết")):
        with django_assert_max_num_queries(13):  # 12 + the menu's counts
            r = client.get(url, {"kind": kind, "year": YEAR})
        assert r.status_code == 200 and text in r.content.decode()
    bad = client.get(url, {"kind": "incoming_register", "agency": reg["province"].pk,
                           "year": YEAR, "date_from": "not a date"})
    assert bad.status_code == 200 and "field-error" in bad.content.decode()
    client.force_login(reg["officer"])
    assert client.get(url).status_code == 403


def test_report_page(reg, client):
    d = make_incoming(reg["incoming"], 1, by=reg["clerk"], arrival=at(YEAR, 2, 2))
    make_assignment(d, by=reg["leader"], unit=reg["org"]["office"], due=dt.date(YEAR, 2, 6),
                    state="done", finished_at=at(YEAR, 2, 5))
    client.force_login(reg["leader"])
    r = client.get(reverse("documents:handling_report"),
                   {"agency": reg["province"].pk, "start": "2026-02-01", "end": "2026-02-28"})
    assert r.status_code == 200
    html = r.content.decode()
    assert "Văn phòng UBND tỉnh" in html
    client.force_login(reg["other_clerk"])
    r = client.get(reverse("documents:handling_report"),
                   {"agency": reg["province"].pk, "start": "2026-02-01", "end": "2026-02-28"})
    assert r.status_code == 403
