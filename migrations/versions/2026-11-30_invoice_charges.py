"""invoice charges: a delivery's handling charges and charges added by hand; the company's
handling-charge prices (0 for existing companies: no charges until set)

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-30 21:00:56.224432
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('invoice_charges',
    sa.Column('order_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('invoice_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('code', sa.String(length=50), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('price', sa.Numeric(precision=14, scale=4), nullable=False),
    sa.Column('quantity', sa.Numeric(precision=14, scale=4), nullable=False),
    sa.Column('action_date', sa.Date(), nullable=False),
    sa.Column('comment', sa.Text(), nullable=False),
    sa.Column('company_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['company_id', 'invoice_id'], ['invoices.company_id', 'invoices.id'], name=op.f('fk_invoice_charges_company_id_invoice_id_invoices'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['company_id', 'order_id'], ['orders.company_id', 'orders.id'], name=op.f('fk_invoice_charges_company_id_order_id_orders'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['company_id'], ['companies.id'], name=op.f('fk_invoice_charges_company_id_companies'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_invoice_charges')),
    sa.UniqueConstraint('company_id', 'id', name=op.f('uq_invoice_charges_company_id_id')),
    sqlite_autoincrement=True
    )
    with op.batch_alter_table('invoice_charges', schema=None) as batch_op:
        batch_op.create_index('ix_invoice_charges_company_id_action_date', ['company_id', 'action_date'], unique=False)
        batch_op.create_index('ix_invoice_charges_company_id_code', ['company_id', 'code'], unique=False)
        batch_op.create_index('ix_invoice_charges_company_id_created_at', ['company_id', 'created_at'], unique=False)
        batch_op.create_index('ix_invoice_charges_company_id_invoice_id', ['company_id', 'invoice_id'], unique=False)
        batch_op.create_index('ix_invoice_charges_company_id_order_id', ['company_id', 'order_id'], unique=False)
        batch_op.create_index('ix_invoice_charges_company_id_updated_at', ['company_id', 'updated_at'], unique=False)

    with op.batch_alter_table('companies', schema=None) as batch_op:
        batch_op.add_column(sa.Column('handling_charge_per_order', sa.Numeric(precision=14, scale=4), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('handling_charge_per_line', sa.Numeric(precision=14, scale=4), server_default='0', nullable=False))



def downgrade() -> None:
    with op.batch_alter_table('companies', schema=None) as batch_op:
        batch_op.drop_column('handling_charge_per_line')
        batch_op.drop_column('handling_charge_per_order')

    with op.batch_alter_table('invoice_charges', schema=None) as batch_op:
        batch_op.drop_index('ix_invoice_charges_company_id_updated_at')
        batch_op.drop_index('ix_invoice_charges_company_id_order_id')
        batch_op.drop_index('ix_invoice_charges_company_id_invoice_id')
        batch_op.drop_index('ix_invoice_charges_company_id_created_at')
        batch_op.drop_index('ix_invoice_charges_company_id_code')
        batch_op.drop_index('ix_invoice_charges_company_id_action_date')

    op.drop_table('invoice_charges')
