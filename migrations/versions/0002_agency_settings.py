"""Agency settings read by the metrics, created with their defaults.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-24 01:51:19.783187
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    settings = op.create_table('agency_settings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('staleness_days', sa.Integer(), nullable=False),
    sa.Column('min_cell_workers', sa.Integer(), nullable=False),
    sa.Column('fte_per_supervisor_limit', sa.Numeric(precision=4, scale=1), nullable=False),
    sa.Column('principle_holding_share', sa.Numeric(precision=3, scale=2), nullable=False),
    sa.CheckConstraint('fte_per_supervisor_limit > 0', name=op.f('ck_agency_settings_fte_limit_positive')),
    sa.CheckConstraint('id = 1', name=op.f('ck_agency_settings_single_row')),
    sa.CheckConstraint('min_cell_workers >= 0', name=op.f('ck_agency_settings_min_cell_nonnegative')),
    sa.CheckConstraint('principle_holding_share > 0 AND principle_holding_share <= 1', name=op.f('ck_agency_settings_holding_share')),
    sa.CheckConstraint('staleness_days > 0', name=op.f('ck_agency_settings_staleness_positive')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_agency_settings'))
    )
    op.bulk_insert(settings, [{"id": 1, "staleness_days": 365, "min_cell_workers": 3,
                               "fte_per_supervisor_limit": 7, "principle_holding_share": 0.75}])


def downgrade() -> None:
    op.drop_table('agency_settings')
