"""Pages (filled by the incoming work)."""

urlpatterns: list = []
