"""Sign-off of supervision sessions: signed at/by on the session, attendees' acknowledgements (and their optional
answers about the supervision), amendments of signed sessions, and the agency's ages at which unsigned and
unacknowledged sessions are flagged.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-05 08:10:00
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Plain ADD COLUMNs: a batch rebuild of supervision_sessions on SQLite would drop its judgement triggers, and
    # SQLite takes a column's foreign key only inside its ADD COLUMN.
    op.add_column('supervision_sessions', sa.Column('signed_at', sa.DateTime(), nullable=True))
    if op.get_bind().dialect.name == 'sqlite':
        op.execute('ALTER TABLE supervision_sessions ADD COLUMN signed_by_id INTEGER '
                   'CONSTRAINT fk_supervision_sessions_signed_by_id_users REFERENCES users (id)')
    else:
        op.add_column('supervision_sessions', sa.Column('signed_by_id', sa.Integer(), nullable=True))
        op.create_foreign_key(op.f('fk_supervision_sessions_signed_by_id_users'), 'supervision_sessions', 'users',
                              ['signed_by_id'], ['id'])
    with op.batch_alter_table('agency_settings', schema=None) as batch_op:  # one row, no triggers: rebuilt freely
        batch_op.add_column(sa.Column('unsigned_flag_days', sa.Integer(), server_default='7', nullable=False))
        batch_op.add_column(sa.Column('unacknowledged_flag_days', sa.Integer(), server_default='14',
                                      nullable=False))
        batch_op.create_check_constraint(op.f('ck_agency_settings_signoff_flag_days'),
                                         'unsigned_flag_days > 0 AND unacknowledged_flag_days > 0')
    op.create_table('session_acknowledgements',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('session_id', sa.Integer(), nullable=False),
    sa.Column('worker_id', sa.Integer(), nullable=False),
    sa.Column('session_version', sa.Integer(), nullable=False),
    sa.Column('acknowledged_at', sa.DateTime(), nullable=False),
    sa.Column('comment', sa.String(length=280), nullable=True),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['session_id'], ['supervision_sessions.id'], ondelete='CASCADE',
                            name=op.f('fk_session_acknowledgements_session_id_supervision_sessions')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_session_acknowledgements_user_id_users')),
    sa.ForeignKeyConstraint(['worker_id'], ['staff.id'], name=op.f('fk_session_acknowledgements_worker_id_staff')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_session_acknowledgements')),
    sa.UniqueConstraint('session_id', 'worker_id', 'session_version',
                        name=op.f('uq_session_acknowledgements_session_id_worker_id_session_version'))
    )
    op.create_index('ix_session_acknowledgements_worker', 'session_acknowledgements', ['worker_id', 'session_id'])
    op.create_table('session_amendments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('session_id', sa.Integer(), nullable=False),
    sa.Column('amended_at', sa.DateTime(), nullable=False),
    sa.Column('amended_by_id', sa.Integer(), nullable=True),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('previous', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['amended_by_id'], ['users.id'], name=op.f('fk_session_amendments_amended_by_id_users')),
    sa.ForeignKeyConstraint(['session_id'], ['supervision_sessions.id'], ondelete='CASCADE',
                            name=op.f('fk_session_amendments_session_id_supervision_sessions')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_session_amendments'))
    )
    op.create_index('ix_session_amendments_session', 'session_amendments', ['session_id', 'amended_at'])
    op.create_table('supervision_feedback',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('session_id', sa.Integer(), nullable=False),
    sa.Column('worker_id', sa.Integer(), nullable=False),
    sa.Column('session_version', sa.Integer(), nullable=False),
    sa.Column('question', sa.String(length=30), nullable=False),
    sa.Column('answer', sa.Integer(), nullable=False),
    sa.Column('answered_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint('answer BETWEEN 1 AND 4', name=op.f('ck_supervision_feedback_answer_range')),
    sa.ForeignKeyConstraint(['session_id'], ['supervision_sessions.id'], ondelete='CASCADE',
                            name=op.f('fk_supervision_feedback_session_id_supervision_sessions')),
    sa.ForeignKeyConstraint(['worker_id'], ['staff.id'], name=op.f('fk_supervision_feedback_worker_id_staff')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_supervision_feedback')),
    sa.UniqueConstraint('session_id', 'worker_id', 'session_version', 'question',
                        name=op.f('uq_supervision_feedback_session_id_worker_id_session_version_question'))
    )
    op.create_index('ix_supervision_feedback_answered', 'supervision_feedback', ['answered_at'])


def downgrade() -> None:
    op.drop_index('ix_supervision_feedback_answered', table_name='supervision_feedback')
    op.drop_table('supervision_feedback')
    op.drop_index('ix_session_amendments_session', table_name='session_amendments')
    op.drop_table('session_amendments')
    op.drop_index('ix_session_acknowledgements_worker', table_name='session_acknowledgements')
    op.drop_table('session_acknowledgements')
    with op.batch_alter_table('agency_settings', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_agency_settings_signoff_flag_days'), type_='check')
        batch_op.drop_column('unacknowledged_flag_days')
        batch_op.drop_column('unsigned_flag_days')
    if op.get_bind().dialect.name != 'sqlite':
        op.drop_constraint(op.f('fk_supervision_sessions_signed_by_id_users'), 'supervision_sessions',
                           type_='foreignkey')
    op.drop_column('supervision_sessions', 'signed_by_id')
    op.drop_column('supervision_sessions', 'signed_at')
