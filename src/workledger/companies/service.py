"""Companies (tenants) and their people: used by the CLI, the demo and later the pages."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from workledger.auth.credentials import revoke_all
from workledger.auth.passwords import hash_password
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


async def list_companies(session: AsyncSession) -> list[Company]:
    return list((await session.scalars(select(Company).order_by(Company.id))).all())


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
