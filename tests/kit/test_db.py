"""kit/db.py: what one ``tenant_reference`` line declares, and the mistakes it refuses.

Throwaway models are declared in a fresh interpreter: declaring them here would leave
their tables in the application's metadata.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from workledger.kit.db import tenant_reference

DECLARE = """
import json
from sqlalchemy import ForeignKeyConstraint, UniqueConstraint
from sqlalchemy.orm import Mapped
import workledger.models
from workledger.kit.db import Base, Entity, TenantOwned, tenant_indexes, tenant_reference

class Visit(TenantOwned, Base):
    __tablename__ = "visits"
    __table_args__ = tenant_indexes("visits", "contact_id")
    customer_id: Mapped[int] = tenant_reference("customers", ondelete="CASCADE")
    contact_id: Mapped[int | None] = tenant_reference("contacts", ondelete="RESTRICT")

table = Visit.__table__
result = {
    "unique": sorted([c.name for c in k.columns] for k in table.constraints
                     if isinstance(k, UniqueConstraint)),
    "foreign": sorted((k.name, k.column_keys, [e.target_fullname for e in k.elements],
                       k.ondelete) for k in table.foreign_key_constraints),
    "indexes": sorted((i.name, [c.name for c in i.columns]) for i in table.indexes),
    "nullable": {c.name: c.nullable for c in table.columns if c.name.endswith("_id")},
}
try:
    class Log(Entity, Base):
        __tablename__ = "logs"
        customer_id: Mapped[int] = tenant_reference("customers", ondelete="CASCADE")
except TypeError as error:
    result["outside_tenant_model"] = str(error)
print(json.dumps(result))
"""


@pytest.fixture(scope="module")
def declared() -> dict:
    result = subprocess.run([sys.executable, "-c", DECLARE], capture_output=True,
                            text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_a_tenant_model_gets_the_unique_key_company_id_id(declared):
    assert ["company_id", "id"] in declared["unique"]


def test_each_reference_is_a_composite_key_into_the_same_company(declared):
    assert declared["foreign"] == [
        ["fk_visits_company_id_companies", ["company_id"], ["companies.id"], "CASCADE"],
        ["fk_visits_company_id_contact_id_contacts", ["company_id", "contact_id"],
         ["contacts.company_id", "contacts.id"], "RESTRICT"],
        ["fk_visits_company_id_customer_id_customers", ["company_id", "customer_id"],
         ["customers.company_id", "customers.id"], "CASCADE"],
    ]
    assert declared["nullable"] == {"company_id": False, "customer_id": False,
                                    "contact_id": True}


def test_a_reference_gets_an_index_unless_one_starts_with_it(declared):
    assert declared["indexes"] == [
        ["ix_visits_company_id_contact_id", ["company_id", "contact_id"]],  # the filter's
        ["ix_visits_company_id_customer_id", ["company_id", "customer_id"]],  # its own
    ]


def test_a_reference_outside_a_tenant_model_is_refused(declared):
    assert declared["outside_tenant_model"] == (
        "Log.customer_id: tenant_reference() needs a TenantOwned model"
    )


def test_set_null_is_refused():
    # It would set company_id to NULL as well as the reference.
    with pytest.raises(ValueError, match="SET NULL"):
        tenant_reference("customers", ondelete="SET NULL")
