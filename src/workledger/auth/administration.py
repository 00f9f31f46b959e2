"""What staff and company admins do with API access (seed 001, DESIGN §3, §4.7).

Used by the pages and by the management endpoints alike, so a rule (the ``WSI`` prefix,
API access being on before API users exist, ...) holds whichever way it is exercised.
Functions flush; the caller's unit of work commits.
"""

from __future__ import annotations

import re
import secrets
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from workledger.auth import credentials
from workledger.auth.passwords import hash_password, spend_verification_time, verify_password
from workledger.auth.repository import ApiUserRepository
from workledger.auth.secrets import Keyring
from workledger.kit.db import utcnow
from workledger.kit.i18n import N_
from workledger.kit.problems import NotFound, ValidationProblem
from workledger.models import ApiUser, AutomationUser, Company, CredentialKind, User

#: Systems offered in "Integration system"; "Other" asks for the name.
INTEGRATION_SYSTEMS = (
    "Shopify", "WooCommerce", "Magento", "Business Central", "Visma", "Fortnox",
    "Exact Online", "Other",
)
#: ERP/CRM packages on Settings → Start → ERP/CRM; BouwOffice is the documented default.
ERP_PACKAGES = ("BouwOffice", "AFAS", "Exact Online", "Snelstart", "Twinfield", "King",
                "Gripp", "Other")
DEFAULT_ERP_PACKAGE = "BouwOffice"
CHOOSE_ONE_OF = N_("choose one of: {choices}")
SESSION_TOKEN_LIFETIME = timedelta(minutes=60)
MIN_PASSWORD_LENGTH = 10
_USERNAME = re.compile(r"^[A-Za-z0-9_.@-]{4,100}$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


async def get_company(session: AsyncSession, company_id: int) -> Company:
    company = await session.get(Company, company_id)
    if company is None:
        raise NotFound(N_("No company with id {id}.").say(id=company_id))
    return company


async def set_api_access(session: AsyncSession, company_id: int, allowed: bool) -> Company:
    company = await get_company(session, company_id)
    company.api_access = allowed
    await session.flush()
    return company


def _check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise ValidationProblem.single(
            "password", N_("the password needs at least {minimum} characters").say(
                minimum=MIN_PASSWORD_LENGTH)
        )


async def _check_new_login(session: AsyncSession, username: str, password: str) -> None:
    """A Basic-auth login names one user across both tables, so it must be free in both."""
    if not _USERNAME.match(username):
        raise ValidationProblem.single(
            "username",
            N_("use 4-100 letters, digits or _ . @ - in the username").in_language()
        )
    for model in (ApiUser, AutomationUser):
        if await session.scalar(select(model.id).where(model.username == username)):
            raise ValidationProblem.single(
                "username", N_("this username is taken").in_language())
    _check_password(password)


async def create_api_user(
    session: AsyncSession,
    company_id: int,
    *,
    username: str,
    password: str,
    email: str,
    integration_system: str,
    integration_other: str = "",
    invoices_allowed: bool = False,
) -> ApiUser:
    company = await get_company(session, company_id)
    if not company.api_access:
        raise ValidationProblem.single(
            "company", N_("allow API access for this goods owner before creating API "
                          "users").in_language()
        )
    username = username.strip()
    if not username.startswith("WSI"):
        raise ValidationProblem.single(
            "username", N_("the username must start with \"WSI\" (Web Service "
                           "Integration)").in_language()
        )
    await _check_new_login(session, username, password)
    if email and not _EMAIL.match(email):
        raise ValidationProblem.single(
            "email", N_("this is not an e-mail address").in_language())
    if integration_system not in INTEGRATION_SYSTEMS:
        raise ValidationProblem.single(
            "integration_system",
            CHOOSE_ONE_OF.say(choices=", ".join(INTEGRATION_SYSTEMS))
        )
    if integration_system == "Other":
        integration_system = integration_other.strip()
        if not integration_system:
            raise ValidationProblem.single(
                "integration_other",
                N_("type the name of the system when you choose Other").in_language()
            )
    user = ApiUser(
        company_id=company.id,
        username=username,
        password_hash=await hash_password(password),
        email=email.strip(),
        integration_system=integration_system[:100],
        invoices_allowed=invoices_allowed,
    )
    session.add(user)
    await session.flush()
    return user


async def get_api_user(session: AsyncSession, company_id: int, user_id: int) -> ApiUser:
    user = await ApiUserRepository(session, company_id).find(id=user_id)
    if user is None:
        raise NotFound(N_("No API user with id {id}.").say(id=user_id))
    return user


async def list_api_users(session: AsyncSession, company_id: int) -> list[ApiUser]:
    return await ApiUserRepository(session, company_id).all_by_id()


async def update_api_user(
    session: AsyncSession,
    company_id: int,
    user_id: int,
    *,
    active: bool | None = None,
    invoices_allowed: bool | None = None,
    password: str | None = None,
) -> ApiUser:
    user = await get_api_user(session, company_id, user_id)
    if active is not None:
        user.is_active = active
    if invoices_allowed is not None:
        user.invoices_allowed = invoices_allowed
    if password is not None:
        _check_password(password)
        user.password_hash = await hash_password(password)
    await session.flush()
    return user


async def delete_api_user(session: AsyncSession, company_id: int, user_id: int) -> None:
    await session.delete(await get_api_user(session, company_id, user_id))
    await session.flush()


async def create_automation_user(
    session: AsyncSession, *, username: str, password: str, description: str = ""
) -> AutomationUser:
    username = username.strip()
    if username.startswith(("WSI", "api_")):
        raise ValidationProblem.single(
            "username", N_("\"WSI\" and \"api_\" names belong to goods-owner "
                           "credentials").in_language()
        )
    await _check_new_login(session, username, password)
    user = AutomationUser(
        username=username, password_hash=await hash_password(password),
        description=description.strip()[:200],
    )
    session.add(user)
    await session.flush()
    return user


async def list_automation_users(session: AsyncSession) -> list[AutomationUser]:
    return list((await session.scalars(select(AutomationUser).order_by(AutomationUser.id))).all())


async def set_automation_user_active(
    session: AsyncSession, user_id: int, active: bool
) -> AutomationUser:
    user = await session.get(AutomationUser, user_id)
    if user is None:
        raise NotFound(N_("No automation user with id {id}.").say(id=user_id))
    user.is_active = active
    await session.flush()
    return user


async def rotate_company_key(session: AsyncSession, keyring: Keyring, company_id: int) -> str:
    _, secret = await credentials.issue(
        session, keyring, CredentialKind.company_key, company_id=company_id,
        replace_existing=True,
    )
    return secret


async def company_key(session: AsyncSession, keyring: Keyring, company_id: int) -> str | None:
    """The active company key for its settings page, or ``None`` once it was revoked.

    Reading never issues one: a revoked key comes back only when an admin rotates.
    """
    return await credentials.current_secret(
        session, keyring, CredentialKind.company_key, company_id
    )


def api_email(company_id: int, host: str) -> str:
    return f"api_{company_id}_{secrets.token_hex(2)}@{host}"


async def generate_api_key(
    session: AsyncSession, keyring: Keyring, company_id: int, host: str
) -> tuple[str, str]:
    """A new API e-mail and key; the previous key stops working at once."""
    email = api_email(company_id, host)
    _, key = await credentials.issue(
        session, keyring, CredentialKind.api_key, company_id=company_id, login=email,
        replace_existing=True,
    )
    return email, key


async def choose_erp_package(
    session: AsyncSession, keyring: Keyring, company_id: int, package: str
) -> str:
    """Save the package; the connector token is made once and never changes (seed 003)."""
    if package not in ERP_PACKAGES:
        raise ValidationProblem.single(
            "package", CHOOSE_ONE_OF.say(choices=", ".join(ERP_PACKAGES)))
    company = await get_company(session, company_id)
    company.erp_package = package
    token = await credentials.current_secret(
        session, keyring, CredentialKind.connector_token, company_id
    )
    if token is None:
        _, token = await credentials.issue(
            session, keyring, CredentialKind.connector_token, company_id=company_id
        )
    await session.flush()
    return token


async def connector_token(session: AsyncSession, keyring: Keyring, company_id: int) -> str | None:
    return await credentials.current_secret(
        session, keyring, CredentialKind.connector_token, company_id
    )


async def issue_company_admin_token(
    session: AsyncSession, keyring: Keyring, company_id: int
) -> str:
    await get_company(session, company_id)
    _, token = await credentials.issue(
        session, keyring, CredentialKind.company_admin_token, company_id=company_id,
        replace_existing=True,
    )
    return token


async def authenticate_user(session: AsyncSession, email: str, password: str) -> User | None:
    user = await session.scalar(select(User).where(User.email == email.strip().lower()))
    if user is None or not user.is_active:
        await spend_verification_time(password)
        return None
    return user if await verify_password(password, user.password_hash) else None


async def issue_session_token(session: AsyncSession, keyring: Keyring, user: User) -> str:
    _, token = await credentials.issue(
        session, keyring, CredentialKind.session_token, company_id=user.company_id,
        user_id=user.id, expires_at=utcnow() + SESSION_TOKEN_LIFETIME,
    )
    return token
