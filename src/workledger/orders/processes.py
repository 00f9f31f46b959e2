"""Seed 000's ``process`` of an order line, and its names in the five API languages
(DESIGN §4.8): read answers carry ``process_name`` in the caller's language."""

from __future__ import annotations

from workledger.kit.i18n import current_language
from workledger.kit.rules import in_language, translations

PROCESS_NAMES: dict[int, dict[int, str]] = {
    1: translations(en="No action", nb="Ingen handling", sv="Ingen åtgärd",
                    da="Ingen handling", es="Sin acción"),
    2: translations(en="Create equipment", nb="Opprett utstyr", sv="Skapa utrustning",
                    da="Opret udstyr", es="Crear equipo"),
    3: translations(en="Create equipment and job", nb="Opprett utstyr og jobb",
                    sv="Skapa utrustning och jobb", da="Opret udstyr og job",
                    es="Crear equipo y trabajo"),
    4: translations(en="Create equipment and file job", nb="Opprett utstyr og filjobb",
                    sv="Skapa utrustning och filjobb", da="Opret udstyr og filjob",
                    es="Crear equipo y trabajo con formulario"),
}


def process_name(process: int, language: int | None = None) -> str:
    """The name of ``process`` (1-4) in ``language`` (default: the request's)."""
    return in_language(PROCESS_NAMES[process],
                       current_language.get() if language is None else language)
