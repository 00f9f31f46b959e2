"""Workflows (seed 000): each company's own steps for tracking orders and order lines.

Every company has exactly two, ``order`` and ``order_line``, made with the company; each
is an ordered list of statuses named in the five languages of the API.
"""

from __future__ import annotations

import enum

from sqlalchemy import Boolean, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from workledger.kit.db import (
    NEVER_REUSE_IDS,
    Base,
    TenantOwned,
    tenant_indexes,
    tenant_join,
    tenant_reference,
)
from workledger.kit.i18n import DANISH, ENGLISH, NORWEGIAN, SPANISH, SWEDISH, current_language

# Filterable and sortable columns; type is covered by the unique key (company_id, type).
WORKFLOW_FIELDS = ("created_at", "updated_at")
#: language_code → the column holding a status's name in that language.
NAME_COLUMNS = {NORWEGIAN: "name_nb", ENGLISH: "name_en", SWEDISH: "name_sv",
                DANISH: "name_da", SPANISH: "name_es"}
#: The order in which a missing name falls back: English (the API's default), then the
#: rest in language-code order.
FALLBACK = (ENGLISH, NORWEGIAN, SWEDISH, DANISH, SPANISH)


class WorkflowType(enum.StrEnum):
    order = "order"
    order_line = "order_line"


class Workflow(TenantOwned, Base):
    __tablename__ = "workflows"
    __table_args__ = (
        UniqueConstraint("company_id", "type"),
        *tenant_indexes("workflows", *WORKFLOW_FIELDS),
        NEVER_REUSE_IDS,
    )

    type: Mapped[str] = mapped_column(String(20))

    statuses: Mapped[list[WorkflowStatus]] = relationship(
        primaryjoin=lambda: tenant_join(Workflow, WorkflowStatus.workflow_id),
        back_populates="workflow",
        cascade="all, delete-orphan",
        order_by="(WorkflowStatus.position, WorkflowStatus.id)",
        lazy="raise",
    )


class WorkflowStatus(TenantOwned, Base):
    """One step of a workflow. Orders and lines name it by id (``workflow_status_id``),
    so a status keeps its id while it is renamed or moved."""

    __tablename__ = "workflow_statuses"
    __table_args__ = NEVER_REUSE_IDS

    workflow_id: Mapped[int] = tenant_reference("workflows", ondelete="CASCADE")
    #: 1-based place in the workflow; renumbered from the list on every change.
    position: Mapped[int] = mapped_column(Integer)
    name_nb: Mapped[str] = mapped_column(String(100), default="")
    name_en: Mapped[str] = mapped_column(String(100), default="")
    name_sv: Mapped[str] = mapped_column(String(100), default="")
    name_da: Mapped[str] = mapped_column(String(100), default="")
    name_es: Mapped[str] = mapped_column(String(100), default="")
    is_final: Mapped[bool] = mapped_column(Boolean, default=False)

    workflow: Mapped[Workflow] = relationship(
        primaryjoin=lambda: tenant_join(Workflow, WorkflowStatus.workflow_id),
        back_populates="statuses",
        lazy="raise",
    )

    @property
    def names(self) -> dict[str, str]:
        """``{"0": nb, "1": en, "3": sv, "4": da, "7": es}``, "" where none was given."""
        return {str(code): getattr(self, column) or "" for code, column in NAME_COLUMNS.items()}

    def name_in(self, language: int) -> str:
        """The name in ``language``; where it has none, in English, then in the first
        language that has one."""
        for code in (language, *FALLBACK):
            name = getattr(self, NAME_COLUMNS[code])
            if name:
                return name
        return ""

    @property
    def name(self) -> str:
        """The name in the request's language (``language_code``)."""
        return self.name_in(current_language.get())
