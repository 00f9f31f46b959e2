"""Demo data: two companies (so isolation can be shown) and a staff user.

``workledger demo`` creates it when absent and rotates its secrets when present, then
prints the credentials. Scripts and tests rely on the JSON shape.
"""

from __future__ import annotations

import secrets
from decimal import Decimal
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from workledger.auth import credentials
from workledger.auth.secrets import Keyring
from workledger.companies.service import create_company, find_company, set_user
from workledger.models import Contact, CredentialKind, Customer, Item, Supplier, UserRole

COMPANIES = (
    ("company", "Acme Installations", "admin@acme.example"),
    ("other_company", "Borealis Service", "admin@borealis.example"),
)
STAFF_EMAIL = "staff@workledger.example"


async def demo_still_valid(session: AsyncSession, keyring: Keyring, saved: dict) -> bool:
    """Whether saved demo credentials still open this database (same data, same secret)."""
    try:
        key = saved["company"]["company_key"]
    except (KeyError, TypeError):
        return False
    current = await credentials.current_secret(
        session, keyring, CredentialKind.company_key, saved["company"].get("id", 0)
    )
    return current == key


async def ensure_demo(session: AsyncSession, keyring: Keyring) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, name, admin_email in COMPANIES:
        company = await find_company(session, name)
        if company is None:
            company = await create_company(session, name, api_access=True)
            await _sample_data(session, company.id, name)
        company.api_access = True
        _, company_key = await credentials.issue(
            session, keyring, CredentialKind.company_key, company_id=company.id,
            replace_existing=True,
        )
        password = secrets.token_urlsafe(12)
        await set_user(session, admin_email, password, company_id=company.id, role=UserRole.admin)
        result[key] = {
            "id": company.id,
            "name": company.name,
            "company_key": company_key,
            "admin": {"email": admin_email, "password": password},
        }
    staff_password = secrets.token_urlsafe(12)
    await set_user(session, STAFF_EMAIL, staff_password, company_id=None, is_staff=True)
    result["staff"] = {"email": STAFF_EMAIL, "password": staff_password}
    return result


async def _sample_data(session: AsyncSession, company_id: int, name: str) -> None:
    short = name.split()[0]
    supplier = Supplier(company_id=company_id, company_name=f"{short} Wholesale",
                        email=f"orders@{short.lower()}-wholesale.example")
    session.add(supplier)
    await session.flush()
    session.add_all([
        Item(company_id=company_id, number="HP-100", name="Heat pump 100", kind="unique",
             sales_price=Decimal("4200"), purchase_price=Decimal("3100"),
             tax_rate=Decimal("25"), supplier_id=supplier.id),
        Item(company_id=company_id, number="PIPE-15", name="Copper pipe 15 mm", kind="part",
             unit="m", sales_price=Decimal("9.5"), purchase_price=Decimal("4.2"),
             tax_rate=Decimal("25"), supplier_id=supplier.id),
        Customer(company_id=company_id, type=1, company_name=f"{short} Customer AS",
                 email=f"post@{short.lower()}-customer.example",
                 contacts=[Contact(company_id=company_id, first_name="Ed", last_name="Smith",
                                   email=f"ed@{short.lower()}-customer.example")]),
        Customer(company_id=company_id, type=2, first_name="Jane", last_name="Doe"),
    ])
    await session.flush()
