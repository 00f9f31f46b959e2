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
from workledger.models.employees import Employee
from workledger.models.idempotency import IdempotencyKey
from workledger.models.invoices import Invoice, InvoiceStatus
from workledger.models.items import Item, ItemKind
from workledger.models.links import CompanyLink, ContactLink, LinkType
from workledger.models.oauth import OAuthAuthorizationCode, OAuthClient, OAuthToken
from workledger.models.suppliers import Supplier
from workledger.models.users import User, UserRole
from workledger.models.warehouses import DEFAULT_WAREHOUSE_CODE, Warehouse
from workledger.models.workflows import Workflow, WorkflowStatus, WorkflowType

__all__ = [
    "DEFAULT_WAREHOUSE_CODE", "ApiUser", "AutomationUser", "Company", "CompanyLink", "Contact",
    "ContactLink", "Credential", "CredentialKind", "Customer", "CustomerStatus", "CustomerType",
    "Employee", "IdempotencyKey", "Invoice", "InvoiceStatus", "Item", "ItemKind", "LinkType",
    "OAuthAuthorizationCode", "OAuthClient", "OAuthToken", "Supplier", "User", "UserRole",
    "Warehouse", "Workflow", "WorkflowStatus", "WorkflowType",
]
