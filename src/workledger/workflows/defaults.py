"""The statuses every company's workflows start with (DESIGN §7.1).

Migration 0004 keeps its own frozen copy for the companies that existed before it; a
test checks that both give a company the same workflows.
"""

from __future__ import annotations

from workledger.models import WorkflowType

#: type → its statuses in order: (is_final, {language: name}).
DEFAULT_WORKFLOWS: dict[str, tuple[tuple[bool, dict[str, str]], ...]] = {
    WorkflowType.order.value: (
        (False, {"nb": "Ny", "en": "New", "sv": "Ny", "da": "Ny", "es": "Nuevo"}),
        (False, {"nb": "Bekreftet", "en": "Confirmed", "sv": "Bekräftad", "da": "Bekræftet",
                 "es": "Confirmado"}),
        (False, {"nb": "Under arbeid", "en": "In progress", "sv": "Pågår", "da": "I gang",
                 "es": "En curso"}),
        (True, {"nb": "Fullført", "en": "Completed", "sv": "Slutförd", "da": "Afsluttet",
                "es": "Completado"}),
    ),
    # Spanish names agree with "la línea" (feminine).
    WorkflowType.order_line.value: (
        (False, {"nb": "Åpen", "en": "Open", "sv": "Öppen", "da": "Åben", "es": "Abierta"}),
        (False, {"nb": "Planlagt", "en": "Planned", "sv": "Planerad", "da": "Planlagt",
                 "es": "Planificada"}),
        (True, {"nb": "Ferdig", "en": "Done", "sv": "Klar", "da": "Færdig",
                "es": "Terminada"}),
    ),
}
