"""Sign-in sessions: one server-side record per sign-in replaces the per-user session token; the throttle
counts failures per account and address.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-30 09:00:00
"""
from __future__ import annotations

import secrets

import sqlalchemy as sa
from alembic import op

revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('user_sessions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('last_seen_at', sa.DateTime(), nullable=False),
    sa.Column('user_agent', sa.String(length=200), nullable=False),
    sa.Column('address', sa.String(length=64), nullable=False),
    sa.Column('ended_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_user_sessions_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_user_sessions')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_user_sessions_token_hash'))
    )
    op.create_index('ix_user_sessions_user_id_ended_at', 'user_sessions', ['user_id', 'ended_at'])
    # Every cookie issued under the old per-user token stops working: users sign in again once.
    with op.batch_alter_table('users') as batch:
        batch.drop_constraint(op.f('uq_users_session_token'), type_='unique')
        batch.drop_column('session_token')
    op.drop_index('ix_login_attempts_username_at', table_name='login_attempts')
    op.create_index('ix_login_attempts_username_address_at', 'login_attempts',
                    ['username', 'address', 'attempted_at'])
    op.create_index('ix_login_attempts_attempted_at', 'login_attempts', ['attempted_at'])


def downgrade() -> None:
    op.drop_index('ix_login_attempts_attempted_at', table_name='login_attempts')
    op.drop_index('ix_login_attempts_username_address_at', table_name='login_attempts')
    op.create_index('ix_login_attempts_username_at', 'login_attempts', ['username', 'attempted_at'])
    with op.batch_alter_table('users') as batch:
        batch.add_column(sa.Column('session_token', sa.String(length=64), nullable=True))
    # Each user gets a fresh random token (every session ends), then the column is made required and unique.
    users = sa.table('users', sa.column('id', sa.Integer()), sa.column('session_token', sa.String()))
    connection = op.get_bind()
    for (user_id,) in connection.execute(sa.select(users.c.id)).all():
        connection.execute(users.update().where(users.c.id == user_id)
                           .values(session_token=secrets.token_urlsafe(32)))
    with op.batch_alter_table('users') as batch:
        batch.alter_column('session_token', existing_type=sa.String(length=64), nullable=False)
        batch.create_unique_constraint(op.f('uq_users_session_token'), ['session_token'])
    op.drop_index('ix_user_sessions_user_id_ended_at', table_name='user_sessions')
    op.drop_table('user_sessions')
