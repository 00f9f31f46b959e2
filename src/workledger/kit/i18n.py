"""Message catalogues for the language codes of DESIGN §4.8.

The API chooses the language with ``language_code`` (query parameter or body field):
0 Norwegian, 1 English (default), 3 Swedish, 4 Danish, 7 Spanish. Catalogues are plain
dicts keyed by message id so that a missing translation falls back to English instead
of failing a request.
"""

from __future__ import annotations

from contextvars import ContextVar

NORWEGIAN, ENGLISH, SWEDISH, DANISH, SPANISH = 0, 1, 3, 4, 7
LANGUAGE_CODES = (NORWEGIAN, ENGLISH, SWEDISH, DANISH, SPANISH)

current_language: ContextVar[int] = ContextVar("current_language", default=ENGLISH)

CATALOGUE: dict[str, dict[int, str]] = {
    "internal": {
        ENGLISH: "Oops something went wrong. Please contact us so the team can investigate.",
        NORWEGIAN: "Oi, noe gikk galt. Kontakt oss slik at teamet kan undersøke det.",
        SWEDISH: "Hoppsan, något gick fel. Kontakta oss så att teamet kan undersöka det.",
        DANISH: "Ups, noget gik galt. Kontakt os, så teamet kan undersøge det.",
        SPANISH: "Vaya, algo salió mal. Contáctenos para que el equipo pueda investigarlo.",
    },
    "unauthorized": {
        ENGLISH: "Unauthorized.",
        NORWEGIAN: "Ikke autorisert.",
        SWEDISH: "Obehörig.",
        DANISH: "Uautoriseret.",
        SPANISH: "No autorizado.",
    },
    "not_found": {
        ENGLISH: "The resource was not found.",
        NORWEGIAN: "Ressursen ble ikke funnet.",
        SWEDISH: "Resursen hittades inte.",
        DANISH: "Ressourcen blev ikke fundet.",
        SPANISH: "No se encontró el recurso.",
    },
    "validation": {
        ENGLISH: "One or more validation errors occurred.",
        NORWEGIAN: "Det oppstod én eller flere valideringsfeil.",
        SWEDISH: "Ett eller flera valideringsfel inträffade.",
        DANISH: "Der opstod en eller flere valideringsfejl.",
        SPANISH: "Se produjeron uno o más errores de validación.",
    },
    "cannot_delete": {
        ENGLISH: "This object cannot be deleted.",
        NORWEGIAN: "Dette objektet kan ikke slettes.",
        SWEDISH: "Det här objektet kan inte tas bort.",
        DANISH: "Dette objekt kan ikke slettes.",
        SPANISH: "Este objeto no se puede eliminar.",
    },
    "rate_limited": {
        ENGLISH: "Rate limited.",
        NORWEGIAN: "For mange forespørsler.",
        SWEDISH: "För många anrop.",
        DANISH: "For mange forespørgsler.",
        SPANISH: "Límite de solicitudes alcanzado.",
    },
    "not_parsed": {
        ENGLISH: "The request was not parsed. Please double-check the content of the request.",
        NORWEGIAN: "Forespørselen kunne ikke tolkes. Kontroller innholdet i forespørselen.",
        SWEDISH: "Begäran kunde inte tolkas. Kontrollera innehållet i begäran.",
        DANISH: "Forespørgslen kunne ikke fortolkes. Kontrollér indholdet af forespørgslen.",
        SPANISH: "No se pudo interpretar la solicitud. Revise el contenido de la solicitud.",
    },
    "bad_request": {
        ENGLISH: "Bad Request",
        NORWEGIAN: "Ugyldig forespørsel",
        SWEDISH: "Felaktig begäran",
        DANISH: "Ugyldig forespørgsel",
        SPANISH: "Solicitud incorrecta",
    },
    "forbidden": {
        ENGLISH: "Forbidden.",
        NORWEGIAN: "Ingen tilgang.",
        SWEDISH: "Åtkomst nekad.",
        DANISH: "Adgang nægtet.",
        SPANISH: "Prohibido.",
    },
    "conflict": {
        ENGLISH: "The resource was changed by another request.",
        NORWEGIAN: "Ressursen ble endret av en annen forespørsel.",
        SWEDISH: "Resursen ändrades av en annan begäran.",
        DANISH: "Ressourcen blev ændret af en anden forespørgsel.",
        SPANISH: "El recurso fue modificado por otra solicitud.",
    },
    "too_large": {
        ENGLISH: "The request body is too large.",
        NORWEGIAN: "Forespørselens innhold er for stort.",
        SWEDISH: "Begärans innehåll är för stort.",
        DANISH: "Forespørgslens indhold er for stort.",
        SPANISH: "El cuerpo de la solicitud es demasiado grande.",
    },
    "method_not_allowed": {
        ENGLISH: "The method is not allowed on this resource.",
        NORWEGIAN: "Metoden er ikke tillatt for denne ressursen.",
        SWEDISH: "Metoden är inte tillåten för den här resursen.",
        DANISH: "Metoden er ikke tilladt for denne ressource.",
        SPANISH: "El método no está permitido en este recurso.",
    },
}


def translate(message_id: str, language: int | None = None) -> str:
    entry = CATALOGUE.get(message_id)
    if entry is None:
        return message_id
    lang = current_language.get() if language is None else language
    return entry.get(lang) or entry[ENGLISH]


def parse_language(raw: str | None) -> int | None:
    """The language for a raw ``language_code`` value, or ``None`` if it is not one."""
    if raw is None:
        return ENGLISH
    # ASCII digits only: int() would also read " 1" and "١" (an Arabic-Indic one).
    if not (raw.isascii() and raw.isdigit()) or len(raw) > 2:
        return None
    code = int(raw)
    return code if code in LANGUAGE_CODES else None
