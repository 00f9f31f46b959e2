"""Message catalogues for the language codes of DESIGN §4.8.

The API chooses the language with ``language_code`` (query parameter or body field):
0 Norwegian, 1 English (default), 3 Swedish, 4 Danish, 7 Spanish. Every user-facing
text is an English message marked with :func:`N_` in the code and translated from
gettext catalogues managed with Babel (``make messages`` extracts and updates them,
``make install`` compiles them); docs/architecture.md says how to add one.
"""

from __future__ import annotations

import gettext
from contextvars import ContextVar
from functools import cache
from pathlib import Path

NORWEGIAN, ENGLISH, SWEDISH, DANISH, SPANISH = 0, 1, 3, 4, 7
LANGUAGE_CODES = (NORWEGIAN, ENGLISH, SWEDISH, DANISH, SPANISH)

current_language: ContextVar[int] = ContextVar("current_language", default=ENGLISH)

#: Where the catalogues are: ``locale/<nb|sv|da|es>/LC_MESSAGES/messages.po``, compiled to
#: ``.mo`` by ``make install`` (``pybabel compile``). English is the message ids themselves.
LOCALE_DIR = Path(__file__).resolve().parent.parent / "locale"
DOMAIN = "messages"
#: language_code → the catalogue's locale (and the ``Content-Language`` of answers).
LOCALES = {NORWEGIAN: "nb", ENGLISH: "en", SWEDISH: "sv", DANISH: "da", SPANISH: "es"}


class Message(str):
    """A user-facing text: its English wording, which is also its id in the catalogues.

    ``N_("Not enough quantity in inventory.")`` marks it for ``pybabel extract`` and
    keeps it untranslated until an answer is rendered, when :meth:`in_language` looks it
    up in the request's language (gettext falls back to the English id when a catalogue
    lacks it; a test fails on any missing, empty or fuzzy translation).
    """

    __slots__ = ()

    def in_language(self, language: int | None = None) -> str:
        lang = current_language.get() if language is None else language
        if lang == ENGLISH:
            return str(self)
        return catalogue(lang).gettext(self)

    def say(self, **values: object) -> str:
        """In the request's language, its ``{placeholders}`` filled from ``values``:
        ``N_("{name} must be true or false").say(name="total")``."""
        return self.in_language().format(**values)


def N_(text: str) -> Message:  # noqa: N802 - gettext's conventional marker name
    """Mark ``text`` as a catalogued message (extracted by ``pybabel extract -k N_``)."""
    return Message(text)


@cache
def catalogue(language: int) -> gettext.NullTranslations:
    """The compiled catalogue of ``language``. Missing ``.mo`` files fail loudly (at
    startup, see :func:`check_catalogues`) rather than answering in English unnoticed."""
    if language == ENGLISH:
        return gettext.NullTranslations()
    return gettext.translation(DOMAIN, LOCALE_DIR, languages=[LOCALES[language]])


def check_catalogues() -> None:
    """Load every catalogue once; ``FileNotFoundError`` names the fix when one is missing."""
    for language in LANGUAGE_CODES:
        try:
            catalogue(language)
        except FileNotFoundError as missing:
            raise FileNotFoundError(
                f"the {LOCALES[language]} message catalogue is not compiled under "
                f"{LOCALE_DIR}: run `make install` (pybabel compile)"
            ) from missing


#: Problem titles by message id (kit.problems); their translations are in the catalogues.
MESSAGES: dict[str, Message] = {
    'internal': N_('Oops something went wrong. Please contact us so the team can investigate.'),
    'unauthorized': N_('Unauthorized.'),
    'not_found': N_('The resource was not found.'),
    'validation': N_('One or more validation errors occurred.'),
    'cannot_delete': N_('This object cannot be deleted.'),
    'rate_limited': N_('Rate limited.'),
    'not_parsed': N_('The request was not parsed. Please double-check the content of the request.'),
    'bad_request': N_('Bad Request'),
    'forbidden': N_('Forbidden.'),
    'conflict': N_('The resource was changed by another request.'),
    'too_large': N_('The request body is too large.'),
    'method_not_allowed': N_('The method is not allowed on this resource.'),
}

def translate(message_id: str, language: int | None = None) -> str:
    """The problem title ``message_id`` (a key of :data:`MESSAGES`) in ``language``
    (default: the request's); an unknown id is returned as it is."""
    message = MESSAGES.get(message_id)
    return message_id if message is None else message.in_language(language)


def ngettext(singular: str, plural: str, n: int) -> str:
    """The singular or plural form for ``n`` in the request's language (the pages'
    ``{% trans %}…{% pluralize %}`` blocks)."""
    lang = current_language.get()
    if lang == ENGLISH:
        return singular if n == 1 else plural
    return catalogue(lang).ngettext(singular, plural, n)


#: Accept-Language's primary tags → language_code. Nynorsk readers read Bokmål, and
#: "no" is what many browsers send for Norwegian.
ACCEPTED_TAGS = {"nb": NORWEGIAN, "no": NORWEGIAN, "nn": NORWEGIAN, "en": ENGLISH,
                 "sv": SWEDISH, "da": DANISH, "es": SPANISH}


def accept_language(header: str | None) -> int:
    """The language a browser asks for (RFC 9110 §12.5.4: ``da, en-GB;q=0.8``): the
    first of the highest weight that we have, else English. ``q=0`` is "not this";
    a malformed weight counts as 0, a malformed header as absent."""
    if not header:
        return ENGLISH
    best, best_q = ENGLISH, 0.0
    for part in header[:1000].split(","):
        tag, _, params = part.strip().partition(";")
        language = ACCEPTED_TAGS.get(tag.strip().split("-")[0].lower())
        if language is None:
            continue
        q = 1.0
        for param in params.split(";"):
            key, _, value = param.strip().partition("=")
            if key.strip().lower() == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
                if not 0.0 <= q <= 1.0:  # also NaN
                    q = 0.0
        if q > best_q:
            best, best_q = language, q
    return best


def parse_language(raw: str | None) -> int | None:
    """The language for a raw ``language_code`` value, or ``None`` if it is not one."""
    if raw is None:
        return ENGLISH
    # ASCII digits only: int() would also read " 1" and "١" (an Arabic-Indic one).
    if not (raw.isascii() and raw.isdigit()) or len(raw) > 2:
        return None
    code = int(raw)
    return code if code in LANGUAGE_CODES else None
