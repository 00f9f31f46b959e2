"""Work orders (werkbonnen, seed 003; DESIGN §7.4): jobs for the technicians."""

from __future__ import annotations

import enum
from datetime import date, datetime, time
from decimal import Decimal

from sqlalchemy import JSON, Date, Integer, Numeric, String, Text, Time, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from workledger.kit.db import (
    NEVER_REUSE_IDS,
    Base,
    TenantOwned,
    UTCDateTime,
    tenant_indexes,
    tenant_join,
    tenant_reference,
)

WORK_ORDER_FIELDS = ("kind", "type_of_work", "customer_id", "order_id", "planned_date",
                     "deadline", "duration_minutes", "status", "completed_at", "handled_at",
                     "created_at", "updated_at")


class WorkOrderKind(enum.StrEnum):
    job = "job"
    file_job = "file_job"
    manual = "manual"


class WorkOrderStatus(enum.StrEnum):
    """Seed 003's statuses; the connector face shows their Dutch names."""

    ready = "ready"            # Klaargezet
    fetched = "fetched"        # Opgehaald
    complete = "complete"      # Compleet
    handled = "handled"        # Afgehandeld


class TypeOfWork(enum.StrEnum):
    installation = "installation"
    warranty = "warranty"
    delivery = "delivery"
    maintenance = "maintenance"
    project = "project"
    time_and_material = "time_and_material"
    repair = "repair"
    service = "service"
    malfunction = "malfunction"
    sale = "sale"
    rental = "rental"


class WorkOrder(TenantOwned, Base):
    __tablename__ = "work_orders"
    __table_args__ = (
        UniqueConstraint("company_id", "number"),
        UniqueConstraint("company_id", "import_id"),
        *tenant_indexes("work_orders", *WORK_ORDER_FIELDS),
        NEVER_REUSE_IDS,
    )

    #: Given by the caller, or issued from the ``work_order`` number series.
    number: Mapped[str] = mapped_column(String(30))
    kind: Mapped[str] = mapped_column(String(20), default=WorkOrderKind.manual.value)
    type_of_work: Mapped[str] = mapped_column(String(30), default=TypeOfWork.service.value)
    customer_id: Mapped[int | None] = tenant_reference("customers", ondelete="RESTRICT")
    order_id: Mapped[int | None] = tenant_reference("orders", ondelete="RESTRICT")
    planned_date: Mapped[date | None] = mapped_column(Date)
    planned_time: Mapped[time | None] = mapped_column(Time)
    deadline: Mapped[date | None] = mapped_column(Date)
    duration_minutes: Mapped[int | None] = mapped_column(Integer)
    description: Mapped[str] = mapped_column(Text, default="")
    internal_description: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(20), default=WorkOrderStatus.ready.value)
    #: Free text: the back office's own sub-status.
    work_status: Mapped[str] = mapped_column(String(100), default="")
    #: ``[{form, property, value}]`` (a file job's checklist).
    form: Mapped[list[dict[str, str]]] = mapped_column(JSON, default=list)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    handled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    import_id: Mapped[str | None] = mapped_column(String(50))

    work_periods: Mapped[list[WorkPeriod]] = relationship(
        primaryjoin=lambda: tenant_join(WorkOrder, WorkPeriod.work_order_id),
        cascade="all, delete-orphan",
        order_by="(WorkPeriod.date, WorkPeriod.id)",
        lazy="raise",
    )
    materials: Mapped[list[WorkOrderMaterial]] = relationship(
        primaryjoin=lambda: tenant_join(WorkOrder, WorkOrderMaterial.work_order_id),
        cascade="all, delete-orphan",
        order_by="(WorkOrderMaterial.position, WorkOrderMaterial.id)",
        lazy="raise",
    )
    employee_links: Mapped[list[WorkOrderEmployee]] = relationship(
        primaryjoin=lambda: tenant_join(WorkOrder, WorkOrderEmployee.work_order_id),
        cascade="all, delete-orphan",
        order_by="WorkOrderEmployee.id",
        lazy="raise",
    )
    equipment_links: Mapped[list[WorkOrderEquipment]] = relationship(
        primaryjoin=lambda: tenant_join(WorkOrder, WorkOrderEquipment.work_order_id),
        cascade="all, delete-orphan",
        order_by="WorkOrderEquipment.id",
        lazy="raise",
    )

    @property
    def employee_ids(self) -> list[int]:
        return [link.employee_id for link in self.employee_links]

    @property
    def equipment_ids(self) -> list[int]:
        return [link.equipment_id for link in self.equipment_links]


class WorkOrderEmployee(TenantOwned, Base):
    __tablename__ = "work_order_employees"
    __table_args__ = (UniqueConstraint("company_id", "work_order_id", "employee_id"),
                      NEVER_REUSE_IDS)

    work_order_id: Mapped[int] = tenant_reference("work_orders", ondelete="CASCADE")
    employee_id: Mapped[int] = tenant_reference("employees", ondelete="RESTRICT")


class WorkOrderEquipment(TenantOwned, Base):
    __tablename__ = "work_order_equipment"
    __table_args__ = (UniqueConstraint("company_id", "work_order_id", "equipment_id"),
                      NEVER_REUSE_IDS)

    work_order_id: Mapped[int] = tenant_reference("work_orders", ondelete="CASCADE")
    equipment_id: Mapped[int] = tenant_reference("equipment", ondelete="RESTRICT")


class WorkPeriod(TenantOwned, Base):
    __tablename__ = "work_periods"
    __table_args__ = NEVER_REUSE_IDS

    work_order_id: Mapped[int] = tenant_reference("work_orders", ondelete="CASCADE")
    employee_id: Mapped[int | None] = tenant_reference("employees", ondelete="RESTRICT")
    date: Mapped[date] = mapped_column(Date)
    begin_time: Mapped[time | None] = mapped_column(Time)
    end_time: Mapped[time | None] = mapped_column(Time)
    break_minutes: Mapped[int] = mapped_column(Integer, default=0)
    hour_type: Mapped[str] = mapped_column(String(50), default="")
    remark: Mapped[str] = mapped_column(Text, default="")


class WorkOrderMaterial(TenantOwned, Base):
    __tablename__ = "work_order_materials"
    __table_args__ = NEVER_REUSE_IDS

    work_order_id: Mapped[int] = tenant_reference("work_orders", ondelete="CASCADE")
    position: Mapped[int] = mapped_column(Integer, default=0)
    item_id: Mapped[int | None] = tenant_reference("items", ondelete="RESTRICT")
    name: Mapped[str] = mapped_column(String(200), default="")
    quantity: Mapped[Decimal] = mapped_column(Numeric(14, 4), default=Decimal(1))
    unit: Mapped[str] = mapped_column(String(20), default="")
    unit_price: Mapped[Decimal] = mapped_column(Numeric(14, 4), default=Decimal(0))
