"""The statuses every company's workflows start with (DESIGN §7.1).

Migration 0004 keeps its own frozen copy for the companies that existed before it; a
test checks that both give a company the same workflows.
"""

from __future__ import annotations

from workledger.kit.i18n import N_, Message
from workledger.models import WorkflowType

#: type → its statuses in order: (is_final, English name). The names in the other
#: languages come from the catalogues when a company is made (the name columns hold them
#: from then on: a company renames its statuses as it likes).
DEFAULT_WORKFLOWS: dict[str, tuple[tuple[bool, Message], ...]] = {
    WorkflowType.order.value: (
        (False, N_("New")),
        (False, N_("Confirmed")),
        (False, N_("In progress")),
        (True, N_("Completed")),
    ),
    # The Spanish catalogue's names agree with "la línea" (feminine).
    WorkflowType.order_line.value: (
        (False, N_("Open")),
        (False, N_("Planned")),
        (True, N_("Done")),
    ),
}
