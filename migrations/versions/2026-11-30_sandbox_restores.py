"""sandbox restores: one row per finished restore; the newest names the current copy

A new table only; nothing existing changes (docs/sandbox.md).

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-30 18:13:01.433175
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('sandbox_restores',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('database', sa.String(length=500), nullable=False),
    sa.Column('trigger', sa.String(length=20), nullable=False),
    sa.Column('requested_by', sa.String(length=320), nullable=True),
    sa.Column('scheduled_for', sa.DateTime(timezone=True), nullable=True),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('finished_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('seconds', sa.Float(), nullable=False),
    sa.Column('snapshot_seconds', sa.Float(), nullable=False),
    sa.Column('rows', sa.JSON(), nullable=False),
    sa.Column('total_rows', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sandbox_restores')),
    sa.UniqueConstraint('scheduled_for', name=op.f('uq_sandbox_restores_scheduled_for')),
    sqlite_autoincrement=True
    )


def downgrade() -> None:
    op.drop_table('sandbox_restores')
