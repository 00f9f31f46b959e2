"""The names of work-order statuses and types of work in the caller's language (DESIGN
§4.8): read answers carry ``status_name`` and ``type_of_work_name`` beside the codes.
The translations are in the catalogues (``locale/*/LC_MESSAGES/messages.po``); the
connector face keeps seed 003's Dutch status names of its own."""

from __future__ import annotations

from workledger.kit.i18n import N_, Message

STATUS_NAMES: dict[str, Message] = {
    "ready": N_("Ready"),
    "fetched": N_("Fetched"),
    "complete": N_("Complete"),
    "handled": N_("Handled"),
}

TYPE_OF_WORK_NAMES: dict[str, Message] = {
    "installation": N_("Installation"),
    "warranty": N_("Warranty"),
    "delivery": N_("Delivery"),
    "maintenance": N_("Maintenance"),
    "project": N_("Project"),
    "time_and_material": N_("Time and material"),
    "repair": N_("Repair"),
    "service": N_("Service"),
    "malfunction": N_("Malfunction"),
    "sale": N_("Sale"),
    "rental": N_("Rental"),
}
