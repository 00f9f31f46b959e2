"""The connector's work-order functions (DESIGN §8, seed 003): ``PostWorkorders``,
``GetWorkorders``, ``GetWorkorder``, ``UpdateWorkorder``.

They are the ``/v1/work-orders`` resource in the connector's own names — ``WorkorderNo``,
``row_id`` (the ``id`` on ``/v1``), Dutch status names, employees by ``number``, items by
``ItemNo``, dates ``DD-MM-YYYY`` — and go through the same service, so every rule of
``/v1`` (the status table, numbers unique per company, materials booked out of stock
on completion) holds here too.

**Exactly once.** ``GetWorkorders`` with ``update_status=true`` (the default) claims the
``Compleet`` work orders it answers and makes them ``Afgehandeld`` in the same
transaction: ``FOR UPDATE SKIP LOCKED`` on PostgreSQL, the write lock on SQLite. Two
pollers never receive the same work order, and a work order becomes ``Afgehandeld`` only
in a transaction whose answer carries it — but an answer lost on the network after the
commit loses its work orders from the ``Compleet`` list. The safe flow: poll with
``update_status=false``, process, then confirm each with ``GetWorkorder?row_id=…``
(whose ``update_status`` defaults to true).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from pydantic import ValidationError

from workledger.auth.principal import Principal
from workledger.connector.protocol import (
    EXPECTED_ONE_OF,
    EXPECTED_STRING,
    UNKNOWN_FIELD,
    UNPARSABLE_VALUE,
    WORK_ORDER_FIELD_MISSING,
    WORK_ORDER_NOT_FOUND,
    Call,
    ConnectorFault,
    date_in,
    date_out,
    missing,
    moment_out,
    number_out,
    place,
    time_out,
    unparsable,
)
from workledger.employees.repository import EmployeeRepository
from workledger.kit.i18n import N_
from workledger.kit.repository import rows_by_id
from workledger.models import Employee, Item, WorkOrder, WorkOrderStatus
from workledger.work_orders import schemas
from workledger.work_orders.repository import WorkOrderRepository
from workledger.work_orders.service import WorkOrderService

#: Seed 003's status names, the connector's only ones.
DUTCH = {
    WorkOrderStatus.ready.value: "Klaargezet",
    WorkOrderStatus.fetched.value: "Opgehaald",
    WorkOrderStatus.complete.value: "Compleet",
    WorkOrderStatus.handled.value: "Afgehandeld",
}
STATUS_OF = {name: status for status, name in DUTCH.items()}
ALL = "Alle"

#: connector field → ``/v1/work-orders`` member, for the fields that map one to one.
SCALARS = {
    "WorkorderNo": "number",
    "WorkStatus": "work_status",
    "TypeOfWork": "type_of_work",
    "CustomerId": "customer_id",
    "CustomerExternalId": "customer_external_id",
    "PlannedDate": "planned_date",
    "PlannedTime": "planned_time",
    "Deadline": "deadline",
    "DurationMinutes": "duration_minutes",
    "Description": "description",
    "InternalDescription": "internal_description",
    "EquipmentIds": "equipment_ids",
}
#: Where in the body a work order is: "work order 1: ".
WORK_ORDER = N_("work order {number}: ")
DATES = frozenset({"PlannedDate", "Deadline"})
MATERIAL = {"ItemNo": "item_number", "Name": "name", "Quantity": "quantity", "Unit": "unit",
            "UnitPrice": "unit_price"}
PERIOD = {"EmployeeNumber": "employee_id", "Date": "date", "BeginTime": "begin_time",
          "EndTime": "end_time", "BreakMinutes": "break_minutes", "HourType": "hour_type",
          "Remark": "remark"}
#: Fields a GetWorkorder answer carries that a post may send back unchanged: ignored.
READ_ONLY = frozenset({"row_id", "Kind", "OrderId", "Form", "CompletedAt", "HandledAt",
                       "CreatedAt", "UpdatedAt"})
WRITABLE = frozenset({*SCALARS, "Status", "EmployeeNumbers", "Materials", "WorkPeriods"})
#: ``/v1`` member → connector field, to name the field a ``/v1`` check refused.
BACK = {**{member: name for name, member in SCALARS.items()}, "status": "Status",
        "employee_ids": "EmployeeNumbers", "materials": "Materials",
        "work_periods": "WorkPeriods"}
BACK_NESTED = {"materials": {member: name for name, member in MATERIAL.items()},
               "work_periods": {member: name for name, member in PERIOD.items()}}

DEFAULT_LIMIT, MAX_LIMIT = 100, 1000


# -- in --------------------------------------------------------------------------------------

def _field_name(loc: Iterable[Any]) -> str:
    """A ``/v1`` error location in the connector's names: ``Materials[0].Quantity``."""
    parts = list(loc)
    if not parts:
        return "entry"
    member = str(parts[0])
    name = BACK.get(member, member)
    if len(parts) >= 3 and member in BACK_NESTED:
        nested = BACK_NESTED[member].get(str(parts[2]), str(parts[2]))
        return f"{name}[{parts[1]}].{nested}"
    if len(parts) >= 2:
        return f"{name}[{parts[1]}]"
    return name


def _text_number(value: Any) -> Any:
    # ERP packages keep numbers as integers as often as strings.
    return str(value) if isinstance(value, int) and not isinstance(value, bool) else value


class Translator:
    """Connector fields → a ``/v1`` work-order payload; employees named by number are
    looked up once for the whole call."""

    def __init__(self, employees: dict[str, int]) -> None:
        self.employees = employees

    def employee(self, where: str, field: str, number: Any) -> int:
        number = _text_number(number)
        if not isinstance(number, str) or number not in self.employees:
            raise unparsable(where, field, N_("no employee with number {number}").say(
                number=repr(number)))
        return self.employees[number]

    def payload(self, where: str, entry: dict[str, Any], *, creating: bool
                ) -> schemas.WorkOrderUpdate:
        unknown = sorted(set(entry) - WRITABLE - READ_ONLY)
        if unknown:
            raise unparsable(where, unknown[0], UNKNOWN_FIELD.in_language())
        values: dict[str, Any] = {}
        for name, member in SCALARS.items():
            if name in entry:
                value = entry[name]
                values[member] = date_in(value) if name in DATES else value
        values["number"] = _text_number(values.get("number"))
        if "Status" in entry and entry["Status"] is not None:
            if entry["Status"] not in STATUS_OF:
                raise unparsable(where, "Status", EXPECTED_ONE_OF.say(
                    choices=", ".join(STATUS_OF)))
            values["status"] = STATUS_OF[entry["Status"]]
        if "EmployeeNumbers" in entry and entry["EmployeeNumbers"] is not None:
            numbers = entry["EmployeeNumbers"]
            if not isinstance(numbers, list):
                raise unparsable(where, "EmployeeNumbers",
                                 N_("expected an array of numbers").in_language())
            values["employee_ids"] = [self.employee(where, f"EmployeeNumbers[{i}]", number)
                                      for i, number in enumerate(numbers)]
        for name, member, mapping in (("Materials", "materials", MATERIAL),
                                      ("WorkPeriods", "work_periods", PERIOD)):
            if name in entry and entry[name] is not None:
                values[member] = self._rows(where, name, entry[name], mapping)
        model = schemas.WorkOrderCreate if creating else schemas.WorkOrderUpdate
        try:
            return model.model_validate(values)
        except ValidationError as error:
            first = error.errors()[0]
            raise unparsable(where, _field_name(first["loc"]), first["msg"]) from None

    def _rows(self, where: str, name: str, rows: Any, mapping: dict[str, str]) -> list[dict]:
        if not isinstance(rows, list):
            raise unparsable(where, name, N_("expected an array of objects").in_language())
        converted = []
        for index, row in enumerate(rows):
            if not isinstance(row, dict):
                raise unparsable(where, f"{name}[{index}]",
                                 N_("expected an object").in_language())
            unknown = sorted(set(row) - set(mapping))
            if unknown:
                raise unparsable(where, f"{name}[{index}].{unknown[0]}",
                                 UNKNOWN_FIELD.in_language())
            values = {}
            for field, member in mapping.items():
                if field not in row or row[field] is None:
                    continue
                value = row[field]
                if field == "EmployeeNumber":
                    value = self.employee(where, f"{name}[{index}].{field}", value)
                elif field == "Date":
                    value = date_in(value)
                elif field == "ItemNo":
                    value = _text_number(value)
                values[member] = value
            converted.append(values)
        return converted


def _numbers_named(entries: Iterable[dict[str, Any]]) -> set[str]:
    numbers: set[str] = set()
    for entry in entries:
        listed = entry.get("EmployeeNumbers")
        if isinstance(listed, list):
            numbers.update(str(n) for n in listed if isinstance(n, str | int))
        periods = entry.get("WorkPeriods")
        if isinstance(periods, list):
            numbers.update(str(p["EmployeeNumber"]) for p in periods
                           if isinstance(p, dict) and isinstance(p.get("EmployeeNumber"),
                                                                 str | int))
    return numbers


async def _employee_ids(session: Any, company_id: int, numbers: set[str]) -> dict[str, int]:
    found = await EmployeeRepository(session, company_id).with_numbers(numbers)
    return {number: employee.id for number, employee in found.items()}


async def post_workorders(session: Any, principal: Principal, call: Call) -> list[dict]:
    """Create or update each work order by ``WorkorderNo``; all or nothing. Answers
    ``[{"workorder_no", "row_id"}]`` in the order sent."""
    entries = call.array((N_("expected a JSON array of work orders"),
                          N_("at most {maximum} work orders per call")), WORK_ORDER)
    numbers = []
    for index, entry in enumerate(entries):
        number = _text_number(entry.get("WorkorderNo"))
        if number is None or number == "":
            raise missing(WORK_ORDER_FIELD_MISSING, place(WORK_ORDER, index), "WorkorderNo")
        if not isinstance(number, str):
            raise unparsable(place(WORK_ORDER, index), "WorkorderNo",
                             EXPECTED_STRING.in_language())
        if number in numbers:
            raise ConnectorFault(UNPARSABLE_VALUE, N_(
                "WorkorderNo {number} is sent twice").say(number=number))
        numbers.append(number)
    translator = Translator(await _employee_ids(session, principal.company_id,
                                                _numbers_named(entries)))
    repo = WorkOrderRepository(session, principal.company_id)
    # Two packages posting one new number at once: the second waits, then updates it.
    await repo.serialize("number")
    existing = dict((await session.execute(
        repo.readable().with_only_columns(WorkOrder.number, WorkOrder.id)
        .where(WorkOrder.number.in_(numbers)))).all())
    answer = []
    for index, (number, entry) in enumerate(zip(numbers, entries, strict=True)):
        where = place(WORK_ORDER, index)
        service = WorkOrderService(session, principal.company_id)
        if number in existing:
            payload = translator.payload(where, entry, creating=False)
            work_order = await service.update(existing[number], payload)
        else:
            payload = translator.payload(where, entry, creating=True)
            work_order = await service.create_or_update(payload)
        answer.append({"workorder_no": work_order.number, "row_id": work_order.id})
    return answer


async def update_workorder(session: Any, principal: Principal, call: Call) -> dict:
    """``row_id`` or ``workorder_no`` + any of ``status`` (a Dutch name), ``work_status``,
    ``planned_date``, ``employee_number`` (the one employee assigned; empty unassigns)."""
    work_order = await _one(session, principal, call, for_update=True)
    entry: dict[str, Any] = {}
    if call.text("status") is not None:
        entry["Status"] = call.text("status")
    if "work_status" in call.parameters:
        entry["WorkStatus"] = call.parameters["work_status"]
    if "planned_date" in call.parameters:
        entry["PlannedDate"] = call.parameters["planned_date"] or None
    employees: dict[str, int] = {}
    if "employee_number" in call.parameters:
        number = _text_number(call.parameters["employee_number"])
        entry["EmployeeNumbers"] = [number] if number not in (None, "") else []
        employees = await _employee_ids(session, principal.company_id,
                                        {number} if isinstance(number, str) else set())
    if not entry:
        raise ConnectorFault(WORK_ORDER_FIELD_MISSING, N_(
            "status, work_status, planned_date or employee_number is missing").in_language())
    payload = Translator(employees).payload("", entry, creating=False)
    service = WorkOrderService(session, principal.company_id)
    await service.update(work_order.id, payload)
    [work_order] = await WorkOrderRepository(session, principal.company_id).loaded(
        [work_order.id])
    return (await render(session, principal.company_id, [work_order]))[0]


# -- out -------------------------------------------------------------------------------------

async def render(session: Any, company_id: int, work_orders: list[WorkOrder]) -> list[dict]:
    """Work orders in the connector's names; employee and item numbers in two queries
    for the whole list."""
    employee_ids = {link.employee_id for w in work_orders for link in w.employee_links}
    employee_ids |= {p.employee_id for w in work_orders for p in w.work_periods
                     if p.employee_id is not None}
    item_ids = {m.item_id for w in work_orders for m in w.materials if m.item_id is not None}
    employees = await rows_by_id(session, company_id, Employee, employee_ids)
    items = await rows_by_id(session, company_id, Item, item_ids)

    def employee_number(employee_id: int | None) -> str | None:
        return None if employee_id is None else employees[employee_id].number

    return [{
        "row_id": w.id,
        "WorkorderNo": w.number,
        "Status": DUTCH[w.status],
        "WorkStatus": w.work_status,
        "Kind": w.kind,
        "TypeOfWork": w.type_of_work,
        "CustomerId": w.customer_id,
        "OrderId": w.order_id,
        "PlannedDate": date_out(w.planned_date),
        "PlannedTime": time_out(w.planned_time),
        "Deadline": date_out(w.deadline),
        "DurationMinutes": w.duration_minutes,
        "Description": w.description,
        "InternalDescription": w.internal_description,
        "EmployeeNumbers": [employee_number(link.employee_id) for link in w.employee_links],
        "EquipmentIds": [link.equipment_id for link in w.equipment_links],
        "WorkPeriods": [{
            "EmployeeNumber": employee_number(p.employee_id),
            "Date": date_out(p.date),
            "BeginTime": time_out(p.begin_time),
            "EndTime": time_out(p.end_time),
            "BreakMinutes": p.break_minutes,
            "HourType": p.hour_type,
            "Remark": p.remark,
        } for p in w.work_periods],
        "Materials": [{
            "ItemNo": None if m.item_id is None else items[m.item_id].number,
            "Name": m.name,
            "Quantity": number_out(m.quantity),
            "Unit": m.unit,
            "UnitPrice": number_out(m.unit_price),
        } for m in w.materials],
        "Form": [{"Form": e["form"], "Property": e["property"], "Value": e.get("value", "")}
                 for e in w.form or []],
        "CompletedAt": moment_out(w.completed_at),
        "HandledAt": moment_out(w.handled_at),
        "CreatedAt": moment_out(w.created_at),
        "UpdatedAt": moment_out(w.updated_at),
    } for w in work_orders]


async def get_workorders(session: Any, principal: Principal, call: Call) -> list[dict]:
    """``status`` (Alle | Klaargezet | Opgehaald | Compleet | Afgehandeld; default
    Compleet), ``update_status`` (default true), ``limit`` (1-1000, default 100),
    ``after_row_id`` (continue after that row). Oldest first."""
    status = call.text("status") or DUTCH[WorkOrderStatus.complete.value]
    if status != ALL and status not in STATUS_OF:
        raise unparsable("", "status", EXPECTED_ONE_OF.say(
            choices=", ".join([ALL, *STATUS_OF])))
    update_status = call.boolean("update_status", True)
    limit = call.integer("limit", high=MAX_LIMIT) or DEFAULT_LIMIT
    after = call.integer("after_row_id", low=0) or 0
    repo = WorkOrderRepository(session, principal.company_id)
    if status == DUTCH[WorkOrderStatus.complete.value] and update_status:
        ids = await repo.claim(WorkOrderStatus.complete.value, limit, after=after)
        await repo.mark_handled(ids)
    else:
        statement = (repo.readable().with_only_columns(WorkOrder.id)
                     .where(WorkOrder.id > after).order_by(WorkOrder.id).limit(limit))
        if status != ALL:
            statement = statement.where(WorkOrder.status == STATUS_OF[status])
        ids = list((await session.scalars(statement)).all())
    return await render(session, principal.company_id, await repo.loaded(ids))


async def _one(session: Any, principal: Principal, call: Call, *, for_update: bool
               ) -> WorkOrder:
    row_id = call.integer("row_id")
    number = call.text("workorder_no")
    if row_id is None and number is None:
        raise ConnectorFault(WORK_ORDER_FIELD_MISSING,
                             N_("row_id or workorder_no is missing").in_language())
    repo = WorkOrderRepository(session, principal.company_id)
    statement = repo.readable().with_only_columns(WorkOrder.id)
    if row_id is not None:
        statement = statement.where(WorkOrder.id == row_id)
    if number is not None:
        statement = statement.where(WorkOrder.number == number)
    found = await session.scalar(statement)
    work_order = None if found is None else await repo.get_or_none(found,
                                                                   for_update=for_update)
    if work_order is None:
        raise ConnectorFault(WORK_ORDER_NOT_FOUND, (
            N_("no work order with row_id {value}") if row_id is not None
            else N_("no work order with workorder_no {value}")).say(
                value=row_id if row_id is not None else number))
    return work_order


async def get_workorder(session: Any, principal: Principal, call: Call) -> dict:
    """``row_id`` or ``workorder_no`` (both: they must name the same one);
    ``update_status`` (default true): a ``Compleet`` work order becomes ``Afgehandeld``
    — the confirmation step of the safe flow."""
    update_status = call.boolean("update_status", True)
    work_order = await _one(session, principal, call, for_update=update_status)
    repo = WorkOrderRepository(session, principal.company_id)
    if update_status and work_order.status == WorkOrderStatus.complete.value:
        await repo.mark_handled([work_order.id])
    return (await render(session, principal.company_id, await repo.loaded([work_order.id])))[0]
