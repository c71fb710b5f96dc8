"""Civil-status pages: certificates (issue 13), included by civil/urls.py."""

urlpatterns: list = []
