"""The desk's pages through Django's test client: who may open what (403 / 404 for another
agency), the intake form (errors by the field, the scans kept, nothing written), the slips'
links, the actions offered by state and permission (and refused otherwise, with nothing
changed), the inbox rows, and the list's constant number of queries."""

from __future__ import annotations

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from egov.core.models import WorkItem
from egov.onestop.models import Dossier, DossierComponent, Slip
from tests.onestop.desk_support import PROC_CODE, build_desk_world, intake
from tests.pdf_samples import clean_pdf

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(db):
    return build_desk_world()


def _client(client, user):
    client.force_login(user)
    return client


def _intake_data(world, **over) -> dict:
    comps = {c.code: c.pk for c in world["procedure"].versions.get().components.all()}
    data = {"applicant_kind": "person", "full_name": "Nguyễn Văn Dân",
            "personal_id": "001099012345", "phone": "0912345678", "email": "dan@example.vn",
            "address": "Thôn 1, xã An Bình", "channel": "counter", "result_delivery": "counter",
            "copies": "1", "decision": "receive",
            f"comp_{comps['TK']}": "on", f"comp_{comps['CC']}": "on"}
    data.update(over)
    return data, comps


def _pdf(name="to-khai.pdf"):
    return SimpleUploadedFile(name, clean_pdf(), content_type="application/pdf")


# --- permissions --------------------------------------------------------------------------------


def test_pages_need_a_desk_permission(client, world):
    c = _client(client, world["nobody"])
    assert c.get(reverse("onestop:desk")).status_code == 403
    assert c.get(reverse("onestop:intake_pick")).status_code == 403
    assert c.get(reverse("onestop:intake", args=[PROC_CODE])).status_code == 403
    # the specialist sees the list but may not receive
    c = _client(client, world["officer"])
    assert c.get(reverse("onestop:desk")).status_code == 200
    assert c.get(reverse("onestop:intake_pick")).status_code == 403


def test_another_agencys_dossier_is_not_found(client, world):
    dossier = intake(world)
    c = _client(client, world["desk2"])
    url = reverse("onestop:dossier", args=[dossier.code])
    assert c.get(url).status_code == 404
    assert c.get(reverse("onestop:dossier", args=["000.01.20.T98-000000-0000"])).status_code \
        == 404
    r = c.post(reverse("onestop:dossier_action", args=[dossier.code, "forward"]), {})
    assert r.status_code == 404
    dossier.refresh_from_db()
    assert dossier.state == "received"
    # and it is not in the other centre's list
    r = c.get(reverse("onestop:desk") + "?tab=received")
    assert dossier.code not in r.content.decode()


def test_an_action_not_offered_changes_nothing(client, world):
    dossier = intake(world)
    c = _client(client, world["desk"])
    # "return" needs a result; "resolve" is the leader's
    for action in ("return", "resolve", "no-such-action"):
        r = c.post(reverse("onestop:dossier_action", args=[dossier.code, action]),
                   {f"{action}-confirm": "on", f"{action}-via": "counter"})
        assert r.status_code in (302, 404), action
        dossier.refresh_from_db()
        assert dossier.state == "received"


# --- intake -------------------------------------------------------------------------------------


def test_pick_finds_the_procedure_by_words(client, world):
    c = _client(client, world["desk"])
    r = c.get(reverse("onestop:intake_pick") + "?q=thông+tin+thử")
    assert r.status_code == 200
    assert reverse("onestop:intake", args=[PROC_CODE]) in r.content.decode()
    r = c.get(reverse("onestop:intake_pick") + "?q=không-có-thủ-tục-này")
    assert reverse("onestop:intake", args=[PROC_CODE]) not in r.content.decode()


def test_intake_complete_gives_the_receipt_link(client, world):
    c = _client(client, world["desk"])
    data, comps = _intake_data(world)
    data[f"file_{comps['TK']}"] = _pdf()
    r = c.post(reverse("onestop:intake", args=[PROC_CODE]), data)
    assert r.status_code == 302, r.content.decode()[:3000]
    dossier = Dossier.objects.get()
    assert dossier.state == "received"
    assert r["Location"].startswith(reverse("onestop:dossier", args=[dossier.code]))
    page = c.get(r["Location"]).content.decode()
    slip = Slip.objects.get(dossier=dossier, form="01")
    assert f"/onestop/slips/{slip.pk}.pdf" in page
    assert 'id="print-receipt"' in page
    assert DossierComponent.objects.filter(dossier=dossier, code="TK",
                                           file__isnull=False).exists()


def test_intake_incomplete_gives_the_guidance_slip(client, world):
    c = _client(client, world["desk"])
    data, comps = _intake_data(world)
    del data[f"comp_{comps['CC']}"]
    r = c.post(reverse("onestop:intake", args=[PROC_CODE]), data)
    assert r.status_code == 302
    dossier = Dossier.objects.get()
    assert dossier.state == "guidance"
    page = c.get(r["Location"]).content.decode()
    slip = Slip.objects.get(dossier=dossier, form="02")
    assert 'id="print-guidance"' in page and f"/onestop/slips/{slip.pk}.pdf" in page


def test_intake_error_keeps_the_scan_and_writes_nothing(client, world):
    c = _client(client, world["desk"])
    data, comps = _intake_data(world, personal_id="12345")  # not 12 digits
    data[f"file_{comps['TK']}"] = _pdf("to-khai-dan.pdf")
    r = c.post(reverse("onestop:intake", args=[PROC_CODE]), data)
    assert r.status_code == 422
    body = r.content.decode()
    assert 'id="id_personal_id_error"' in body
    assert "to-khai-dan.pdf" in body  # "Đã chọn: …"
    token = re.search(rf'name="file_{comps["TK"]}_token" value="([^"]+)"', body).group(1)
    assert not Dossier.objects.exists() and not Slip.objects.exists()
    # sent again with the right number and no new file: the kept scan is used
    data, comps = _intake_data(world)
    data[f"file_{comps['TK']}_token"] = token
    r = c.post(reverse("onestop:intake", args=[PROC_CODE]), data)
    assert r.status_code == 302
    comp = DossierComponent.objects.get(dossier=Dossier.objects.get(), code="TK")
    assert comp.file is not None and comp.file.original_name == "to-khai-dan.pdf"


def test_refusal_needs_a_reason(client, world):
    c = _client(client, world["desk"])
    data, _comps = _intake_data(world, decision="refuse")
    r = c.post(reverse("onestop:intake", args=[PROC_CODE]), data)
    assert r.status_code == 422
    assert 'id="id_refusal_reason_error"' in r.content.decode()
    assert not Dossier.objects.exists()
    data["refusal_reason"] = "Không thuộc thẩm quyền của xã"
    r = c.post(reverse("onestop:intake", args=[PROC_CODE]), data)
    assert r.status_code == 302
    dossier = Dossier.objects.get()
    assert dossier.state == "refused"
    assert 'id="print-refusal"' in c.get(r["Location"]).content.decode()


# --- the dossier page and its actions -----------------------------------------------------------


def _actions(body: str) -> set[str]:
    return set(re.findall(r'id="action-([a-z-]+)"', body))


def test_actions_follow_state_and_permission(client, world):
    dossier = intake(world)
    url = reverse("onestop:dossier", args=[dossier.code])
    desk = _actions(_client(client, world["desk"]).get(url).content.decode())
    assert "forward" in desk and "withdraw" in desk
    assert not {"resolve", "return", "apologise", "accept"} & desk
    client.logout()
    leader = _actions(_client(client, world["leader"]).get(url).content.decode())
    assert "return" not in leader and "accept" not in leader


def test_forward_then_the_specialist_has_a_work_item(client, world):
    dossier = intake(world)
    c = _client(client, world["desk"])
    r = c.post(reverse("onestop:dossier_action", args=[dossier.code, "forward"]),
               {"forward-note": "Chuyển thẩm định"})
    assert r.status_code == 302
    dossier.refresh_from_db()
    assert dossier.state == "processing"
    c.logout()
    c = _client(client, world["officer"])
    inbox = c.get(reverse("inbox")).content.decode()
    # "Việc của tôi": the step's work item, linking to the dossier page
    assert reverse("onestop:dossier", args=[dossier.code]) in inbox
    assert WorkItem.objects.filter(state="open", url__contains=dossier.code).count() == 1
    page = c.get(reverse("onestop:dossier", args=[dossier.code]))
    assert page.status_code == 200
    assert "request-supplement" in _actions(page.content.decode())


def test_return_needs_the_confirmation(client, world):
    from egov.onestop.services import processing as p

    dossier = intake(world)
    p.dossier_forward(actor=world["desk"], code=dossier.code)
    p.dossier_forward(actor=world["officer"], code=dossier.code)
    p.dossier_resolve(actor=world["leader"], code=dossier.code, medium="paper",
                      number="12/GXN")
    c = _client(client, world["desk"])
    url = reverse("onestop:dossier_action", args=[dossier.code, "return"])
    r = c.post(url, {"return-via": "counter"})
    assert r.status_code == 422
    assert 'id="id_return-confirm_error"' in r.content.decode()
    dossier.refresh_from_db()
    assert dossier.state == "resolved"
    r = c.post(url, {"return-via": "counter", "return-confirm": "on"})
    assert r.status_code == 302
    dossier.refresh_from_db()
    assert dossier.state == "returned" and dossier.returned_via == "counter"


def test_supplement_request_error_is_shown_by_the_field(client, world):
    from egov.onestop.services import processing as p

    dossier = intake(world)
    p.dossier_forward(actor=world["desk"], code=dossier.code)
    c = _client(client, world["officer"])
    r = c.post(reverse("onestop:dossier_action", args=[dossier.code, "request-supplement"]),
               {"request-supplement-reason": "Thiếu"})  # no item at all
    assert r.status_code == 422
    assert 'class="error-summary"' in r.content.decode()
    dossier.refresh_from_db()
    assert dossier.state == "processing" and dossier.supplement_requests == 0


# --- the list -----------------------------------------------------------------------------------


def test_list_tabs_filters_and_badges(client, world):
    a = intake(world, n=1)
    b = intake(world, complete=False, n=2)
    c = _client(client, world["desk"])
    body = c.get(reverse("onestop:desk") + "?tab=received").content.decode()
    assert a.code in body and b.code not in body
    assert 'data-due="in_time"' in body
    body = c.get(reverse("onestop:desk") + "?tab=supplement").content.decode()
    assert b.code in body and a.code not in body
    body = c.get(reverse("onestop:desk") + f"?tab=received&q={a.code[-4:]}").content.decode()
    assert a.code in body
    body = c.get(reverse("onestop:desk") + "?tab=received&q=khong-co").content.decode()
    assert a.code not in body
    r = c.get(reverse("onestop:desk") + "?tab=received&cursor=@@bad")
    assert r.status_code == 302


def test_list_pages_and_its_query_count_is_constant(client, world,
                                                    django_assert_max_num_queries):
    for n in range(7):
        intake(world, n=n)
    c = _client(client, world["desk"])
    url = reverse("onestop:desk") + "?tab=received"
    c.get(url)  # warm the session

    from egov.onestop.views import desk as desk_views

    old = desk_views.PAGE_SIZE
    desk_views.PAGE_SIZE = 3
    try:
        with django_assert_max_num_queries(12) as small:
            first = c.get(url)
        n_small = len(small)
        assert 0 < n_small <= 12
        body = first.content.decode()
        nxt = re.search(r'cursor=([^"&]+)"', body)
        assert nxt, "a 'Xem tiếp' link"
        second = c.get(url + "&cursor=" + nxt.group(1))
        seen = set(re.findall(r'data-code="([^"]+)"', body))
        seen2 = set(re.findall(r'data-code="([^"]+)"', second.content.decode()))
        assert len(seen) == 3 and len(seen2) == 3 and not seen & seen2
        desk_views.PAGE_SIZE = 50
        with django_assert_max_num_queries(n_small):
            c.get(url)
    finally:
        desk_views.PAGE_SIZE = old


def test_menu_entries_follow_the_permissions(client, world):
    desk_url, intake_url = reverse("onestop:desk"), reverse("onestop:intake_pick")
    body = _client(client, world["desk"]).get(reverse("inbox")).content.decode()
    assert f'href="{desk_url}"' in body and f'href="{intake_url}"' in body
    client.logout()
    body = _client(client, world["officer"]).get(reverse("inbox")).content.decode()
    assert f'href="{desk_url}"' in body and f'href="{intake_url}"' not in body
    client.logout()
    body = _client(client, world["nobody"]).get(reverse("inbox")).content.decode()
    assert f'href="{desk_url}"' not in body
