"""A session's update invalidates kept months only when it changes what they count: its date, format or minutes.

Migrations 0005 (month judgements, on PostgreSQL) and 0017 (meeting months, on both databases) reacted to every update
of a supervision session, so signing one (signed_at, signed_by_id, version) deleted the kept meeting months from its
date and bumped its attendees' judgements: every sign-off of last month's sessions made the next Overview count those
months again (~0.8 s at agency scale). The judgements read a session's held_on, format and minutes only (attendances
are triggers of their own). PostgreSQL cannot name columns on a trigger with transition tables, so there the
functions compare the old and new rows; SQLite's triggers name the columns and compare them.

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-06 07:50:00
"""
from __future__ import annotations

from alembic import op

revision = '0018'
down_revision = '0017'
branch_labels = None
depends_on = None

GUARD = 1
COUNTED = ("held_on", "format", "minutes")
_CHANGED_PG = " OR ".join(f"n.{c} IS DISTINCT FROM o.{c}" for c in COUNTED)
_CHANGED_SQLITE = " OR ".join(f"OLD.{c} IS NOT NEW.{c}" for c in COUNTED)
_BUMP = ("INSERT INTO judgement_versions (worker_id, version) {rows} "
         "ON CONFLICT (worker_id) DO UPDATE SET version = judgement_versions.version + 1")


def _meeting_months_pg(changed_days: str) -> str:
    """Migration 0017's function, reading the first changed day from `changed_days`."""
    return f"""CREATE OR REPLACE FUNCTION mm_supervision_sessions_update() RETURNS trigger LANGUAGE plpgsql AS $$
               DECLARE since date;
               BEGIN
                 SELECT min(changed.day) INTO since FROM ({changed_days}) AS changed (day);
                 IF since IS NOT NULL THEN
                   IF since < date_trunc('month', CURRENT_DATE + 2)::date THEN
                     UPDATE meeting_month_guard SET generation = generation + 1 WHERE id = {GUARD};
                   END IF;
                   DELETE FROM meeting_months WHERE month_end >= since;
                 END IF;
                 RETURN NULL;
               END $$"""


def _judgements_pg(workers: str) -> str:
    """Migration 0005's function, bumping the workers `workers` selects."""
    rows = f"SELECT DISTINCT worker_id, 1 FROM ({workers}) AS changed (worker_id) ORDER BY worker_id"
    return f"""CREATE OR REPLACE FUNCTION jv_supervision_sessions_update() RETURNS trigger LANGUAGE plpgsql AS $$
               BEGIN {_BUMP.format(rows=rows)}; RETURN NULL; END $$"""


def _meeting_months_sqlite(columns: str, when: str) -> str:
    first = "min(OLD.held_on, NEW.held_on)"
    return f"""CREATE TRIGGER mm_supervision_sessions_update AFTER {columns} ON supervision_sessions {when} BEGIN
               UPDATE meeting_month_guard SET generation = generation + 1
                 WHERE id = {GUARD} AND {first} < date('now', '+2 days', 'start of month');
               DELETE FROM meeting_months WHERE month_end >= {first};
               END"""


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(_meeting_months_pg("SELECT least(o.held_on, n.held_on) FROM old_rows AS o "
                                      f"JOIN new_rows AS n ON n.id = o.id WHERE {_CHANGED_PG}"))
        op.execute(_judgements_pg("SELECT a.worker_id FROM new_rows AS n JOIN old_rows AS o ON o.id = n.id "
                                  f"JOIN session_attendees AS a ON a.session_id = n.id WHERE {_CHANGED_PG}"))
    else:
        # 0005's SQLite trigger already fires on UPDATE OF held_on, format, minutes only.
        op.execute("DROP TRIGGER mm_supervision_sessions_update")
        op.execute(_meeting_months_sqlite(f"UPDATE OF {', '.join(COUNTED)}", f"WHEN {_CHANGED_SQLITE}"))


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(_meeting_months_pg("SELECT held_on FROM old_rows UNION ALL SELECT held_on FROM new_rows"))
        op.execute(_judgements_pg("SELECT a.worker_id FROM new_rows AS n "
                                  "JOIN session_attendees AS a ON a.session_id = n.id"))
    else:
        op.execute("DROP TRIGGER mm_supervision_sessions_update")
        op.execute(_meeting_months_sqlite("UPDATE", ""))
