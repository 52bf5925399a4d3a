"""Leaves of absence: dated stretches a worker is away, left out of supervision gaps and monthly minimums.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-24 09:00:00
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # The unique (staff_id, start_date) index is also what the judgement's per-worker lookups read.
    op.create_table('leaves',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('staff_id', sa.Integer(), nullable=False),
    sa.Column('start_date', sa.Date(), nullable=False),
    sa.Column('end_date', sa.Date(), nullable=True),
    sa.CheckConstraint('end_date IS NULL OR end_date > start_date', name=op.f('ck_leaves_dates')),
    sa.ForeignKeyConstraint(['staff_id'], ['staff.id'], name=op.f('fk_leaves_staff_id_staff')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_leaves')),
    sa.UniqueConstraint('staff_id', 'start_date', name=op.f('uq_leaves_staff_id_start_date'))
    )


def downgrade() -> None:
    op.drop_table('leaves')
