"""Business rules: the 422 answers with code 30 or 3001-3027 (seed 002, DESIGN §4.5, §7).

One class per code of seed 002's table "Error Codes and Responses", each with the
table's message in the five languages of DESIGN §4.8. The problem body is::

    {"type": ..., "title": "<the code's message, in the caller's language>",
     "status": 422, "code": "3008", "detail": "<optional, worded with N_ at the raise>",
     "traceId": ...,
     "violations": [{"memberNames": ["lines[2].quantity"],
                     "errorMessage": "<a catalogued message, in the caller's language>"}]}

(the ``violations`` entries are seed 000's "Logic/state error response"). Raising one::

    raise NotEnoughInventory.on("lines[2].quantity")
    raise BusinessRule.on("workflow_status_id", "invalid_workflow_status_id")
    raise InvalidReference.on("supplier_id")
    raise BusinessRule.on("status", "invalid_transition", current="ready", target="handled")
    raise NotEnoughInventory(Violation("lines[0].quantity"), Violation("lines[2].quantity"))

Messages are translated when the problem is rendered, so ``current_language`` (set from
``language_code`` at the edge) decides, wherever the rule was raised.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import cache
from string import Formatter
from typing import Any, ClassVar, Self

from workledger.kit.i18n import ENGLISH, N_, Message
from workledger.kit.problems import Problem

#: Violation messages: message id → language → text with ``{placeholders}``. Placeholder
#: values are inserted as given (member paths, numbers, enum values), never translated.
#: ``{member}`` (the first member path) and ``{label}`` (its last name in words,
#: ``supplier_id`` → "Supplier Id") are always available without being passed.
VIOLATION_MESSAGES: dict[str, Message] = {
    # Seed 000's own example, word for word.
    "invalid_workflow_status_id": N_("Invalid Workflow Status Id"),
    # English keeps the seed's "Invalid Workflow Status Id" style; the other languages
    # name the member as sent, which reads better than an English label mid-sentence.
    "invalid_reference": N_("Invalid {label}"),
    "no_link": N_("No {link_type} link with external id '{external_id}'."),
    "import_id_taken": N_("Another object already has import_id '{import_id}'."),
    # Not "An item with number ...": the noun would need its gender and article in
    # every language, and the member already says which number.
    "number_taken": N_("The number '{number}' is already in use."),
    "value_taken": N_("The value '{value}' is already in use."),
    "invalid_transition": N_("Cannot change {member} from '{current}' to '{target}'."),
    "action_not_allowed": N_("Cannot {action} while {member} is '{current}'."),
    "serial_known": N_("Serial number '{serial}' is already known for this item."),
    "serial_count": N_("Serial numbers needed: {expected}; given: {given}."),
    "quantity_available": N_("Quantity requested: {requested}; available: {available}."),
    "one_main_per_group": N_("Exactly one line of group '{group}' must be main."),
    "equipment_cycle": N_("Equipment cannot be its own main equipment, directly or through its "
                          "sub equipment."),
    "cancelled_order": N_("The order is cancelled and cannot be changed."),
    "not_returnable": N_("Equipment of kind '{kind}' cannot be returned."),
    "not_at_customer": N_("The equipment is not at a customer."),
    # -- stock and purchase orders (issue 8, DESIGN §7.2-§7.3) --------------------------
    "adjustments_only": N_("Only adjustments can be created; '{type}' movements are written by the "
        "actions that cause them."),
    "whole_units": N_("Items of kind '{kind}' are counted in whole units."),
    "serial_not_in_stock": N_("Serial number '{serial}' is not in stock at this warehouse."),
    # -- end of stock and purchase orders ----------------------------------------------
    # -- orders (issue 8, DESIGN §7.3) ------------------------------------------------
    "contact_of_other_customer": N_("The contact is not a contact of the order's customer."),
    "group_needs_process": N_("Only lines that create equipment (process 2-4) can be grouped "
                              "(group '{group}')."),
    "nothing_to_deliver": N_("The order has nothing left to deliver."),
    "over_pick": N_("Quantity picked: {requested}; left to pick on the line: {left}."),
    # -- end of orders -----------------------------------------------------------------
    # -- equipment and work orders (issue 8, DESIGN §7.4) --------------------------------
    "in_stock_by_ledger": N_("Equipment is in stock only through the stock ledger: a "
                             "purchase-order receipt, a stock adjustment or a return."),
    "one_unit": N_("Equipment of kind '{kind}' is one unit: its quantity is 1."),
    "not_a_material": N_("Items of kind '{kind}' cannot be used as materials."),
    "materials_booked": N_("The materials cannot be changed while the status is '{status}'."),
    # -- end of equipment and work orders ----------------------------------------------
    # -- invoice charges (DESIGN §8) ----------------------------------------------------
    "charge_invoiced": N_("The charge is on invoice {invoice_id}: it can no longer be changed "
                          "or deleted."),
}

#: Placeholders every violation message may use without the caller passing them.
IMPLICIT_PARAMETERS = frozenset({"member", "label"})


def placeholders(text: str) -> set[str]:
    """The ``{names}`` a message formats: ``"Cannot change {member}..."`` → ``{"member", ...}``."""
    return {name for _, name, _, _ in Formatter().parse(text) if name is not None}


@cache  # every raise checks its parameters; the catalogue does not change after import
def _parameters(message_id: str) -> frozenset[str]:
    # The English text's; a test checks that every translation takes the same ones.
    return frozenset(placeholders(VIOLATION_MESSAGES[message_id]))


def member_path(*parts: str | int) -> str:
    """``member_path("lines", 2, "quantity")`` → ``"lines[2].quantity"`` (the validation
    problems' spelling of a member, kit.errors)."""
    path = ""
    for part in parts:
        if isinstance(part, int):
            path += f"[{part}]"
        else:
            path += f".{part}" if path else part
    return path


def _label(member: str) -> str:
    """``"lines[2].item_id"`` → ``"Item Id"``, the seed's way of naming a member in words."""
    name = re.sub(r"\[\d+\]", "", member).rsplit(".", 1)[-1]
    return name.replace("_", " ").title()


class Violation:
    """One ``{"memberNames": [...], "errorMessage": "..."}`` entry of a business rule.

    ``members``: one member path, or several, as the caller spelled them
    (``"lines[2].quantity"``; :func:`member_path` builds them). ``message_id``: a key of
    :data:`VIOLATION_MESSAGES`, formatted with ``params`` in the request's language when
    the problem is rendered; ``None`` gives the rule's own message. Unknown ids and
    missing or unexpected parameters fail here, at the raise, not while answering.
    """

    __slots__ = ("members", "message_id", "params")

    def __init__(
        self, members: str | Iterable[str], message_id: str | None = None, /, **params: Any
    ) -> None:
        names = (members,) if isinstance(members, str) else tuple(members)
        if not names or not all(isinstance(name, str) and name for name in names):
            raise ValueError(f"a violation names one or more members, not {members!r}")
        if message_id is None:
            if params:
                raise TypeError("parameters need a message id to format")
        elif message_id not in VIOLATION_MESSAGES:
            raise KeyError(f"no violation message {message_id!r} in VIOLATION_MESSAGES")
        else:
            needed = _parameters(message_id)
            missing = needed - IMPLICIT_PARAMETERS - params.keys()
            unexpected = params.keys() - needed - IMPLICIT_PARAMETERS
            if missing or unexpected:
                raise TypeError(
                    f"violation message {message_id!r} takes {sorted(needed)}; "
                    f"missing {sorted(missing)}, unexpected {sorted(unexpected)}"
                )
        self.members = names
        self.message_id = message_id
        self.params = params

    def message(self, rule: type[BusinessRule], language: int | None = None) -> str:
        """The ``errorMessage`` in ``language`` (default: the request's)."""
        message_id = self.message_id or rule.violation_message_id
        if message_id is None:
            return rule.message.in_language(language)
        values = {"member": self.members[0], "label": _label(self.members[0]), **self.params}
        return VIOLATION_MESSAGES[message_id].in_language(language).format_map(values)

    def render(self, rule: type[BusinessRule], language: int | None = None) -> dict[str, Any]:
        return {"memberNames": list(self.members), "errorMessage": self.message(rule, language)}

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Violation):
            return NotImplemented
        return (self.members, self.message_id, self.params) == (
            other.members, other.message_id, other.params
        )

    def __hash__(self) -> int:
        return hash((self.members, self.message_id))

    def __repr__(self) -> str:
        args = [repr(list(self.members))]
        if self.message_id is not None:
            args.append(repr(self.message_id))
        args.extend(f"{key}={value!r}" for key, value in self.params.items())
        return f"Violation({', '.join(args)})"


class BusinessRule(Problem):
    """422 code 30: a business rule the request breaks, and the members that break it.

    The generic rule (seed 002: 30 "Business logic violation. The request cannot be
    fulfilled."); the subclasses below are the numbered ones. ``violations`` holds
    :class:`Violation` values and renders them in the request's language; ``detail`` is
    optional free text for humans, worded in the request's language where it is raised
    (``detail=N_("...").say(...)``).
    """

    status, code, message_id = 422, "30", "business_rule"
    message: ClassVar[Message] = N_("Business logic violation. The request cannot be fulfilled.")
    #: The message of a violation that names none; ``None``: the rule's own message.
    violation_message_id: ClassVar[str | None] = None

    violations: tuple[Violation, ...]  # type: ignore[assignment]

    def __init__(
        self,
        *violations: Violation | str,
        detail: str | None = None,
        members: Iterable[str] | None = None,
    ) -> None:
        found = list(violations)
        if found and isinstance(found[0], str):
            # The form from before the catalogue, BusinessRule(detail, members=[...]):
            # the free text becomes the detail, the violation gets the rule's message.
            detail = found.pop(0)
        if members is not None:
            found.append(Violation(members))
        if not all(isinstance(violation, Violation) for violation in found):
            raise TypeError("a business rule takes Violation values")
        super().__init__(detail)
        self.violations = tuple(found)  # type: ignore[arg-type]

    @classmethod
    def on(
        cls,
        members: str | Iterable[str],
        message_id: str | None = None,
        /,
        *,
        detail: str | None = None,
        **params: Any,
    ) -> Self:
        """The rule with one violation: ``NotEnoughInventory.on("lines[2].quantity")``,
        ``BusinessRule.on("lines[1].main", "one_main_per_group", group="A")``."""
        return cls(Violation(members, message_id, **params), detail=detail)

    @property
    def title(self) -> str:
        return self.message.in_language()

    def body(self) -> dict[str, Any]:
        body = super().body()
        body["violations"] = [violation.render(type(self)) for violation in self.violations]
        return body

    def __str__(self) -> str:
        text = f"{self.code} {self.message}"
        for violation in self.violations:
            text += f" [{', '.join(violation.members)}: {violation.message(type(self), ENGLISH)}]"
        return f"{text} {self.detail}" if self.detail else text


class InvalidReference(BusinessRule):
    """Code 30 for an id that names nothing the company has (DESIGN §7: ``supplier_id``,
    ``customer_id``, ``item_id``, ``warehouse_id``, ...). A 404 would say the endpoint's
    own resource is missing; this says a member of the body points nowhere.
    ``InvalidReference.on("supplier_id")`` → "Invalid Supplier Id"."""

    violation_message_id = "invalid_reference"


# -- accounting (DESIGN §7.5, a later step) ---------------------------------------------


class DateOutsideValidity(BusinessRule):
    """3001: a document, entry or payment dated outside the period it must fall in (the
    open fiscal period, or the validity interval of what it refers to)."""

    code = "3001"
    message = N_("Date is not included in the validity interval.")


class EntriesNotBalanced(BusinessRule):
    """3002: the lines of an accounting entry do not sum to zero (debit ≠ credit)."""

    code = "3002"
    message = N_("Your entries are not balanced.")


class EntryClosed(BusinessRule):
    """3003: changing or deleting an accounting entry of a closed period."""

    code = "3003"
    message = N_("The accounting entry is closed and cannot be edited nor deleted.")


class EntryLocked(BusinessRule):
    """3004: changing or deleting an accounting entry that has been locked."""

    code = "3004"
    message = N_("The accounting entry is locked and cannot be edited nor deleted.")


class EntryReconciled(BusinessRule):
    """3005: changing or deleting an accounting entry already reconciled (with a bank
    statement or against another entry)."""

    code = "3005"
    message = N_("The accounting entry is reconciled and cannot be edited nor deleted.")


class ZeroBankEntry(BusinessRule):
    """3006: a bank entry whose amount is zero."""

    code = "3006"
    message = N_("Bank Entries with zero amount are not recorded.")


class NegativeClosingBalance(BusinessRule):
    """3007: closing (a period or a document's payments) would leave a negative payment
    balance."""

    code = "3007"
    message = N_("Payment balance on Closing is negative.")


# -- stock (DESIGN §7.2) -----------------------------------------------------------------


class NotEnoughInventory(BusinessRule):
    """3008: allocating, picking, delivering or consuming more than the warehouse has
    available (orders §7.3, work-order materials §7.4). Violations name the line:
    ``lines[2].quantity``, or ``lines[2].serial_numbers`` for a serial not in stock."""

    code = "3008"
    message = N_("Not enough quantity in inventory.")


# -- documents (DESIGN §7.5) -------------------------------------------------------------


class NoInstallments(BusinessRule):
    """3009: an installment operation on a document that has no installments."""

    code = "3009"
    message = N_("This document has no installments.")


class DocumentSent(BusinessRule):
    """3010: changing or deleting a document (invoice, credit note, ...) once sent: a
    sent document is frozen."""

    code = "3010"
    message = N_("This document has been sent and cannot be edited nor deleted.")


class DueDateBeforeDocumentDate(BusinessRule):
    """3011: a document whose due date is before its own date."""

    code = "3011"
    message = N_("Due date should be after the document date.")


class PaymentDateBeforeDocumentDate(BusinessRule):
    """3012: a payment dated before the document it pays."""

    code = "3012"
    message = N_("Payment date should be after the document date.")


# -- fields ------------------------------------------------------------------------------


class MandatoryFieldMissing(BusinessRule):
    """3013: a member that the object's state makes mandatory is missing — e.g. the
    serial numbers of a unique item's receipt or delivery, one per unit (DESIGN §7.2).
    A member the schema always requires is a 400 (code 3) instead."""

    code = "3013"
    message = N_("A mandatory field is missing.")


class FieldMustBeEmpty(BusinessRule):
    """3014: a member that the object's state requires to be empty has a value."""

    code = "3014"
    message = N_("A field that should be left empty contains an actual value.")


# -- accounts (DESIGN §7.5) --------------------------------------------------------------


class FamilyAccountNotAllowed(BusinessRule):
    """3015: posting to a family account, one that only groups other accounts in the
    chart of accounts."""

    code = "3015"
    message = N_("Family accounts are not allowed.")


class MismatchedCategories(BusinessRule):
    """3016: objects combined in one operation belong to categories that do not go
    together (an account of the wrong category for the journal, say). The seed's
    message has no full stop; kept as it is."""

    code = "3016"
    message = N_("Mismatched categories")


class TaxEntryClosed(BusinessRule):
    """3017: changing or deleting a tax (VAT) entry of a closed tax period."""

    code = "3017"
    message = N_("The tax entry is closed and cannot be edited nor deleted.")


class SameBankAccount(BusinessRule):
    """3018: a bank transfer whose source and destination are the same bank account."""

    code = "3018"
    message = N_("Bank transfer requires two different bank accounts.")


class AmountNotPositive(BusinessRule):
    """3019: an amount or quantity that must be greater than zero is zero or negative
    (DESIGN §7.2: movements, payments, order and purchase-order lines)."""

    code = "3019"
    message = N_("Amount should be strictly positive.")


# -- document conversion (DESIGN §7.5: quote → order → invoice) ---------------------------


class DocumentAlreadyConverted(BusinessRule):
    """3020: converting a document that has already been converted."""

    code = "3020"
    message = N_("The document is already converted.")


class ConversionNotAllowed(BusinessRule):
    """3021: converting a document to a type it cannot become (an invoice to a quote)."""

    code = "3021"
    message = N_("The document cannot be converted to the wanted type.")


class QuoteLost(BusinessRule):
    """3022: converting a quote whose status is lost."""

    code = "3022"
    message = N_("A quote with lost status cannot be converted.")


class InventoryTooLow(BusinessRule):
    """3023: a stock adjustment that would take ``on_hand`` below zero or below what is
    allocated (DESIGN §7.2)."""

    code = "3023"
    message = N_("The inventory quantity is too low.")


class DocumentNotFinalized(BusinessRule):
    """3024: an operation that needs a finalized document (sending, paying, converting)
    on a draft."""

    code = "3024"
    message = N_("The document has to be finalized.")


# -- orders (DESIGN §7.3) ----------------------------------------------------------------


class OrderDelivered(BusinessRule):
    """3025: changing, deleting or cancelling an order, or changing its lines, once it
    is ``partially_delivered`` or ``delivered``."""

    code = "3025"
    message = N_("The order has been partially or fully delivered.")


class OrderInPreparation(BusinessRule):
    """3026: changing or deleting an order or any of its lines while it is
    ``allocated`` or ``picked``."""

    code = "3026"
    message = N_("The order has been prepared or is already in preparation.")


class OrderAlreadyReceived(BusinessRule):
    """3027: receiving a purchase order again, or changing it after its receipt."""

    code = "3027"
    message = N_("The order has already been received.")


#: Code → rule, one per code of seed 002's table (``InvalidReference`` is code 30 too).
RULES: dict[str, type[BusinessRule]] = {
    rule.code: rule
    for rule in (
        BusinessRule,
        DateOutsideValidity,
        EntriesNotBalanced,
        EntryClosed,
        EntryLocked,
        EntryReconciled,
        ZeroBankEntry,
        NegativeClosingBalance,
        NotEnoughInventory,
        NoInstallments,
        DocumentSent,
        DueDateBeforeDocumentDate,
        PaymentDateBeforeDocumentDate,
        MandatoryFieldMissing,
        FieldMustBeEmpty,
        FamilyAccountNotAllowed,
        MismatchedCategories,
        TaxEntryClosed,
        SameBankAccount,
        AmountNotPositive,
        DocumentAlreadyConverted,
        ConversionNotAllowed,
        QuoteLost,
        InventoryTooLow,
        DocumentNotFinalized,
        OrderDelivered,
        OrderInPreparation,
        OrderAlreadyReceived,
    )
}
