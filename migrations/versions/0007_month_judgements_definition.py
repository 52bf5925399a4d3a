"""month_judgements carry the version of the judgement's definition they were judged by: rows judged under an
earlier rule (a change of code, which no trigger sees) are stale, as rows at an older data version are.

Rows kept before this migration were judged under definition 1 (a leave day on the day a gap is measured to was
counted as a gap day); the code's definition is newer, so they are judged again when next read.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-04 16:30:00
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None

OLD_KEY = ['worker_id', 'month', 'version', 'everyone_version', 'kind', 'seq']
# The definition is in the key, like the data versions: two processes judging the same month under different
# definitions (a rolling deploy) keep two sets of rows rather than one skipping the other's insert.
NEW_KEY = ['worker_id', 'month', 'definition', 'version', 'everyone_version', 'kind', 'seq']


def upgrade() -> None:
    with op.batch_alter_table('month_judgements') as batch:
        batch.add_column(sa.Column('definition', sa.Integer(), nullable=False, server_default='1'))
        batch.drop_constraint('pk_month_judgements', type_='primary')
        batch.create_primary_key('pk_month_judgements', NEW_KEY)


def downgrade() -> None:
    op.execute("DELETE FROM month_judgements")  # a cache: judged again on demand
    with op.batch_alter_table('month_judgements') as batch:
        batch.drop_constraint('pk_month_judgements', type_='primary')
        batch.create_primary_key('pk_month_judgements', OLD_KEY)
        batch.drop_column('definition')
