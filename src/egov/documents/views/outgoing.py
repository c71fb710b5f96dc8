"""Pages (filled by the outgoing work)."""

urlpatterns: list = []
