import pytest
from django.urls import reverse
from tests.onestop.desk_support import PROC_CODE, build_desk_world
@pytest.fixture
def desk_world(db):
    return build_desk_world()
pytestmark = pytest.mark.django_db

def test_render(client, desk_world):
    client.force_login(desk_world["desk"])
    for url in [reverse("onestop:desk"), reverse("onestop:intake_pick") + "?q=th", reverse("onestop:intake", args=[PROC_CODE])]:
        r = client.get(url)
        assert r.status_code == 200, (url, r.content[:2000])
    r = client.post(reverse("onestop:intake", args=[PROC_CODE]), {"applicant_kind": "person"})
    assert r.status_code == 422
    open("/tmp/intake.html","w").write(r.content.decode())
    r = client.get(reverse("inbox"))
    assert "/onestop/desk/" in r.content.decode()
