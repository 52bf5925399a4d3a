"""Kept meeting-trend counts of closed months per team (meeting_months), deleted by database triggers from the first
month a write could change, and their own guard row whose generation the same triggers bump (see migration 0016).

A month's count judges each peer worker on a team on the month's last day over that month: it reads what the kept
month judgements read (migration 0005: attendances and their sessions, stages, leave, hire and leaving dates, the
standards) and, for who is judged, team memberships and the staff's role. A write can change no month that ends
before its earliest date; the standards concern every month. A later migration that rebuilds one of these tables on
SQLite (batch_alter_table) drops its triggers and must create them again.

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-06 03:20:00
"""
from __future__ import annotations

from typing import NamedTuple

import sqlalchemy as sa
from alembic import op

revision = '0017'
down_revision = '0016'
branch_labels = None
depends_on = None

GUARD = 1
EVERY_MONTH = "'0001-01-01'"  # "from the beginning": a change that may alter every month
# An attendance's date: held_on, which migration 0009's triggers set to its session's. On SQLite an update of
# session_id is completed by a second update, so the session's date is read as well (the earlier of the two known); a
# row with neither may change any month.
_ATTENDED_PG = f"coalesce(held_on, DATE {EVERY_MONTH})"
_SESSION_DATE = "(SELECT s.held_on FROM supervision_sessions AS s WHERE s.id = {row}.session_id)"
_ATTENDED_SQLITE = (f"coalesce(min(coalesce({{row}}.held_on, {_SESSION_DATE}), coalesce({_SESSION_DATE}, "
                    f"{{row}}.held_on)), {EVERY_MONTH})")


class _Trigger(NamedTuple):
    name: str
    table: str
    event: str  # INSERT, UPDATE, DELETE or TRUNCATE (PostgreSQL only)
    postgresql: str  # a SELECT of the first dates changed, from the transition tables new_rows / old_rows
    sqlite: str  # the first date changed, an expression over NEW / OLD (row-level)
    sqlite_columns: str = ""  # UPDATE OF these columns only


def _dated(table: str, postgresql: str, sqlite: str) -> list[_Trigger]:
    """Insert, delete and update of rows that change nothing before their date (an update: the earlier of the two)."""
    return [
        _Trigger(f"mm_{table}_insert", table, "INSERT", f"SELECT {postgresql} FROM new_rows", sqlite.format(row="NEW")),
        _Trigger(f"mm_{table}_delete", table, "DELETE", f"SELECT {postgresql} FROM old_rows", sqlite.format(row="OLD")),
        _Trigger(f"mm_{table}_update", table, "UPDATE",
                 f"SELECT {postgresql} FROM old_rows UNION ALL SELECT {postgresql} FROM new_rows",
                 f"min({sqlite.format(row='OLD')}, {sqlite.format(row='NEW')})")]


def _triggers() -> list[_Trigger]:
    found: list[_Trigger] = []
    # An attendance changes the gaps and the month's sessions from its session's day on (a gap is measured to each
    # month's own last day, so no earlier month sees it).
    found += _dated("session_attendees", _ATTENDED_PG, _ATTENDED_SQLITE)
    # A session's date, format or minutes (every column, to be safe); deleting one deletes its attendees too.
    found += [
        _Trigger("mm_supervision_sessions_update", "supervision_sessions", "UPDATE",
                 "SELECT held_on FROM old_rows UNION ALL SELECT held_on FROM new_rows",
                 "min(OLD.held_on, NEW.held_on)"),
        _Trigger("mm_supervision_sessions_delete", "supervision_sessions", "DELETE",
                 "SELECT held_on FROM old_rows", "OLD.held_on")]
    # A stage, a leave or a membership counts from its start; changing its end (or anything else) changes only later
    # days.
    for table in ("stage_assignments", "leaves", "team_memberships"):
        found += _dated(table, "start_date", "{row}.start_date")
    # A worker is judged only while hired, not yet left, and a peer worker: nothing before the earlier hire date.
    found += [
        _Trigger("mm_staff_update", "staff", "UPDATE",
                 "SELECT least(o.hire_date, n.hire_date) FROM old_rows AS o JOIN new_rows AS n ON n.id = o.id "
                 "WHERE n.hire_date IS DISTINCT FROM o.hire_date OR n.left_on IS DISTINCT FROM o.left_on "
                 "OR n.role IS DISTINCT FROM o.role",
                 "min(OLD.hire_date, NEW.hire_date)", "id, hire_date, left_on, role"),
        _Trigger("mm_staff_delete", "staff", "DELETE", "SELECT hire_date FROM old_rows", "OLD.hire_date")]
    # The standard (its rules and the stages they name) is read for every month.
    for table in ("supervision_standards", "standard_rules", "certification_stages"):
        for event, rows in (("INSERT", "new_rows"), ("UPDATE", "new_rows"), ("DELETE", "old_rows")):
            found.append(_Trigger(f"mm_{table}_{event.lower()}", table, event,
                                  f"SELECT DATE {EVERY_MONTH} WHERE EXISTS (SELECT FROM {rows})", EVERY_MONTH))
    for table in ("session_attendees", "supervision_sessions", "stage_assignments", "leaves", "team_memberships",
                  "staff", "supervision_standards", "standard_rules", "certification_stages"):
        found.append(_Trigger(f"mm_{table}_truncate", table, "TRUNCATE", f"SELECT DATE {EVERY_MONTH}", ""))
    return found


def upgrade() -> None:
    op.create_table('meeting_months',
    sa.Column('month_end', sa.Date(), nullable=False),
    sa.Column('team_id', sa.Integer(), nullable=False),
    sa.Column('definition', sa.Integer(), nullable=False),
    sa.Column('judgement_definition', sa.Integer(), nullable=False),
    sa.Column('workers', sa.Integer(), nullable=False),
    sa.Column('meeting', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['team_id'], ['teams.id'], name=op.f('fk_meeting_months_team_id_teams'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('month_end', 'team_id', 'definition', 'judgement_definition',
                            name=op.f('pk_meeting_months'))
    )
    guard = op.create_table('meeting_month_guard',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('generation', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_meeting_month_guard'))
    )
    op.bulk_insert(guard, [{"id": GUARD, "generation": 0}])
    if op.get_bind().dialect.name == "postgresql":
        _postgresql_triggers()
    else:
        _sqlite_triggers()


def _postgresql_triggers() -> None:
    """Statement-level, reading the transition tables, the guard bumped before the delete and only for a write dated
    before the month holding the day after tomorrow: as migration 0016 does, for the same reasons."""
    transitions = {"INSERT": "REFERENCING NEW TABLE AS new_rows", "DELETE": "REFERENCING OLD TABLE AS old_rows",
                   "UPDATE": "REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows", "TRUNCATE": ""}
    for t in _triggers():
        op.execute(f"""CREATE FUNCTION {t.name}() RETURNS trigger LANGUAGE plpgsql AS $$
                       DECLARE since date;
                       BEGIN
                         SELECT min(changed.day) INTO since FROM ({t.postgresql}) AS changed (day);
                         IF since IS NOT NULL THEN
                           IF since < date_trunc('month', CURRENT_DATE + 2)::date THEN
                             UPDATE meeting_month_guard SET generation = generation + 1 WHERE id = {GUARD};
                           END IF;
                           DELETE FROM meeting_months WHERE month_end >= since;
                         END IF;
                         RETURN NULL;
                       END $$""")
        op.execute(f"""CREATE TRIGGER {t.name} AFTER {t.event} ON {t.table} {transitions[t.event]}
                       FOR EACH STATEMENT EXECUTE FUNCTION {t.name}()""")


def _sqlite_triggers() -> None:
    """Row-level (SQLite has no other kind). SQLite's 'now' is UTC; the margin covers the app's local date."""
    for t in _triggers():
        if t.event == "TRUNCATE":
            continue  # SQLite has no TRUNCATE: a DELETE fires the row triggers
        event = f"UPDATE OF {t.sqlite_columns}" if t.sqlite_columns else t.event
        op.execute(f"""CREATE TRIGGER {t.name} AFTER {event} ON {t.table} BEGIN
                       UPDATE meeting_month_guard SET generation = generation + 1
                         WHERE id = {GUARD} AND {t.sqlite} < date('now', '+2 days', 'start of month');
                       DELETE FROM meeting_months WHERE month_end >= {t.sqlite};
                       END""")


def downgrade() -> None:
    postgresql = op.get_bind().dialect.name == "postgresql"
    for t in _triggers():
        if postgresql:
            op.execute(f"DROP TRIGGER {t.name} ON {t.table}")
            op.execute(f"DROP FUNCTION {t.name}()")
        elif t.event != "TRUNCATE":
            op.execute(f"DROP TRIGGER {t.name}")
    op.drop_table('meeting_month_guard')
    op.drop_table('meeting_months')
