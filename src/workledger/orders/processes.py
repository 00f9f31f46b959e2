"""Seed 000's ``process`` of an order line, and its name in the caller's language
(DESIGN §4.8): read answers carry ``process_name``. The translations are in the
catalogues (``locale/*/LC_MESSAGES/messages.po``)."""

from __future__ import annotations

from workledger.kit.i18n import N_, Message

PROCESS_NAMES: dict[int, Message] = {
    1: N_("No action"),
    2: N_("Create equipment"),
    3: N_("Create equipment and job"),
    4: N_("Create equipment and file job"),
}


def process_name(process: int, language: int | None = None) -> str:
    """The name of ``process`` (1-4) in ``language`` (default: the request's)."""
    return PROCESS_NAMES[process].in_language(language)
