"""The public catalogue pages (portal, no login): search by text without diacritics, field and
level; a procedure's page with its components, fees, times, legal basis, the form download and
the link to apply online; an earlier code redirects; unknown → 404."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from egov.core.files import file_store
from egov.onestop.models import ProcedureComponent

pytestmark = pytest.mark.django_db

LIST = "/public/procedures/"


def pdf_bytes() -> bytes:
    from weasyprint import HTML

    return HTML(string="<p>Tờ khai đăng ký khai sinh</p>").write_pdf()


def test_list_without_login_and_search(client, django_assert_max_num_queries):
    with django_assert_max_num_queries(4):
        r = client.get(LIST)
    assert r.status_code == 200
    body = r.content.decode()
    assert "Đăng ký khai sinh" in body and "Thủ tục hành chính" in body

    body = client.get(LIST, {"q": "khai sinh"}).content.decode()
    assert "Đăng ký khai sinh" in body and "Đăng ký kết hôn" not in body
    assert 'href="/public/procedures/1.001193/"' in body

    body = client.get(LIST, {"field": "Chứng thực"}).content.decode()
    assert "Chứng thực chữ ký" in body and "Đăng ký khai sinh" not in body
    body = client.get(LIST, {"level": "province"}).content.decode()
    assert "Đăng ký biến động" in body and "Đăng ký khai sinh" not in body
    body = client.get(LIST, {"q": "không có thủ tục này"}).content.decode()
    assert "Không có thủ tục nào phù hợp" in body


def test_list_bad_input_never_fails(client):
    assert client.get(LIST, {"cursor": "%%%"}).status_code == 200
    assert client.get(LIST, {"field": "Không có"}).status_code == 200
    assert client.get(LIST, {"level": "district"}).status_code == 200
    assert client.get(LIST, {"q": "x" * 500}).status_code == 200


def test_pages_follow(client, monkeypatch):
    from egov.portal import views_catalogue

    monkeypatch.setattr(views_catalogue, "PAGE_SIZE", 5)
    seen, url = [], LIST + "?q=dang+ky"
    for _ in range(10):
        r = client.get(url)
        seen += [i.procedure.code for i in r.context["page"].items]
        if not r.context["page"].next:
            break
        url = LIST + "?q=dang+ky&cursor=" + r.context["page"].next
        assert "cursor=" in r.content.decode() and "q=dang+ky" in r.content.decode()
    assert len(seen) > 5 and seen == sorted(set(seen))


def test_detail_page(client):
    r = client.get(f"{LIST}2.000815/")
    assert r.status_code == 200
    body = r.content.decode()
    assert "Chứng thực bản sao từ bản chính" in body
    assert "Trong ngày" in body and "sau 15 giờ" in body
    assert "2.000 đồng" in body
    assert "Nghị định số 23/2015/NĐ-CP" in body
    assert 'href="/public/apply/2.000815/"' in body and "Nộp trực tuyến" in body
    assert "xuất trình" in body.lower()  # the copy kind of a shown original

    r = client.get(f"{LIST}1.004873/")
    body = r.content.decode()
    assert "3 ngày làm việc" in body
    assert "1.003559" in body

    assert "Nộp trực tuyến" not in client.get(f"{LIST}2.000884/").content.decode()


def test_old_code_redirects_and_unknown_is_404(client):
    r = client.get(f"{LIST}1.003559/")
    assert r.status_code == 302 and r["Location"] == f"{LIST}1.004873/"
    assert client.get(f"{LIST}9.999999/").status_code == 404


def test_form_download(client, org, make_user):
    user = make_user("uploader", org["commune"])
    stored = file_store(actor=user, upload=SimpleUploadedFile(
        "to-khai.pdf", pdf_bytes(), content_type="application/pdf"))
    comp = ProcedureComponent.objects.get(version__procedure__code="1.001193",
                                          version__effective_to__isnull=True, code="TK")
    comp.form_file = stored
    comp.save()
    body = client.get(f"{LIST}1.001193/").content.decode()
    url = f"{LIST}1.001193/forms/TK/"
    assert f'href="{url}"' in body
    r = client.get(url)
    assert r.status_code == 200
    assert b"".join(r.streaming_content) == stored.file.open("rb").read()
    api = client.get("/api/v1/onestop/procedures/1.001193").json()
    assert api["components"][0]["form_url"] == url
    assert client.get(f"{LIST}1.001193/forms/GCS/").status_code == 404
