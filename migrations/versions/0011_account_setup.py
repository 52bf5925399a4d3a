"""Accounts managed in the app: a forced password change, a version for concurrent edits, one-time setup links.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-05 08:00:00
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Plain ADD COLUMNs (no table rebuild on SQLite); existing accounts keep their passwords and start at version 1.
    op.add_column('users', sa.Column('must_change_password', sa.Boolean(), nullable=False, server_default=sa.false()))
    op.add_column('users', sa.Column('version', sa.Integer(), nullable=False, server_default=sa.text('1')))
    op.create_table('setup_links',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('expires_at', sa.DateTime(), nullable=False),
    sa.Column('used_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_setup_links_user_id_users')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_setup_links_created_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_setup_links')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_setup_links_token_hash'))
    )
    op.create_index('ix_setup_links_user_id', 'setup_links', ['user_id'])


def downgrade() -> None:
    op.drop_index('ix_setup_links_user_id', table_name='setup_links')
    op.drop_table('setup_links')
    with op.batch_alter_table('users') as batch:
        batch.drop_column('version')
        batch.drop_column('must_change_password')
