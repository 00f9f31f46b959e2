"""The shapes of the connector's bodies and answers, for the OpenAPI document (the
functions build plain dicts; tests/connector checks that the answers match these)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from workledger.connector.protocol import MAX_ENTRIES

DutchStatus = Literal["Klaargezet", "Opgehaald", "Compleet", "Afgehandeld"]
DATE = "`DD-MM-YYYY` (`YYYY-MM-DD` is accepted too)"
MOMENT = "`DD-MM-YYYY HH:MM:SS`, UTC"


class Answer(BaseModel):
    code: int = Field(description="200 on success", examples=[200])
    messages: list[str] = Field(description="Empty on success", examples=[[]])


class ConnectorEmployee(BaseModel):
    """An employee in the connector's names."""

    model_config = ConfigDict(extra="forbid")

    number: str = Field(description="Unique per company; the key of `PostEmployees`",
                        examples=["T-07"])
    firstname: str = Field("", examples=["Sanne"])
    lastname: str = Field("", description="A first or last name is required (1101)",
                          examples=["de Vries"])
    email: str = Field("", examples=["sanne@example.com"])
    phone: str = Field("", examples=["+31 6 12345678"])
    active: bool = Field(True, description="Default true")


class PostEmployeesAnswer(Answer):
    """How many employees were stored (created or updated)."""

    response: int = Field(examples=[2])


class GetEmployeesAnswer(Answer):
    """Every employee of the company, by number."""

    response: list[ConnectorEmployee]


class ConnectorWorkPeriod(BaseModel):
    model_config = ConfigDict(extra="forbid")

    EmployeeNumber: str | None = Field(None, description="The employee's `number`")
    Date: str | None = Field(None, description=f"{DATE}; required for a new period",
                             examples=["02-12-2026"])
    BeginTime: str | None = Field(None, description="`HH:MM`", examples=["08:30"])
    EndTime: str | None = Field(None, description="`HH:MM`", examples=["12:00"])
    BreakMinutes: int = 0
    HourType: str = ""
    Remark: str = ""


class ConnectorMaterial(BaseModel):
    model_config = ConfigDict(extra="forbid")

    ItemNo: str | None = Field(None, description="The item's number", examples=["R32-10"])
    Name: str = Field("", description="Default: the item's name")
    Quantity: float = Field(1, description="> 0; whole units unless the item is a "
                            "consumable", examples=[1.5])
    Unit: str = Field("", description="Default: the item's unit")
    UnitPrice: float = Field(0, description="Default: the item's sales price")


class ConnectorFormEntry(BaseModel):
    Form: str
    Property: str
    Value: str


class ConnectorWorkorderPost(BaseModel):
    """One work order of `PostWorkorders`: created, or updated when `WorkorderNo` is the
    number of one the company has (members left out stay as they are; the lists are
    replaced whole)."""

    model_config = ConfigDict(extra="forbid")

    WorkorderNo: str = Field(description="Unique per company (1-30 characters); "
                             "required (1501)", examples=["WB-1001"])
    Status: DutchStatus | None = Field(
        None, description="Klaargezet → Opgehaald → Compleet → Afgehandeld (also "
        "Klaargezet → Compleet, and Compleet → Opgehaald to reopen); new work orders start "
        "Klaargezet. Becoming Compleet books the materials out of stock")
    WorkStatus: str | None = Field(None, description="Free text: your own sub-status")
    TypeOfWork: str | None = Field(None, description="installation, warranty, delivery, "
                                   "maintenance, project, time_and_material, repair, "
                                   "service (default), malfunction, sale, rental")
    CustomerId: int | None = Field(None, description="The customer's id on `/v1`")
    CustomerExternalId: str | None = Field(None, description="The customer by your own "
                                           "id (a customer link's `external_id`)")
    PlannedDate: str | None = Field(None, description=DATE, examples=["02-12-2026"])
    PlannedTime: str | None = Field(None, description="`HH:MM`", examples=["08:30"])
    Deadline: str | None = Field(None, description=DATE)
    DurationMinutes: int | None = None
    Description: str | None = None
    InternalDescription: str | None = None
    EmployeeNumbers: list[str] | None = Field(None, description="The employees assigned, "
                                              "by number (the whole list)")
    EquipmentIds: list[int] | None = Field(None, description="The equipment worked on "
                                           "(ids on `/v1/equipment`)")
    WorkPeriods: list[ConnectorWorkPeriod] | None = Field(None, description="The whole list")
    Materials: list[ConnectorMaterial] | None = Field(None, description="The whole list; "
                                                  "cannot change once Compleet")


class ConnectorWorkorder(BaseModel):
    """A work order in the connector's names (a `GetWorkorder` answer)."""

    row_id: int = Field(description="The work order's `id` on `/v1/work-orders`")
    WorkorderNo: str
    Status: DutchStatus
    WorkStatus: str
    Kind: Literal["manual", "job", "file_job"] = Field(
        description="`manual` (posted or created on `/v1`), or made by a delivery")
    TypeOfWork: str
    CustomerId: int | None
    OrderId: int | None = Field(description="The order whose delivery made it")
    PlannedDate: str | None = Field(description=DATE.split(" (")[0])
    PlannedTime: str | None
    Deadline: str | None
    DurationMinutes: int | None
    Description: str
    InternalDescription: str
    EmployeeNumbers: list[str]
    EquipmentIds: list[int]
    WorkPeriods: list[ConnectorWorkPeriod]
    Materials: list[ConnectorMaterial]
    Form: list[ConnectorFormEntry] = Field(description="A file job's checklist")
    CompletedAt: str | None = Field(description=MOMENT)
    HandledAt: str | None = Field(description=MOMENT)
    CreatedAt: str = Field(description=MOMENT)
    UpdatedAt: str = Field(description=MOMENT)


class ConnectorPostedWorkorder(BaseModel):
    workorder_no: str = Field(examples=["WB-1001"])
    row_id: int = Field(description="Its id on `/v1/work-orders`", examples=[41])


class PostWorkordersAnswer(Answer):
    """Each work order posted, in the order sent."""

    response: list[ConnectorPostedWorkorder]


class GetWorkordersAnswer(Answer):
    """The work orders, oldest first."""

    response: list[ConnectorWorkorder]


class WorkorderAnswer(Answer):
    """The work order."""

    response: ConnectorWorkorder


def query(name: str, description: str, schema: dict[str, Any], *,
          example: Any = None) -> dict[str, Any]:
    parameter = {"name": name, "in": "query", "required": False,
                 "description": description, "schema": schema}
    if example is not None:
        parameter["example"] = example
    return parameter


ROW_ID = query("row_id", "The work order's `row_id` (its id on `/v1`); or `workorder_no`",
               {"type": "integer", "minimum": 1}, example=41)
WORKORDER_NO = query("workorder_no", "The work order's `WorkorderNo`; or `row_id`",
                     {"type": "string"}, example="WB-1001")
BODY_NOTE = (" Parameters may also be sent as members of a JSON object body (they win "
             "over the query string's).")


def array_body(model: type[BaseModel], what: str) -> dict[str, Any]:
    return {
        "required": True,
        "description": f"A JSON array of {what} (at most {MAX_ENTRIES}); one object is "
                       "taken as an array of one",
        "content": {"application/json": {"schema": {
            "type": "array", "maxItems": MAX_ENTRIES,
            "items": {"$ref": f"#/components/schemas/{model.__name__}"},
        }}},
    }


#: Schemas the request bodies name; kit.openapi adds them to ``components``.
BODY_SCHEMAS = (ConnectorEmployee, ConnectorWorkorderPost)
