"""Civil-status pages: stats (issue 13), included by civil/urls.py."""

urlpatterns: list = []
