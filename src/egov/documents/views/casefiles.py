"""Pages (filled by the casefiles work)."""

urlpatterns: list = []
