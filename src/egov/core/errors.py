"""One application exception type. The API turns it into {"code", "message", "fields"} with a
4xx status; forms show `fields` next to the inputs."""

from __future__ import annotations


class AppError(Exception):
    status = 400

    def __init__(
        self,
        code: str,
        message: str,
        *,
        fields: dict[str, list[str]] | None = None,
        status: int | None = None,
    ) -> None:
        super().__init__(message)
        self.code = code
        self.message = str(message)
        self.fields = {k: [str(m) for m in v] for k, v in (fields or {}).items()}
        if status is not None:
            self.status = status

    def as_dict(self) -> dict:
        return {"code": self.code, "message": self.message, "fields": self.fields}


class InvalidInput(AppError):
    status = 422

    def __init__(self, message: str, *, fields=None, code: str = "invalid") -> None:
        super().__init__(code, message, fields=fields)


class PermissionDenied(AppError):
    status = 403

    def __init__(self, message: str = "", *, code: str = "forbidden") -> None:
        from django.utils.translation import gettext

        super().__init__(code, message or gettext("You do not have permission to do this."))


class NotFound(AppError):
    status = 404

    def __init__(self, message: str = "", *, code: str = "not_found") -> None:
        from django.utils.translation import gettext

        super().__init__(code, message or gettext("Not found."))
