"""Web pages of the signing module: batches (filled in by issue 4)."""

urlpatterns: list = []
