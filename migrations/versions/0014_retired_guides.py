"""Resource guides can be retired: a retired guide leaves every list and suggestion but stays in the database.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-05 18:40:00
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # A plain ADD COLUMN of a nullable date: no table rebuild on SQLite; NULL = in use.
    op.add_column('resource_guides', sa.Column('retired_on', sa.Date(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('resource_guides', schema=None) as batch_op:
        batch_op.drop_column('retired_on')
