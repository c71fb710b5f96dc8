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
