"""``/v1/stock`` (read-only levels) and ``/v1/stock-movements`` (the ledger: list, get
and create only; DESIGN §7.2)."""

from __future__ import annotations

from workledger.auth.dependencies import Reader, Writer
from workledger.kit.i18n import N_
from workledger.kit.resource import Names, Reference, Resource
from workledger.models import Item, StockLevel, StockMovement, Warehouse
from workledger.stock import schemas
from workledger.stock.service import StockMovementService, StockService

STOCK = Resource(
    names=Names("stock", "stock", N_("No stock with id {id}.")),
    model=StockLevel,
    read=schemas.Stock,
    service=StockService,
    reader=Reader,
    filters=("id", "item_id", "warehouse_id", "on_hand", "allocated", "available",
             "incoming", "created_at", "updated_at"),
    sorts=("id", "item_id", "warehouse_id", "on_hand", "allocated", "available",
           "incoming", "created_at", "updated_at"),
)

STOCK_MOVEMENTS = Resource(
    names=Names("stock movement", "stock movements", N_("No stock movement with id {id}.")),
    model=StockMovement,
    read=schemas.StockMovement,
    create=schemas.StockMovementCreate,
    service=StockMovementService,
    reader=Reader,
    writer=Writer,
    # Append-only: PUT, PATCH and DELETE answer 405.
    operations=("list", "get", "create"),
    references=(Reference("item_id", Item), Reference("warehouse_id", Warehouse)),
    filters=("id", "item_id", "warehouse_id", "type", "quantity", "order_line_id",
             "purchase_order_line_id", "work_order_id", "equipment_id", "occurred_at",
             "created_at", "updated_at"),
    sorts=("id", "item_id", "warehouse_id", "type", "quantity", "occurred_at",
           "created_at", "updated_at"),
)

stock_router = STOCK.router()
stock_movements_router = STOCK_MOVEMENTS.router()
