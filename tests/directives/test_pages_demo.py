"""`egov demo` gives the demo leader's directives: some in each of the four buckets, made
through the real services, once; the demo accounts see them on their pages."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from egov.core.models import User
from egov.directives import buckets
from egov.directives.models import Directive, ExtensionState

pytestmark = pytest.mark.django_db


def test_demo_fills_the_four_buckets_once(client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        call_command("demo", stdout=io.StringIO())
    first = Directive.objects.count()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("demo", "--quiet-accounts", stdout=io.StringIO())
    assert Directive.objects.count() == first
    today = timezone.localdate()
    given = Directive.objects.filter(given_by__username="lanhdao", parent__isnull=True)
    found = [buckets.directive_bucket(d, today) for d in given]
    for bucket in ("open_on_time", "open_late", "done_on_time", "done_late"):
        assert found.count(bucket) >= 2, (bucket, found)
    assert given.filter(state="submitted").exists()
    assert given.filter(extensions__state=ExtensionState.PENDING).exists()
    assert Directive.objects.filter(parent__isnull=False, lead_user__username="chuyenvien").exists()
    assert Directive.objects.filter(title__endswith="(mẫu)").count() == first

    client.force_login(User.objects.get(username="lanhdao"))
    html = client.get(reverse("directives:given")).content.decode()
    assert html.count("data-id=") == given.count()
    client.force_login(User.objects.get(username="truongphong"))
    html = client.get(reverse("directives:received")).content.decode()
    assert html.count("data-id=") >= 8
    client.force_login(User.objects.get(username="chuyenvien"))
    html = client.get(reverse("directives:received")).content.decode()
    part = Directive.objects.get(parent__isnull=False, lead_user__username="chuyenvien")
    assert f'data-id="{part.pk}"' in html  # the part split to him
