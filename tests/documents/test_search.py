"""Document search: folding, code search, PDF text, visibility, filters, paging, saved searches.

Documents are made directly with the ORM (not through the incoming/outgoing services), so these
tests depend only on the models, the visibility filters and the search module."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from egov.core.errors import InvalidInput, NotFound
from egov.core.models import OrgUnit, OrgUnitKind
from egov.documents import search as search_index
from egov.documents.models import (
    Assignment,
    DocumentType,
    IncomingDocument,
    OutgoingDocument,
    Register,
    SavedSearch,
)
from egov.documents.selectors.search import document_search, saved_search_list, search_params
from egov.documents.services.search import saved_search_create, saved_search_delete

_numbers = itertools.count(1)


# --- fixtures -------------------------------------------------------------------------------------


@pytest.fixture
def people(org, make_user):
    return make_people(org, make_user)


def make_people(org, make_user) -> dict:
    """Clerks of two agencies (Justice, Finance), a leader of Justice, an officer of a division of
    Justice (sees only what is assigned to them), a user without any post."""
    division = OrgUnit.objects.create(kind=OrgUnitKind.DIVISION, name="Phòng Văn bản",
                                      abbreviation="VB", parent=org["justice"])
    return {
        **org, "division": division,
        "clerk": make_user("vt_stp", org["justice"], "clerk", title="Văn thư",
                           full_name="Lê Thị Văn Thư"),
        "leader": make_user("gd_stp", org["justice"], "leader", title="Giám đốc",
                            full_name="Trần Văn Giám Đốc"),
        "officer": make_user("cv_stp", division, "officer", full_name="Nguyễn Văn Chuyên"),
        "other_clerk": make_user("vt_stc", org["finance"], "clerk", title="Văn thư"),
        "nobody": make_user("khach"),
    }


@pytest.fixture
def make_doc(people):
    """make_doc("incoming"|"outgoing", subject, agency=…, **fields) → a document row."""
    registers: dict[int, Register] = {}
    types = {t.code: t for t in DocumentType.objects.all()}

    def _make(kind: str, subject: str, *, agency=None, type_code: str = "CV", **fields):
        agency = agency or people["justice"]
        doc_type = types[type_code]
        if kind == "incoming":
            if agency.pk not in registers:
                registers[agency.pk] = Register.objects.create(
                    agency=agency, direction="incoming", kind="incoming", name="Sổ văn bản đến")
            values = {
                "agency": agency, "register": registers[agency.pk], "year": 2026,
                "arrival_number": next(_numbers), "arrival_date": timezone.now(),
                "issuer_name": "Ủy ban nhân dân tỉnh Thử Nghiệm", "issued_date": dt.date(2026, 1, 5),
                "doc_type": doc_type, "subject": subject, "registered_by": people["clerk"],
                "signer_name": "Nguyễn Văn Ký",
            }
            values.update(fields)
            return IncomingDocument.objects.create(**values)
        values = {
            "agency": agency, "drafting_unit": agency, "drafter": people["clerk"],
            "doc_type": doc_type, "subject": subject, "signer": people["leader"],
        }
        values.update(fields)
        return OutgoingDocument.objects.create(**values)

    return _make


def ids(page) -> list[tuple[str, int]]:
    return [(hit.kind, hit.id) for hit in page.items]


def find(actor, q="", **filters):
    return ids(document_search(actor=actor, q=q, filters=filters, limit=50))


# --- folding and matching -------------------------------------------------------------------------


@pytest.mark.django_db
def test_words_without_diacritics_find_vietnamese_text(people, make_doc):
    doc = make_doc("incoming", "Quyết định về việc hỗ trợ đồng bào vùng lũ")
    make_doc("incoming", "Kế hoạch tuyển dụng công chức năm 2026")
    clerk = people["clerk"]
    assert find(clerk, "quyet dinh dong") == [("incoming", doc.pk)]
    assert find(clerk, "QUYẾT ĐỊNH ĐỒNG") == [("incoming", doc.pk)]
    assert find(clerk, "Quyết định đồng") == [("incoming", doc.pk)]
    assert find(clerk, "dong bao lu") == [("incoming", doc.pk)]
    assert find(clerk, "quyet dinh xyzzy") == []  # every word must match


@pytest.mark.django_db
def test_don_thu_with_and_without_diacritics(people, make_doc):
    doc = make_doc("outgoing", "Báo cáo kết quả giải quyết đơn thư khiếu nại quý I")
    other = make_doc("outgoing", "Đôn đốc thu ngân sách")  # "don" + "thu" as other words: still
    clerk = people["clerk"]
    assert set(find(clerk, "đơn thư")) == {("outgoing", doc.pk), ("outgoing", other.pk)}
    assert set(find(clerk, "don thu")) == {("outgoing", doc.pk), ("outgoing", other.pk)}
    assert find(clerk, "don thu khieu nai") == [("outgoing", doc.pk)]


@pytest.mark.django_db
def test_metadata_is_searched_and_subject_ranks_first(people, make_doc):
    in_subject = make_doc("incoming", "Về việc cải cách hành chính năm 2026")
    in_meta = make_doc("incoming", "Về việc tổ chức hội nghị",
                       issuer_name="Sở Cải cách hành chính")
    clerk = people["clerk"]
    assert find(clerk, "cai cach hanh chinh") == [("incoming", in_subject.pk),
                                                   ("incoming", in_meta.pk)]
    # type name, signer, signer's position and notes are metadata too
    by_type = make_doc("incoming", "Về việc khen thưởng", type_code="QD",
                       signer_position="Phó Giám đốc", description="Ghi chú đặc biệt")
    assert ("incoming", by_type.pk) in find(clerk, "quyet dinh khen thuong")
    assert find(clerk, "pho giam doc khen thuong") == [("incoming", by_type.pk)]
    assert find(clerk, "ghi chu dac biet") == [("incoming", by_type.pk)]
    # outgoing: the signer's name and our agency's name
    out = make_doc("outgoing", "Về việc phối hợp kiểm tra")
    assert find(clerk, "tran van giam doc phoi hop") == [("outgoing", out.pk)]
    assert ("outgoing", out.pk) in find(clerk, "so tu phap phoi hop")


@pytest.mark.django_db
def test_code_search(people, make_doc):
    exact = make_doc("incoming", "Quyết định giao chỉ tiêu", code="123/QĐ-UBND", number="123",
                     notation="QĐ-UBND", type_code="QD")
    longer = make_doc("incoming", "Quyết định khác", code="1123/QĐ-UBND", type_code="QD")
    qppl = make_doc("outgoing", "Quyết định ban hành quy định", code="15/2024/QĐ-UBND",
                    type_code="QD_QPPL", state="issued", issued_date=dt.date(2024, 3, 1))
    make_doc("incoming", "Không liên quan", code="45/UBND-VP")
    clerk = people["clerk"]
    # codes starting with it first; when none does, codes containing it
    assert find(clerk, "123/qd-ubnd") == [("incoming", exact.pk)]
    assert find(clerk, "123/QĐ-UBND") == [("incoming", exact.pk)]
    assert find(clerk, "123/qd") == [("incoming", exact.pk)]
    assert find(clerk, "23/qd-ubnd") == [("incoming", longer.pk), ("incoming", exact.pk)]
    assert find(clerk, "15/2024") == [("outgoing", qppl.pk)]
    assert find(clerk, "15/2024/qd-ubnd") == [("outgoing", qppl.pk)]
    assert find(clerk, "45/ubnd") == [("incoming", IncomingDocument.objects.get(
        code="45/UBND-VP").pk)]
    # A code-like query that is no code falls back to the words.
    note = make_doc("incoming", "Thực hiện Nghị định 99/2099 về thử nghiệm")
    assert find(clerk, "99/2099") == [("incoming", note.pk)]
    page = document_search(actor=clerk, q="123/qd-ubnd", limit=10)
    assert page.items[0].code == "123/QĐ-UBND" and page.items[0].type_code == "QD"


@pytest.mark.django_db
def test_reindex_on_change_and_delete(people, make_doc):
    doc = make_doc("incoming", "Về việc sửa chữa trụ sở")
    clerk = people["clerk"]
    assert find(clerk, "sua chua tru so") == [("incoming", doc.pk)]
    doc.subject = "Về việc mua sắm thiết bị"
    doc.save()
    assert find(clerk, "sua chua tru so") == []
    assert find(clerk, "mua sam thiet bi") == [("incoming", doc.pk)]
    # a save that touches no indexed field keeps the index as it is, at no cost
    doc.state = "done"
    doc.save(update_fields=["state"])
    assert find(clerk, "mua sam thiet bi") == [("incoming", doc.pk)]
    loaded = IncomingDocument.objects.defer("text_content").get(pk=doc.pk)
    loaded.state = "in_progress"
    with CaptureQueriesContext(connection) as ctx:
        loaded.save()
    assert len(ctx.captured_queries) == 1  # the UPDATE alone
    assert "text_content" not in loaded.__dict__  # the deferred text was not fetched
    loaded.description = "Ghi chú mới về trụ sở"
    loaded.save()
    assert find(clerk, "ghi chu moi") == [("incoming", doc.pk)]
    out = make_doc("outgoing", "Dự thảo tờ trình xin ý kiến")
    assert find(clerk, "du thao to trinh") == [("outgoing", out.pk)]
    out.delete()
    assert find(clerk, "du thao to trinh") == []
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM documents_outgoing_fts WHERE rowid = %s",
                           [out.pk or 0])
            assert cursor.fetchone()[0] == 0


@pytest.mark.django_db
def test_reindex_all(people, make_doc):
    a = make_doc("incoming", "Về việc xây dựng nông thôn mới", code="7/UBND-KT")
    b = make_doc("outgoing", "Kế hoạch xây dựng nông thôn mới")
    counts = search_index.reindex_all()
    assert counts["incoming"] >= 1 and counts["outgoing"] >= 1
    assert set(find(people["clerk"], "nong thon moi")) == {("incoming", a.pk),
                                                           ("outgoing", b.pk)}
    assert find(people["clerk"], "7/ubnd-kt") == [("incoming", a.pk)]


# --- visibility ------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_only_visible_documents(people, make_doc):
    mine = make_doc("incoming", "Về việc phòng chống thiên tai", code="11/UBND-TT")
    theirs = make_doc("incoming", "Về việc phòng chống thiên tai", code="12/UBND-TT",
                      agency=people["finance"])
    out_theirs = make_doc("outgoing", "Phương án phòng chống thiên tai",
                          agency=people["finance"], drafter=people["other_clerk"],
                          signer=people["other_clerk"])
    clerk, other, officer = people["clerk"], people["other_clerk"], people["officer"]
    assert find(clerk, "phong chong thien tai") == [("incoming", mine.pk)]
    assert set(find(other, "phong chong thien tai")) == {("incoming", theirs.pk),
                                                         ("outgoing", out_theirs.pk)}
    for q in ("phong chong thien tai", "11/ubnd", "12/ubnd", ""):
        assert ("incoming", mine.pk) not in find(other, q)
        assert ("incoming", theirs.pk) not in find(clerk, q)
        assert find(officer, q) == []
        assert find(people["nobody"], q) == []
    # the officer sees a document once it is assigned to them or to their division
    Assignment.objects.create(document=mine, role="lead", assignee_user=officer,
                              assigned_by=people["leader"])
    assert find(officer, "thien tai") == [("incoming", mine.pk)]
    assert find(officer, "11/ubnd-tt") == [("incoming", mine.pk)]
    assert find(officer) == [("incoming", mine.pk)]


@pytest.mark.django_db
def test_search_branches_equal_the_visibility_filters(people, make_doc, make_user):
    """The index-friendly pieces of the search give exactly visibility.py's sets."""
    from egov.documents.selectors.search import (
        incoming_search_branches,
        outgoing_search_branches,
    )
    from egov.documents.selectors.visibility import incoming_visible_q, outgoing_visible_q

    docs_in = [make_doc("incoming", f"Văn bản {i}", agency=agency)
               for i, agency in enumerate([people["justice"], people["finance"],
                                           people["province"], people["commune"]])]
    make_doc("outgoing", "Dự thảo của phòng", drafting_unit=people["division"],
             drafter=people["officer"])
    make_doc("outgoing", "Dự thảo của Sở Tài chính", agency=people["finance"],
             drafter=people["other_clerk"], signer=people["other_clerk"])
    make_doc("outgoing", "Dự thảo của xã", agency=people["commune"],
             drafter=people["other_clerk"], signer=people["leader"])
    Assignment.objects.create(document=docs_in[1], role="inform",
                              assignee_unit=people["division"], assigned_by=people["leader"])
    Assignment.objects.create(document=docs_in[2], role="lead", assignee_user=people["clerk"],
                              assigned_by=people["leader"])
    head = make_user("tp_stp", people["division"], "unit_head", title="Trưởng phòng")
    admin = make_user("root", None, is_superuser=True)
    for user in [*(people[k] for k in ("clerk", "leader", "officer", "other_clerk", "nobody")),
                 head, admin]:
        user = type(user).objects.get(pk=user.pk)
        visible_in = set(IncomingDocument.objects.filter(incoming_visible_q(user))
                         .values_list("pk", flat=True))
        branches_in = set()
        for q in incoming_search_branches(user):
            branches_in |= set(IncomingDocument.objects.filter(q).values_list("pk", flat=True))
        assert branches_in == visible_in, user.username
        visible_out = set(OutgoingDocument.objects.filter(outgoing_visible_q(user))
                          .values_list("pk", flat=True))
        branches_out = set()
        for q in outgoing_search_branches(user):
            branches_out |= set(OutgoingDocument.objects.filter(q).values_list("pk", flat=True))
        assert branches_out == visible_out, user.username


@pytest.mark.django_db
def test_anonymous_sees_nothing(people, make_doc):
    from django.contrib.auth.models import AnonymousUser

    make_doc("incoming", "Về việc công khai")
    assert find(AnonymousUser(), "cong khai") == []


# --- filters -----------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_filters(people, make_doc):
    clerk = people["clerk"]
    old = make_doc("incoming", "Báo cáo tổng kết năm", type_code="BC", urgency="urgent",
                   arrival_date=timezone.make_aware(dt.datetime(2025, 12, 31, 23, 30)),
                   issuer_name="Sở Nội vụ")
    new = make_doc("incoming", "Báo cáo sơ kết quý", type_code="BC", state="done",
                   arrival_date=timezone.make_aware(dt.datetime(2026, 1, 1, 0, 30)),
                   issuer_name="Ủy ban nhân dân xã An Bình")
    out = make_doc("outgoing", "Báo cáo gửi tỉnh", type_code="BC", state="issued",
                   code="5/BC-STP", issued_date=dt.date(2026, 1, 1),
                   issued_at=timezone.make_aware(dt.datetime(2026, 1, 1, 9)),
                   drafting_unit=people["division"])
    make_doc("incoming", "Công văn về báo cáo", type_code="CV")
    q = "bao cao"
    assert set(find(clerk, q, kind="incoming")) >= {("incoming", old.pk), ("incoming", new.pk)}
    assert all(k == "incoming" for k, _ in find(clerk, q, kind="incoming"))
    assert find(clerk, q, kind="outgoing") == [("outgoing", out.pk)]
    assert set(find(clerk, q, type="BC")) == {("incoming", old.pk), ("incoming", new.pk),
                                              ("outgoing", out.pk)}
    assert find(clerk, q, urgency="urgent") == [("incoming", old.pk)]
    assert find(clerk, q, state="done") == [("incoming", new.pk)]
    assert find(clerk, q, state="issued") == [("outgoing", out.pk)]
    # dates are local (Asia/Ho_Chi_Minh) days, both ends included
    assert set(find(clerk, q, **{"from": "2026-01-01", "to": "2026-01-01"})) == {
        ("incoming", new.pk), ("outgoing", out.pk)}
    assert find(clerk, q, **{"to": "2025-12-31"}) == [("incoming", old.pk)]
    # issuer: a folded substring, on the incoming issuer and the outgoing agency
    assert find(clerk, q, issuer="uy ban nhan dan xa") == [("incoming", new.pk)]
    assert find(clerk, q, issuer="SỞ NỘI VỤ") == [("incoming", old.pk)]
    assert find(clerk, q, issuer="so tu phap") == [("outgoing", out.pk)]
    # unit: the agency, a unit it is assigned to, the drafting unit
    assert find(clerk, q, unit=str(people["division"].pk)) == [("outgoing", out.pk)]
    Assignment.objects.create(document=old, role="lead", assignee_unit=people["division"],
                              assigned_by=people["leader"])
    assert set(find(clerk, q, unit=people["division"].pk)) == {("incoming", old.pk),
                                                              ("outgoing", out.pk)}
    # filters without words: newest first
    assert find(clerk, type="BC", kind="incoming") == [("incoming", new.pk),
                                                       ("incoming", old.pk)]


@pytest.mark.django_db
@pytest.mark.parametrize("filters, field", [
    ({"kind": "sideways"}, "kind"), ({"state": "lost"}, "state"),
    ({"urgency": "someday"}, "urgency"), ({"from": "2026-13-01"}, "from"),
    ({"to": "yesterday"}, "to"), ({"unit": "abc"}, "unit"), ({"unit": "-3"}, "unit"),
    ({"unit": str(2**70)}, "unit"), ({"from": "2026-02-01", "to": "2026-01-01"}, "to"),
    ({"type": "x" * 30}, "type"), ({"q": "x" * 201}, "q"), ({"q": "\x00abc"}, "q"),
    ({"q": "!!! ??? ***"}, "q"), ({"issuer": "y" * 201}, "issuer"),
])
def test_bad_parameters_are_422(people, filters, field):
    with pytest.raises(InvalidInput) as exc:
        document_search(actor=people["clerk"], q=filters.pop("q", ""), filters=filters)
    assert exc.value.status == 422
    assert field in exc.value.fields


# --- paging ---------------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("q", ["ke hoach phat trien", "", "10/kh-stp", "0/kh-stp"])
def test_paging_walks_every_match_once(people, make_doc, q):
    expected = set()
    for i in range(7):
        kind = "incoming" if i % 2 else "outgoing"
        subject = "Kế hoạch phát triển " + ("kinh tế " * (i % 3)) + f"số {i}"
        # codes starting with "10/kh-stp" (one equal), all containing "0/kh-stp"
        code = "10/KH-STP" if i == 3 else f"10/KH-STP-{i}"
        doc = make_doc(kind, subject, code=code, type_code="KH",
                       **({"arrival_date": timezone.now() - dt.timedelta(hours=i)}
                          if kind == "incoming" else {}))
        expected.add((kind, doc.pk))
    make_doc("incoming", "Không khớp", agency=people["finance"])
    seen, cursor, pages = [], None, 0
    while True:
        page = document_search(actor=people["clerk"], q=q, cursor=cursor, limit=3)
        pages += 1
        seen.extend(ids(page))
        assert len(page.items) <= 3
        if not page.next:
            break
        cursor = page.next
    assert len(seen) == len(set(seen)) == 7
    assert set(seen) == expected
    assert pages == 3
    # the pages follow the order of one big page
    assert seen == ids(document_search(actor=people["clerk"], q=q, limit=50))


@pytest.mark.django_db
@pytest.mark.parametrize("cursor", ["nope", "W10", "WyJ0ZXh0Il0", "WyJ6eiIsMSwiaW5jb21pbmciLDFd",
                                    "x" * 2000, "WyJ0ZXh0IiwiYSIsImluY29taW5nIiwxXQ"])
def test_bad_cursor_is_422(people, cursor):
    with pytest.raises(InvalidInput) as exc:
        document_search(actor=people["clerk"], q="ke hoach", cursor=cursor)
    assert exc.value.code == "bad_cursor"


@pytest.mark.django_db
def test_query_count_is_bounded(people, make_doc, django_assert_max_num_queries):
    for i in range(30):
        make_doc("incoming" if i % 2 else "outgoing", f"Thông báo lịch công tác tuần {i}",
                 code=f"{i + 1}/TB-STP", type_code="TB")
    clerk = people["clerk"]
    for q in ("thong bao lich cong tac", "1/tb-stp", ""):
        fresh = type(clerk).objects.get(pk=clerk.pk)  # grants not cached yet
        with django_assert_max_num_queries(8):
            page = document_search(actor=fresh, q=q, limit=20)
        assert page.items


# --- text of the PDF --------------------------------------------------------------------------------


def vietnamese_pdf(text: str) -> bytes:
    from weasyprint import HTML

    html = f"""<html lang="vi"><head><meta charset="utf-8"><style>
      body {{ font-family: "Liberation Serif", "Times New Roman", serif; font-size: 13pt; }}
    </style></head><body><p>ỦY BAN NHÂN DÂN XÃ AN BÌNH</p><p>{text}</p></body></html>"""
    return HTML(string=html).write_pdf()


@pytest.mark.django_db
def test_pdf_text_is_found_after_the_extraction_job(people, make_doc,
                                                    django_capture_on_commit_callbacks):
    from django_tasks_db.models import DBTaskResult

    from egov.core import files
    from egov.documents.tasks_search import extract_document_text

    pdf = vietnamese_pdf("Báo cáo khắc phục hậu quả cơn bão số 3 tại thôn Đồng Xuân, "
                         "đề nghị hỗ trợ kinh phí sửa chữa đê điều.")
    stored = files.file_store(actor=people["clerk"], upload=("bao-cao.pdf", pdf),
                              require={files.PDF})
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        doc = make_doc("incoming", "Về việc đề nghị hỗ trợ", file=stored)
    assert callbacks  # the extraction job was enqueued after commit
    job = DBTaskResult.objects.filter(task_path__endswith="extract_document_text").latest(
        "enqueued_at")
    assert job.queue_name == "cpu"
    assert find(people["clerk"], "dong xuan de dieu") == []

    assert extract_document_text.call("incoming", doc.pk) > 50
    doc.refresh_from_db()
    assert "Đồng Xuân" in doc.text_content
    assert find(people["clerk"], "dong xuan de dieu") == [("incoming", doc.pk)]
    assert find(people["clerk"], "ĐỒNG XUÂN đê điều") == [("incoming", doc.pk)]
    hit = document_search(actor=people["clerk"], q="de dieu").items[0]
    assert "đê điều" in hit.snippet
    # still only for those who may see it
    assert find(people["other_clerk"], "dong xuan de dieu") == []
    # running the job again gives the same text (idempotent)
    extract_document_text.call("incoming", doc.pk)
    assert find(people["clerk"], "dong xuan de dieu") == [("incoming", doc.pk)]


@pytest.mark.django_db
def test_outgoing_issued_pdf_text(people, make_doc, django_capture_on_commit_callbacks):
    from egov.core import files
    from egov.documents.search import document_text_extract

    out = make_doc("outgoing", "Công văn về việc kiểm tra")
    stored = files.file_store(actor=people["clerk"],
                              upload=("cv.pdf", vietnamese_pdf("Nội dung kiểm tra đột xuất "
                                                               "trường mầm non Hoa Sen")),
                              require={files.PDF})
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        out.issued_file = stored
        out.save()
    assert len(callbacks) == 1  # a file was added: one extraction scheduled
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        out.save()
    assert callbacks == []  # same file: nothing new to extract
    assert document_text_extract(kind="outgoing", document_id=out.pk) > 0
    assert find(people["clerk"], "mam non hoa sen") == [("outgoing", out.pk)]


@pytest.mark.django_db
def test_extraction_without_pdf_or_text(people, make_doc):
    from egov.documents.search import document_text_extract

    doc = make_doc("incoming", "Không có tệp")
    assert document_text_extract(kind="incoming", document_id=doc.pk) == 0
    assert document_text_extract(kind="incoming", document_id=10**9) == 0
    with pytest.raises(ValueError):
        document_text_extract(kind="secret", document_id=doc.pk)


def test_textextract_errors_and_cleaning(tmp_path):
    from egov.documents.textextract import TextExtractionError, clean_text, pdf_text

    broken = tmp_path / "broken.pdf"
    broken.write_bytes(b"%PDF-1.4\nnot really a pdf")
    with pytest.raises(TextExtractionError):
        pdf_text(broken)
    with pytest.raises(TextExtractionError):
        pdf_text(tmp_path / "missing.pdf")
    big = tmp_path / "big.pdf"
    big.write_bytes(b"%PDF-1.4\n" + b"0" * 2000)
    with pytest.raises(TextExtractionError):
        pdf_text(big, max_bytes=1000)
    assert clean_text("a\x00b\x0cc   d\n\n\n\n\ne\x07") == "ab\n\nc d\n\ne"
    assert clean_text("x" * 50, max_chars=10) == "x" * 10
    good = tmp_path / "good.pdf"
    good.write_bytes(vietnamese_pdf("Nghị quyết về đất đai"))
    assert "Nghị quyết về đất đai" in pdf_text(good)


# --- saved searches ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_saved_searches(people):
    clerk, other = people["clerk"], people["other_clerk"]
    saved = saved_search_create(actor=clerk, name="  Văn bản   khẩn ",
                                params={"q": "quyet dinh", "urgency": "urgent", "junk": "x",
                                        "kind": ""})
    assert saved.name == "Văn bản khẩn"
    assert saved.params == {"q": "quyet dinh", "urgency": "urgent"}
    assert [s.pk for s in saved_search_list(actor=clerk)] == [saved.pk]
    assert saved_search_list(actor=other) == []
    # the params run again as they were saved
    assert search_params(saved.params).urgency == "urgent"

    before = SavedSearch.objects.count()
    for name, params, code in [
        ("Văn bản khẩn", {"q": "khac"}, "duplicate_name"),
        ("", {"q": "x"}, "invalid"),
        ("n" * 101, {"q": "x"}, "invalid"),
        ("Trống", {}, "empty_search"),
        ("Sai", {"state": "nowhere"}, "invalid"),
    ]:
        with pytest.raises(InvalidInput) as exc:
            saved_search_create(actor=clerk, name=name, params=params)
        assert exc.value.code == code
    assert SavedSearch.objects.count() == before  # nothing half-written

    with pytest.raises(NotFound):
        saved_search_delete(actor=other, saved_search_id=saved.pk)
    assert SavedSearch.objects.filter(pk=saved.pk).exists()
    saved_search_delete(actor=clerk, saved_search_id=saved.pk)
    assert not SavedSearch.objects.filter(pk=saved.pk).exists()
    with pytest.raises(NotFound):
        saved_search_delete(actor=clerk, saved_search_id=saved.pk)


@pytest.mark.django_db
def test_saved_searches_are_limited(people):
    from egov.documents.services.search import MAX_SAVED_SEARCHES

    clerk = people["clerk"]
    SavedSearch.objects.bulk_create([
        SavedSearch(user=clerk, name=f"Tìm {i}", params={"q": str(i)})
        for i in range(MAX_SAVED_SEARCHES)])
    with pytest.raises(InvalidInput) as exc:
        saved_search_create(actor=clerk, name="Một nữa", params={"q": "x"})
    assert exc.value.code == "too_many_saved_searches"


@pytest.mark.django_db
def test_code_search_is_one_statement(people, make_doc, django_assert_max_num_queries):
    """Issue 9 §4: a code search costs the actor's posts and grants (read once, and reused for
    the units the assignments are matched with) and one statement for the page — both kinds in
    one UNION where the database can order and limit its parts (PostgreSQL), one per kind
    elsewhere — with no query per row."""
    for i in range(25):
        make_doc("incoming" if i % 2 else "outgoing", f"Thông báo số {i}",
                 code=f"{i + 1}/TB-STP", type_code="TB", state="issued",
                 issued_date=dt.date(2026, 2, 1))
    clerk = people["clerk"]
    page_queries = 1 if connection.features.supports_slicing_ordering_in_compound else 2
    for q in ("1/tb-stp", "2/tb-st"):
        fresh = type(clerk).objects.get(pk=clerk.pk)  # grants not cached yet
        with django_assert_max_num_queries(2 + page_queries):
            page = document_search(actor=fresh, q=q, limit=20)
        assert page.items and all(h.url.endswith(f"/{h.id}/") for h in page.items)
        assert all(h.agency == people["justice"].name and h.type_code == "TB"
                   for h in page.items)
    # a substring (no code starts with "0/tb-stp" but "10/TB-STP" and "20/TB-STP" contain it):
    # the miss of the prefix statement, then the substring's
    fresh = type(clerk).objects.get(pk=clerk.pk)
    with django_assert_max_num_queries(2 + 2 * page_queries):
        page = document_search(actor=fresh, q="0/tb-stp", limit=20)
    assert [h.code for h in page.items] == ["20/TB-STP", "10/TB-STP"]


@pytest.mark.django_db
@pytest.mark.parametrize("grants_loaded", [False, True])
def test_code_search_sees_exactly_the_visibility_filters(people, make_doc, make_user,
                                                         grants_loaded):
    """The code search reads the actor's posts and grants inside its PL/pgSQL functions on
    PostgreSQL (code_search.py), whether or not policy.grants_for already read them in the
    request (the search page does): either way it must find exactly what visibility.py lets
    each actor see — agency grants, unit
    grants, assignments to the person or their unit, own drafts and signatures, delegations, the
    superuser — by prefix, by substring and page after page."""
    from egov.core import policy
    from egov.core.models import Delegation, Position

    def fresh(user):
        user = type(user).objects.get(pk=user.pk)
        if grants_loaded:
            policy.grants_for(user)
        return user
    from egov.documents.selectors.visibility import incoming_visible_q, outgoing_visible_q

    agencies = [people["justice"], people["finance"], people["province"], people["commune"]]
    docs_in = [make_doc("incoming", f"Văn bản {i}", agency=agency, code=f"{i + 1}0/VIS-IN")
               for i, agency in enumerate(agencies)]
    make_doc("outgoing", "Dự thảo của phòng", drafting_unit=people["division"],
             drafter=people["officer"], code="50/VIS-OUT")
    make_doc("outgoing", "Dự thảo của Sở Tài chính", agency=people["finance"],
             drafter=people["other_clerk"], signer=people["other_clerk"], code="60/VIS-OUT")
    make_doc("outgoing", "Dự thảo của xã", agency=people["commune"],
             drafter=people["other_clerk"], signer=people["leader"], code="70/VIS-OUT")
    Assignment.objects.create(document=docs_in[1], role="inform",
                              assignee_unit=people["division"], assigned_by=people["leader"])
    Assignment.objects.create(document=docs_in[2], role="lead", assignee_user=people["clerk"],
                              assigned_by=people["leader"])
    head = make_user("tp_stp", people["division"], "unit_head", title="Trưởng phòng")
    admin = make_user("root", None, is_superuser=True)
    stand_in = make_user("thay_the", None)  # holds the Finance clerk's post by delegation
    Delegation.objects.create(position=Position.objects.get(user=people["other_clerk"]),
                              delegate=stand_in, start=dt.date(2000, 1, 1),
                              end=dt.date(2099, 12, 31))
    seen = {}
    for user in [*(people[k] for k in ("clerk", "leader", "officer", "other_clerk", "nobody")),
                 head, admin, stand_in]:
        user = type(user).objects.get(pk=user.pk)
        expected = {("incoming", pk) for pk in IncomingDocument.objects.filter(
            incoming_visible_q(user), code__contains="/VIS-").values_list("pk", flat=True)}
        expected |= {("outgoing", pk) for pk in OutgoingDocument.objects.filter(
            outgoing_visible_q(user), code__contains="/VIS-").values_list("pk", flat=True)}
        # "0/vis-" starts no code: the substring search; "10/vis-in" starts one
        found = set()
        page = document_search(actor=fresh(user), q="0/vis-", limit=2)
        while True:
            found |= set(ids(page))
            if not page.next:
                break
            page = document_search(actor=fresh(user), q="0/vis-", limit=2, cursor=page.next)
        assert found == expected, user.username
        assert set(find(fresh(user), "10/vis-in")) == expected & {("incoming", docs_in[0].pk)}, \
            user.username
        seen[user.username] = len(expected)
    assert seen["root"] == 7 and seen["khach"] == 0
    # the delegation gives the post's view (Finance's documents), not the holder's own drafts
    assert seen["thay_the"] == 2 and seen["vt_stc"] == 3
