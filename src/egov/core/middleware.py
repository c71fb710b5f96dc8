"""Vietnamese first: the interface language is the user's explicit choice (the language cookie
set by the switch in the header) and otherwise Vietnamese, whatever the browser's
Accept-Language says. Django's LocaleMiddleware would follow Accept-Language, so an official's
English-language browser would open the Vietnamese government system in English."""

from django.conf import settings
from django.utils import translation
from django.utils.cache import patch_vary_headers


class LanguageMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self.supported = {code for code, _name in settings.LANGUAGES}

    def __call__(self, request):
        lang = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        if lang not in self.supported:
            lang = settings.LANGUAGE_CODE
        translation.activate(lang)
        request.LANGUAGE_CODE = lang
        response = self.get_response(request)
        patch_vary_headers(response, ("Cookie",))
        response.headers.setdefault("Content-Language", lang)
        return response


class ContentSecurityPolicyMiddleware:
    """A strict Content-Security-Policy on every HTML page: scripts and styles only from our own
    static files (no inline script, no inline style, no eval), frames only of our own pages and
    PDFs (and the blob: preview of a PDF chosen for upload), no plugins (<object>/<embed>),
    forms only to ourselves, and no framing by other sites. `connect-src` adds the user's signing
    agent (settings.EGOV_SIGN_AGENT_URL, on 127.0.0.1) and settings.EGOV_CSP_CONNECT_SRC. Files that are not
    HTML get no policy here; a downloaded stored file carries `sandbox`
    (egov.core.files.file_response). The policy is documented in docs/ui.md."""

    def __init__(self, get_response):
        self.get_response = get_response

    @staticmethod
    def policy() -> str:
        agent = getattr(settings, "EGOV_SIGN_AGENT_URL", "")
        extra = [*([agent] if agent else []), *getattr(settings, "EGOV_CSP_CONNECT_SRC", [])]
        connect = " ".join(["'self'", *extra])
        return "; ".join([
            "default-src 'self'",
            "script-src 'self'",
            "style-src 'self'",
            "img-src 'self' data: blob:",
            "font-src 'self'",
            f"connect-src {connect}",
            "frame-src 'self' blob:",
            "object-src 'none'",
            "base-uri 'self'",
            "form-action 'self'",
            "frame-ancestors 'self'",
        ])

    def __call__(self, request):
        response = self.get_response(request)
        if response.get("Content-Type", "").startswith("text/html"):
            response.headers.setdefault("Content-Security-Policy", self.policy())
        return response
