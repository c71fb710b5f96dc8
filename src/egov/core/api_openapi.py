"""The OpenAPI document of /api/v1/ says what the server really does.

Two rules on top of Ninja's generator (EgovAPI.get_openapi_schema uses this class):

1. One name, one schema. Ninja files every Schema class under its bare class name, so two
   different classes of the same name (say two `ExportIn` in two modules) silently overwrote
   each other and an endpoint showed another endpoint's body. Such a clash now stops the
   generation with ImproperlyConfigured (and the schema test fails).
2. Every error the framework itself can answer is documented, in the one error shape
   (`ErrorOut`; a 500 also carries `reference`, see egov.core.server_errors):
   - 500 on every operation;
   - 401 and 403 when the operation needs authentication (no or a bad token; CSRF);
   - 422 when it takes parameters or a body (validation), 404 when its path has parameters;
   - 400 (unreadable or too deeply nested body) and 413 (too large) when it takes a body;
   - 414 on every operation: gunicorn answers a request line over 4094 bytes with its own HTML
     page before eGov sees the request (any URL can be made that long with junk parameters).
     The description says whether valid parameters can reach it; cursors are url-safe base64
     (CURSOR_PATTERN), so paging alone never does.
   What an endpoint documents itself stays as it is.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ImproperlyConfigured
from ninja import Schema
from ninja.openapi.schema import REF_TEMPLATE, OpenAPISchema
from ninja.schema import NinjaGenerateJsonSchema

DESCRIPTIONS = {
    400: "Bad Request (code malformed_body, too_deep, …)",
    401: "Unauthorized (code unauthenticated)",
    403: "Forbidden (code forbidden, csrf_failed)",
    404: "Not Found (code not_found)",
    413: "Content Too Large (code too_large)",
    422: "Unprocessable Content (code invalid, fields name the inputs)",
    500: "Internal Server Error (code server_error, with a reference for the administrator)",
}


REQUEST_LINE_LIMIT = 4094  # gunicorn's --limit-request-line (default)
CURSOR_PATTERN = r"^[A-Za-z0-9_=-]*$"  # egov.core.pagination writes url-safe base64


def _longest_value(schema: dict[str, Any]) -> float:
    """Bytes of the longest percent-encoded value a parameter schema allows (inf if unbounded)."""
    if "anyOf" in schema:
        return max(_longest_value(s) for s in schema["anyOf"])
    if "enum" in schema:
        return max(len(str(v).encode()) * 3 for v in schema["enum"])
    kind = schema.get("type")
    if kind == "null":
        return 4
    if kind == "boolean":
        return 5
    if kind in ("integer", "number"):
        return 24 if kind == "integer" else float("inf")
    if kind == "string":
        if "max_length" in schema or "maxLength" in schema:
            length = schema.get("maxLength", schema.get("max_length"))
            if schema.get("pattern") == CURSOR_PATTERN:  # unreserved characters, "=" padding
                return length + 6
            return length * 12  # %XX per byte, up to 4 bytes per character
        fmt = schema.get("format")
        return 40 * 3 if fmt in ("date", "date-time", "time", "uuid") else float("inf")
    return float("inf")


def longest_request_line(method: str, path: str, params: list[dict[str, Any]]) -> float:
    line = len(method) + len(path) + len(" HTTP/1.1") + 2
    for param in params:
        value = _longest_value(param.get("schema", {}))
        if param.get("in") == "path":
            line += value
        elif param.get("in") == "query":
            line += len(param["name"]) + 2 + value
    return line


class ErrorOut(Schema):
    code: str
    message: str
    fields: dict[str, list[str]] = {}


class ServerErrorOut(ErrorOut):
    reference: str


def _component(model: type[Schema]) -> dict[str, Any]:
    return model.model_json_schema(ref_template=REF_TEMPLATE,
                                   schema_generator=NinjaGenerateJsonSchema,
                                   mode="serialization")


class EgovOpenAPISchema(OpenAPISchema):
    def add_schema_definitions(self, definitions: dict) -> None:
        for name, schema in definitions.items():
            known = self.schemas.get(name)
            if known is not None and known != schema:
                raise ImproperlyConfigured(
                    f"Two different API schemas are named {name!r}; rename one of the "
                    "classes, otherwise the OpenAPI document shows one in place of the other.")
        super().add_schema_definitions(definitions)

    def _error_ref(self, model: type[Schema]) -> dict[str, Any]:
        self.add_schema_definitions({model.__name__: _component(model)})
        return {"$ref": REF_TEMPLATE.format(model=model.__name__)}

    def operation_details(self, operation) -> dict[str, Any]:
        result = super().operation_details(operation)
        responses = result["responses"]
        params = result.get("parameters") or []
        has_body = bool(result.get("requestBody"))
        codes = [500]
        if result.get("security"):
            codes += [401, 403]
        if params or has_body:
            codes.append(422)
        if any(p.get("in") == "path" for p in params):
            codes.append(404)
        if has_body:
            codes += [400, 413]
        method = next((m for m in operation.methods), "GET")
        path = "/" + self.path_prefix + "documents/" + operation.path  # longest router prefix
        if "414" not in responses and 414 not in responses:
            reachable = longest_request_line(method, path, params) > REQUEST_LINE_LIMIT
            responses[414] = {
                "description": "URI Too Long: the WSGI server's own page, for a request line over "
                               "4094 bytes" + (" (long values of the free-text parameters can "
                                               "reach it)" if reachable else
                                               " (valid parameters stay below it)"),
                "content": {"text/html": {"schema": {"type": "string"}}},
            }
        for code in sorted(codes):
            if code in responses or str(code) in responses:
                continue
            model = ServerErrorOut if code == 500 else ErrorOut
            responses[code] = {
                "description": DESCRIPTIONS[code],
                "content": {self.api.renderer.media_type: {"schema": self._error_ref(model)}},
            }
        return result


def file_response(*content_types: str, description: str = "The file") -> dict[str, Any]:
    """`openapi_extra` of an endpoint that answers a file: its 200 with the content types."""
    binary = {"schema": {"type": "string", "format": "binary"}}
    return {"responses": {200: {"description": description,
                                "content": {t: dict(binary) for t in content_types}}}}
