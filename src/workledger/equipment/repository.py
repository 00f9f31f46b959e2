"""Queries of equipment (DESIGN §7.4)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import aliased, selectinload

from workledger.kit.repository import TenantRepository
from workledger.models import Equipment, StockMovement, WorkOrderEquipment


class EquipmentRepository(TenantRepository[Equipment]):
    model = Equipment
    # sub_equipment_ids renders with every record: one more query per page.
    load_options = (selectinload(Equipment.sub_equipment),)

    async def serial_taken(self, item_id: int, serial: str, *, other_than: int | None) -> bool:
        """Another record of ``item_id`` has ``serial``."""
        statement = select(Equipment.id).where(
            Equipment.company_id == self.company_id, Equipment.item_id == item_id,
            Equipment.serial_number == serial)
        if other_than is not None:
            statement = statement.where(Equipment.id != other_than)
        return (await self.session.scalar(statement.limit(1))) is not None

    async def main_chain(self, equipment_id: int) -> list[int]:
        """``equipment_id`` and every main above it (its main, that one's main, ...): one
        recursive query. ``UNION`` (not ``UNION ALL``) ends even on a cycle already
        stored."""
        chain = (
            select(Equipment.id, Equipment.main_equipment_id)
            .where(Equipment.company_id == self.company_id, Equipment.id == equipment_id)
            .cte("chain", recursive=True)
        )
        above = aliased(Equipment)
        chain = chain.union(
            select(above.id, above.main_equipment_id)
            .join(chain, above.id == chain.c.main_equipment_id)
            .where(above.company_id == self.company_id)
        )
        return list((await self.session.scalars(select(chain.c.id))).all())

    async def references(self, equipment_id: int) -> list[str]:
        """What still names the record: ``"sub equipment"``, ``"stock movements"``,
        ``"work orders"`` (one small query each, stopping at the first row)."""
        found = []
        checks = (
            ("sub equipment", select(Equipment.id).where(
                Equipment.company_id == self.company_id,
                Equipment.main_equipment_id == equipment_id)),
            ("stock movements", select(StockMovement.id).where(
                StockMovement.company_id == self.company_id,
                StockMovement.equipment_id == equipment_id)),
            ("work orders", select(WorkOrderEquipment.id).where(
                WorkOrderEquipment.company_id == self.company_id,
                WorkOrderEquipment.equipment_id == equipment_id)),
        )
        for name, statement in checks:
            if (await self.session.scalar(statement.limit(1))) is not None:
                found.append(name)
        return found
