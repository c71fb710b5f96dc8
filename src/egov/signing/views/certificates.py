"""Web pages of the signing module: certificates (filled in by issue 4)."""

urlpatterns: list = []
