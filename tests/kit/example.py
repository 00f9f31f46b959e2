"""A small internal resource that exercises what the kit offers the domain before the
domain exists: a parent ("example order") with a list field and a nested resource
("example lines", each naming a real item and, optionally, a supplier by id or by the
caller's external id), an action with a state rule, and an editable
guard that every write path runs. Its tables live on their own metadata, created by the
test fixture: they are not part of Workledger's schema or migrations."""

from __future__ import annotations

from typing import Literal

from pydantic import Field
from sqlalchemy import ForeignKeyConstraint, Integer, MetaData, String, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship, selectinload

from workledger.auth.dependencies import Reader, Writer
from workledger.kit.body import InputModel, apply_values
from workledger.kit.db import Entity, Id
from workledger.kit.repository import TenantRepository
from workledger.kit.resource import (
    Action,
    ListField,
    Names,
    Parent,
    Reference,
    Resource,
    ResourceService,
)
from workledger.kit.rules import OrderDelivered, OrderInPreparation
from workledger.kit.schemas import ReadModel, WriteModel
from workledger.kit.states import StateTable
from workledger.kit.types import ExternalId, ImportId, ObjectRef, text
from workledger.links.external import SUPPLIER_LINK
from workledger.models import Item, Supplier


class ExampleBase(DeclarativeBase):
    metadata = MetaData()


class ExampleOrder(Entity, ExampleBase):
    __tablename__ = "example_orders"
    __table_args__ = (UniqueConstraint("company_id", "id"),
                      UniqueConstraint("company_id", "import_id"))

    company_id: Mapped[int] = mapped_column(Id, index=True)
    name: Mapped[str] = mapped_column(String(50), default="")
    status: Mapped[str] = mapped_column(String(20), default="open")
    import_id: Mapped[str | None] = mapped_column(String(50))
    lines: Mapped[list[ExampleLine]] = relationship(
        cascade="all, delete-orphan", order_by="ExampleLine.id", lazy="raise"
    )


class ExampleLine(Entity, ExampleBase):
    __tablename__ = "example_lines"
    __table_args__ = (
        ForeignKeyConstraint(["company_id", "order_id"],
                             ["example_orders.company_id", "example_orders.id"],
                             ondelete="CASCADE"),
    )

    company_id: Mapped[int] = mapped_column(Id, index=True)
    order_id: Mapped[int] = mapped_column(Id)
    item_id: Mapped[int] = mapped_column(Id)
    supplier_id: Mapped[int | None] = mapped_column(Id)
    quantity: Mapped[int] = mapped_column(Integer, default=1)
    description: Mapped[str] = mapped_column(String(200), default="")


ORDER_STATES = StateTable(
    "status",
    {"open": {"prepared", "cancelled"}, "prepared": {"delivered", "open"},
     "delivered": set(), "cancelled": set()},
    refusals={"prepared": OrderInPreparation, "delivered": OrderDelivered},
)

# -- schemas -----------------------------------------------------------------------------


class LineWrite(WriteModel):
    item_id: ObjectRef | None = None
    supplier_id: ObjectRef | None = None
    supplier_external_id: ExternalId | None = None
    quantity: int | None = Field(None, ge=1, le=1000)
    description: text(200) | None = None


class Line(ReadModel):
    order_id: int
    item_id: int
    supplier_id: int | None
    quantity: int
    description: str


class OrderWrite(WriteModel):
    name: text(50) | None = None
    import_id: ImportId | None = None
    lines: list[LineWrite] | None = Field(None, max_length=100)


class Order(ReadModel):
    name: str
    status: Literal["open", "prepared", "delivered", "cancelled"]
    import_id: str | None
    lines: list[Line]


class PrepareRequest(InputModel):
    note: text(50) | None = None


# -- repositories and services -----------------------------------------------------------


class OrderRepository(TenantRepository[ExampleOrder]):
    model = ExampleOrder
    load_options = (selectinload(ExampleOrder.lines),)


class LineRepository(TenantRepository[ExampleLine]):
    model = ExampleLine


LINE_REFERENCES = (Reference("item_id", Item),
                   Reference("supplier_id", Supplier, external=SUPPLIER_LINK))


class LineService(ResourceService[ExampleLine]):
    repository = LineRepository
    required = ("item_id",)

    async def assign(self, obj, values, *, creating):
        apply_values(obj, values, self.fields)
        if creating and "description" not in values:
            # The referenced row was resolved with the body: no query per line here.
            obj.description = self.resolved["item_id"][obj.item_id].name


class OrderService(ResourceService[ExampleOrder]):
    repository = OrderRepository

    async def assign(self, obj, values, *, creating):
        apply_values(obj, values, self.fields)
        if creating:
            obj.lines = []
        if "lines" in values:
            await self.sync_children(obj, "lines", values["lines"], LineService)

    async def guard(self, obj, operation):
        if obj.status != "open":
            raise ORDER_STATES.refusals.get(obj.status, OrderInPreparation)(
                f"The order is {obj.status}.", members=["status"]
            )

    async def prepare(self, obj, payload):
        ORDER_STATES.require(obj, ("open",), doing="prepare")
        ORDER_STATES.move(obj, "prepared")
        if payload is not None and payload.note:
            obj.name = f"{obj.name} ({payload.note})"
        return obj

    async def deliver(self, obj, payload):
        ORDER_STATES.require(obj, ("prepared",), doing="deliver")
        ORDER_STATES.move(obj, "delivered")
        return obj


EXAMPLE_ORDERS = Resource(
    names=Names("example order", "example orders"),
    model=ExampleOrder,
    read=Order,
    create=OrderWrite,
    update=OrderWrite,
    service=OrderService,
    reader=Reader,
    writer=Writer,
    filters=("id", "name", "status", "import_id", "created_at", "updated_at"),
    sorts=("id", "name", "status", "created_at", "updated_at"),
    list_fields=(ListField("lines", references=LINE_REFERENCES),),
    actions=(
        Action("prepare", "prepare", "Prepare the order", request=PrepareRequest,
               rules=("3026",)),
        Action("deliver", "deliver", "Deliver the order", rules=("3025",)),
    ),
)

EXAMPLE_LINES = Resource(
    names=Names("example line", "example lines"),
    model=ExampleLine,
    read=Line,
    create=LineWrite,
    update=LineWrite,
    service=LineService,
    reader=Reader,
    writer=Writer,
    parent=Parent(EXAMPLE_ORDERS, "order_id"),
    references=LINE_REFERENCES,
    filters=("id", "item_id", "quantity", "created_at", "updated_at"),
    sorts=("id", "quantity", "created_at", "updated_at"),
)
