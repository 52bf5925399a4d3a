"""The agency chooses how dates are shown: day month year (the default), US month/day/year or ISO.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-06 02:30:00
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # A NOT NULL column with a server default: the existing row takes "dmy", the format most pages already showed.
    op.add_column('agency_settings', sa.Column('date_format', sa.String(length=8), nullable=False,
                                               server_default='dmy'))


def downgrade() -> None:
    with op.batch_alter_table('agency_settings', schema=None) as batch_op:
        batch_op.drop_column('date_format')
