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
from workledger.models.equipment import Equipment, EquipmentStatus
from workledger.models.idempotency import IdempotencyKey
from workledger.models.invoices import Invoice, InvoiceCharge, InvoiceStatus
from workledger.models.items import Item, ItemKind
from workledger.models.links import CompanyLink, ContactLink, LinkType
from workledger.models.numbering import NumberSeries
from workledger.models.oauth import OAuthAuthorizationCode, OAuthClient, OAuthToken
from workledger.models.orders import (
    Delivery,
    DeliveryLine,
    Order,
    OrderLine,
    OrderStatus,
    Process,
)
from workledger.models.purchase_orders import (
    PurchaseOrder,
    PurchaseOrderLine,
    PurchaseOrderStatus,
)
from workledger.models.sandbox import SandboxRestore
from workledger.models.stock import MovementType, StockLevel, StockMovement
from workledger.models.suppliers import Supplier
from workledger.models.users import User, UserRole
from workledger.models.warehouses import DEFAULT_WAREHOUSE_CODE, Warehouse
from workledger.models.work_orders import (
    TypeOfWork,
    WorkOrder,
    WorkOrderEmployee,
    WorkOrderEquipment,
    WorkOrderKind,
    WorkOrderMaterial,
    WorkOrderStatus,
    WorkPeriod,
)
from workledger.models.workflows import Workflow, WorkflowStatus, WorkflowType

__all__ = [
    "SandboxRestore",
    "ApiUser",
    "AutomationUser",
    "Company",
    "CompanyLink",
    "Contact",
    "ContactLink",
    "Credential",
    "CredentialKind",
    "Customer",
    "CustomerStatus",
    "CustomerType",
    "DEFAULT_WAREHOUSE_CODE",
    "Delivery",
    "DeliveryLine",
    "Employee",
    "Equipment",
    "EquipmentStatus",
    "IdempotencyKey",
    "Invoice",
    "InvoiceCharge",
    "InvoiceStatus",
    "Item",
    "ItemKind",
    "LinkType",
    "MovementType",
    "NumberSeries",
    "OAuthAuthorizationCode",
    "OAuthClient",
    "OAuthToken",
    "Order",
    "OrderLine",
    "OrderStatus",
    "Process",
    "PurchaseOrder",
    "PurchaseOrderLine",
    "PurchaseOrderStatus",
    "StockLevel",
    "StockMovement",
    "Supplier",
    "TypeOfWork",
    "User",
    "UserRole",
    "Warehouse",
    "WorkOrder",
    "WorkOrderEmployee",
    "WorkOrderEquipment",
    "WorkOrderKind",
    "WorkOrderMaterial",
    "WorkOrderStatus",
    "WorkPeriod",
    "Workflow",
    "WorkflowStatus",
    "WorkflowType",
]
