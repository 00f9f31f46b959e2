"""The schema keeps the promises of DESIGN §1 and §5."""

from __future__ import annotations

from sqlalchemy import UniqueConstraint

import workledger.app  # noqa: F401 - declares every resource
from workledger.kit.db import Base
from workledger.kit.resource import REGISTRY

#: The app declares at least these; the walk below must not pass on an empty registry.
KNOWN = {"customers", "suppliers", "items", "invoices", "company links", "contact links",
         "workflows", "employees", "warehouses",
         "stock", "stock movements", "purchase orders",  # issue 8: stock
         "orders", "lines", "deliveries",  # issue 8: orders
         "equipment", "work orders"}  # issue 8: equipment and work orders


def covered_by_company_index(table, column: str) -> bool:
    for index in table.indexes:
        names = [c.name for c in index.columns]
        if names[:2] == ["company_id", column]:
            return True
    for constraint in table.constraints:
        names = [c.name for c in getattr(constraint, "columns", [])]
        if names[:2] == ["company_id", column]:
            return True
    return False


def test_every_filter_and_sort_field_has_an_index_starting_with_company_id():
    declared = {resource.names.plural: resource for resource in REGISTRY
                if resource.model.__table__.metadata is Base.metadata}
    assert set(declared) >= KNOWN, f"resources missing from the registry: {KNOWN - set(declared)}"
    checked = 0
    for resource in declared.values():
        table = resource.model.__table__
        for column in {*resource.spec.filters, *resource.spec.sorts}:
            assert covered_by_company_index(table, column), f"{table.name}.{column}"
            checked += 1
    assert checked >= 30


def test_tenant_unique_keys_include_company_id():
    for table in Base.metadata.tables.values():
        # Logins are unique across the installation: Basic auth presents only the name.
        if "company_id" not in table.columns or table.name in ("users", "credentials",
                                                               "api_users"):
            continue
        for constraint in table.constraints:
            if constraint.__class__.__name__ == "UniqueConstraint":
                assert "company_id" in [c.name for c in constraint.columns], table.name


def tenant_tables() -> dict[str, object]:
    """Tables whose every row belongs to a company (users and credentials have rows of
    no company, see their models)."""
    return {
        name: table for name, table in Base.metadata.tables.items()
        if "company_id" in table.columns and not table.columns["company_id"].nullable
    }


def test_every_tenant_table_has_the_unique_key_company_id_id():
    tables = tenant_tables()
    assert {"customers", "contacts", "suppliers", "items", "invoices", "api_users"} <= set(
        tables
    )
    for name, table in tables.items():
        keys = [[c.name for c in constraint.columns] for constraint in table.constraints
                if isinstance(constraint, UniqueConstraint)]
        assert ["company_id", "id"] in keys, name


def test_every_reference_between_tenant_rows_is_a_composite_key():
    tables = tenant_tables()
    references = []
    for name, table in tables.items():
        for key in table.foreign_key_constraints:
            if key.referred_table.name not in tables:
                continue  # companies itself, or a platform table
            references.append(f"{name}.{key.column_keys[-1]}")
            assert key.column_keys[0] == "company_id", (name, key.column_keys)
            assert len(key.column_keys) == 2, (name, key.column_keys)
            assert [e.column.name for e in key.elements] == ["company_id", "id"], name
    assert {"contacts.customer_id", "items.supplier_id", "invoices.customer_id",
            "company_links.customer_id", "company_links.supplier_id",
            "contact_links.contact_id", "workflow_statuses.workflow_id"} <= set(
        references
    ), references


async def test_migrations_match_the_models(cli_env, migrated):
    # Alembic compares the models with a database at head: run alone, this test must
    # migrate it first.
    from tests.conftest import run_cli

    result = run_cli(cli_env, "check-migrations")
    assert result.returncode == 0, result.stdout + result.stderr
