"""Programs and teams can be archived: an archived one keeps its history and leaves the filters' choices.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-05 08:10:00
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Plain ADD COLUMNs of a nullable date: no table rebuild on SQLite; NULL = in use.
    op.add_column('programs', sa.Column('archived_on', sa.Date(), nullable=True))
    op.add_column('teams', sa.Column('archived_on', sa.Date(), nullable=True))


def downgrade() -> None:
    for table in ('teams', 'programs'):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column('archived_on')
