"""The Ninja API object at /api/v1/. Each module adds its router here."""

from ninja import NinjaAPI

api = NinjaAPI(title="eGov API", version="1", urls_namespace="api")
