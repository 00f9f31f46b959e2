"""Explicit state transition tables (DESIGN §7: orders, purchase orders, work orders).

A :class:`StateTable` names a member (``status``), its states and, for each state, the
states it may move to. Anything else is refused with a business rule naming the member:
code 30 by default, or the rule a state declares for itself (an order that is being
prepared refuses changes with 3026, a delivered one with 3025). Actions declare the
states they may start from with :meth:`StateTable.require`.

The table is data, so the docs and tests read it instead of restating it::

    WORK_ORDER_STATES = StateTable("status", {
        "ready": {"fetched", "complete"},
        "fetched": {"complete"},
        "complete": {"fetched", "handled"},
        "handled": set(),
    })
    WORK_ORDER_STATES.move(work_order, "complete")   # or 422 code 30 naming "status"
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from workledger.kit.i18n import N_
from workledger.kit.rules import BusinessRule


class StateTable:
    def __init__(
        self,
        member: str,
        transitions: Mapping[str, Iterable[str]],
        *,
        refusals: Mapping[str, type[BusinessRule]] | None = None,
    ) -> None:
        self.member = member
        self.transitions = {state: frozenset(targets) for state, targets in transitions.items()}
        unknown = {t for targets in self.transitions.values() for t in targets} - set(self)
        if unknown:
            raise ValueError(f"{member}: transitions to undeclared states {sorted(unknown)}")
        self.refusals = dict(refusals or {})
        if set(self.refusals) - set(self):
            raise ValueError(f"{member}: refusals for undeclared states")

    def __iter__(self):
        return iter(self.transitions)

    @property
    def states(self) -> tuple[str, ...]:
        return tuple(self.transitions)

    @property
    def final(self) -> tuple[str, ...]:
        """States nothing leaves."""
        return tuple(state for state, targets in self.transitions.items() if not targets)

    def allows(self, current: str, target: str) -> bool:
        return target == current or target in self.transitions.get(current, ())

    def check(self, current: str, target: str) -> None:
        """Refuse ``current → target`` unless the table lists it (staying put is no move)."""
        if not self.allows(current, target):
            raise self._rule(current).on(
                self.member, "invalid_transition", current=current, target=target,
                detail=(N_("Allowed from '{current}': {targets}.").say(
                    current=current, targets=", ".join(sorted(targets)))
                    if (targets := self.transitions.get(current)) else
                    N_("Allowed from '{current}': nothing.").say(current=current)),
            )

    def move(self, obj: Any, target: str) -> None:
        self.check(getattr(obj, self.member), target)
        setattr(obj, self.member, target)

    def require(self, obj: Any, allowed: Iterable[str], *, doing: str) -> None:
        """Refuse ``doing`` (an action's name) unless ``obj`` is in one of ``allowed``."""
        current = getattr(obj, self.member)
        if current not in set(allowed):
            raise self._rule(current).on(
                self.member, "action_not_allowed", action=doing, current=current
            )

    def _rule(self, current: str) -> type[BusinessRule]:
        return self.refusals.get(current, BusinessRule)

    def table(self) -> list[tuple[str, tuple[str, ...]]]:
        """``[(state, (targets...)), ...]`` in declaration order, for docs."""
        return [(state, tuple(sorted(targets))) for state, targets in self.transitions.items()]
