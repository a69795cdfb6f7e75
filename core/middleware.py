"""Request middleware of the project."""

import decimal
import logging

from django.conf import settings
from django.db import DataError
from django.middleware.locale import LocaleMiddleware
from django.utils import translation
from django.views.defaults import bad_request

logger = logging.getLogger(__name__)
_BAD_INPUT = (DataError, OverflowError, RecursionError, decimal.InvalidOperation, decimal.Overflow)


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


class BadInputMiddleware:
    """Pages: input that got past the form checks into the database or a computation answers 400, not 500.

    The page forms bound their numbers (``core.forms``) and Django's fields refuse NUL characters; should a
    value still overflow a column or a computation, the user gets the 400 page and the log a warning (an
    edge check is missing). The API has the same backstop in ``core.api.exceptions``.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, _BAD_INPUT):
            logger.warning("Input reached %s unchecked: %r", request.path, exception)
            return bad_request(request, exception)
        return None
