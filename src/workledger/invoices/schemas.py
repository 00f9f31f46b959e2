from __future__ import annotations

from datetime import date

from workledger.kit.schemas import ReadModel
from workledger.kit.types import MoneyOut


class Invoice(ReadModel):
    number: str
    customer_id: int
    date: date
    due_date: date
    status: str
    currency: str
    total_excl_tax: MoneyOut
    total_tax: MoneyOut
    total_incl_tax: MoneyOut
