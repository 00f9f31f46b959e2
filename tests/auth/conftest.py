"""Credentials of every kind, obtained through the same services the pages use."""

from __future__ import annotations

import base64
import secrets
from datetime import date, timedelta
from decimal import Decimal

import pytest

from workledger.auth import administration
from workledger.companies.service import set_user
from workledger.models import Customer, Invoice, UserRole

PASSWORD = "correct-horse-battery"


def basic(login: str, password: str) -> dict[str, str]:
    token = base64.b64encode(f"{login}:{password}".encode()).decode()
    return {"Authorization": f"Basic {token}"}


@pytest.fixture
def access(app, settings):
    """Issue credentials for a tenant: ``await access.api_user(tenant)`` and so on."""
    database, keyring = app.state.database, app.state.keyring

    class Access:
        async def api_key(self, tenant) -> dict[str, str]:
            async with database.session() as session:
                email, key = await administration.generate_api_key(
                    session, keyring, tenant.id, settings.api_email_host
                )
            return {"login": email, "secret": key, "headers": basic(email, key)}

        async def api_user(self, tenant, *, invoices: bool = False) -> dict:
            username = f"WSI{secrets.token_hex(4)}"
            async with database.session() as session:
                user = await administration.create_api_user(
                    session, tenant.id, username=username, password=PASSWORD,
                    email="integrator@example.com", integration_system="Shopify",
                    invoices_allowed=invoices,
                )
            return {"id": user.id, "login": username, "secret": PASSWORD,
                    "headers": basic(username, PASSWORD)}

        async def automation_user(self) -> dict:
            username = f"robot-{secrets.token_hex(4)}"
            async with database.session() as session:
                user = await administration.create_automation_user(
                    session, username=username, password=PASSWORD
                )
            return {"id": user.id, "login": username, "secret": PASSWORD,
                    "headers": basic(username, PASSWORD)}

        async def person(self, tenant, *, role=UserRole.admin) -> dict:
            email = f"person-{secrets.token_hex(4)}@example.com"
            async with database.session() as session:
                user = await set_user(session, email, PASSWORD, company_id=tenant.id, role=role)
            return {"id": user.id, "login": email, "secret": PASSWORD}

        async def connector_token(self, tenant) -> str:
            async with database.session() as session:
                return await administration.choose_erp_package(
                    session, keyring, tenant.id, "BouwOffice"
                )

        async def company_admin_token(self, tenant) -> str:
            async with database.session() as session:
                return await administration.issue_company_admin_token(
                    session, keyring, tenant.id
                )

        async def invoice(self, tenant) -> int:
            async with database.session() as session:
                customer = Customer(company_id=tenant.id, company_name="Billed")
                session.add(customer)
                await session.flush()
                invoice = Invoice(
                    company_id=tenant.id, number=f"INV-{secrets.token_hex(3)}",
                    customer_id=customer.id, date=date(2026, 11, 1),
                    due_date=date(2026, 11, 1) + timedelta(days=14), status="sent",
                    total_excl_tax=Decimal("100"), total_tax=Decimal("25"),
                    total_incl_tax=Decimal("125"),
                )
                session.add(invoice)
                await session.flush()
                return invoice.id

        async def set_api_access(self, tenant, allowed: bool) -> None:
            async with database.session() as session:
                await administration.set_api_access(session, tenant.id, allowed)

    return Access()
