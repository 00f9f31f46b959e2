"""Demo data: two companies (so isolation can be shown), a staff user and an OAuth
application. Each company has, besides what every company starts with (its workflows
and the MAIN warehouse), customers, a supplier, items, invoices, employees, a second
warehouse and links from the caller's own ids to a customer, a supplier and a contact,
and the operations flow of ``workledger.demo_flow``: stock received, an open, an
allocated and a delivered order, the equipment and work orders the delivery made.

``workledger demo`` creates it when absent and rotates its secrets when present, then
prints the credentials. Scripts and tests rely on the JSON shape.
"""

from __future__ import annotations

import secrets
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from workledger.auth import administration, credentials
from workledger.auth.passwords import hash_password
from workledger.auth.secrets import Keyring
from workledger.companies.service import (
    create_company,
    find_company,
    set_handling_charges,
    set_user,
)
from workledger.demo_flow import flow_ids, make_flow
from workledger.models import (
    ApiUser,
    AutomationUser,
    CompanyLink,
    Contact,
    ContactLink,
    CredentialKind,
    Customer,
    Employee,
    Invoice,
    Item,
    LinkType,
    Supplier,
    UserRole,
    Warehouse,
)
from workledger.models.work_orders import WorkOrderStatus
from workledger.oauth2 import clients as oauth_clients
from workledger.work_orders.repository import WorkOrderRepository

COMPANIES = (
    ("company", "Acme Installations", "admin@acme.example"),
    ("other_company", "Borealis Service", "admin@borealis.example"),
)
STAFF_EMAIL = "staff@workledger.example"
DEMO_APPLICATION = "Workledger demo reports"
DEMO_REDIRECT_URI = "http://127.0.0.1:8765/callback"


async def demo_still_valid(session: AsyncSession, keyring: Keyring, saved: dict) -> bool:
    """Whether saved demo credentials still open this database (same data, same secret)."""
    try:
        key = saved["company"]["company_key"]
        saved["oauth_client"]["client_secret"]  # noqa: B018 - older files lack these
        saved["connector"]["token"]  # noqa: B018
        saved["soap"]["wsdl_url"]  # noqa: B018
    except (KeyError, TypeError):
        return False
    current = await credentials.current_secret(
        session, keyring, CredentialKind.company_key, saved["company"].get("id", 0)
    )
    return current == key


async def _api_user(
    session: AsyncSession, company_id: int, username: str, *, invoices: bool
) -> dict[str, str]:
    """Create the demo API user, or give the existing one a new password."""
    password = secrets.token_urlsafe(12)
    existing = await session.scalar(select(ApiUser).where(ApiUser.username == username))
    if existing is None:
        await administration.create_api_user(
            session, company_id, username=username, password=password,
            email=f"{username.lower()}@integrations.example", integration_system="Other",
            integration_other="Demo web shop", invoices_allowed=invoices,
        )
    else:
        await administration.update_api_user(
            session, company_id, existing.id, active=True, invoices_allowed=invoices,
            password=password,
        )
    return {"username": username, "password": password}


async def _automation_user(session: AsyncSession) -> dict[str, str]:
    password = secrets.token_urlsafe(12)
    username = "automation-demo"
    existing = await session.scalar(
        select(AutomationUser).where(AutomationUser.username == username)
    )
    if existing is None:
        await administration.create_automation_user(
            session, username=username, password=password, description="Demo storage lift"
        )
    else:
        existing.password_hash = await hash_password(password)
        existing.is_active = True
    return {"username": username, "password": password}


async def ensure_demo(
    session: AsyncSession, keyring: Keyring, api_email_host: str = "api.workledger.local",
    public_url: str = "http://127.0.0.1:8000",
) -> dict[str, Any]:
    """Create or refresh the demo and answer its credentials: ``company`` and
    ``other_company`` (keys, users, tokens, the ids of the operations flow), ``staff``,
    ``automation_user``, ``oauth_client``, and for the first company the two faces'
    starting points: ``connector`` (``token``, ``workorder_no`` of a ``Compleet`` work
    order, or null once every one was handed over, and a ``GetWorkorder`` URL) and
    ``soap`` (``wsdl_url``, ``endpoint``, ``goods_owner_code`` and an API user)."""
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
        api_email, api_key = await administration.generate_api_key(
            session, keyring, company.id, api_email_host
        )
        short = name.split()[0].lower()
        result[key] = {
            "id": company.id,
            "name": company.name,
            "company_key": company_key,
            "admin": {"email": admin_email, "password": password},
            "api_email": api_email,
            "api_key": api_key,
            "api_user": await _api_user(session, company.id, f"WSI{short}", invoices=False),
            "invoice_api_user": await _api_user(
                session, company.id, f"WSI{short}_invoices", invoices=True
            ),
            "connector_token": await administration.choose_erp_package(
                session, keyring, company.id,
                company.erp_package or administration.DEFAULT_ERP_PACKAGE,
            ),
            "company_admin_token": await administration.issue_company_admin_token(
                session, keyring, company.id
            ),
            **await flow_ids(session, company.id),
        }
    first = result["company"]
    number = await WorkOrderRepository(session, first["id"]).first_number(
        WorkOrderStatus.complete)
    result["connector"] = {"token": first["connector_token"], "workorder_no": number}
    result["soap"] = {"goods_owner_code": str(first["id"]), **first["api_user"]}
    with_addresses(result, public_url)
    staff_password = secrets.token_urlsafe(12)
    await set_user(session, STAFF_EMAIL, staff_password, company_id=None, is_staff=True)
    result["staff"] = {"email": STAFF_EMAIL, "password": staff_password}
    result["automation_user"] = await _automation_user(session)
    result["oauth_client"] = await _oauth_client(session, keyring)
    return result


def with_addresses(demo: dict[str, Any], public_url: str) -> dict[str, Any]:
    """Set the URLs of ``demo``'s ``connector`` and ``soap`` members from ``public_url``
    (the server's address can change between runs; the credentials do not)."""
    base = public_url.rstrip("/")
    connector, soap = demo["connector"], demo["soap"]
    number = connector["workorder_no"]
    connector["get_workorder_url"] = (
        f"{base}/openapi/1/GetWorkorder/?token={connector['token']}"
        + (f"&workorder_no={number}" if number else ""))
    soap["wsdl_url"] = f"{base}/soap/goodsowner?wsdl"
    soap["endpoint"] = f"{base}/soap/goodsowner"
    return demo


async def _oauth_client(session: AsyncSession, keyring: Keyring) -> dict[str, str]:
    """A registered confidential application; its secret rotates on every run."""
    application = await oauth_clients.find_by_name(session, DEMO_APPLICATION)
    if application is None:
        application, secret = await oauth_clients.register(
            session, keyring, company_name="Workledger demo", name=DEMO_APPLICATION,
            logo_url="", website_url="https://reports.example",
            redirect_uris=[DEMO_REDIRECT_URI],
        )
    else:
        if not application.is_active:
            await oauth_clients.set_active(session, application.id, True)
        if DEMO_REDIRECT_URI not in application.redirect_uris:
            application.redirect_uris = [*application.redirect_uris, DEMO_REDIRECT_URI]
        secret = await oauth_clients.regenerate_secret(session, keyring, application.id)
    return {"client_id": application.client_id, "client_secret": secret,
            "redirect_uri": DEMO_REDIRECT_URI}


async def _sample_data(session: AsyncSession, company_id: int, name: str) -> None:
    short = name.split()[0]
    supplier = Supplier(company_id=company_id, company_name=f"{short} Wholesale",
                        email=f"orders@{short.lower()}-wholesale.example")
    billed = Customer(company_id=company_id, type=1, company_name=f"{short} Customer AS",
                      email=f"post@{short.lower()}-customer.example",
                      contacts=[Contact(company_id=company_id, first_name="Ed", last_name="Smith",
                                        email=f"ed@{short.lower()}-customer.example")])
    session.add(supplier)
    await session.flush()
    session.add_all([
        Item(company_id=company_id, number="HP-100", name="Heat pump 100", kind="unique",
             sales_price=Decimal("4200"), purchase_price=Decimal("3100"),
             tax_rate=Decimal("25"), supplier_id=supplier.id),
        Item(company_id=company_id, number="PIPE-15", name="Copper pipe 15 mm", kind="part",
             unit="m", sales_price=Decimal("9.5"), purchase_price=Decimal("4.2"),
             tax_rate=Decimal("25"), supplier_id=supplier.id),
        Item(company_id=company_id, number="FILTER-10", name="Air filter 10\"",
             kind="stock_goods", sales_price=Decimal("89"), purchase_price=Decimal("35"),
             tax_rate=Decimal("25"), supplier_id=supplier.id),
        Item(company_id=company_id, number="GAS-R32", name="Refrigerant R32", kind="consumable",
             unit="kg", sales_price=Decimal("310"), purchase_price=Decimal("190"),
             tax_rate=Decimal("25"), supplier_id=supplier.id),
        billed,
        Customer(company_id=company_id, type=2, first_name="Jane", last_name="Doe"),
    ])
    await session.flush()
    # The caller's own ids, as an ERP would keep them (seed 000 "Company links").
    session.add_all([
        CompanyLink(company_id=company_id, link_type=LinkType.customer.value,
                    external_id="CRM-C-1001", customer_id=billed.id),
        CompanyLink(company_id=company_id, link_type=LinkType.supplier.value,
                    external_id="ERP-S-2001", supplier_id=supplier.id),
        ContactLink(company_id=company_id, external_id="CRM-P-3001",
                    contact_id=billed.contacts[0].id),
        Employee(company_id=company_id, number="100", first_name="Kari", last_name="Nordmann",
                 email=f"kari@{short.lower()}.example", phone_number="+47 912 34 567"),
        Employee(company_id=company_id, number="101", first_name="Ola", last_name="Hansen",
                 email=f"ola@{short.lower()}.example", phone_number="+47 987 65 432"),
        Warehouse(company_id=company_id, code="VAN-1", name=f"{short} service van 1"),
    ])
    for number, day, amount, status in (("1001", 3, "1250", "paid"), ("1002", 17, "480", "sent")):
        net = Decimal(amount)
        session.add(Invoice(
            company_id=company_id, number=f"{short.upper()}-{number}", customer_id=billed.id,
            date=date(2026, 10, day), due_date=date(2026, 10, day) + timedelta(days=14),
            status=status, total_excl_tax=net, total_tax=net / 4, total_incl_tax=net * 5 / 4,
        ))
    await session.flush()
    # Handling prices, so the demo's delivery shows the invoice charges it makes.
    await set_handling_charges(session, company_id, {
        "handling_charge_per_order": Decimal("12.50"),
        "handling_charge_per_line": Decimal("1.75")})
    await make_flow(session, company_id, supplier_id=supplier.id, customer_id=billed.id)
