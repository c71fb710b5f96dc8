"""Pages (filled by the registers work)."""

urlpatterns: list = []
