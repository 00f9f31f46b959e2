"""Business rules: the 422 answers with code 30 or 3001-3027 (seed 002, DESIGN §4.5, §7).

One class per code of seed 002's table "Error Codes and Responses", each with the
table's message in the five languages of DESIGN §4.8. The problem body is::

    {"type": ..., "title": "<the code's message, in the caller's language>",
     "status": 422, "code": "3008", "detail": "<optional English free text>",
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
from collections.abc import Iterable, Mapping
from functools import cache
from string import Formatter
from typing import Any, ClassVar, Self

from workledger.kit.i18n import (
    DANISH,
    ENGLISH,
    NORWEGIAN,
    SPANISH,
    SWEDISH,
    current_language,
)
from workledger.kit.problems import Problem


def translations(*, en: str, nb: str, sv: str, da: str, es: str) -> dict[int, str]:
    """One message in the five languages, keyed by ``language_code``."""
    return {ENGLISH: en, NORWEGIAN: nb, SWEDISH: sv, DANISH: da, SPANISH: es}


def in_language(entry: Mapping[int, str], language: int | None = None) -> str:
    """``entry`` in ``language`` (default: the request's), English when it has none."""
    lang = current_language.get() if language is None else language
    return entry.get(lang) or entry[ENGLISH]


#: Violation messages: message id → language → text with ``{placeholders}``. Placeholder
#: values are inserted as given (member paths, numbers, enum values), never translated.
#: ``{member}`` (the first member path) and ``{label}`` (its last name in words,
#: ``supplier_id`` → "Supplier Id") are always available without being passed.
VIOLATION_MESSAGES: dict[str, dict[int, str]] = {
    # Seed 000's own example, word for word.
    "invalid_workflow_status_id": translations(
        en="Invalid Workflow Status Id",
        nb="Ugyldig id for arbeidsflytstatus",
        sv="Ogiltigt id för arbetsflödesstatus",
        da="Ugyldigt id for workflowstatus",
        es="ID de estado del flujo de trabajo no válido",
    ),
    # English keeps the seed's "Invalid Workflow Status Id" style; the other languages
    # name the member as sent, which reads better than an English label mid-sentence.
    "invalid_reference": translations(
        en="Invalid {label}",
        nb="Ugyldig verdi for {member}",
        sv="Ogiltigt värde för {member}",
        da="Ugyldig værdi for {member}",
        es="Valor no válido para {member}",
    ),
    "no_link": translations(
        en="No {link_type} link with external id '{external_id}'.",
        nb="Ingen kobling av typen {link_type} med ekstern id '{external_id}'.",
        sv="Ingen koppling av typen {link_type} med externt id '{external_id}'.",
        da="Intet link af typen {link_type} med eksternt id '{external_id}'.",
        es="No existe ningún vínculo de tipo {link_type} con el id externo '{external_id}'.",
    ),
    "import_id_taken": translations(
        en="Another object already has import_id '{import_id}'.",
        nb="Et annet objekt har allerede import_id '{import_id}'.",
        sv="Ett annat objekt har redan import_id '{import_id}'.",
        da="Et andet objekt har allerede import_id '{import_id}'.",
        es="Otro objeto ya tiene el import_id '{import_id}'.",
    ),
    # Not "An item with number ...": the noun would need its gender and article in
    # every language, and the member already says which number.
    "number_taken": translations(
        en="The number '{number}' is already in use.",
        nb="Nummeret '{number}' er allerede i bruk.",
        sv="Numret '{number}' används redan.",
        da="Nummeret '{number}' er allerede i brug.",
        es="El número '{number}' ya está en uso.",
    ),
    "value_taken": translations(
        en="The value '{value}' is already in use.",
        nb="Verdien '{value}' er allerede i bruk.",
        sv="Värdet '{value}' används redan.",
        da="Værdien '{value}' er allerede i brug.",
        es="El valor '{value}' ya está en uso.",
    ),
    "invalid_transition": translations(
        en="Cannot change {member} from '{current}' to '{target}'.",
        nb="Kan ikke endre {member} fra '{current}' til '{target}'.",
        sv="Kan inte ändra {member} från '{current}' till '{target}'.",
        da="Kan ikke ændre {member} fra '{current}' til '{target}'.",
        es="No se puede cambiar {member} de '{current}' a '{target}'.",
    ),
    "action_not_allowed": translations(
        en="Cannot {action} while {member} is '{current}'.",
        nb="Kan ikke utføre {action} når {member} er '{current}'.",
        sv="Kan inte utföra {action} när {member} är '{current}'.",
        da="Kan ikke udføre {action}, når {member} er '{current}'.",
        es="No se puede realizar {action} mientras {member} es '{current}'.",
    ),
    "serial_known": translations(
        en="Serial number '{serial}' is already known for this item.",
        nb="Serienummeret '{serial}' er allerede registrert på denne varen.",
        sv="Serienumret '{serial}' finns redan registrerat för den här artikeln.",
        da="Serienummeret '{serial}' er allerede registreret på denne vare.",
        es="El número de serie '{serial}' ya está registrado para este artículo.",
    ),
    "serial_count": translations(
        en="Serial numbers needed: {expected}; given: {given}.",
        nb="Antall serienumre som kreves: {expected}; oppgitt: {given}.",
        sv="Antal serienummer som krävs: {expected}; angivna: {given}.",
        da="Antal serienumre, der kræves: {expected}; angivet: {given}.",
        es="Números de serie necesarios: {expected}; indicados: {given}.",
    ),
    "quantity_available": translations(
        en="Quantity requested: {requested}; available: {available}.",
        nb="Ønsket antall: {requested}; tilgjengelig: {available}.",
        sv="Begärt antal: {requested}; tillgängligt: {available}.",
        da="Ønsket antal: {requested}; tilgængeligt: {available}.",
        es="Cantidad solicitada: {requested}; disponible: {available}.",
    ),
    "one_main_per_group": translations(
        en="Exactly one line of group '{group}' must be main.",
        nb="Nøyaktig én linje i gruppen '{group}' må være hovedlinje.",
        sv="Exakt en rad i gruppen '{group}' måste vara huvudrad.",
        da="Præcis én linje i gruppen '{group}' skal være hovedlinje.",
        es="Exactamente una línea del grupo '{group}' debe ser la principal.",
    ),
    "equipment_cycle": translations(
        en="Equipment cannot be its own main equipment, directly or through its sub equipment.",
        nb="Utstyr kan ikke være sitt eget hovedutstyr, verken direkte eller via underutstyr.",
        sv="Utrustning kan inte vara sin egen huvudutrustning, varken direkt eller via "
        "underutrustning.",
        da="Udstyr kan ikke være sit eget hovedudstyr, hverken direkte eller via underudstyr.",
        es="Un equipo no puede ser su propio equipo principal, ni directamente ni a través "
        "de sus subequipos.",
    ),
    "cancelled_order": translations(
        en="The order is cancelled and cannot be changed.",
        nb="Ordren er kansellert og kan ikke endres.",
        sv="Ordern är annullerad och kan inte ändras.",
        da="Ordren er annulleret og kan ikke ændres.",
        es="El pedido está cancelado y no se puede modificar.",
    ),
    "not_returnable": translations(
        en="Equipment of kind '{kind}' cannot be returned.",
        nb="Utstyr av typen '{kind}' kan ikke returneres.",
        sv="Utrustning av typen '{kind}' kan inte returneras.",
        da="Udstyr af typen '{kind}' kan ikke returneres.",
        es="Los equipos del tipo '{kind}' no se pueden devolver.",
    ),
    "not_at_customer": translations(
        en="The equipment is not at a customer.",
        nb="Utstyret er ikke hos en kunde.",
        sv="Utrustningen är inte hos någon kund.",
        da="Udstyret er ikke hos en kunde.",
        es="El equipo no está en poder de ningún cliente.",
    ),
    # -- stock and purchase orders (issue 8, DESIGN §7.2-§7.3) --------------------------
    "adjustments_only": translations(
        en="Only adjustments can be created; '{type}' movements are written by the "
        "actions that cause them.",
        nb="Bare justeringer kan opprettes; bevegelser av typen '{type}' skrives av "
        "handlingene som forårsaker dem.",
        sv="Endast justeringar kan skapas; rörelser av typen '{type}' skrivs av de "
        "åtgärder som orsakar dem.",
        da="Kun reguleringer kan oprettes; bevægelser af typen '{type}' skrives af de "
        "handlinger, der forårsager dem.",
        es="Solo se pueden crear ajustes; los movimientos de tipo '{type}' los registran "
        "las acciones que los provocan.",
    ),
    "whole_units": translations(
        en="Items of kind '{kind}' are counted in whole units.",
        nb="Varer av typen '{kind}' telles i hele enheter.",
        sv="Artiklar av typen '{kind}' räknas i hela enheter.",
        da="Varer af typen '{kind}' tælles i hele enheder.",
        es="Los artículos del tipo '{kind}' se cuentan en unidades enteras.",
    ),
    "serial_not_in_stock": translations(
        en="Serial number '{serial}' is not in stock at this warehouse.",
        nb="Serienummeret '{serial}' er ikke på lager på dette lageret.",
        sv="Serienumret '{serial}' finns inte i lager på det här lagret.",
        da="Serienummeret '{serial}' er ikke på lager på dette lager.",
        es="El número de serie '{serial}' no está en existencias en este almacén.",
    ),
    # -- end of stock and purchase orders ----------------------------------------------
    # -- orders (issue 8, DESIGN §7.3) ------------------------------------------------
    "contact_of_other_customer": translations(
        en="The contact is not a contact of the order's customer.",
        nb="Kontaktpersonen tilhører ikke ordrens kunde.",
        sv="Kontaktpersonen tillhör inte orderns kund.",
        da="Kontaktpersonen tilhører ikke ordrens kunde.",
        es="El contacto no pertenece al cliente del pedido.",
    ),
    "group_needs_process": translations(
        en="Only lines that create equipment (process 2-4) can be grouped (group '{group}').",
        nb="Bare linjer som oppretter utstyr (prosess 2-4) kan grupperes (gruppe '{group}').",
        sv="Endast rader som skapar utrustning (process 2-4) kan grupperas (grupp '{group}').",
        da="Kun linjer, der opretter udstyr (proces 2-4), kan grupperes (gruppe '{group}').",
        es="Solo las líneas que crean equipos (proceso 2-4) se pueden agrupar "
        "(grupo '{group}').",
    ),
    "nothing_to_deliver": translations(
        en="Every line of the order has been delivered: there is nothing left to deliver.",
        nb="Alle linjene i ordren er levert: det er ingenting igjen å levere.",
        sv="Alla rader i ordern är levererade: det finns inget kvar att leverera.",
        da="Alle linjer i ordren er leveret: der er intet tilbage at levere.",
        es="Todas las líneas del pedido se han entregado: no queda nada por entregar.",
    ),
    # -- end of orders -----------------------------------------------------------------
}

#: Placeholders every violation message may use without the caller passing them.
IMPLICIT_PARAMETERS = frozenset({"member", "label"})


def placeholders(text: str) -> set[str]:
    """The ``{names}`` a message formats: ``"Cannot change {member}..."`` → ``{"member", ...}``."""
    return {name for _, name, _, _ in Formatter().parse(text) if name is not None}


@cache  # every raise checks its parameters; the catalogue does not change after import
def _parameters(message_id: str) -> frozenset[str]:
    texts = VIOLATION_MESSAGES[message_id].values()
    return frozenset().union(*(placeholders(text) for text in texts))


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
            return in_language(rule.message, language)
        values = {"member": self.members[0], "label": _label(self.members[0]), **self.params}
        return in_language(VIOLATION_MESSAGES[message_id], language).format_map(values)

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
    optional English free text for humans.
    """

    status, code, message_id = 422, "30", "business_rule"
    message: ClassVar[Mapping[int, str]] = translations(
        en="Business logic violation. The request cannot be fulfilled.",
        nb="Brudd på forretningsregel. Forespørselen kan ikke utføres.",
        sv="Brott mot en affärsregel. Begäran kan inte utföras.",
        da="Brud på forretningsregel. Forespørgslen kan ikke udføres.",
        es="Infracción de una regla de negocio. No se puede atender la solicitud.",
    )
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
        return in_language(self.message)

    def body(self) -> dict[str, Any]:
        body = super().body()
        body["violations"] = [violation.render(type(self)) for violation in self.violations]
        return body

    def __str__(self) -> str:
        text = f"{self.code} {self.message[ENGLISH]}"
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
    message = translations(
        en="Date is not included in the validity interval.",
        nb="Datoen er utenfor gyldighetsperioden.",
        sv="Datumet ligger utanför giltighetsperioden.",
        da="Datoen ligger uden for gyldighedsperioden.",
        es="La fecha está fuera del periodo de validez.",
    )


class EntriesNotBalanced(BusinessRule):
    """3002: the lines of an accounting entry do not sum to zero (debit ≠ credit)."""

    code = "3002"
    message = translations(
        en="Your entries are not balanced.",
        nb="Posteringene dine går ikke i balanse.",
        sv="Dina konteringar balanserar inte.",
        da="Dine posteringer balancerer ikke.",
        es="Sus asientos no están cuadrados.",
    )


class EntryClosed(BusinessRule):
    """3003: changing or deleting an accounting entry of a closed period."""

    code = "3003"
    message = translations(
        en="The accounting entry is closed and cannot be edited nor deleted.",
        nb="Regnskapsposteringen er lukket og kan ikke endres eller slettes.",
        sv="Verifikationen är stängd och kan inte ändras eller tas bort.",
        da="Posteringen er lukket og kan hverken redigeres eller slettes.",
        es="El asiento contable está cerrado y no se puede modificar ni eliminar.",
    )


class EntryLocked(BusinessRule):
    """3004: changing or deleting an accounting entry that has been locked."""

    code = "3004"
    message = translations(
        en="The accounting entry is locked and cannot be edited nor deleted.",
        nb="Regnskapsposteringen er låst og kan ikke endres eller slettes.",
        sv="Verifikationen är låst och kan inte ändras eller tas bort.",
        da="Posteringen er låst og kan hverken redigeres eller slettes.",
        es="El asiento contable está bloqueado y no se puede modificar ni eliminar.",
    )


class EntryReconciled(BusinessRule):
    """3005: changing or deleting an accounting entry already reconciled (with a bank
    statement or against another entry)."""

    code = "3005"
    message = translations(
        en="The accounting entry is reconciled and cannot be edited nor deleted.",
        nb="Regnskapsposteringen er avstemt og kan ikke endres eller slettes.",
        sv="Verifikationen är avstämd och kan inte ändras eller tas bort.",
        da="Posteringen er afstemt og kan hverken redigeres eller slettes.",
        es="El asiento contable está conciliado y no se puede modificar ni eliminar.",
    )


class ZeroBankEntry(BusinessRule):
    """3006: a bank entry whose amount is zero."""

    code = "3006"
    message = translations(
        en="Bank Entries with zero amount are not recorded.",
        nb="Bankposteringer med nullbeløp registreres ikke.",
        sv="Banktransaktioner med nollbelopp registreras inte.",
        da="Bankposteringer med nulbeløb registreres ikke.",
        es="Los movimientos bancarios con importe cero no se registran.",
    )


class NegativeClosingBalance(BusinessRule):
    """3007: closing (a period or a document's payments) would leave a negative payment
    balance."""

    code = "3007"
    message = translations(
        en="Payment balance on Closing is negative.",
        nb="Betalingssaldoen ved avslutning er negativ.",
        sv="Betalningssaldot vid avslut är negativt.",
        da="Betalingssaldoen ved afslutning er negativ.",
        es="El saldo de pagos al cierre es negativo.",
    )


# -- stock (DESIGN §7.2) -----------------------------------------------------------------


class NotEnoughInventory(BusinessRule):
    """3008: allocating, picking, delivering or consuming more than the warehouse has
    available (orders §7.3, work-order materials §7.4). Violations name the line:
    ``lines[2].quantity``, or ``lines[2].serial_numbers`` for a serial not in stock."""

    code = "3008"
    message = translations(
        en="Not enough quantity in inventory.",
        nb="Det er ikke nok på lager.",
        sv="Det finns inte tillräckligt i lager.",
        da="Der er ikke nok på lager.",
        es="No hay existencias suficientes en el inventario.",
    )


# -- documents (DESIGN §7.5) -------------------------------------------------------------


class NoInstallments(BusinessRule):
    """3009: an installment operation on a document that has no installments."""

    code = "3009"
    message = translations(
        en="This document has no installments.",
        nb="Dette dokumentet har ingen delbetalinger.",
        sv="Det här dokumentet har inga delbetalningar.",
        da="Dette dokument har ingen rater.",
        es="Este documento no tiene plazos.",
    )


class DocumentSent(BusinessRule):
    """3010: changing or deleting a document (invoice, credit note, ...) once sent: a
    sent document is frozen."""

    code = "3010"
    message = translations(
        en="This document has been sent and cannot be edited nor deleted.",
        nb="Dette dokumentet er sendt og kan ikke endres eller slettes.",
        sv="Det här dokumentet har skickats och kan inte ändras eller tas bort.",
        da="Dette dokument er sendt og kan hverken redigeres eller slettes.",
        es="Este documento ya se ha enviado y no se puede modificar ni eliminar.",
    )


class DueDateBeforeDocumentDate(BusinessRule):
    """3011: a document whose due date is before its own date."""

    code = "3011"
    message = translations(
        en="Due date should be after the document date.",
        nb="Forfallsdatoen må være etter dokumentdatoen.",
        sv="Förfallodatumet måste vara efter dokumentdatumet.",
        da="Forfaldsdatoen skal ligge efter dokumentdatoen.",
        es="La fecha de vencimiento debe ser posterior a la fecha del documento.",
    )


class PaymentDateBeforeDocumentDate(BusinessRule):
    """3012: a payment dated before the document it pays."""

    code = "3012"
    message = translations(
        en="Payment date should be after the document date.",
        nb="Betalingsdatoen må være etter dokumentdatoen.",
        sv="Betalningsdatumet måste vara efter dokumentdatumet.",
        da="Betalingsdatoen skal ligge efter dokumentdatoen.",
        es="La fecha de pago debe ser posterior a la fecha del documento.",
    )


# -- fields ------------------------------------------------------------------------------


class MandatoryFieldMissing(BusinessRule):
    """3013: a member that the object's state makes mandatory is missing — e.g. the
    serial numbers of a unique item's receipt or delivery, one per unit (DESIGN §7.2).
    A member the schema always requires is a 400 (code 3) instead."""

    code = "3013"
    message = translations(
        en="A mandatory field is missing.",
        nb="Et obligatorisk felt mangler.",
        sv="Ett obligatoriskt fält saknas.",
        da="Et obligatorisk felt mangler.",
        es="Falta un campo obligatorio.",
    )


class FieldMustBeEmpty(BusinessRule):
    """3014: a member that the object's state requires to be empty has a value."""

    code = "3014"
    message = translations(
        en="A field that should be left empty contains an actual value.",
        nb="Et felt som skal stå tomt, inneholder en verdi.",
        sv="Ett fält som ska lämnas tomt innehåller ett värde.",
        da="Et felt, der skal være tomt, indeholder en værdi.",
        es="Un campo que debe dejarse vacío contiene un valor.",
    )


# -- accounts (DESIGN §7.5) --------------------------------------------------------------


class FamilyAccountNotAllowed(BusinessRule):
    """3015: posting to a family account, one that only groups other accounts in the
    chart of accounts."""

    code = "3015"
    message = translations(
        en="Family accounts are not allowed.",
        nb="Gruppekontoer er ikke tillatt.",
        sv="Gruppkonton är inte tillåtna.",
        da="Gruppekonti er ikke tilladt.",
        es="No se permiten cuentas de grupo.",
    )


class MismatchedCategories(BusinessRule):
    """3016: objects combined in one operation belong to categories that do not go
    together (an account of the wrong category for the journal, say). The seed's
    message has no full stop; kept as it is."""

    code = "3016"
    message = translations(
        en="Mismatched categories",
        nb="Kategoriene stemmer ikke overens",
        sv="Kategorierna stämmer inte överens",
        da="Kategorierne stemmer ikke overens",
        es="Las categorías no coinciden",
    )


class TaxEntryClosed(BusinessRule):
    """3017: changing or deleting a tax (VAT) entry of a closed tax period."""

    code = "3017"
    message = translations(
        en="The tax entry is closed and cannot be edited nor deleted.",
        nb="Mva-posteringen er lukket og kan ikke endres eller slettes.",
        sv="Momsposten är stängd och kan inte ändras eller tas bort.",
        da="Momsposteringen er lukket og kan hverken redigeres eller slettes.",
        es="El asiento de IVA está cerrado y no se puede modificar ni eliminar.",
    )


class SameBankAccount(BusinessRule):
    """3018: a bank transfer whose source and destination are the same bank account."""

    code = "3018"
    message = translations(
        en="Bank transfer requires two different bank accounts.",
        nb="En bankoverføring krever to forskjellige bankkontoer.",
        sv="En banköverföring kräver två olika bankkonton.",
        da="En bankoverførsel kræver to forskellige bankkonti.",
        es="Una transferencia bancaria requiere dos cuentas bancarias distintas.",
    )


class AmountNotPositive(BusinessRule):
    """3019: an amount or quantity that must be greater than zero is zero or negative
    (DESIGN §7.2: movements, payments, order and purchase-order lines)."""

    code = "3019"
    message = translations(
        en="Amount should be strictly positive.",
        nb="Beløpet må være større enn null.",
        sv="Beloppet måste vara större än noll.",
        da="Beløbet skal være større end nul.",
        es="El importe debe ser estrictamente positivo.",
    )


# -- document conversion (DESIGN §7.5: quote → order → invoice) ---------------------------


class DocumentAlreadyConverted(BusinessRule):
    """3020: converting a document that has already been converted."""

    code = "3020"
    message = translations(
        en="The document is already converted.",
        nb="Dokumentet er allerede konvertert.",
        sv="Dokumentet är redan konverterat.",
        da="Dokumentet er allerede konverteret.",
        es="El documento ya se ha convertido.",
    )


class ConversionNotAllowed(BusinessRule):
    """3021: converting a document to a type it cannot become (an invoice to a quote)."""

    code = "3021"
    message = translations(
        en="The document cannot be converted to the wanted type.",
        nb="Dokumentet kan ikke konverteres til ønsket type.",
        sv="Dokumentet kan inte konverteras till önskad typ.",
        da="Dokumentet kan ikke konverteres til den ønskede type.",
        es="El documento no se puede convertir al tipo deseado.",
    )


class QuoteLost(BusinessRule):
    """3022: converting a quote whose status is lost."""

    code = "3022"
    message = translations(
        en="A quote with lost status cannot be converted.",
        nb="Et tapt tilbud kan ikke konverteres.",
        sv="En förlorad offert kan inte konverteras.",
        da="Et tabt tilbud kan ikke konverteres.",
        es="Un presupuesto perdido no se puede convertir.",
    )


class InventoryTooLow(BusinessRule):
    """3023: a stock adjustment that would take ``on_hand`` below zero or below what is
    allocated (DESIGN §7.2)."""

    code = "3023"
    message = translations(
        en="The inventory quantity is too low.",
        nb="Lagerbeholdningen er for lav.",
        sv="Lagersaldot är för lågt.",
        da="Lagerbeholdningen er for lav.",
        es="Las existencias son demasiado bajas.",
    )


class DocumentNotFinalized(BusinessRule):
    """3024: an operation that needs a finalized document (sending, paying, converting)
    on a draft."""

    code = "3024"
    message = translations(
        en="The document has to be finalized.",
        nb="Dokumentet må være ferdigstilt.",
        sv="Dokumentet måste vara färdigställt.",
        da="Dokumentet skal være færdiggjort.",
        es="El documento debe estar finalizado.",
    )


# -- orders (DESIGN §7.3) ----------------------------------------------------------------


class OrderDelivered(BusinessRule):
    """3025: changing, deleting or cancelling an order, or changing its lines, once it
    is ``partially_delivered`` or ``delivered``."""

    code = "3025"
    message = translations(
        en="The order has been partially or fully delivered.",
        nb="Ordren er delvis eller helt levert.",
        sv="Ordern har levererats helt eller delvis.",
        da="Ordren er helt eller delvist leveret.",
        es="El pedido se ha entregado total o parcialmente.",
    )


class OrderInPreparation(BusinessRule):
    """3026: changing or deleting an order or any of its lines while it is
    ``allocated`` or ``picked``."""

    code = "3026"
    message = translations(
        en="The order has been prepared or is already in preparation.",
        nb="Ordren er klargjort eller er allerede under klargjøring.",
        sv="Ordern har redan förberetts eller håller på att förberedas.",
        da="Ordren er klargjort eller er allerede under klargøring.",
        es="El pedido ya se ha preparado o está en preparación.",
    )


class OrderAlreadyReceived(BusinessRule):
    """3027: receiving a purchase order again, or changing it after its receipt."""

    code = "3027"
    message = translations(
        en="The order has already been received.",
        nb="Ordren er allerede mottatt.",
        sv="Ordern har redan tagits emot.",
        da="Ordren er allerede modtaget.",
        es="El pedido ya se ha recibido.",
    )


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
