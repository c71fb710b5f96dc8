"""Civil-status pages: intake (issue 13), included by civil/urls.py."""

urlpatterns: list = []
