"""Companies (tenants) and their people: used by the CLI, the demo and later the pages."""

from __future__ import annotations

import re
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from workledger.auth.administration import get_company
from workledger.auth.credentials import revoke_all
from workledger.auth.passwords import hash_password
from workledger.kit.i18n import N_
from workledger.kit.problems import ValidationProblem
from workledger.models import Company, CredentialKind, User, UserRole
from workledger.warehouses.service import create_default_warehouse
from workledger.workflows.service import create_default_workflows


async def create_company(session: AsyncSession, name: str, *, api_access: bool) -> Company:
    """A new company with what every company has from the start (DESIGN §7.1): its
    ``order`` and ``order_line`` workflows and its default warehouse ``MAIN``. Migration
    0004 gave the same to the companies that existed before."""
    company = Company(name=name, api_access=api_access)
    session.add(company)
    await session.flush()
    await create_default_workflows(session, company.id)
    await create_default_warehouse(session, company.id)
    return company


async def find_company(session: AsyncSession, name: str) -> Company | None:
    return await session.scalar(select(Company).where(Company.name == name).limit(1))


async def set_user(
    session: AsyncSession,
    email: str,
    password: str,
    *,
    company_id: int | None,
    role: UserRole = UserRole.member,
    is_staff: bool = False,
) -> User:
    """Create the user, or reset the password (and role) of the one with that e-mail."""
    email = email.strip().lower()
    user = await session.scalar(select(User).where(User.email == email))
    if user is None:
        user = User(email=email)
        session.add(user)
    else:
        # A new password (or company) ends the tokens issued under the old one.
        await revoke_all(session, CredentialKind.session_token, company_id=user.company_id,
                         user_id=user.id)
    user.company_id = company_id
    user.role = role
    user.is_staff = is_staff
    user.is_active = True
    user.password_hash = await hash_password(password)
    await session.flush()
    return user


#: The company settings that price a delivery's handling charges (invoice charges).
HANDLING_CHARGES = ("handling_charge_per_order", "handling_charge_per_line")
#: What the API's ``Money`` takes, as text: up to 10 whole digits and 4 decimals, ≥ 0.
PRICE_TEXT = re.compile(r"[0-9]{1,10}([.][0-9]{1,4})?")


def parse_price(member: str, raw: str) -> Decimal:
    """A price as a person types it on a page: ``12.50`` or ``12,50``; empty is 0.
    400 naming ``member`` otherwise (the bounds of the API's prices)."""
    text = raw.strip().replace(",", ".") or "0"
    if not PRICE_TEXT.fullmatch(text):
        raise ValidationProblem.single(
            member, N_("Enter a price of 0 or more, like 12.50: at most 10 digits before "
                       "the decimal point and 4 after it.").in_language())
    return Decimal(text)


async def set_handling_charges(session: AsyncSession, company_id: int,
                               prices: dict[str, Decimal]) -> Company:
    """Store the prices a delivery charges (DESIGN §8): ``handling_charge_per_order``
    and ``handling_charge_per_line``, excluding tax; 0 charges nothing."""
    company = await get_company(session, company_id)
    for name in HANDLING_CHARGES:
        if name in prices:
            setattr(company, name, prices[name])
    await session.flush()
    return company
