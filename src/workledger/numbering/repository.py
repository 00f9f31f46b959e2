"""Number series (orders, purchase orders, work orders issue their numbers here)."""

from __future__ import annotations

from sqlalchemy import update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from workledger.kit.repository import TenantRepository
from workledger.models import NumberSeries


class NumberSeriesRepository(TenantRepository[NumberSeries]):
    model = NumberSeries

    async def issue(self, series: str, count: int = 1) -> list[int]:
        """The next ``count`` numbers of ``series`` (``"order"``, ``"purchase_order"``,
        ``"work_order"``), 1, 2, 3… per company.

        Two statements however many numbers: make the series row if it is missing
        (``ON CONFLICT DO NOTHING``, so two first orders racing do not fail), then
        ``UPDATE … RETURNING``, which locks the row until the transaction ends: concurrent
        requests get consecutive numbers one after the other, and a request that rolls
        back gives its numbers back instead of leaving a gap.
        """
        if count < 1:
            return []
        insert = pg_insert if self.session.bind.dialect.name == "postgresql" else sqlite_insert
        await self.session.execute(
            insert(NumberSeries)
            .values(company_id=self.company_id, name=series, last_number=0)
            .on_conflict_do_nothing(index_elements=["company_id", "name"])
        )
        last = await self.session.scalar(
            update(NumberSeries)
            .where(NumberSeries.company_id == self.company_id, NumberSeries.name == series)
            .values(last_number=NumberSeries.last_number + count)
            .returning(NumberSeries.last_number)
        )
        return list(range(last - count + 1, last + 1))
