"""reference data: company and contact links, workflows, employees, warehouses

New tables only; no existing table is rebuilt. Every company that exists gets what a
new company gets from ``create_company``: its ``order`` and ``order_line`` workflows
with the default statuses, and its default warehouse ``MAIN`` (DESIGN §7.1). The
defaults are copied here, frozen as they were when this revision was written
(``workledger.workflows.defaults`` may change later; this revision must not).

Downgrading drops the new tables and what they hold.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-30 15:40:58.205203
"""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


#: type → statuses in order: (is_final, nb, en, sv, da, es).
DEFAULT_WORKFLOWS = {
    'order': (
        (False, 'Ny', 'New', 'Ny', 'Ny', 'Nuevo'),
        (False, 'Bekreftet', 'Confirmed', 'Bekräftad', 'Bekræftet', 'Confirmado'),
        (False, 'Under arbeid', 'In progress', 'Pågår', 'I gang', 'En curso'),
        (True, 'Fullført', 'Completed', 'Slutförd', 'Afsluttet', 'Completado'),
    ),
    'order_line': (
        (False, 'Åpen', 'Open', 'Öppen', 'Åben', 'Abierta'),
        (False, 'Planlagt', 'Planned', 'Planerad', 'Planlagt', 'Planificada'),
        (True, 'Ferdig', 'Done', 'Klar', 'Færdig', 'Terminada'),
    ),
}
LANGUAGES = ('nb', 'en', 'sv', 'da', 'es')
Timestamp = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table('employees',
    sa.Column('number', sa.String(length=30), nullable=False),
    sa.Column('first_name', sa.String(length=100), nullable=False),
    sa.Column('last_name', sa.String(length=100), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('phone_number', sa.String(length=50), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('import_id', sa.String(length=50), nullable=True),
    sa.Column('company_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['company_id'], ['companies.id'], name=op.f('fk_employees_company_id_companies'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_employees')),
    sa.UniqueConstraint('company_id', 'id', name=op.f('uq_employees_company_id_id')),
    sa.UniqueConstraint('company_id', 'import_id', name=op.f('uq_employees_company_id_import_id')),
    sa.UniqueConstraint('company_id', 'number', name=op.f('uq_employees_company_id_number')),
    sqlite_autoincrement=True
    )
    with op.batch_alter_table('employees', schema=None) as batch_op:
        batch_op.create_index('ix_employees_company_id_active', ['company_id', 'active'], unique=False)
        batch_op.create_index('ix_employees_company_id_created_at', ['company_id', 'created_at'], unique=False)
        batch_op.create_index('ix_employees_company_id_email', ['company_id', 'email'], unique=False)
        batch_op.create_index('ix_employees_company_id_first_name', ['company_id', 'first_name'], unique=False)
        batch_op.create_index('ix_employees_company_id_last_name', ['company_id', 'last_name'], unique=False)
        batch_op.create_index('ix_employees_company_id_phone_number', ['company_id', 'phone_number'], unique=False)
        batch_op.create_index('ix_employees_company_id_updated_at', ['company_id', 'updated_at'], unique=False)

    op.create_table('warehouses',
    sa.Column('code', sa.String(length=30), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('is_default', sa.Boolean(), nullable=False),
    sa.Column('import_id', sa.String(length=50), nullable=True),
    sa.Column('company_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['company_id'], ['companies.id'], name=op.f('fk_warehouses_company_id_companies'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_warehouses')),
    sa.UniqueConstraint('company_id', 'code', name=op.f('uq_warehouses_company_id_code')),
    sa.UniqueConstraint('company_id', 'id', name=op.f('uq_warehouses_company_id_id')),
    sa.UniqueConstraint('company_id', 'import_id', name=op.f('uq_warehouses_company_id_import_id')),
    sqlite_autoincrement=True
    )
    with op.batch_alter_table('warehouses', schema=None) as batch_op:
        batch_op.create_index('ix_warehouses_company_id_created_at', ['company_id', 'created_at'], unique=False)
        batch_op.create_index('ix_warehouses_company_id_name', ['company_id', 'name'], unique=False)
        batch_op.create_index('ix_warehouses_company_id_updated_at', ['company_id', 'updated_at'], unique=False)

    op.create_table('workflows',
    sa.Column('type', sa.String(length=20), nullable=False),
    sa.Column('company_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['company_id'], ['companies.id'], name=op.f('fk_workflows_company_id_companies'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_workflows')),
    sa.UniqueConstraint('company_id', 'id', name=op.f('uq_workflows_company_id_id')),
    sa.UniqueConstraint('company_id', 'type', name=op.f('uq_workflows_company_id_type')),
    sqlite_autoincrement=True
    )
    with op.batch_alter_table('workflows', schema=None) as batch_op:
        batch_op.create_index('ix_workflows_company_id_created_at', ['company_id', 'created_at'], unique=False)
        batch_op.create_index('ix_workflows_company_id_updated_at', ['company_id', 'updated_at'], unique=False)

    op.create_table('company_links',
    sa.Column('link_type', sa.String(length=20), nullable=False),
    sa.Column('external_id', sa.String(length=50), nullable=False),
    sa.Column('customer_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('supplier_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('company_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("(link_type = 'customer' AND customer_id IS NOT NULL AND supplier_id IS NULL) OR (link_type = 'supplier' AND supplier_id IS NOT NULL AND customer_id IS NULL)", name=op.f('ck_company_links_one_target')),
    sa.ForeignKeyConstraint(['company_id', 'customer_id'], ['customers.company_id', 'customers.id'], name=op.f('fk_company_links_company_id_customer_id_customers'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['company_id', 'supplier_id'], ['suppliers.company_id', 'suppliers.id'], name=op.f('fk_company_links_company_id_supplier_id_suppliers'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['company_id'], ['companies.id'], name=op.f('fk_company_links_company_id_companies'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_company_links')),
    sa.UniqueConstraint('company_id', 'id', name=op.f('uq_company_links_company_id_id')),
    sa.UniqueConstraint('company_id', 'link_type', 'external_id', name=op.f('uq_company_links_company_id_link_type_external_id')),
    sqlite_autoincrement=True
    )
    with op.batch_alter_table('company_links', schema=None) as batch_op:
        batch_op.create_index('ix_company_links_company_id_created_at', ['company_id', 'created_at'], unique=False)
        batch_op.create_index('ix_company_links_company_id_customer_id', ['company_id', 'customer_id'], unique=False)
        batch_op.create_index('ix_company_links_company_id_external_id', ['company_id', 'external_id'], unique=False)
        batch_op.create_index('ix_company_links_company_id_supplier_id', ['company_id', 'supplier_id'], unique=False)
        batch_op.create_index('ix_company_links_company_id_updated_at', ['company_id', 'updated_at'], unique=False)

    op.create_table('workflow_statuses',
    sa.Column('workflow_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('name_nb', sa.String(length=100), nullable=False),
    sa.Column('name_en', sa.String(length=100), nullable=False),
    sa.Column('name_sv', sa.String(length=100), nullable=False),
    sa.Column('name_da', sa.String(length=100), nullable=False),
    sa.Column('name_es', sa.String(length=100), nullable=False),
    sa.Column('is_final', sa.Boolean(), nullable=False),
    sa.Column('company_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['company_id', 'workflow_id'], ['workflows.company_id', 'workflows.id'], name=op.f('fk_workflow_statuses_company_id_workflow_id_workflows'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['company_id'], ['companies.id'], name=op.f('fk_workflow_statuses_company_id_companies'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_workflow_statuses')),
    sa.UniqueConstraint('company_id', 'id', name=op.f('uq_workflow_statuses_company_id_id')),
    sqlite_autoincrement=True
    )
    with op.batch_alter_table('workflow_statuses', schema=None) as batch_op:
        batch_op.create_index('ix_workflow_statuses_company_id_workflow_id', ['company_id', 'workflow_id'], unique=False)

    op.create_table('contact_links',
    sa.Column('external_id', sa.String(length=50), nullable=False),
    sa.Column('contact_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('company_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['company_id', 'contact_id'], ['contacts.company_id', 'contacts.id'], name=op.f('fk_contact_links_company_id_contact_id_contacts'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['company_id'], ['companies.id'], name=op.f('fk_contact_links_company_id_companies'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_contact_links')),
    sa.UniqueConstraint('company_id', 'external_id', name=op.f('uq_contact_links_company_id_external_id')),
    sa.UniqueConstraint('company_id', 'id', name=op.f('uq_contact_links_company_id_id')),
    sqlite_autoincrement=True
    )
    with op.batch_alter_table('contact_links', schema=None) as batch_op:
        batch_op.create_index('ix_contact_links_company_id_contact_id', ['company_id', 'contact_id'], unique=False)
        batch_op.create_index('ix_contact_links_company_id_created_at', ['company_id', 'created_at'], unique=False)
        batch_op.create_index('ix_contact_links_company_id_updated_at', ['company_id', 'updated_at'], unique=False)

    give_existing_companies_their_defaults()


def give_existing_companies_their_defaults() -> None:
    """Set-based: a statement per default row, however many companies there are."""
    now = datetime.now(UTC)
    if op.get_bind().dialect.name == 'sqlite':
        now = now.replace(tzinfo=None)  # stored as naive UTC, as kit.db.UTCDateTime does
    stamps = {'created_at': sa.literal(now, Timestamp), 'updated_at': sa.literal(now, Timestamp)}
    companies = sa.table('companies', sa.column('id'))
    workflows = sa.table('workflows', sa.column('id'), sa.column('company_id'), sa.column('type'),
                         sa.column('created_at'), sa.column('updated_at'))
    statuses = sa.table('workflow_statuses', sa.column('company_id'), sa.column('workflow_id'),
                        sa.column('position'), sa.column('is_final'),
                        *(sa.column(f'name_{language}') for language in LANGUAGES),
                        sa.column('created_at'), sa.column('updated_at'))
    warehouses = sa.table('warehouses', sa.column('company_id'), sa.column('code'),
                          sa.column('name'), sa.column('is_default'), sa.column('import_id'),
                          sa.column('created_at'), sa.column('updated_at'))

    def insert_per_company(table, source, **values) -> None:
        values = {**values, **stamps}
        op.execute(table.insert().from_select(list(values), sa.select(*(
            value.label(name) for name, value in values.items()
        )).select_from(source)))

    for workflow_type, defaults in DEFAULT_WORKFLOWS.items():
        insert_per_company(workflows, companies, company_id=companies.c.id,
                           type=sa.literal(workflow_type))
        of_type = workflows.select().where(workflows.c.type == workflow_type).subquery()
        for position, (is_final, *names) in enumerate(defaults, 1):
            insert_per_company(
                statuses, of_type, company_id=of_type.c.company_id, workflow_id=of_type.c.id,
                position=sa.literal(position), is_final=sa.literal(is_final, sa.Boolean()),
                **{f'name_{language}': sa.literal(name)
                   for language, name in zip(LANGUAGES, names, strict=True)},
            )
    insert_per_company(warehouses, companies, company_id=companies.c.id,
                       code=sa.literal('MAIN'), name=sa.literal('Main warehouse'),
                       is_default=sa.literal(True, sa.Boolean()),
                       import_id=sa.null())



def downgrade() -> None:
    with op.batch_alter_table('contact_links', schema=None) as batch_op:
        batch_op.drop_index('ix_contact_links_company_id_updated_at')
        batch_op.drop_index('ix_contact_links_company_id_created_at')
        batch_op.drop_index('ix_contact_links_company_id_contact_id')

    op.drop_table('contact_links')
    with op.batch_alter_table('workflow_statuses', schema=None) as batch_op:
        batch_op.drop_index('ix_workflow_statuses_company_id_workflow_id')

    op.drop_table('workflow_statuses')
    with op.batch_alter_table('company_links', schema=None) as batch_op:
        batch_op.drop_index('ix_company_links_company_id_updated_at')
        batch_op.drop_index('ix_company_links_company_id_supplier_id')
        batch_op.drop_index('ix_company_links_company_id_external_id')
        batch_op.drop_index('ix_company_links_company_id_customer_id')
        batch_op.drop_index('ix_company_links_company_id_created_at')

    op.drop_table('company_links')
    with op.batch_alter_table('workflows', schema=None) as batch_op:
        batch_op.drop_index('ix_workflows_company_id_updated_at')
        batch_op.drop_index('ix_workflows_company_id_created_at')

    op.drop_table('workflows')
    with op.batch_alter_table('warehouses', schema=None) as batch_op:
        batch_op.drop_index('ix_warehouses_company_id_updated_at')
        batch_op.drop_index('ix_warehouses_company_id_name')
        batch_op.drop_index('ix_warehouses_company_id_created_at')

    op.drop_table('warehouses')
    with op.batch_alter_table('employees', schema=None) as batch_op:
        batch_op.drop_index('ix_employees_company_id_updated_at')
        batch_op.drop_index('ix_employees_company_id_phone_number')
        batch_op.drop_index('ix_employees_company_id_last_name')
        batch_op.drop_index('ix_employees_company_id_first_name')
        batch_op.drop_index('ix_employees_company_id_email')
        batch_op.drop_index('ix_employees_company_id_created_at')
        batch_op.drop_index('ix_employees_company_id_active')

    op.drop_table('employees')
