"""Chinese unless the user chose otherwise.

Django's LocaleMiddleware follows the browser's Accept-Language, which would show
English to a clerk whose office PC shipped with an English browser. jiceng speaks the
configured LANGUAGE_CODE (zh-hans) until the user picks a language in the menu, which
sets the language cookie.
"""

from django.conf import settings
from django.utils import translation
from django.utils.cache import patch_vary_headers


class LanguageMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self.available = {code for code, _name in settings.LANGUAGES}

    def __call__(self, request):
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        language = chosen if chosen in self.available else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        patch_vary_headers(response, ["Cookie"])
        response.headers.setdefault("Content-Language", language)
        return response
