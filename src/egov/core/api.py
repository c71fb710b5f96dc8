"""The eGov API at /api/v1/ (OpenAPI at /api/v1/openapi.json, docs at /api/v1/docs).

Authentication (every endpoint unless it says `auth=None`), tried in this order:

1. `Authorization: Bearer egov_…` — a personal API token (egov.core.tokens);
2. the web session cookie; unsafe methods (POST, PUT, PATCH, DELETE) then need the CSRF token
   (header `X-CSRFToken`), as Ninja's django_auth does.

Errors: every 4xx answer has ONE shape, `{"code": str, "message": str, "fields": {name: [msg]}}`
(ARCHITECTURE.md §4.2). The handlers below translate AppError, request validation errors, missing
authentication, not found, permission denied, Ninja's HttpError and Django's ValidationError.
Unknown paths under /api/v1/ and wrong methods answer in the same shape.

Adding a module's endpoints
---------------------------
Write a `Router` in `egov/<app>/api.py` (handlers parse input, call one service or selector and
shape the output) and register it in `egov/urls.py` (the project level, so that the shared kernel
depends on no module), before `api.urls` is mounted:

    from egov.documents.api import router as documents_router
    api.add_router("/documents/", documents_router)

Ninja builds the URL patterns once, when egov/urls.py mounts `api.urls`. The API-wide authentication and error handlers apply to them;
an endpoint that must be public says `auth=None`. Errors are raised, not returned: raise
`InvalidInput` / `NotFound` / `PermissionDenied` (egov.core.errors) or let the service raise.
"""

from __future__ import annotations

import datetime as dt
import functools
from typing import Any

from django.core.exceptions import ObjectDoesNotExist, SuspiciousOperation
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.http.multipartparser import MultiPartParserError
from django.urls import URLPattern, re_path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from ninja import Field, NinjaAPI, Path, Query, Schema, Status
from ninja.errors import AuthenticationError, AuthorizationError, HttpError, ValidationError
from ninja.parser import Parser
from ninja.renderers import JSONRenderer
from ninja.security import APIKeyCookie, HttpBearer
from ninja.utils import check_csrf

from . import jsonlimits, selectors, tokens
from .api_openapi import CURSOR_PATTERN, EgovOpenAPISchema, ErrorOut
from .auth import authenticate_with_lockout
from .errors import AppError, InvalidInput
from .pagination import _bad_cursor as bad_cursor
from .schemas import InputSchema
from .server_errors import log_server_error, server_error_body

BIGINT = 2**63 - 1
LOGIN_FAILURES = {"invalid_credentials", "account_locked"}


# --- input hygiene ------------------------------------------------------------------------------


def _bad_text(value: str) -> bool:
    """NUL characters and lone surrogates cannot be stored (PostgreSQL refuses NUL, UTF-8 cannot
    encode surrogates): refuse them at the door instead of failing in the database."""
    if "\x00" in value:
        return True
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def _unstorable_text() -> InvalidInput:
    return InvalidInput(_("The request contains characters that cannot be stored."),
                        fields={"__all__": [_("Remove control characters.")]})


def _check_strings(data: Any) -> None:
    stack = [data]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            if _bad_text(item):
                raise _unstorable_text()
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)


class EgovParser(Parser):
    """JSON bodies within the size and depth limits of egov.core.jsonlimits (413 `too_large`,
    400 `too_deep`), and only text that can be stored."""

    def parse_body(self, request: HttpRequest):
        try:
            declared = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            declared = 0
        if declared > jsonlimits.max_bytes():  # refused before it is read
            raise jsonlimits.too_large()
        data = jsonlimits.loads_limited(request.body)
        _check_strings(data)
        return data

    def parse_querydict(self, data, list_fields, request):
        result = super().parse_querydict(data, list_fields, request)
        _check_strings(result)
        return result


class EgovRenderer(JSONRenderer):
    """UTF-8 JSON with Vietnamese letters as they are (not \\u escapes)."""

    json_dumps_params = {"ensure_ascii": False}


# --- authentication -----------------------------------------------------------------------------


class TokenAuth(HttpBearer):
    """`Authorization: Bearer <token>`; see egov.core.tokens."""

    def authenticate(self, request: HttpRequest, token: str):
        user = tokens.token_authenticate(token.strip())
        if user is not None:
            request.user = user  # services and policies see the token's owner
        return user


class SessionAuth(APIKeyCookie):
    """The web session, with Django's CSRF check on unsafe methods. Unlike Ninja's django_auth,
    the CSRF check runs only when a session user is there, so an anonymous request gets 401."""

    param_name = "sessionid"

    def __init__(self) -> None:
        from django.conf import settings

        self.param_name = settings.SESSION_COOKIE_NAME
        super().__init__(csrf=False)

    def authenticate(self, request: HttpRequest, key: str | None):
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or not user.is_active:
            return None
        if request.method not in ("GET", "HEAD", "OPTIONS", "TRACE") and not getattr(
            request, "_ninja_csrf_exempt", False
        ):
            if check_csrf(request) is not None:
                raise AppError("csrf_failed", _("The CSRF token is missing or wrong. Reload the "
                                                "page and try again."), status=403)
        return user


class EgovAPI(NinjaAPI):
    """NinjaAPI whose unknown paths and wrong methods answer in the error shape too."""

    def _get_urls(self):
        patterns = super()._get_urls()
        for pattern in patterns:
            if isinstance(pattern, URLPattern):
                pattern.callback = self._json_405(pattern.callback)
        patterns.append(re_path(r"^.*$", csrf_exempt(self._not_found), name="not-found"))
        return patterns

    def get_openapi_schema(self, *, path_prefix=None, path_params=None):
        """Ninja's document with one schema per name and the framework's errors documented
        (egov.core.api_openapi)."""
        if path_prefix is None:
            path_prefix = self.get_root_path(path_params or {})
        return EgovOpenAPISchema(self, path_prefix)

    def _not_found(self, request, *args, **kwargs):
        return error_response(request, 404, "not_found", _("Not found."))

    def _json_405(self, view):
        @functools.wraps(view)
        def wrapper(request, *args, **kwargs):
            response = view(request, *args, **kwargs)
            if response.status_code == 405 and "json" not in response.get("Content-Type", ""):
                allowed = response.get("Allow", "")
                response = error_response(request, 405, "method_not_allowed",
                                          _("This method is not allowed here."))
                if allowed:
                    response["Allow"] = allowed
            return response

        return wrapper


api = EgovAPI(
    title="eGov API",
    version="1",
    description="API of eGov, the e-government suite for Vietnamese People's Committees. "
                "Errors: {code, message, fields} with a 4xx status.",
    urls_namespace="api",
    auth=[TokenAuth(), SessionAuth()],
    parser=EgovParser(),
    renderer=EgovRenderer(),
)


# --- the one error shape ------------------------------------------------------------------------


ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut}


def error_response(request, status: int, code: str, message: str,
                   fields: dict[str, list[str]] | None = None) -> HttpResponse:
    return api.create_response(
        request, {"code": code, "message": str(message), "fields": fields or {}}, status=status
    )


@api.exception_handler(AppError)
def _app_error(request, exc: AppError):
    return api.create_response(request, exc.as_dict(), status=exc.status)


_SOURCES = {"body", "query", "path", "header", "cookie", "form", "file", "payload"}


def _validation_message(err: dict) -> str:
    kind = err.get("type", "")
    ctx = err.get("ctx") or {}
    if kind == "missing":
        return _("This field is required.")
    if kind in {"int_parsing", "int_type", "int_from_float", "float_parsing", "float_type"}:
        return _("Enter a whole number.") if kind.startswith("int") else _("Enter a number.")
    if kind in {"string_type", "string_unicode"}:
        return _("Enter text.")
    if kind == "string_too_long":
        return _("At most %(max)s characters.") % {"max": ctx.get("max_length")}
    if kind == "string_too_short":
        if ctx.get("min_length") == 1:
            return _("This field is required.")
        return _("At least %(min)s characters.") % {"min": ctx.get("min_length")}
    if kind in {"greater_than_equal", "greater_than"}:
        return _("Enter a number of at least %(min)s.") % {
            "min": ctx.get("ge", ctx.get("gt"))}
    if kind in {"less_than_equal", "less_than"}:
        return _("Enter a number of at most %(max)s.") % {"max": ctx.get("le", ctx.get("lt"))}
    if kind in {"bool_parsing", "bool_type"}:
        return _("Enter true or false.")
    if kind.startswith("date") and "time" not in kind:
        return _("Enter a valid date (YYYY-MM-DD).")
    if kind.startswith("datetime"):
        return _("Enter a valid date and time.")
    if kind in {"model_type", "model_attributes_type", "dict_type"}:
        return _("Send a JSON object.")
    if kind in {"list_type", "tuple_type", "set_type"}:
        return _("Send a list.")
    if kind == "string_pattern_mismatch":
        return _("This value is not valid.")
    if kind in {"enum", "literal_error"}:
        return _("Choose one of: %(values)s.") % {"values": ctx.get("expected", "")}
    return str(err.get("msg") or _("This value is not valid."))


def validation_fields(errors: list[dict]) -> dict[str, list[str]]:
    """{field: [messages]} from Ninja/pydantic errors; "body"/"query"/"payload" prefixes dropped,
    nested names joined with dots ("items.0.name"), errors about the whole input under
    "__all__"."""
    fields: dict[str, list[str]] = {}
    for err in errors:
        loc = [str(part) for part in err.get("loc", ())]
        source = loc.pop(0) if loc and loc[0] in _SOURCES else ""
        if source in {"body", "form", "query"} and len(loc) > 1:
            loc.pop(0)  # the handler's schema parameter ("payload"), not a field

        name = ".".join(loc) or "__all__"
        message = _validation_message(err)
        if message not in fields.setdefault(name, []):
            fields[name].append(message)
    return fields


@api.exception_handler(ValidationError)
def _validation_error(request, exc: ValidationError):
    fields = validation_fields(exc.errors)
    if set(fields) == {"cursor"}:  # not url-safe base64 or too long: as pagination says it
        return _app_error(request, bad_cursor())
    return error_response(request, 422, "invalid", _("Check the highlighted fields."), fields)


@api.exception_handler(MultiPartParserError)
@api.exception_handler(SuspiciousOperation)
def _malformed_request(request, exc):
    # A broken multipart body (or an oversized / suspicious one) is the client's error, never a 500.
    return error_response(request, 400, "malformed_body",
                          _("The request body could not be read."))


@api.exception_handler(AuthenticationError)
def _unauthenticated(request, exc):
    return error_response(request, 401, "unauthenticated",
                          _("Sign in or send a valid API token (Authorization: Bearer …)."))


@api.exception_handler(AuthorizationError)
def _unauthorised(request, exc):
    return error_response(request, 403, "forbidden", _("You do not have permission to do this."))


_HTTP_CODES = {400: "bad_request", 401: "unauthenticated", 403: "forbidden", 404: "not_found",
               405: "method_not_allowed", 409: "conflict", 413: "too_large",
               429: "throttled"}


@api.exception_handler(HttpError)
def _http_error(request, exc: HttpError):
    cause = exc.__cause__
    if isinstance(cause, AppError):  # raised while parsing the body (see EgovParser)
        return _app_error(request, cause)
    status = exc.status_code if 400 <= exc.status_code < 500 else 400
    if exc.__cause__ is not None and str(exc).startswith("Cannot parse request body"):
        return error_response(request, 400, "malformed_body",
                              _("The request body is not valid JSON."))
    if status == 403 and "CSRF" in str(exc):
        return error_response(request, 403, "csrf_failed",
                              _("The CSRF token is missing or wrong. Reload the page and try "
                                "again."))
    return error_response(request, status, _HTTP_CODES.get(status, "error"), str(exc))


@api.exception_handler(Http404)
def _http404(request, exc):
    return error_response(request, 404, "not_found", _("Not found."))


@api.exception_handler(ObjectDoesNotExist)
def _does_not_exist(request, exc):
    return error_response(request, 404, "not_found", _("Not found."))


@api.exception_handler(DjangoPermissionDenied)
def _permission_denied(request, exc):
    return error_response(request, 403, "forbidden", _("You do not have permission to do this."))


@api.exception_handler(Exception)
def _server_error(request, exc: Exception):
    """Anything unexpected: logged with its traceback and a reference, answered as JSON 500
    `server_error` carrying the same reference (egov.core.server_errors)."""
    reference = log_server_error(request, (type(exc), exc, exc.__traceback__))
    return api.create_response(request, server_error_body(reference), status=500)


@api.exception_handler(DjangoValidationError)
def _django_validation_error(request, exc: DjangoValidationError):
    if hasattr(exc, "error_dict"):
        fields = {name: [str(m) for m in messages] for name, messages in exc.message_dict.items()}
    else:
        fields = {"__all__": [str(m) for m in exc.messages]}
    return error_response(request, 422, "invalid", _("Check the highlighted fields."), fields)


# --- schemas ------------------------------------------------------------------------------------


class LoginIn(Schema):  # passwords are never altered
    username: str = Field(..., min_length=1, max_length=150)
    password: str = Field(..., min_length=1, max_length=4096)


class TokenOut(Schema):
    token: str


class UnitRef(Schema):
    id: int
    name: str
    electronic_id: str | None = None


class PositionOut(Schema):
    org_unit: UnitRef
    title: str
    roles: list[str]

    @staticmethod
    def resolve_roles(obj) -> list[str]:
        return sorted(role.code for role in obj.roles.all())


class MeOut(Schema):
    username: str
    full_name: str
    positions: list[PositionOut]


class ApiTokenOut(Schema):
    id: int
    name: str
    prefix: str
    created_at: dt.datetime
    last_used_at: dt.datetime | None = None
    revoked_at: dt.datetime | None = None


class ApiTokenPage(Schema):
    items: list[ApiTokenOut]
    next: str | None = None


class ApiTokenIn(InputSchema):
    name: str = Field(..., max_length=100)


class ApiTokenCreated(ApiTokenOut):
    token: str = Field(..., description="The secret; shown only in this answer.")


class InboxItemOut(Schema):
    id: int
    title: str
    module: str
    kind: str
    url: str
    role: str
    urgency: str
    due_at: dt.datetime | None = None
    deadline_state: str = Field(..., description='"none", "in_time", "due_today" or "overdue"')
    created_at: dt.datetime
    assignee_unit: UnitRef | None = None

    @staticmethod
    def resolve_title(obj) -> str:
        # In the language of the request (Accept-Language / the session), not always Vietnamese.
        return obj.display_title


class InboxPage(Schema):
    items: list[InboxItemOut]
    next: str | None = None


class UnitWorkItemOut(InboxItemOut):
    state: str
    assignee_user: str | None = None

    @staticmethod
    def resolve_assignee_user(obj) -> str | None:
        return obj.assignee_user.username if obj.assignee_user_id else None


class UnitWorkPage(Schema):
    items: list[UnitWorkItemOut]
    next: str | None = None


class OrgUnitOut(Schema):
    id: int
    kind: str
    name: str
    abbreviation: str
    electronic_id: str | None = None
    place_name: str
    parent_id: int | None = None
    valid_from: dt.date
    valid_to: dt.date | None = None
    successor_id: int | None = None


class OrgUnitPage(Schema):
    items: list[OrgUnitOut]
    next: str | None = None


class OrgUnitNameOut(Schema):
    name: str
    abbreviation: str
    valid_from: dt.date
    valid_to: dt.date | None = None
    legal_basis: str


class OrgUnitDetailOut(OrgUnitOut):
    parent: UnitRef | None = None
    successor: UnitRef | None = None
    names: list[OrgUnitNameOut]

    @staticmethod
    def resolve_names(obj) -> list:
        return list(obj.names.all())


def _cursor():
    return Query(None, max_length=1000, pattern=CURSOR_PATTERN, description="`next` of the previous page")


def _limit():
    return Query(50, ge=1, le=100, description="Page size (1–100)")


# --- endpoints: authentication and the current user ---------------------------------------------


@api.post("/auth/token", auth=None, response={200: TokenOut, 429: ErrorOut, **ERRORS},
          tags=["auth"], summary="Sign in and get an API token")
def auth_token(request, payload: LoginIn):
    """Exchange a username and password for a personal API token (send it afterwards as
    `Authorization: Bearer <token>`). Failures count towards the same lockout as the web sign-in;
    wrong credentials and a locked account both answer 401 (`invalid_credentials`,
    `account_locked`); too many failures from the client's address answer 429
    (`too_many_attempts`) with Retry-After."""
    try:
        user = authenticate_with_lockout(request, payload.username, payload.password)
    except AppError as exc:
        if exc.code == "too_many_attempts":
            response = error_response(request, exc.status, exc.code, exc.message)
            response["Retry-After"] = str(getattr(exc, "retry_after", 60))
            return response
        if exc.code in LOGIN_FAILURES:
            raise AppError(exc.code, exc.message, fields=exc.fields, status=401) from exc
        raise
    _token, raw = tokens.token_create(
        actor=user, name=_("API sign-in %(date)s") % {"date": f"{timezone.localdate():%d/%m/%Y}"}
    )
    return {"token": raw}


@api.get("/me", response={200: MeOut, **ERRORS}, tags=["me"], summary="The current user")
def me(request):
    """The signed-in user and the posts they hold today (unit, title, role codes)."""
    user = request.auth
    return {"username": user.username, "full_name": user.get_full_name(),
            "positions": selectors.current_positions(user)}


@api.get("/me/tokens", response={200: ApiTokenPage, **ERRORS}, tags=["me"],
         summary="My API tokens")
def my_tokens(request, cursor: str | None = _cursor(), limit: int = _limit()):
    """The current user's tokens, newest first; the secret is never shown again."""
    return selectors.api_token_page(actor=request.auth, cursor=cursor, limit=limit)


@api.post("/me/tokens", response={201: ApiTokenCreated, **ERRORS}, tags=["me"],
          summary="Create an API token")
def create_token(request, payload: ApiTokenIn):
    token, raw = tokens.token_create(actor=request.auth, name=payload.name)
    token.token = raw
    return Status(201, token)


@api.delete("/me/tokens/{token_id}", response={204: None, **ERRORS}, tags=["me"],
            summary="Revoke an API token")
def revoke_token(request, token_id: int = Path(..., ge=1, le=BIGINT)):
    tokens.token_revoke(actor=request.auth, token_id=token_id)
    return Status(204, None)


# --- endpoints: work ----------------------------------------------------------------------------


@api.get("/inbox", response={200: InboxPage, **ERRORS}, tags=["work"],
         summary="My open work items (Việc của tôi)")
def inbox(request, cursor: str | None = _cursor(), limit: int = _limit()):
    """Open work items assigned to me or, unassigned, to a unit where I hold a post (own posts
    and delegations in force), soonest deadline first; keyset-paginated with `next`."""
    return selectors.inbox_page(actor=request.auth, cursor=cursor, limit=limit)


# --- endpoints: organisation --------------------------------------------------------------------


@api.get("/org-units", response={200: OrgUnitPage, **ERRORS}, tags=["organisation"],
         summary="Organisation units")
def org_units(
    request,
    cursor: str | None = _cursor(),
    limit: int = _limit(),
    parent: int | None = Query(None, ge=1, le=BIGINT),
    q: str = Query("", max_length=100),
    include_closed: bool = False,
):
    """Units by name; `parent` lists the direct sub-units of a unit, `q` searches the name,
    abbreviation and electronic identifier; merged or closed units only with
    `include_closed=true`."""
    return selectors.orgunit_page(actor=request.auth, cursor=cursor, limit=limit, parent=parent,
                                  q=q, include_closed=include_closed)


@api.get("/org-units/{unit_id}", response={200: OrgUnitDetailOut, **ERRORS},
         tags=["organisation"], summary="One organisation unit")
def org_unit(request, unit_id: int = Path(..., ge=1, le=BIGINT)):
    """A unit with its parent, its successor (after a merger) and the history of its names."""
    return selectors.orgunit_get(actor=request.auth, unit_id=unit_id)


@api.get("/org-units/{unit_id}/work", response={200: UnitWorkPage, **ERRORS},
         tags=["work"], summary="Open work of a unit")
def org_unit_work(request, unit_id: int = Path(..., ge=1, le=BIGINT), cursor: str | None = _cursor(), limit: int = _limit()):
    """The open work items assigned to a unit (needs `core.view_unit_work` on it)."""
    unit = selectors.orgunit_get(actor=request.auth, unit_id=unit_id)
    return selectors.unit_work_page(actor=request.auth, unit=unit, cursor=cursor, limit=limit)


# --- routers of the modules (see the module docstring) ------------------------------------------

from egov.core.api_calendar import router as calendar_router  # noqa: E402

api.add_router("", calendar_router)
