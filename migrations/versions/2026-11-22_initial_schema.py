"""initial schema

Revision ID: 0001
Revises: 
Create Date: 2026-11-22 19:34:00.747433
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('automation_users',
    sa.Column('username', sa.String(length=100), nullable=False),
    sa.Column('password_hash', sa.String(length=255), nullable=False),
    sa.Column('description', sa.String(length=200), nullable=False),
    sa.Column('is_active', sa.Boolean(), nullable=False),
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_automation_users')),
    sa.UniqueConstraint('username', name=op.f('uq_automation_users_username')),
    sqlite_autoincrement=True
    )
    op.create_table('companies',
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('api_access', sa.Boolean(), nullable=False),
    sa.Column('erp_package', sa.String(length=50), nullable=True),
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_companies')),
    sqlite_autoincrement=True
    )
    op.create_table('api_users',
    sa.Column('username', sa.String(length=100), nullable=False),
    sa.Column('password_hash', sa.String(length=255), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('integration_system', sa.String(length=100), nullable=False),
    sa.Column('invoices_allowed', sa.Boolean(), nullable=False),
    sa.Column('is_active', sa.Boolean(), nullable=False),
    sa.Column('company_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['company_id'], ['companies.id'], name=op.f('fk_api_users_company_id_companies'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_api_users')),
    sa.UniqueConstraint('username', name=op.f('uq_api_users_username')),
    sqlite_autoincrement=True
    )
    with op.batch_alter_table('api_users', schema=None) as batch_op:
        batch_op.create_index('ix_api_users_company_id_id', ['company_id', 'id'], unique=False)

    op.create_table('customers',
    sa.Column('type', sa.SmallInteger(), nullable=False),
    sa.Column('status', sa.SmallInteger(), nullable=False),
    sa.Column('company_name', sa.String(length=200), nullable=False),
    sa.Column('first_name', sa.String(length=100), nullable=False),
    sa.Column('last_name', sa.String(length=100), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('phone_number', sa.String(length=50), nullable=False),
    sa.Column('comment', sa.Text(), nullable=False),
    sa.Column('import_id', sa.String(length=50), nullable=True),
    sa.Column('company_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['company_id'], ['companies.id'], name=op.f('fk_customers_company_id_companies'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_customers')),
    sa.UniqueConstraint('company_id', 'import_id', name=op.f('uq_customers_company_id_import_id')),
    sqlite_autoincrement=True
    )
    with op.batch_alter_table('customers', schema=None) as batch_op:
        batch_op.create_index('ix_customers_company_id_company_name', ['company_id', 'company_name'], unique=False)
        batch_op.create_index('ix_customers_company_id_created_at', ['company_id', 'created_at'], unique=False)
        batch_op.create_index('ix_customers_company_id_email', ['company_id', 'email'], unique=False)
        batch_op.create_index('ix_customers_company_id_first_name', ['company_id', 'first_name'], unique=False)
        batch_op.create_index('ix_customers_company_id_id', ['company_id', 'id'], unique=False)
        batch_op.create_index('ix_customers_company_id_last_name', ['company_id', 'last_name'], unique=False)
        batch_op.create_index('ix_customers_company_id_phone_number', ['company_id', 'phone_number'], unique=False)
        batch_op.create_index('ix_customers_company_id_status', ['company_id', 'status'], unique=False)
        batch_op.create_index('ix_customers_company_id_type', ['company_id', 'type'], unique=False)
        batch_op.create_index('ix_customers_company_id_updated_at', ['company_id', 'updated_at'], unique=False)

    op.create_table('suppliers',
    sa.Column('company_name', sa.String(length=200), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('phone_number', sa.String(length=50), nullable=False),
    sa.Column('comment', sa.Text(), nullable=False),
    sa.Column('import_id', sa.String(length=50), nullable=True),
    sa.Column('company_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['company_id'], ['companies.id'], name=op.f('fk_suppliers_company_id_companies'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_suppliers')),
    sa.UniqueConstraint('company_id', 'import_id', name=op.f('uq_suppliers_company_id_import_id')),
    sqlite_autoincrement=True
    )
    with op.batch_alter_table('suppliers', schema=None) as batch_op:
        batch_op.create_index('ix_suppliers_company_id_company_name', ['company_id', 'company_name'], unique=False)
        batch_op.create_index('ix_suppliers_company_id_created_at', ['company_id', 'created_at'], unique=False)
        batch_op.create_index('ix_suppliers_company_id_email', ['company_id', 'email'], unique=False)
        batch_op.create_index('ix_suppliers_company_id_id', ['company_id', 'id'], unique=False)
        batch_op.create_index('ix_suppliers_company_id_phone_number', ['company_id', 'phone_number'], unique=False)
        batch_op.create_index('ix_suppliers_company_id_updated_at', ['company_id', 'updated_at'], unique=False)

    op.create_table('users',
    sa.Column('company_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('password_hash', sa.String(length=255), nullable=False),
    sa.Column('role', sa.Enum('admin', 'member', name='userrole', native_enum=False, length=20), nullable=False),
    sa.Column('is_staff', sa.Boolean(), nullable=False),
    sa.Column('is_active', sa.Boolean(), nullable=False),
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['company_id'], ['companies.id'], name=op.f('fk_users_company_id_companies'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_users')),
    sa.UniqueConstraint('email', name=op.f('uq_users_email')),
    sqlite_autoincrement=True
    )
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_users_company_id'), ['company_id'], unique=False)

    op.create_table('contacts',
    sa.Column('customer_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('first_name', sa.String(length=100), nullable=False),
    sa.Column('last_name', sa.String(length=100), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('phone_number', sa.String(length=50), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('company_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['company_id'], ['companies.id'], name=op.f('fk_contacts_company_id_companies'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['customer_id'], ['customers.id'], name=op.f('fk_contacts_customer_id_customers'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_contacts')),
    sqlite_autoincrement=True
    )
    with op.batch_alter_table('contacts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_contacts_customer_id'), ['customer_id'], unique=False)

    op.create_table('credentials',
    sa.Column('company_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('user_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('kind', sa.Enum('company_key', 'api_key', 'session_token', 'connector_token', 'company_admin_token', name='credentialkind', native_enum=False, length=30), nullable=False),
    sa.Column('login', sa.String(length=254), nullable=True),
    sa.Column('digest', sa.String(length=64), nullable=False),
    sa.Column('hint', sa.String(length=16), nullable=False),
    sa.Column('sealed', sa.Text(), nullable=True),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['company_id'], ['companies.id'], name=op.f('fk_credentials_company_id_companies'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_credentials_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_credentials')),
    sa.UniqueConstraint('digest', name=op.f('uq_credentials_digest')),
    sa.UniqueConstraint('login', name=op.f('uq_credentials_login')),
    sqlite_autoincrement=True
    )
    with op.batch_alter_table('credentials', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_credentials_company_id'), ['company_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_credentials_user_id'), ['user_id'], unique=False)

    op.create_table('invoices',
    sa.Column('number', sa.String(length=50), nullable=False),
    sa.Column('customer_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('date', sa.Date(), nullable=False),
    sa.Column('due_date', sa.Date(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('total_excl_tax', sa.Numeric(precision=14, scale=4), nullable=False),
    sa.Column('total_tax', sa.Numeric(precision=14, scale=4), nullable=False),
    sa.Column('total_incl_tax', sa.Numeric(precision=14, scale=4), nullable=False),
    sa.Column('company_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['company_id'], ['companies.id'], name=op.f('fk_invoices_company_id_companies'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['customer_id'], ['customers.id'], name=op.f('fk_invoices_customer_id_customers'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_invoices')),
    sa.UniqueConstraint('company_id', 'number', name=op.f('uq_invoices_company_id_number')),
    sqlite_autoincrement=True
    )
    with op.batch_alter_table('invoices', schema=None) as batch_op:
        batch_op.create_index('ix_invoices_company_id_created_at', ['company_id', 'created_at'], unique=False)
        batch_op.create_index('ix_invoices_company_id_customer_id', ['company_id', 'customer_id'], unique=False)
        batch_op.create_index('ix_invoices_company_id_date', ['company_id', 'date'], unique=False)
        batch_op.create_index('ix_invoices_company_id_due_date', ['company_id', 'due_date'], unique=False)
        batch_op.create_index('ix_invoices_company_id_id', ['company_id', 'id'], unique=False)
        batch_op.create_index('ix_invoices_company_id_status', ['company_id', 'status'], unique=False)
        batch_op.create_index('ix_invoices_company_id_total_incl_tax', ['company_id', 'total_incl_tax'], unique=False)
        batch_op.create_index('ix_invoices_company_id_updated_at', ['company_id', 'updated_at'], unique=False)

    op.create_table('items',
    sa.Column('number', sa.String(length=50), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('unit', sa.String(length=20), nullable=False),
    sa.Column('sales_price', sa.Numeric(precision=14, scale=4), nullable=False),
    sa.Column('purchase_price', sa.Numeric(precision=14, scale=4), nullable=False),
    sa.Column('tax_rate', sa.Numeric(precision=6, scale=3), nullable=False),
    sa.Column('supplier_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('import_id', sa.String(length=50), nullable=True),
    sa.Column('company_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['company_id'], ['companies.id'], name=op.f('fk_items_company_id_companies'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['supplier_id'], ['suppliers.id'], name=op.f('fk_items_supplier_id_suppliers'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_items')),
    sa.UniqueConstraint('company_id', 'import_id', name=op.f('uq_items_company_id_import_id')),
    sa.UniqueConstraint('company_id', 'number', name=op.f('uq_items_company_id_number')),
    sqlite_autoincrement=True
    )
    with op.batch_alter_table('items', schema=None) as batch_op:
        batch_op.create_index('ix_items_company_id_created_at', ['company_id', 'created_at'], unique=False)
        batch_op.create_index('ix_items_company_id_id', ['company_id', 'id'], unique=False)
        batch_op.create_index('ix_items_company_id_kind', ['company_id', 'kind'], unique=False)
        batch_op.create_index('ix_items_company_id_name', ['company_id', 'name'], unique=False)
        batch_op.create_index('ix_items_company_id_purchase_price', ['company_id', 'purchase_price'], unique=False)
        batch_op.create_index('ix_items_company_id_sales_price', ['company_id', 'sales_price'], unique=False)
        batch_op.create_index('ix_items_company_id_supplier_id', ['company_id', 'supplier_id'], unique=False)
        batch_op.create_index('ix_items_company_id_updated_at', ['company_id', 'updated_at'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('items', schema=None) as batch_op:
        batch_op.drop_index('ix_items_company_id_updated_at')
        batch_op.drop_index('ix_items_company_id_supplier_id')
        batch_op.drop_index('ix_items_company_id_sales_price')
        batch_op.drop_index('ix_items_company_id_purchase_price')
        batch_op.drop_index('ix_items_company_id_name')
        batch_op.drop_index('ix_items_company_id_kind')
        batch_op.drop_index('ix_items_company_id_id')
        batch_op.drop_index('ix_items_company_id_created_at')

    op.drop_table('items')
    with op.batch_alter_table('invoices', schema=None) as batch_op:
        batch_op.drop_index('ix_invoices_company_id_updated_at')
        batch_op.drop_index('ix_invoices_company_id_total_incl_tax')
        batch_op.drop_index('ix_invoices_company_id_status')
        batch_op.drop_index('ix_invoices_company_id_id')
        batch_op.drop_index('ix_invoices_company_id_due_date')
        batch_op.drop_index('ix_invoices_company_id_date')
        batch_op.drop_index('ix_invoices_company_id_customer_id')
        batch_op.drop_index('ix_invoices_company_id_created_at')

    op.drop_table('invoices')
    with op.batch_alter_table('credentials', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_credentials_user_id'))
        batch_op.drop_index(batch_op.f('ix_credentials_company_id'))

    op.drop_table('credentials')
    with op.batch_alter_table('contacts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_contacts_customer_id'))

    op.drop_table('contacts')
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_users_company_id'))

    op.drop_table('users')
    with op.batch_alter_table('suppliers', schema=None) as batch_op:
        batch_op.drop_index('ix_suppliers_company_id_updated_at')
        batch_op.drop_index('ix_suppliers_company_id_phone_number')
        batch_op.drop_index('ix_suppliers_company_id_id')
        batch_op.drop_index('ix_suppliers_company_id_email')
        batch_op.drop_index('ix_suppliers_company_id_created_at')
        batch_op.drop_index('ix_suppliers_company_id_company_name')

    op.drop_table('suppliers')
    with op.batch_alter_table('customers', schema=None) as batch_op:
        batch_op.drop_index('ix_customers_company_id_updated_at')
        batch_op.drop_index('ix_customers_company_id_type')
        batch_op.drop_index('ix_customers_company_id_status')
        batch_op.drop_index('ix_customers_company_id_phone_number')
        batch_op.drop_index('ix_customers_company_id_last_name')
        batch_op.drop_index('ix_customers_company_id_id')
        batch_op.drop_index('ix_customers_company_id_first_name')
        batch_op.drop_index('ix_customers_company_id_email')
        batch_op.drop_index('ix_customers_company_id_created_at')
        batch_op.drop_index('ix_customers_company_id_company_name')

    op.drop_table('customers')
    with op.batch_alter_table('api_users', schema=None) as batch_op:
        batch_op.drop_index('ix_api_users_company_id_id')

    op.drop_table('api_users')
    op.drop_table('companies')
    op.drop_table('automation_users')
