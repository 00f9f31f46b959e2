"""structural tenancy: unique (company_id, id), composite foreign keys between tenant rows

Every tenant table gets the unique key ``(company_id, id)`` (which makes the old
``(company_id, id)`` indexes redundant), and each reference between tenant rows becomes
``(company_id, x_id) → x(company_id, id)``, so the database refuses a row that points
into another company (DESIGN §1).

Existing rows stay as they are. A database that already holds a reference into another
company cannot take the new keys; the upgrade stops before changing anything and names
the rows, which someone has to correct by hand (only that person knows which side is
wrong).

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-30 10:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None

#: Referrers first: a unique key cannot be dropped while a foreign key uses it.
#: (table, column, target, ondelete)
REFERENCES = (
    ('contacts', 'customer_id', 'customers', 'CASCADE'),
    ('items', 'supplier_id', 'suppliers', 'RESTRICT'),
    ('invoices', 'customer_id', 'customers', 'RESTRICT'),
)
#: Targets first: a foreign key needs the unique key it points at.
TENANT_TABLES = ('customers', 'suppliers', 'api_users', 'contacts', 'items', 'invoices')
#: Tables whose (company_id, id) index the unique key replaces (contacts never had one).
OLD_ID_INDEXES = ('customers', 'suppliers', 'api_users', 'items', 'invoices')


def batch(table: str):
    # SQLite rebuilds the table from its reflection, which does not carry AUTOINCREMENT
    # (models: NEVER_REUSE_IDS); without it a deleted last id would be handed out again.
    return op.batch_alter_table(table, table_kwargs={'sqlite_autoincrement': True})


def refuse_references_into_other_companies() -> None:
    connection = op.get_bind()
    problems = []
    for table, column, target, _ in REFERENCES:
        rows = connection.execute(sa.text(
            f'SELECT r.id FROM {table} r JOIN {target} t ON t.id = r.{column} '
            f'WHERE t.company_id <> r.company_id ORDER BY r.id'
        )).scalars().all()
        if rows:
            problems.append(f'{table} {list(rows)}: {column} names a row of {target} '
                            'of another company')
    if problems:
        raise RuntimeError('cannot add the composite foreign keys; correct these rows '
                           'first: ' + '; '.join(problems))


def upgrade() -> None:
    refuse_references_into_other_companies()
    references = {table: (column, target, ondelete)
                  for table, column, target, ondelete in REFERENCES}
    for table in TENANT_TABLES:
        with batch(table) as batch_op:
            batch_op.create_unique_constraint(op.f(f'uq_{table}_company_id_id'),
                                              ['company_id', 'id'])
            if table in OLD_ID_INDEXES:
                batch_op.drop_index(f'ix_{table}_company_id_id')
            if table in references:
                column, target, ondelete = references[table]
                batch_op.drop_constraint(op.f(f'fk_{table}_{column}_{target}'),
                                         type_='foreignkey')
                batch_op.create_foreign_key(
                    op.f(f'fk_{table}_company_id_{column}_{target}'), target,
                    ['company_id', column], ['company_id', 'id'], ondelete=ondelete,
                )
            if table == 'contacts':
                # Leads with company_id like every tenant index, and serves the key.
                batch_op.drop_index(op.f('ix_contacts_customer_id'))
                batch_op.create_index('ix_contacts_company_id_customer_id',
                                      ['company_id', 'customer_id'], unique=False)


def downgrade() -> None:
    references = {table: (column, target, ondelete)
                  for table, column, target, ondelete in REFERENCES}
    for table in reversed(TENANT_TABLES):
        with batch(table) as batch_op:
            if table == 'contacts':
                batch_op.drop_index('ix_contacts_company_id_customer_id')
                batch_op.create_index(op.f('ix_contacts_customer_id'), ['customer_id'],
                                      unique=False)
            if table in references:
                column, target, ondelete = references[table]
                batch_op.drop_constraint(op.f(f'fk_{table}_company_id_{column}_{target}'),
                                         type_='foreignkey')
                batch_op.create_foreign_key(op.f(f'fk_{table}_{column}_{target}'), target,
                                            [column], ['id'], ondelete=ondelete)
            if table in OLD_ID_INDEXES:
                batch_op.create_index(f'ix_{table}_company_id_id', ['company_id', 'id'],
                                      unique=False)
            batch_op.drop_constraint(op.f(f'uq_{table}_company_id_id'), type_='unique')
