"""The database itself refuses a row that points into another company (DESIGN §1).

Rows go in through SQLAlchemy Core, past every service check, so only the composite
foreign keys ``(company_id, x_id) → x(company_id, id)`` stand in the way. Each refusal is
paired with the same statement pointing into the row's own company, which succeeds: the
error comes from the reference, not from some other missing value.
"""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import delete, insert, select, update
from sqlalchemy.exc import IntegrityError

from tests.conftest import BACKEND
from workledger.models import Contact, Customer, Invoice, Item, Supplier


@pytest.fixture
def engine(app):
    return app.state.database.engine


async def add(engine, model, **values) -> int:
    async with engine.begin() as connection:
        return await connection.scalar(insert(model).values(**values).returning(model.id))


def assert_refused(error: pytest.ExceptionInfo, constraint: str) -> None:
    # SQLite does not name the foreign key that failed; PostgreSQL does.
    expected = constraint if BACKEND == "postgres" else "FOREIGN KEY constraint failed"
    assert expected in str(error.value), str(error.value)


async def test_an_item_cannot_name_another_companys_supplier(engine, acme, other):
    mine = await add(engine, Supplier, company_id=acme.id, company_name="Mine")
    theirs = await add(engine, Supplier, company_id=other.id, company_name="Theirs")

    with pytest.raises(IntegrityError) as refused:
        await add(engine, Item, company_id=acme.id, number="X-1", name="X", supplier_id=theirs)
    assert_refused(refused, "fk_items_company_id_supplier_id_suppliers")

    await add(engine, Item, company_id=acme.id, number="X-1", name="X", supplier_id=mine)
    # MATCH SIMPLE: no supplier at all is fine.
    await add(engine, Item, company_id=acme.id, number="X-2", name="X", supplier_id=None)


async def test_an_item_cannot_be_changed_to_another_companys_supplier(engine, acme, other):
    theirs = await add(engine, Supplier, company_id=other.id, company_name="Theirs")
    item = await add(engine, Item, company_id=acme.id, number="U-1", name="U")

    with pytest.raises(IntegrityError) as refused:
        async with engine.begin() as connection:
            await connection.execute(
                update(Item).where(Item.id == item).values(supplier_id=theirs)
            )
    assert_refused(refused, "fk_items_company_id_supplier_id_suppliers")


async def test_a_contact_cannot_belong_to_another_companys_customer(engine, acme, other):
    mine = await add(engine, Customer, company_id=acme.id, company_name="Mine")
    theirs = await add(engine, Customer, company_id=other.id, company_name="Theirs")

    with pytest.raises(IntegrityError) as refused:
        await add(engine, Contact, company_id=acme.id, customer_id=theirs, first_name="Ed")
    assert_refused(refused, "fk_contacts_company_id_customer_id_customers")

    await add(engine, Contact, company_id=acme.id, customer_id=mine, first_name="Ed")


async def test_an_invoice_cannot_bill_another_companys_customer(engine, acme, other):
    mine = await add(engine, Customer, company_id=acme.id, company_name="Mine")
    theirs = await add(engine, Customer, company_id=other.id, company_name="Theirs")
    invoice = {"company_id": acme.id, "number": "INV-1", "date": date(2026, 11, 30),
               "due_date": date(2026, 12, 14)}

    with pytest.raises(IntegrityError) as refused:
        await add(engine, Invoice, **invoice, customer_id=theirs)
    assert_refused(refused, "fk_invoices_company_id_customer_id_customers")

    await add(engine, Invoice, **invoice, customer_id=mine)


async def test_a_referenced_row_cannot_move_to_another_company(engine, acme, other):
    customer = await add(engine, Customer, company_id=acme.id, company_name="Mine")
    await add(engine, Contact, company_id=acme.id, customer_id=customer, first_name="Ed")

    with pytest.raises(IntegrityError) as refused:
        async with engine.begin() as connection:
            await connection.execute(
                update(Customer).where(Customer.id == customer).values(company_id=other.id)
            )
    assert_refused(refused, "fk_contacts_company_id_customer_id_customers")


async def test_the_composite_keys_keep_their_delete_rules(engine, acme):
    customer = await add(engine, Customer, company_id=acme.id, company_name="Gone")
    contact = await add(engine, Contact, company_id=acme.id, customer_id=customer)
    supplier = await add(engine, Supplier, company_id=acme.id, company_name="Named")
    await add(engine, Item, company_id=acme.id, number="R-1", name="R", supplier_id=supplier)

    async with engine.begin() as connection:  # CASCADE: the contacts go with the customer
        await connection.execute(delete(Customer).where(Customer.id == customer))
        assert await connection.scalar(select(Contact.id).where(Contact.id == contact)) is None

    with pytest.raises(IntegrityError) as refused:  # RESTRICT: a named supplier stays
        async with engine.begin() as connection:
            await connection.execute(delete(Supplier).where(Supplier.id == supplier))
    assert_refused(refused, "fk_items_company_id_supplier_id_suppliers")
