"""Initial schema: organisation, accounts, framework, supervision, guides, standards, audit.

Revision ID: 0001
Revises:
Create Date: 2026-11-24 01:34:02.642904
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('certification_stages',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=40), nullable=False),
    sa.Column('name', sa.String(length=80), nullable=False),
    sa.Column('sort_order', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_certification_stages')),
    sa.UniqueConstraint('code', name=op.f('uq_certification_stages_code')),
    sa.UniqueConstraint('name', name=op.f('uq_certification_stages_name'))
    )
    op.create_table('frameworks',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('version', sa.String(length=40), nullable=False),
    sa.Column('source', sa.Text(), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('is_active', sa.Boolean(), nullable=False),
    sa.Column('loaded_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_frameworks')),
    sa.UniqueConstraint('name', 'version', name=op.f('uq_frameworks_name_version'))
    )
    with op.batch_alter_table('frameworks', schema=None) as batch_op:
        batch_op.create_index('uq_frameworks_active', ['is_active'], unique=True, sqlite_where=sa.text('is_active'), postgresql_where=sa.text('is_active'))

    op.create_table('login_attempts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('username', sa.String(length=80), nullable=False),
    sa.Column('address', sa.String(length=64), nullable=False),
    sa.Column('attempted_at', sa.DateTime(), nullable=False),
    sa.Column('succeeded', sa.Boolean(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_login_attempts'))
    )
    with op.batch_alter_table('login_attempts', schema=None) as batch_op:
        batch_op.create_index('ix_login_attempts_address_at', ['address', 'attempted_at'], unique=False)
        batch_op.create_index('ix_login_attempts_username_at', ['username', 'attempted_at'], unique=False)

    op.create_table('programs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('description', sa.String(length=500), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_programs')),
    sa.UniqueConstraint('name', name=op.f('uq_programs_name'))
    )
    op.create_table('rating_scales',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('proficient_level', sa.Integer(), nullable=False),
    sa.Column('is_active', sa.Boolean(), nullable=False),
    sa.CheckConstraint('proficient_level >= 1', name=op.f('ck_rating_scales_proficient_positive')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_rating_scales')),
    sa.UniqueConstraint('name', name=op.f('uq_rating_scales_name'))
    )
    with op.batch_alter_table('rating_scales', schema=None) as batch_op:
        batch_op.create_index('uq_rating_scales_active', ['is_active'], unique=True, sqlite_where=sa.text('is_active'), postgresql_where=sa.text('is_active'))

    op.create_table('resource_guides',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=80), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('publisher', sa.String(length=300), nullable=False),
    sa.Column('year', sa.Integer(), nullable=True),
    sa.Column('url', sa.String(length=500), nullable=False),
    sa.Column('extra_links', sa.JSON(), nullable=False),
    sa.Column('summary', sa.Text(), nullable=False),
    sa.Column('sort_order', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_resource_guides')),
    sa.UniqueConstraint('key', name=op.f('uq_resource_guides_key'))
    )
    op.create_table('staff',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('full_name', sa.String(length=120), nullable=False),
    sa.Column('role', sa.String(length=20), nullable=False),
    sa.Column('hire_date', sa.Date(), nullable=False),
    sa.Column('fte', sa.Numeric(precision=3, scale=2), nullable=False),
    sa.Column('left_on', sa.Date(), nullable=True),
    sa.Column('peer_credential', sa.Boolean(), nullable=False),
    sa.CheckConstraint("role IN ('peer_worker', 'supervisor')", name=op.f('ck_staff_role')),
    sa.CheckConstraint('fte > 0 AND fte <= 1', name=op.f('ck_staff_fte_range')),
    sa.CheckConstraint('left_on IS NULL OR left_on >= hire_date', name=op.f('ck_staff_left_after_hire')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_staff'))
    )
    op.create_table('categories',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('framework_id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=20), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('sort_order', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['framework_id'], ['frameworks.id'], name=op.f('fk_categories_framework_id_frameworks')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_categories')),
    sa.UniqueConstraint('framework_id', 'code', name=op.f('uq_categories_framework_id_code'))
    )
    op.create_table('principles',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('framework_id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=60), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('summary', sa.Text(), nullable=False),
    sa.Column('sort_order', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['framework_id'], ['frameworks.id'], name=op.f('fk_principles_framework_id_frameworks')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_principles')),
    sa.UniqueConstraint('framework_id', 'code', name=op.f('uq_principles_framework_id_code'))
    )
    op.create_table('rating_levels',
    sa.Column('scale_id', sa.Integer(), nullable=False),
    sa.Column('level', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('label', sa.String(length=60), nullable=False),
    sa.Column('description', sa.String(length=300), nullable=False),
    sa.CheckConstraint('level >= 1', name=op.f('ck_rating_levels_level_positive')),
    sa.ForeignKeyConstraint(['scale_id'], ['rating_scales.id'], name=op.f('fk_rating_levels_scale_id_rating_scales')),
    sa.PrimaryKeyConstraint('scale_id', 'level', name=op.f('pk_rating_levels'))
    )
    op.create_table('stage_assignments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('staff_id', sa.Integer(), nullable=False),
    sa.Column('stage_id', sa.Integer(), nullable=False),
    sa.Column('start_date', sa.Date(), nullable=False),
    sa.Column('end_date', sa.Date(), nullable=True),
    sa.CheckConstraint('end_date IS NULL OR end_date > start_date', name=op.f('ck_stage_assignments_dates')),
    sa.ForeignKeyConstraint(['staff_id'], ['staff.id'], name=op.f('fk_stage_assignments_staff_id_staff')),
    sa.ForeignKeyConstraint(['stage_id'], ['certification_stages.id'], name=op.f('fk_stage_assignments_stage_id_certification_stages')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_stage_assignments')),
    sa.UniqueConstraint('staff_id', 'start_date', name=op.f('uq_stage_assignments_staff_id_start_date'))
    )
    with op.batch_alter_table('stage_assignments', schema=None) as batch_op:
        batch_op.create_index('uq_stage_assignments_open', ['staff_id'], unique=True, sqlite_where=sa.text('end_date IS NULL'), postgresql_where=sa.text('end_date IS NULL'))

    op.create_table('teams',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('program_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.ForeignKeyConstraint(['program_id'], ['programs.id'], name=op.f('fk_teams_program_id_programs')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_teams')),
    sa.UniqueConstraint('program_id', 'name', name=op.f('uq_teams_program_id_name'))
    )
    with op.batch_alter_table('teams', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_teams_program_id'), ['program_id'], unique=False)

    op.create_table('users',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('username', sa.String(length=80), nullable=False),
    sa.Column('full_name', sa.String(length=120), nullable=False),
    sa.Column('password_hash', sa.String(length=256), nullable=False),
    sa.Column('role', sa.String(length=20), nullable=False),
    sa.Column('staff_id', sa.Integer(), nullable=True),
    sa.Column('is_active', sa.Boolean(), nullable=False),
    sa.Column('session_token', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint("(role IN ('supervisor', 'peer_worker') AND staff_id IS NOT NULL) OR (role NOT IN ('supervisor', 'peer_worker') AND staff_id IS NULL)", name=op.f('ck_users_staff_link')),
    sa.CheckConstraint("role IN ('admin', 'leadership', 'quality', 'supervisor', 'peer_worker')", name=op.f('ck_users_role')),
    sa.ForeignKeyConstraint(['staff_id'], ['staff.id'], name=op.f('fk_users_staff_id_staff')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_users')),
    sa.UniqueConstraint('session_token', name=op.f('uq_users_session_token')),
    sa.UniqueConstraint('staff_id', name=op.f('uq_users_staff_id')),
    sa.UniqueConstraint('username', name=op.f('uq_users_username'))
    )
    op.create_table('audit_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('occurred_at', sa.DateTime(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('username', sa.String(length=80), nullable=False),
    sa.Column('action', sa.String(length=40), nullable=False),
    sa.Column('entity', sa.String(length=60), nullable=False),
    sa.Column('entity_id', sa.String(length=60), nullable=True),
    sa.Column('old_values', sa.JSON(), nullable=True),
    sa.Column('new_values', sa.JSON(), nullable=True),
    sa.Column('address', sa.String(length=64), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_audit_events_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_events'))
    )
    with op.batch_alter_table('audit_events', schema=None) as batch_op:
        batch_op.create_index('ix_audit_events_entity', ['entity', 'entity_id'], unique=False)
        batch_op.create_index('ix_audit_events_occurred_at', ['occurred_at'], unique=False)
        batch_op.create_index('ix_audit_events_user', ['user_id', 'occurred_at'], unique=False)

    op.create_table('category_principles',
    sa.Column('category_id', sa.Integer(), nullable=False),
    sa.Column('principle_id', sa.Integer(), nullable=False),
    sa.Column('is_primary', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['category_id'], ['categories.id'], name=op.f('fk_category_principles_category_id_categories')),
    sa.ForeignKeyConstraint(['principle_id'], ['principles.id'], name=op.f('fk_category_principles_principle_id_principles')),
    sa.PrimaryKeyConstraint('category_id', 'principle_id', name=op.f('pk_category_principles'))
    )
    with op.batch_alter_table('category_principles', schema=None) as batch_op:
        batch_op.create_index('ix_category_principles_principle', ['principle_id', 'is_primary'], unique=False)
        batch_op.create_index('uq_category_principles_primary', ['category_id'], unique=True, sqlite_where=sa.text('is_primary'), postgresql_where=sa.text('is_primary'))

    op.create_table('competencies',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('framework_id', sa.Integer(), nullable=False),
    sa.Column('category_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=30), nullable=False),
    sa.Column('label', sa.String(length=200), nullable=False),
    sa.Column('sort_order', sa.Integer(), nullable=False),
    sa.CheckConstraint('number > 0', name=op.f('ck_competencies_number_positive')),
    sa.ForeignKeyConstraint(['category_id'], ['categories.id'], name=op.f('fk_competencies_category_id_categories')),
    sa.ForeignKeyConstraint(['framework_id'], ['frameworks.id'], name=op.f('fk_competencies_framework_id_frameworks')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_competencies')),
    sa.UniqueConstraint('category_id', 'number', name=op.f('uq_competencies_category_id_number')),
    sa.UniqueConstraint('framework_id', 'code', name=op.f('uq_competencies_framework_id_code'))
    )
    with op.batch_alter_table('competencies', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_competencies_category_id'), ['category_id'], unique=False)

    op.create_table('guide_categories',
    sa.Column('guide_id', sa.Integer(), nullable=False),
    sa.Column('category_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['category_id'], ['categories.id'], name=op.f('fk_guide_categories_category_id_categories')),
    sa.ForeignKeyConstraint(['guide_id'], ['resource_guides.id'], name=op.f('fk_guide_categories_guide_id_resource_guides'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('guide_id', 'category_id', name=op.f('pk_guide_categories'))
    )
    op.create_table('guide_principles',
    sa.Column('guide_id', sa.Integer(), nullable=False),
    sa.Column('principle_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['guide_id'], ['resource_guides.id'], name=op.f('fk_guide_principles_guide_id_resource_guides'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['principle_id'], ['principles.id'], name=op.f('fk_guide_principles_principle_id_principles')),
    sa.PrimaryKeyConstraint('guide_id', 'principle_id', name=op.f('pk_guide_principles'))
    )
    op.create_table('supervision_sessions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('held_on', sa.Date(), nullable=False),
    sa.Column('minutes', sa.Integer(), nullable=False),
    sa.Column('format', sa.String(length=20), nullable=False),
    sa.Column('kind', sa.String(length=30), nullable=False),
    sa.Column('modality', sa.String(length=20), nullable=False),
    sa.Column('supervisor_id', sa.Integer(), nullable=False),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.CheckConstraint("format IN ('individual', 'group')", name=op.f('ck_supervision_sessions_format')),
    sa.CheckConstraint("kind IN ('administrative', 'supportive', 'clinical_educational', 'direct_observation')", name=op.f('ck_supervision_sessions_kind')),
    sa.CheckConstraint("modality IN ('in_person', 'video', 'phone')", name=op.f('ck_supervision_sessions_modality')),
    sa.CheckConstraint('minutes > 0 AND minutes <= 1440', name=op.f('ck_supervision_sessions_minutes_range')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_supervision_sessions_created_by_id_users')),
    sa.ForeignKeyConstraint(['supervisor_id'], ['staff.id'], name=op.f('fk_supervision_sessions_supervisor_id_staff')),
    sa.ForeignKeyConstraint(['updated_by_id'], ['users.id'], name=op.f('fk_supervision_sessions_updated_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_supervision_sessions'))
    )
    with op.batch_alter_table('supervision_sessions', schema=None) as batch_op:
        batch_op.create_index('ix_supervision_sessions_held', ['held_on'], unique=False)
        batch_op.create_index('ix_supervision_sessions_supervisor_held', ['supervisor_id', 'held_on'], unique=False)

    op.create_table('supervision_standards',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('effective_from', sa.Date(), nullable=False),
    sa.Column('source', sa.Text(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_supervision_standards_created_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_supervision_standards')),
    sa.UniqueConstraint('effective_from', name=op.f('uq_supervision_standards_effective_from'))
    )
    op.create_table('team_memberships',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('staff_id', sa.Integer(), nullable=False),
    sa.Column('team_id', sa.Integer(), nullable=False),
    sa.Column('start_date', sa.Date(), nullable=False),
    sa.Column('end_date', sa.Date(), nullable=True),
    sa.CheckConstraint('end_date IS NULL OR end_date > start_date', name=op.f('ck_team_memberships_dates')),
    sa.ForeignKeyConstraint(['staff_id'], ['staff.id'], name=op.f('fk_team_memberships_staff_id_staff')),
    sa.ForeignKeyConstraint(['team_id'], ['teams.id'], name=op.f('fk_team_memberships_team_id_teams')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_team_memberships')),
    sa.UniqueConstraint('staff_id', 'start_date', name=op.f('uq_team_memberships_staff_id_start_date'))
    )
    with op.batch_alter_table('team_memberships', schema=None) as batch_op:
        batch_op.create_index('ix_team_memberships_team_dates', ['team_id', 'start_date', 'end_date'], unique=False)
        batch_op.create_index('uq_team_memberships_open', ['staff_id'], unique=True, sqlite_where=sa.text('end_date IS NULL'), postgresql_where=sa.text('end_date IS NULL'))

    op.create_table('team_supervisors',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('team_id', sa.Integer(), nullable=False),
    sa.Column('staff_id', sa.Integer(), nullable=False),
    sa.Column('start_date', sa.Date(), nullable=False),
    sa.Column('end_date', sa.Date(), nullable=True),
    sa.CheckConstraint('end_date IS NULL OR end_date > start_date', name=op.f('ck_team_supervisors_dates')),
    sa.ForeignKeyConstraint(['staff_id'], ['staff.id'], name=op.f('fk_team_supervisors_staff_id_staff')),
    sa.ForeignKeyConstraint(['team_id'], ['teams.id'], name=op.f('fk_team_supervisors_team_id_teams')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_team_supervisors')),
    sa.UniqueConstraint('team_id', 'staff_id', 'start_date', name=op.f('uq_team_supervisors_team_id_staff_id_start_date'))
    )
    with op.batch_alter_table('team_supervisors', schema=None) as batch_op:
        batch_op.create_index('ix_team_supervisors_staff', ['staff_id', 'start_date'], unique=False)

    op.create_table('competency_ratings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('worker_id', sa.Integer(), nullable=False),
    sa.Column('competency_id', sa.Integer(), nullable=False),
    sa.Column('scale_id', sa.Integer(), nullable=False),
    sa.Column('level', sa.Integer(), nullable=False),
    sa.Column('rater_id', sa.Integer(), nullable=False),
    sa.Column('rater_role', sa.String(length=20), nullable=False),
    sa.Column('rated_on', sa.Date(), nullable=False),
    sa.Column('session_id', sa.Integer(), nullable=True),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint("rater_role <> 'self' OR rater_id = worker_id", name=op.f('ck_competency_ratings_self_is_worker')),
    sa.CheckConstraint("rater_role IN ('supervisor', 'self')", name=op.f('ck_competency_ratings_rater_role')),
    sa.ForeignKeyConstraint(['competency_id'], ['competencies.id'], name=op.f('fk_competency_ratings_competency_id_competencies')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_competency_ratings_created_by_id_users')),
    sa.ForeignKeyConstraint(['rater_id'], ['staff.id'], name=op.f('fk_competency_ratings_rater_id_staff')),
    sa.ForeignKeyConstraint(['scale_id', 'level'], ['rating_levels.scale_id', 'rating_levels.level'], name='fk_competency_ratings_level_rating_levels'),
    sa.ForeignKeyConstraint(['scale_id'], ['rating_scales.id'], name=op.f('fk_competency_ratings_scale_id_rating_scales')),
    sa.ForeignKeyConstraint(['session_id'], ['supervision_sessions.id'], name=op.f('fk_competency_ratings_session_id_supervision_sessions'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['worker_id'], ['staff.id'], name=op.f('fk_competency_ratings_worker_id_staff')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_competency_ratings'))
    )
    with op.batch_alter_table('competency_ratings', schema=None) as batch_op:
        batch_op.create_index('ix_competency_ratings_latest', ['worker_id', 'competency_id', 'rater_role', 'rated_on'], unique=False)
        batch_op.create_index('ix_competency_ratings_rated_on', ['rated_on'], unique=False)

    op.create_table('session_attendees',
    sa.Column('session_id', sa.Integer(), nullable=False),
    sa.Column('worker_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['session_id'], ['supervision_sessions.id'], name=op.f('fk_session_attendees_session_id_supervision_sessions'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['worker_id'], ['staff.id'], name=op.f('fk_session_attendees_worker_id_staff')),
    sa.PrimaryKeyConstraint('session_id', 'worker_id', name=op.f('pk_session_attendees'))
    )
    with op.batch_alter_table('session_attendees', schema=None) as batch_op:
        batch_op.create_index('ix_session_attendees_worker', ['worker_id', 'session_id'], unique=False)

    op.create_table('session_competencies',
    sa.Column('session_id', sa.Integer(), nullable=False),
    sa.Column('competency_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['competency_id'], ['competencies.id'], name=op.f('fk_session_competencies_competency_id_competencies')),
    sa.ForeignKeyConstraint(['session_id'], ['supervision_sessions.id'], name=op.f('fk_session_competencies_session_id_supervision_sessions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('session_id', 'competency_id', name=op.f('pk_session_competencies'))
    )
    with op.batch_alter_table('session_competencies', schema=None) as batch_op:
        batch_op.create_index('ix_session_competencies_competency', ['competency_id', 'session_id'], unique=False)

    op.create_table('standard_rules',
    sa.Column('standard_id', sa.Integer(), nullable=False),
    sa.Column('stage_id', sa.Integer(), nullable=False),
    sa.Column('max_days_between_individual', sa.Integer(), nullable=False),
    sa.Column('min_minutes_per_month', sa.Integer(), nullable=False),
    sa.Column('group_counts_toward_minimum', sa.Boolean(), nullable=False),
    sa.CheckConstraint('max_days_between_individual > 0', name=op.f('ck_standard_rules_max_days_positive')),
    sa.CheckConstraint('min_minutes_per_month >= 0', name=op.f('ck_standard_rules_min_minutes_nonnegative')),
    sa.ForeignKeyConstraint(['stage_id'], ['certification_stages.id'], name=op.f('fk_standard_rules_stage_id_certification_stages')),
    sa.ForeignKeyConstraint(['standard_id'], ['supervision_standards.id'], name=op.f('fk_standard_rules_standard_id_supervision_standards'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('standard_id', 'stage_id', name=op.f('pk_standard_rules'))
    )
    op.create_table('current_ratings',
    sa.Column('worker_id', sa.Integer(), nullable=False),
    sa.Column('competency_id', sa.Integer(), nullable=False),
    sa.Column('rater_role', sa.String(length=20), nullable=False),
    sa.Column('rating_id', sa.Integer(), nullable=False),
    sa.Column('level', sa.Integer(), nullable=False),
    sa.Column('rated_on', sa.Date(), nullable=False),
    sa.ForeignKeyConstraint(['competency_id'], ['competencies.id'], name=op.f('fk_current_ratings_competency_id_competencies')),
    sa.ForeignKeyConstraint(['rating_id'], ['competency_ratings.id'], name=op.f('fk_current_ratings_rating_id_competency_ratings')),
    sa.ForeignKeyConstraint(['worker_id'], ['staff.id'], name=op.f('fk_current_ratings_worker_id_staff')),
    sa.PrimaryKeyConstraint('worker_id', 'competency_id', 'rater_role', name=op.f('pk_current_ratings')),
    sa.UniqueConstraint('rating_id', name=op.f('uq_current_ratings_rating_id'))
    )
    with op.batch_alter_table('current_ratings', schema=None) as batch_op:
        batch_op.create_index('ix_current_ratings_competency', ['competency_id', 'rater_role', 'level'], unique=False)


    _make_audit_append_only()

def downgrade() -> None:
    _drop_audit_guards()
    with op.batch_alter_table('current_ratings', schema=None) as batch_op:
        batch_op.drop_index('ix_current_ratings_competency')

    op.drop_table('current_ratings')
    op.drop_table('standard_rules')
    with op.batch_alter_table('session_competencies', schema=None) as batch_op:
        batch_op.drop_index('ix_session_competencies_competency')

    op.drop_table('session_competencies')
    with op.batch_alter_table('session_attendees', schema=None) as batch_op:
        batch_op.drop_index('ix_session_attendees_worker')

    op.drop_table('session_attendees')
    with op.batch_alter_table('competency_ratings', schema=None) as batch_op:
        batch_op.drop_index('ix_competency_ratings_rated_on')
        batch_op.drop_index('ix_competency_ratings_latest')

    op.drop_table('competency_ratings')
    with op.batch_alter_table('team_supervisors', schema=None) as batch_op:
        batch_op.drop_index('ix_team_supervisors_staff')

    op.drop_table('team_supervisors')
    with op.batch_alter_table('team_memberships', schema=None) as batch_op:
        batch_op.drop_index('uq_team_memberships_open', sqlite_where=sa.text('end_date IS NULL'), postgresql_where=sa.text('end_date IS NULL'))
        batch_op.drop_index('ix_team_memberships_team_dates')

    op.drop_table('team_memberships')
    op.drop_table('supervision_standards')
    with op.batch_alter_table('supervision_sessions', schema=None) as batch_op:
        batch_op.drop_index('ix_supervision_sessions_supervisor_held')
        batch_op.drop_index('ix_supervision_sessions_held')

    op.drop_table('supervision_sessions')
    op.drop_table('guide_principles')
    op.drop_table('guide_categories')
    with op.batch_alter_table('competencies', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_competencies_category_id'))

    op.drop_table('competencies')
    with op.batch_alter_table('category_principles', schema=None) as batch_op:
        batch_op.drop_index('uq_category_principles_primary', sqlite_where=sa.text('is_primary'), postgresql_where=sa.text('is_primary'))
        batch_op.drop_index('ix_category_principles_principle')

    op.drop_table('category_principles')
    with op.batch_alter_table('audit_events', schema=None) as batch_op:
        batch_op.drop_index('ix_audit_events_user')
        batch_op.drop_index('ix_audit_events_occurred_at')
        batch_op.drop_index('ix_audit_events_entity')

    op.drop_table('audit_events')
    op.drop_table('users')
    with op.batch_alter_table('teams', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_teams_program_id'))

    op.drop_table('teams')
    with op.batch_alter_table('stage_assignments', schema=None) as batch_op:
        batch_op.drop_index('uq_stage_assignments_open', sqlite_where=sa.text('end_date IS NULL'), postgresql_where=sa.text('end_date IS NULL'))

    op.drop_table('stage_assignments')
    op.drop_table('rating_levels')
    op.drop_table('principles')
    op.drop_table('categories')
    op.drop_table('staff')
    op.drop_table('resource_guides')
    with op.batch_alter_table('rating_scales', schema=None) as batch_op:
        batch_op.drop_index('uq_rating_scales_active', sqlite_where=sa.text('is_active'), postgresql_where=sa.text('is_active'))

    op.drop_table('rating_scales')
    op.drop_table('programs')
    with op.batch_alter_table('login_attempts', schema=None) as batch_op:
        batch_op.drop_index('ix_login_attempts_username_at')
        batch_op.drop_index('ix_login_attempts_address_at')

    op.drop_table('login_attempts')
    with op.batch_alter_table('frameworks', schema=None) as batch_op:
        batch_op.drop_index('uq_frameworks_active', sqlite_where=sa.text('is_active'), postgresql_where=sa.text('is_active'))

    op.drop_table('frameworks')
    op.drop_table('certification_stages')


def _make_audit_append_only() -> None:
    """The database itself refuses to change or delete audit events, whatever the app does."""
    if op.get_bind().dialect.name == "postgresql":
        op.execute("""
            CREATE FUNCTION audit_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN RAISE EXCEPTION 'audit events are append-only'; END $$""")
        op.execute("""CREATE TRIGGER audit_events_append_only BEFORE UPDATE OR DELETE ON audit_events
                      FOR EACH ROW EXECUTE FUNCTION audit_events_append_only()""")
    else:
        for action in ("UPDATE", "DELETE"):
            op.execute(f"""CREATE TRIGGER audit_events_no_{action.lower()} BEFORE {action} ON audit_events
                           BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END""")


def _drop_audit_guards() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER audit_events_append_only ON audit_events")
        op.execute("DROP FUNCTION audit_events_append_only()")
    else:
        op.execute("DROP TRIGGER audit_events_no_update")
        op.execute("DROP TRIGGER audit_events_no_delete")
