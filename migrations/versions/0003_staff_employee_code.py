"""Staff get an optional, unique employee code: the natural key that CSV imports match people by.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-24 04:30:00
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # A plain ADD COLUMN and a separate unique index: no table rebuild on SQLite, NULLs may repeat on both.
    op.add_column('staff', sa.Column('employee_code', sa.String(length=40), nullable=True))
    op.create_index('uq_staff_employee_code', 'staff', ['employee_code'], unique=True)


def downgrade() -> None:
    op.drop_index('uq_staff_employee_code', table_name='staff')
    with op.batch_alter_table('staff', schema=None) as batch_op:
        batch_op.drop_column('employee_code')
