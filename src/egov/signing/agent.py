"""`egov sign-agent`: the local signing agent for the user's own USB token (docs/sign-agent.md).

A small HTTP service on 127.0.0.1 (never another interface) that signs with any PKCS#11 module —
the token vendor's driver, SoftHSM2 in tests. The web page asks it to sign; the agent downloads
the prepared PDF from the server's single-use URL, signs it (PAdES, pyHanko, the visible stamp of
:class:`egov.signing.pades.StampSpec`) and uploads it to the server's single-use URL. The PIN is
read when the agent starts and never leaves this process; the browser never sees it.

Security:
- bound to 127.0.0.1 only; requests whose Host is not the loopback address are refused (DNS
  rebinding);
- CORS: only the origins given with ``allow_origins`` get an answer (others 403); POST /v1/sign
  needs ``Content-Type: application/json``, so a browser always sends a pre-flight first;
- the download and upload URLs must belong to one of the allowed origins (the agent never sends
  a signed file elsewhere) unless no origin is configured (command-line use).

The module needs no Django: it can be shipped on its own with pyHanko and python-pkcs11.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
import logging
import threading
import urllib.error
import urllib.parse
import urllib.request
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from . import pades
from .signers import DEFAULT_PKCS11_MODULE, Pkcs11Source, SignerConfigError

log = logging.getLogger("egov.sign_agent")

PROTOCOL = 1
DEFAULT_PORT = 8987
HOST = "127.0.0.1"
MAX_BODY = 1024 * 1024          # the JSON request (an appearance image fits easily)
MAX_PDF = 100 * 1024 * 1024     # the downloaded PDF

# Answer codes ("status"): 0 ok, the VGCA ones (documents.md §17) and ours.
OK = 0
BAD_REQUEST = 1
FORBIDDEN = 3
NOT_FOUND = 4
CANCELLED = 11
NO_CERTIFICATE = 12
DOWNLOAD_FAILED = 20
SIGNING_FAILED = 21
UPLOAD_REFUSED = 22


class AgentError(Exception):
    def __init__(self, status: int, message: str, http_status: int = 400, **extra) -> None:
        super().__init__(message)
        self.status, self.message, self.http_status, self.extra = (status, message, http_status,
                                                                   extra)

    def body(self) -> dict:
        return {"status": self.status, "message": self.message, **self.extra}


def _origin_of(url: str) -> str:
    parts = urllib.parse.urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}".lower()


class SignAgent:
    """The agent; ``start()`` serves in a background thread, ``serve_forever()`` in this one."""

    def __init__(self, *, module: str = DEFAULT_PKCS11_MODULE, token_label: str, pin: str,
                 allow_origins: list[str] | tuple[str, ...] = (), port: int = DEFAULT_PORT,
                 timeout: float = 30.0, timestamper=None) -> None:
        self.module = module
        self.token_label = token_label
        self._pin = pin
        self.allow_origins = {o.rstrip("/").lower() for o in allow_origins if o}
        self.timeout = timeout
        self.timestamper = timestamper
        self._lock = threading.Lock()   # one token operation at a time
        self._thread: threading.Thread | None = None
        self.httpd = ThreadingHTTPServer((HOST, port), self._handler_class())
        self.httpd.daemon_threads = True

    # ------------------------------------------------------------ life cycle

    @property
    def port(self) -> int:
        return self.httpd.server_address[1]

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.port}"

    def check_token(self) -> None:
        """Open the token now (wrong PIN, missing token or module → SignerConfigError)."""
        self._session()

    def start(self) -> SignAgent:
        self._thread = threading.Thread(target=self.httpd.serve_forever, name="egov-sign-agent",
                                        daemon=True)
        self._thread.start()
        return self

    def serve_forever(self) -> None:
        self.httpd.serve_forever()

    def stop(self) -> None:
        if self._thread is not None:
            self.httpd.shutdown()
            self._thread.join(timeout=5)
            self._thread = None
        self.httpd.server_close()

    # ------------------------------------------------------------ the token

    def _session(self):
        """The logged-in PKCS#11 session, shared with :class:`Pkcs11Source` (same cache key), so
        that one process never logs in to the same token twice."""
        from pyhanko.config.pkcs11 import TokenCriteria
        from pyhanko.sign.pkcs11 import open_pkcs11_session

        key = (self.module, self.token_label, hashlib.sha256(self._pin.encode()).hexdigest())
        with Pkcs11Source._lock:
            session = Pkcs11Source._sessions.get(key)
            if session is None:
                try:
                    session = open_pkcs11_session(
                        self.module, token_criteria=TokenCriteria(label=self.token_label),
                        user_pin=self._pin)
                except Exception as exc:  # noqa: BLE001 - pkcs11 raises many unrelated classes
                    raise SignerConfigError(f"cannot open PKCS#11 token {self.token_label!r}: "
                                            f"{type(exc).__name__} {exc}") from exc
                Pkcs11Source._sessions[key] = session
                Pkcs11Source.sessions_opened += 1
        return session

    def _token_objects(self) -> list[dict]:
        """Certificates that have a private key (same CKA_ID, or same label) on the token."""
        from cryptography import x509
        from pkcs11 import Attribute, ObjectClass

        session = self._session()
        keys = []
        for key in session.get_objects({Attribute.CLASS: ObjectClass.PRIVATE_KEY}):
            keys.append({"id": _attr(key, Attribute.ID), "label": _attr(key, Attribute.LABEL)})
        result = []
        for obj in session.get_objects({Attribute.CLASS: ObjectClass.CERTIFICATE}):
            der = bytes(obj[Attribute.VALUE])
            cert_id = _attr(obj, Attribute.ID)
            label = _attr(obj, Attribute.LABEL)
            key = next((k for k in keys if cert_id and k["id"] == cert_id), None) or next(
                (k for k in keys if label and k["label"] == label), None)
            try:
                parsed = x509.load_der_x509_certificate(der)
            except ValueError:
                continue
            result.append({"der": der, "cert": parsed, "id": cert_id, "label": label,
                           "key": key, "sha256": hashlib.sha256(der).hexdigest()})
        return result

    def certificates(self) -> list[dict]:
        with self._lock:
            objects = self._token_objects()
        return [{
            "id": (o["id"] or b"").hex(),
            "label": (o["label"] or b"").decode("utf-8", "replace"),
            "subject": o["cert"].subject.rfc4514_string(),
            "issuer": o["cert"].issuer.rfc4514_string(),
            "serial": format(o["cert"].serial_number, "x"),
            "not_before": o["cert"].not_valid_before_utc.isoformat(),
            "not_after": o["cert"].not_valid_after_utc.isoformat(),
            "sha256": o["sha256"],
            "der": base64.b64encode(o["der"]).decode(),
        } for o in objects if o["key"] is not None]

    def _signer(self, certificate_sha256: str | None):
        objects = self._token_objects()
        with_keys = [o for o in objects if o["key"] is not None]
        if certificate_sha256:
            chosen = [o for o in with_keys if o["sha256"] == certificate_sha256.lower()]
        else:
            chosen = with_keys
        if len(chosen) != 1:
            raise AgentError(NO_CERTIFICATE, "The requested certificate is not on the token."
                             if certificate_sha256 else
                             "Several keys are on the token: say which (certificate_sha256).",
                             409)
        target = chosen[0]
        others = [o["label"].decode("utf-8", "replace") for o in objects
                  if o is not target and o["label"]]
        key_label = target["key"]["label"]
        cert_label = target["label"]
        if key_label and cert_label:
            return Pkcs11Source.get(token_label=self.token_label, pin=self._pin,
                                    module=self.module,
                                    key_label=key_label.decode("utf-8", "replace"),
                                    cert_label=cert_label.decode("utf-8", "replace"),
                                    other_certs_to_pull=others)
        # Objects without labels: select by CKA_ID.
        from cryptography.hazmat.primitives.asymmetric.ec import EllipticCurvePublicKey
        from pyhanko.sign.pkcs11 import PKCS11Signer

        is_ec = isinstance(target["cert"].public_key(), EllipticCurvePublicKey)
        return PKCS11Signer(self._session(), key_id=target["key"]["id"], cert_id=target["id"],
                            other_certs_to_pull=others, use_raw_mechanism=is_ec)

    # ------------------------------------------------------------ signing

    def _check_url(self, url: object, name: str) -> str:
        if not isinstance(url, str) or not url:
            raise AgentError(BAD_REQUEST, f"{name} is required.")
        parts = urllib.parse.urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise AgentError(BAD_REQUEST, f"{name} must be an http(s) URL.")
        if self.allow_origins and _origin_of(url) not in self.allow_origins:
            raise AgentError(FORBIDDEN, f"{name} is not on an allowed server.", 403)
        return url

    def _download(self, url: str) -> bytes:
        try:
            with urllib.request.urlopen(urllib.request.Request(url, method="GET"),
                                        timeout=self.timeout) as resp:
                data = resp.read(MAX_PDF + 1)
        except urllib.error.HTTPError as exc:
            raise AgentError(DOWNLOAD_FAILED, f"The server refused the download "
                             f"(HTTP {exc.code}): {_server_message(exc)}", 502) from None
        except (urllib.error.URLError, OSError) as exc:
            raise AgentError(DOWNLOAD_FAILED, f"The download failed: {exc}", 502) from None
        if len(data) > MAX_PDF or not data.startswith(b"%PDF-"):
            raise AgentError(DOWNLOAD_FAILED, "The downloaded file is not a PDF.", 502)
        return data

    def _upload(self, url: str, data: bytes, filename: str = "signed.pdf") -> dict:
        boundary = uuid.uuid4().hex
        body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"uploadfile\"; "
                f"filename=\"{filename}\"\r\nContent-Type: application/pdf\r\n\r\n").encode()
        body += data + f"\r\n--{boundary}--\r\n".encode()
        req = urllib.request.Request(url, data=body, method="POST", headers={
            "Content-Type": f"multipart/form-data; boundary={boundary}",
            "Accept": "application/json"})
        try:
            with urllib.request.urlopen(req, timeout=self.timeout) as resp:
                answer = _json_or_text(resp.read())
        except urllib.error.HTTPError as exc:
            answer = _json_or_text(exc.read())
            message = answer.get("message") or answer.get("Message") or f"HTTP {exc.code}"
            raise AgentError(UPLOAD_REFUSED, f"The server refused the signed file: {message}",
                             502, upload=answer) from None
        except (urllib.error.URLError, OSError) as exc:
            raise AgentError(UPLOAD_REFUSED, f"The upload failed: {exc}", 502) from None
        if answer.get("Status") is False:
            raise AgentError(UPLOAD_REFUSED, "The server refused the signed file: "
                             f"{answer.get('Message') or answer.get('message')}", 502,
                             upload=answer)
        return answer

    def sign(self, request: dict) -> dict:
        """Run one /v1/sign request (see the module docstring)."""
        if not isinstance(request, dict):
            raise AgentError(BAD_REQUEST, "Send a JSON object.")
        download_url = self._check_url(request.get("download_url"), "download_url")
        upload_url = self._check_url(request.get("upload_url"), "upload_url")
        field = request.get("field") or "leader_signature"
        if not isinstance(field, str) or len(field) > 100:
            raise AgentError(BAD_REQUEST, "field must be a name.")
        appearance = _appearance(request.get("appearance"))
        pdf = self._download(download_url)
        with self._lock:
            try:
                signer = self._signer(request.get("certificate_sha256") or None)
                signed = pades.sign_pdf(pdf, signer, field_name=field,
                                        reason=str(request.get("reason") or "")[:200],
                                        location=str(request.get("location") or "")[:200],
                                        appearance=appearance, certify=bool(request.get("certify")),
                                        timestamper=self.timestamper)
            except AgentError:
                raise
            except Exception as exc:  # noqa: BLE001 - any token/pyHanko failure is reported
                log.exception("signing failed")
                raise AgentError(SIGNING_FAILED, f"Signing failed: {type(exc).__name__}: {exc}",
                                 500) from None
        answer = self._upload(upload_url, signed)
        return {"status": OK, "message": "Signed and uploaded.", "upload": answer}

    # ------------------------------------------------------------ HTTP

    def info(self) -> dict:
        return {"agent": "egov-sign-agent", "protocol": PROTOCOL, "module": self.module,
                "token": self.token_label}

    def _handler_class(self):
        agent = self

        class Handler(BaseHTTPRequestHandler):
            server_version = "egov-sign-agent/1"
            protocol_version = "HTTP/1.1"

            def log_message(self, fmt, *args):  # quiet; the command logs what matters
                log.debug("%s - %s", self.address_string(), fmt % args)

            def _origin_ok(self) -> bool:
                origin = self.headers.get("Origin")
                return origin is None or origin.rstrip("/").lower() in agent.allow_origins

            def _host_ok(self) -> bool:
                host = (self.headers.get("Host") or "").lower()
                return host in {f"127.0.0.1:{agent.port}", f"localhost:{agent.port}",
                                "127.0.0.1", "localhost"}

            def _send(self, http_status: int, body: dict | None, *, preflight=False) -> None:
                payload = b"" if body is None else json.dumps(body, ensure_ascii=False).encode()
                self.send_response(http_status)
                origin = self.headers.get("Origin")
                if origin and origin.rstrip("/").lower() in agent.allow_origins:
                    self.send_header("Access-Control-Allow-Origin", origin)
                    self.send_header("Vary", "Origin")
                    if preflight:
                        self.send_header("Access-Control-Allow-Methods", "GET, POST")
                        self.send_header("Access-Control-Allow-Headers", "Content-Type")
                        self.send_header("Access-Control-Allow-Private-Network", "true")
                        self.send_header("Access-Control-Max-Age", "600")
                if body is not None:
                    self.send_header("Content-Type", "application/json; charset=utf-8")
                self.send_header("Content-Length", str(len(payload)))
                self.send_header("Cache-Control", "no-store")
                self.end_headers()
                if payload:
                    self.wfile.write(payload)

            def _guard(self) -> bool:
                if not self._host_ok():
                    self._send(403, {"status": FORBIDDEN, "message": "Wrong Host header."})
                    return False
                if not self._origin_ok():
                    self._send(403, {"status": FORBIDDEN,
                                     "message": "This web site may not use the signing agent."})
                    return False
                return True

            def do_OPTIONS(self):  # noqa: N802 - http.server naming
                if self._guard():
                    self._send(204, None, preflight=True)

            def do_GET(self):  # noqa: N802
                if not self._guard():
                    return
                path = urllib.parse.urlsplit(self.path).path
                try:
                    if path == "/v1/info":
                        return self._send(200, agent.info())
                    if path == "/v1/certificates":
                        return self._send(200, {"certificates": agent.certificates()})
                    raise AgentError(NOT_FOUND, "Not found.", 404)
                except AgentError as err:
                    self._send(err.http_status, err.body())
                except SignerConfigError as exc:
                    self._send(503, {"status": NO_CERTIFICATE, "message": str(exc)})

            def do_POST(self):  # noqa: N802
                if not self._guard():
                    return
                path = urllib.parse.urlsplit(self.path).path
                try:
                    if path != "/v1/sign":
                        raise AgentError(NOT_FOUND, "Not found.", 404)
                    ctype = (self.headers.get("Content-Type") or "").split(";")[0].strip()
                    if ctype != "application/json":
                        raise AgentError(BAD_REQUEST, "Send JSON (Content-Type: "
                                         "application/json).", 415)
                    try:
                        length = int(self.headers.get("Content-Length") or 0)
                    except ValueError:
                        length = -1
                    if length < 0 or length > MAX_BODY:
                        raise AgentError(BAD_REQUEST, "The request is too large.", 413)
                    try:
                        request = json.loads(self.rfile.read(length) or b"null")
                    except ValueError:
                        raise AgentError(BAD_REQUEST, "The request is not valid JSON.") from None
                    self._send(200, agent.sign(request))
                except AgentError as err:
                    self._send(err.http_status, err.body())
                except SignerConfigError as exc:
                    self._send(503, {"status": SIGNING_FAILED, "message": str(exc)})

        return Handler


# ---------------------------------------------------------------- helpers

def _attr(obj, attribute) -> bytes | None:
    try:
        value = obj[attribute]
    except Exception:  # noqa: BLE001 - attribute missing / not readable
        return None
    if isinstance(value, str):
        return value.encode()
    return bytes(value) if value is not None else None


def _json_or_text(raw: bytes) -> dict:
    try:
        value = json.loads(raw.decode("utf-8"))
    except (ValueError, UnicodeDecodeError):
        return {"message": raw[:300].decode("utf-8", "replace")}
    return value if isinstance(value, dict) else {"message": str(value)[:300]}


def _server_message(exc: urllib.error.HTTPError) -> str:
    answer = _json_or_text(exc.read())
    return str(answer.get("message") or answer.get("Message") or "")


def _appearance(value) -> pades.StampSpec | None:
    if value in (None, {}):
        return None
    if not isinstance(value, dict):
        raise AgentError(BAD_REQUEST, "appearance must be an object.")
    try:
        box = tuple(float(v) for v in value.get("box") or pades.DEFAULT_BOX)
        if len(box) != 4 or box[2] <= box[0] or box[3] <= box[1]:
            raise ValueError
        page = int(value.get("page", -1))
        font_size = int(value.get("font_size") or 9)
        if not 4 <= font_size <= 24:
            raise ValueError
    except (TypeError, ValueError):
        raise AgentError(BAD_REQUEST, "appearance.box must be [x1, y1, x2, y2], page a "
                         "number and font_size 4-24.") from None
    image = value.get("image_png")
    image_png = None
    if image:
        try:
            image_png = base64.b64decode(image, validate=True)
        except (ValueError, TypeError):
            raise AgentError(BAD_REQUEST, "appearance.image_png must be base64.") from None
        if not image_png.startswith(b"\x89PNG"):
            raise AgentError(BAD_REQUEST, "appearance.image_png must be a PNG image.")
    return pades.StampSpec(name=str(value.get("name") or "")[:200],
                           title=str(value.get("title") or "")[:200],
                           box=box, page=page, image_png=image_png, font_size=font_size,
                           signed_at=dt.datetime.now(dt.UTC))
