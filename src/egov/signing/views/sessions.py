"""Web pages of the signing module: sessions (filled in by issue 4)."""

urlpatterns: list = []
