"""Civil-status pages: pages (issue 13), included by civil/urls.py."""

urlpatterns: list = []
