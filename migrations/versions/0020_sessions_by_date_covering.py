"""A window's sessions read from an index alone: ix_supervision_sessions_held (held_on) becomes
ix_supervision_sessions_held_covering (held_on, id, format, minutes, kind), every column the judgement and the
Overview's panels read of a session found by its date (the Overview's frequency at state scale: 506 -> 287 ms).

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-07 03:00:00
"""
from __future__ import annotations

from alembic import op

revision = '0020'
down_revision = '0019'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index('ix_supervision_sessions_held_covering', 'supervision_sessions',
                    ['held_on', 'id', 'format', 'minutes', 'kind'])
    op.drop_index('ix_supervision_sessions_held', table_name='supervision_sessions')


def downgrade() -> None:
    op.create_index('ix_supervision_sessions_held', 'supervision_sessions', ['held_on'])
    op.drop_index('ix_supervision_sessions_held_covering', table_name='supervision_sessions')
