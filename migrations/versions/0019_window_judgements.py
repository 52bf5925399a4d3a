"""Kept window verdicts (window_judgements): each worker's verdict over a window ending on the day it was judged, for
the Overview's "Meeting the standard" card. No triggers of its own: a row holds while its versions equal
judgement_versions', which migration 0005's triggers (and 0018's) bump on every write the judgement reads.

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-06 23:55:00
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0019'
down_revision = '0018'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('window_judgements',
    sa.Column('period_end_excl', sa.Date(), nullable=False),
    sa.Column('period_start', sa.Date(), nullable=False),
    sa.Column('worker_id', sa.Integer(), nullable=False),
    sa.Column('definition', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('everyone_version', sa.Integer(), nullable=False),
    sa.Column('bad', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('period_end_excl', 'period_start', 'worker_id', 'definition', 'version', 'everyone_version',
                            name=op.f('pk_window_judgements')))


def downgrade() -> None:
    op.drop_table('window_judgements')
