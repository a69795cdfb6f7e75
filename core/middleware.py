"""Request middleware of the project."""

from django.conf import settings
from django.middleware.locale import LocaleMiddleware
from django.utils import translation


class GermanFirstLocaleMiddleware(LocaleMiddleware):
    """German unless the user picked another language with the switch (the language cookie).

    Django's ``LocaleMiddleware`` would follow the browser's ``Accept-Language``; in a German municipal
    administration an English-language browser is no statement about the working language, and figures
    and terms must match the official German documents. The switch in the header sets the cookie.
    """

    def process_request(self, request):
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        language = chosen if chosen in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()
