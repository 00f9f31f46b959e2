"""Work orders (werkbonnen, seed 003; DESIGN §7.4).

- ``number``: unique per company (422 code 30 ``number_taken`` naming ``number``); given
  by the caller, or issued from the ``work_order`` number series when omitted — an issued
  number that a caller already gave to another work order is skipped.
- ``kind`` is read-only: ``manual`` through the API, ``job`` / ``file_job`` when an order's
  delivery made it (:func:`create_for_delivery`); ``order_id`` and ``handled_at`` are
  read-only too.
- ``customer_id`` or ``customer_external_id``; ``equipment_ids`` and ``employee_ids`` are
  lists of ids of the company's equipment and employees (one query per table; 422 code 30
  ``invalid_reference`` naming ``equipment_ids[i]``; an id listed twice is a 400).
- ``work_periods`` and ``materials`` are list fields (DESIGN §4.2 list rules). A material
  names an item by ``item_id`` or ``item_number`` (or neither: a free-text line that books
  nothing); ``name``, ``unit`` and ``unit_price`` default to the item's name, unit and
  sales price; ``quantity`` > 0 (3019), whole for countable kinds (code 30 ``whole_units``).
  Items of kind ``unique`` cannot be materials (code 30 ``not_a_material``): a serialised
  unit leaves stock by a delivery, not as a consumable.
- ``status`` follows :data:`WORK_ORDER_STATES` (422 code 30 ``invalid_transition`` naming
  ``status``); a new work order starts at ``ready`` and a ``status`` sent on create is
  a first transition from there. Becoming ``complete`` books the materials out of the
  company's default warehouse (``consumption`` movements, 3008 naming
  ``materials[i].quantity`` when short, nothing changed) and stamps ``completed_at``
  (unless given); becoming ``handled`` stamps ``handled_at``.
- Reopening (``complete`` → ``fetched``) leaves the booked materials booked. While
  ``complete`` or ``handled`` the materials cannot change (code 30 ``materials_booked``);
  after a reopen they can, and completing again books only the difference per item: more
  material is booked out, less is booked back with a positive ``consumption`` movement.
- A work order with stock movements (it was completed) cannot be deleted (422 code 3).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from pydantic import BaseModel

from workledger.items.service import resolve_item_numbers
from workledger.kit.body import (
    INVALID_LIST,
    IS_REQUIRED,
    apply_values,
    check_read_only,
    sent_values,
    sync_list,
)
from workledger.kit.db import utcnow
from workledger.kit.i18n import N_
from workledger.kit.problems import CannotDelete, ValidationProblem
from workledger.kit.repository import rows_by_id
from workledger.kit.resource import READ_ONLY_DEFAULT, ResourceService
from workledger.kit.rules import AmountNotPositive, BusinessRule, InvalidReference, Violation
from workledger.kit.states import StateTable
from workledger.models import (
    Employee,
    Equipment,
    Item,
    ItemKind,
    MovementType,
    TypeOfWork,
    WorkOrder,
    WorkOrderEmployee,
    WorkOrderEquipment,
    WorkOrderKind,
    WorkOrderMaterial,
    WorkOrderStatus,
    WorkPeriod,
)
from workledger.numbering.repository import NumberSeriesRepository
from workledger.stock.service import Movement, record
from workledger.warehouses.service import default_warehouse
from workledger.work_orders.repository import WorkOrderRepository

READY, FETCHED, COMPLETE, HANDLED = (WorkOrderStatus.ready.value, WorkOrderStatus.fetched.value,
                                     WorkOrderStatus.complete.value,
                                     WorkOrderStatus.handled.value)

#: Seed 003's life cycle: Klaargezet → Opgehaald → Compleet → Afgehandeld, a ready work
#: order may be completed without being fetched, a complete one reopened.
WORK_ORDER_STATES = StateTable("status", {
    READY: {FETCHED, COMPLETE},
    FETCHED: {COMPLETE},
    COMPLETE: {FETCHED, HANDLED},
    HANDLED: set(),
})

PERIOD_FIELDS = ("employee_id", "date", "begin_time", "end_time", "break_minutes",
                 "hour_type", "remark")
MATERIAL_FIELDS = ("item_id", "name", "quantity", "unit", "unit_price")
ZERO = Decimal(0)


# -- work orders made by a delivery (DESIGN §7.3, processes 3 and 4) ----------------------


@dataclass(frozen=True)
class DeliveryJob:
    """A work order an order's delivery asks for.

    ``kind``: ``"job"`` (process 3) or ``"file_job"`` (process 4); ``form``: a file job's
    checklist, the line's ``form_properties`` (``{form, property, value}``, strings)."""

    kind: str
    customer_id: int
    order_id: int
    equipment_ids: tuple[int, ...]
    description: str
    form: tuple[dict[str, str], ...] = ()


async def create_for_delivery(session: Any, company_id: int,
                              specs: Sequence[DeliveryJob]) -> list[WorkOrder]:
    """Create one ``ready`` work order per spec, in the caller's transaction, in the
    order given; answers them (ids assigned; relationships not loaded).

    Set-based: the numbers come from one ``issue("work_order", n)`` call (plus one more
    per round of numbers a caller already gave by hand, rarely any), the rows from one
    executemany insert, the equipment links from one executemany. The ids are trusted: the caller
    made the equipment and owns the customer and order."""
    if not specs:
        return []
    for spec in specs:
        if spec.kind not in (WorkOrderKind.job.value, WorkOrderKind.file_job.value):
            raise ValueError(f"a delivery makes jobs and file jobs, not {spec.kind!r}")
    repo = WorkOrderRepository(session, company_id)
    numbers = await issue_numbers(session, company_id, len(specs))
    made = await repo.insert_many([
        {"number": number, "kind": spec.kind, "type_of_work": TypeOfWork.delivery.value,
         "customer_id": spec.customer_id, "order_id": spec.order_id,
         "description": spec.description, "internal_description": "", "status": READY,
         "work_status": "", "form": [dict(entry) for entry in spec.form]}
        for number, spec in zip(numbers, specs, strict=True)
    ])
    await repo.add_links([
        {"work_order_id": work_order.id, "equipment_id": equipment_id}
        for work_order, spec in zip(made, specs, strict=True)
        for equipment_id in dict.fromkeys(spec.equipment_ids)
    ])
    return made


async def issue_numbers(session: Any, company_id: int, count: int) -> list[str]:
    """``count`` new work-order numbers from the series, skipping numbers callers gave
    by hand: one ``issue`` and one lookup per round. Writers of work-order numbers of a
    company (issued or given) take turns from here to the end of their transaction, so
    an issued number cannot collide with one given at the same moment."""
    series = NumberSeriesRepository(session, company_id)
    repo = WorkOrderRepository(session, company_id)
    await repo.serialize("number")
    numbers: list[str] = []
    while len(numbers) < count:
        issued = [str(n) for n in await series.issue("work_order", count - len(numbers))]
        taken = await repo.taken_numbers(issued)
        numbers += [number for number in issued if number not in taken]
    return numbers


# -- /v1/work-orders ---------------------------------------------------------------------


class WorkOrderService(ResourceService[WorkOrder]):
    repository = WorkOrderRepository
    read_only = (*READ_ONLY_DEFAULT, "kind", "order_id", "handled_at")
    #: The scalar members assign copies; lists and ``status`` have their own rules.
    fields = ("number", "type_of_work", "customer_id", "planned_date", "planned_time",
              "deadline", "duration_minutes", "description", "internal_description",
              "work_status", "completed_at", "import_id")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        #: Set by assign when the work order becomes complete: book its materials once it
        #: has an id (after the row is flushed).
        self.completing = False

    async def create_or_update(self, payload: BaseModel | Mapping[str, Any]) -> WorkOrder:
        obj = await super().create_or_update(payload)
        await self._book_materials(obj)
        return obj

    async def _update(self, obj: WorkOrder, values: Mapping[str, Any]) -> WorkOrder:
        obj = await super()._update(obj, values)
        await self._book_materials(obj)
        return obj

    async def check_deletable(self, obj: WorkOrder) -> None:
        if await self.repo.has_movements(obj.id):
            raise CannotDelete(reason=N_("The work order {number} booked materials out of "
                                         "stock: stock movements name it.").say(
                                             number=obj.number))

    async def assign(self, obj: WorkOrder, values: Mapping[str, Any], *, creating: bool
                     ) -> None:
        values = dict(values)
        if creating:
            obj.kind = WorkOrderKind.manual.value
            obj.status = READY
            obj.form = []
            obj.work_periods, obj.materials = [], []
            obj.employee_links, obj.equipment_links = [], []
        number = values.get("number")
        if number is not None and number != obj.number:
            # Check-then-insert: a concurrent writer of a number (given or issued) waits.
            await self.repo.serialize("number")
            if await self.repo.taken_numbers({number}):
                raise BusinessRule.on("number", "number_taken", number=number)
        elif creating:
            [values["number"]] = await issue_numbers(self.session, self.company_id, 1)
        if values.get("form") is not None:
            # {form, property, value} with value "" when not sent.
            values["form"] = [{"form": e["form"], "property": e["property"],
                               "value": e.get("value") or ""} for e in values["form"]]
        target = values.pop("status", None)
        apply_values(obj, values, self.fields)
        if "form" in values:
            obj.form = values["form"] or []
        if "equipment_ids" in values:
            await self._links(obj, "equipment_ids", values["equipment_ids"] or [], Equipment)
        if "employee_ids" in values:
            await self._links(obj, "employee_ids", values["employee_ids"] or [], Employee)
        if "work_periods" in values:
            self._sync_periods(obj, [sent_values(v) for v in values["work_periods"] or []])
        if "materials" in values:
            if obj.status in (COMPLETE, HANDLED) and not creating:
                raise BusinessRule.on("materials", "materials_booked", status=obj.status)
            await self._sync_materials(obj, [sent_values(v) for v in values["materials"] or []])
        if not creating and any(name in values for name in
                                ("equipment_ids", "employee_ids", "work_periods", "materials")):
            obj.updated_at = utcnow()  # the row may be unchanged; its lists are not
        if target is not None and target != obj.status:
            WORK_ORDER_STATES.move(obj, target)
            if target == COMPLETE:
                self.completing = True
                if "completed_at" not in values:
                    obj.completed_at = utcnow()
            elif target == HANDLED:
                obj.handled_at = utcnow()

    # -- lists ------------------------------------------------------------------------------
    async def _links(self, obj: WorkOrder, member: str, ids: list[int], model: type) -> None:
        """Replace the equipment or employee links by ``ids``: the ids checked in one
        query (code 30 naming ``member[i]`` for one the company does not have)."""
        errors = {f"{member}[{index}]": [N_("id {id} is listed twice").say(id=value)]
                  for index, value in enumerate(ids) if value in ids[:index]}
        if errors:
            raise ValidationProblem(INVALID_LIST.say(member=member), errors=errors)
        found = await rows_by_id(self.session, self.company_id, model, set(ids))
        missing = [Violation(f"{member}[{index}]", "invalid_reference")
                   for index, value in enumerate(ids) if value not in found]
        if missing:
            raise InvalidReference(*missing)
        if member == "equipment_ids":
            kept = {link.equipment_id: link for link in obj.equipment_links}
            obj.equipment_links = [
                kept.get(value) or WorkOrderEquipment(company_id=self.company_id,
                                                      equipment_id=value)
                for value in ids]
        else:
            kept = {link.employee_id: link for link in obj.employee_links}
            obj.employee_links = [
                kept.get(value) or WorkOrderEmployee(company_id=self.company_id,
                                                     employee_id=value)
                for value in ids]

    def _sync_periods(self, obj: WorkOrder, incoming: list[dict[str, Any]]) -> None:
        existing = list(obj.work_periods)
        by_id = {period.id: period for period in existing}
        for index, values in enumerate(incoming):
            where = f"work_periods[{index}]."
            check_read_only(values, READ_ONLY_DEFAULT, by_id.get(values.get("id")), prefix=where)
            if values.get("id") is None and values.get("date") is None:
                raise ValidationProblem.single(f"{where}date", IS_REQUIRED.say(name="date"))

        def create(values: Mapping[str, Any]) -> WorkPeriod:
            period = WorkPeriod(company_id=self.company_id, break_minutes=0, hour_type="",
                                remark="")
            apply_values(period, values, PERIOD_FIELDS)
            return period

        obj.work_periods = sync_list("work_periods", existing, incoming, create=create,
                                     update=lambda period, values: apply_values(
                                         period, values, PERIOD_FIELDS))

    async def _sync_materials(self, obj: WorkOrder, incoming: list[dict[str, Any]]) -> None:
        existing = list(obj.materials)
        by_id = {material.id: material for material in existing}
        await resolve_item_numbers(self, incoming, lambda index: f"materials[{index}].")
        items = self.resolved.get("item_id", {})
        missing_items = ({m.item_id for m in existing if m.item_id} - set(items))
        if missing_items:
            items = {**items,
                     **await rows_by_id(self.session, self.company_id, Item, missing_items)}
        next_position = max((m.position for m in existing), default=0) + 1
        for index, values in enumerate(incoming):
            where = f"materials[{index}]."
            current = by_id.get(values.get("id"))
            check_read_only(values, READ_ONLY_DEFAULT, current, prefix=where)
            if values.get("id") is not None and current is None:
                continue  # not a material of this work order: sync_list answers 400
            item_id = values.get("item_id", current.item_id if current else None)
            item = items.get(item_id) if item_id is not None else None
            quantity = values.get("quantity", current.quantity if current else Decimal(1))
            if quantity <= 0:
                raise AmountNotPositive.on(f"{where}quantity")
            if item is not None:
                if item.kind == ItemKind.unique.value:
                    raise BusinessRule.on(f"{where}item_id", "not_a_material", kind=item.kind)
                if (item.kind != ItemKind.consumable.value
                        and quantity != quantity.to_integral_value()):
                    raise BusinessRule.on(f"{where}quantity", "whole_units", kind=item.kind)
            if current is None or ("item_id" in values and values["item_id"] != current.item_id):
                # A new material (or a new item): the item's defaults for what is not sent.
                if item is not None:
                    values.setdefault("name", item.name)
                    values.setdefault("unit", item.unit)
                    values.setdefault("unit_price", item.sales_price)
                elif current is None and not values.get("name"):
                    raise ValidationProblem.single(
                        f"{where}item_id", N_("a material names an item (item_id or "
                                              "item_number) or has a name").in_language())
            values.pop("item_number", None)

        def create(values: Mapping[str, Any]) -> WorkOrderMaterial:
            nonlocal next_position
            material = WorkOrderMaterial(company_id=self.company_id, position=next_position,
                                         name="", quantity=Decimal(1), unit="",
                                         unit_price=Decimal(0))
            next_position += 1
            apply_values(material, values, MATERIAL_FIELDS)
            return material

        obj.materials = sync_list("materials", existing, incoming, create=create,
                                  update=lambda material, values: apply_values(
                                      material, values, MATERIAL_FIELDS))

    # -- completion ---------------------------------------------------------------------
    async def _book_materials(self, obj: WorkOrder) -> None:
        """Book the materials of a work order that just became complete out of the
        default warehouse: per item, what the materials add up to less what earlier
        completions booked (a reopened work order completed again books the difference;
        less material is booked back). One ``record`` call for all: 3008 naming
        ``materials[i].quantity`` when short, and nothing written."""
        if not self.completing:
            return
        self.completing = False
        left = defaultdict(lambda: ZERO, await self.repo.consumed(obj.id))
        wanted: list[tuple[int, Decimal, str, str]] = []  # (item, quantity, member, comment)
        last_member: dict[int, str] = {}
        for index, material in enumerate(obj.materials):
            if material.item_id is None:
                continue
            member = f"materials[{index}].quantity"
            last_member[material.item_id] = member
            take = min(left[material.item_id], material.quantity)
            left[material.item_id] -= take
            if material.quantity > take:
                wanted.append((material.item_id, take - material.quantity, member,
                               f"Work order {obj.number}"))
        for item_id, quantity in left.items():
            if quantity > 0:  # booked before a reopen, no longer among the materials
                wanted.append((item_id, quantity, last_member.get(item_id, "materials"),
                               f"Work order {obj.number}: less material than first booked"))
        if not wanted:
            return
        warehouse = await default_warehouse(self.session, self.company_id)
        await record(self.session, self.company_id, [
            Movement(MovementType.consumption.value, item_id, warehouse.id, quantity, member,
                     work_order_id=obj.id, comment=comment)
            for item_id, quantity, member, comment in wanted])
