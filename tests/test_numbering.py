"""Issued numbers: consecutive per company and series, never twice, given back on rollback."""

from __future__ import annotations

import asyncio

from workledger.numbering.repository import NumberSeriesRepository


async def issue(app, company_id: int, series: str, count: int = 1) -> list[int]:
    async with app.state.database.session() as session:
        numbers = await NumberSeriesRepository(session, company_id).issue(series, count)
        await session.commit()
        return numbers


async def test_numbers_are_consecutive_per_company_and_series(app, acme, other):
    assert await issue(app, acme.id, "order") == [1]
    assert await issue(app, acme.id, "order", 3) == [2, 3, 4]
    assert await issue(app, acme.id, "work_order") == [1]
    assert await issue(app, other.id, "order") == [1]


async def test_a_rolled_back_request_gives_its_numbers_back(app, acme):
    async with app.state.database.session() as session:
        assert await NumberSeriesRepository(session, acme.id).issue("order", 2) == [1, 2]
        await session.rollback()
    assert await issue(app, acme.id, "order") == [1]


async def test_concurrent_requests_never_get_the_same_number(app, acme):
    results = await asyncio.gather(*(issue(app, acme.id, "order") for _ in range(12)))
    numbers = sorted(n for batch in results for n in batch)
    assert numbers == list(range(1, 13))
