"""An index on month_judgements by month and kind: a quarter's kept rows are read by their months, which the primary
key (worker first) can only answer with a scan of the whole table.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-04 06:30:00
"""
from __future__ import annotations

from alembic import op

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index(op.f('ix_month_judgements_month_kind'), 'month_judgements', ['month', 'kind'])


def downgrade() -> None:
    op.drop_index(op.f('ix_month_judgements_month_kind'), table_name='month_judgements')
