"""Credential requirements (the supervision hours a certification needs and which sessions count toward them) and
the supervision logs handed out, with their verification codes and file digests.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-05 08:20:00
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('credential_requirements',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('issuing_body', sa.String(length=120), nullable=False),
    sa.Column('hours_required', sa.Numeric(precision=6, scale=1), nullable=False),
    sa.Column('period_months', sa.Integer(), nullable=True),
    sa.Column('kinds', sa.JSON(), nullable=False),
    sa.Column('formats', sa.JSON(), nullable=False),
    sa.Column('modalities', sa.JSON(), nullable=False),
    sa.Column('stage_codes', sa.JSON(), nullable=False),
    sa.Column('require_signed', sa.Boolean(), nullable=False),
    sa.Column('require_acknowledged', sa.Boolean(), nullable=False),
    sa.Column('source', sa.Text(), nullable=True),
    sa.Column('is_active', sa.Boolean(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint('hours_required > 0 AND hours_required <= 10000',
                       name=op.f('ck_credential_requirements_hours_range')),
    sa.CheckConstraint('period_months IS NULL OR (period_months > 0 AND period_months <= 600)',
                       name=op.f('ck_credential_requirements_period_range')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_credential_requirements')),
    sa.UniqueConstraint('name', name=op.f('uq_credential_requirements_name'))
    )
    op.create_table('supervision_log_exports',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=20), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('file_format', sa.String(length=4), nullable=False),
    sa.Column('worker_id', sa.Integer(), nullable=False),
    sa.Column('start_date', sa.Date(), nullable=False),
    sa.Column('end_date', sa.Date(), nullable=False),
    sa.Column('requirement_id', sa.Integer(), nullable=True),
    sa.Column('generated_by_id', sa.Integer(), nullable=True),
    sa.Column('generated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['generated_by_id'], ['users.id'],
                            name=op.f('fk_supervision_log_exports_generated_by_id_users')),
    sa.ForeignKeyConstraint(['requirement_id'], ['credential_requirements.id'],
                            name=op.f('fk_supervision_log_exports_requirement_id_credential_requirements')),
    sa.ForeignKeyConstraint(['worker_id'], ['staff.id'], name=op.f('fk_supervision_log_exports_worker_id_staff')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_supervision_log_exports')),
    sa.UniqueConstraint('code', name=op.f('uq_supervision_log_exports_code'))
    )


def downgrade() -> None:
    op.drop_table('supervision_log_exports')
    op.drop_table('credential_requirements')
