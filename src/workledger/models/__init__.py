"""ORM models, one module per aggregate. Importing this package registers them all."""

from workledger.models.api_users import ApiUser, AutomationUser
from workledger.models.companies import Company
from workledger.models.credentials import Credential, CredentialKind
from workledger.models.customers import (
    Contact,
    Customer,
    CustomerStatus,
    CustomerType,
)
from workledger.models.idempotency import IdempotencyKey
from workledger.models.invoices import Invoice, InvoiceStatus
from workledger.models.items import Item, ItemKind
from workledger.models.oauth import OAuthAuthorizationCode, OAuthClient, OAuthToken
from workledger.models.suppliers import Supplier
from workledger.models.users import User, UserRole

__all__ = [
    "ApiUser", "AutomationUser", "Company", "Contact", "Credential", "CredentialKind",
    "Customer", "CustomerStatus", "CustomerType", "IdempotencyKey", "Invoice",
    "InvoiceStatus", "Item", "ItemKind", "OAuthAuthorizationCode", "OAuthClient",
    "OAuthToken", "Supplier", "User", "UserRole",
]
