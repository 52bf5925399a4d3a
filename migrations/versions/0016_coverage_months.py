"""Kept coverage-trend counts of closed months per team (coverage_months), deleted by database triggers from the first
month a write could change; a guard row whose generation the same triggers bump, so a keep counted from a snapshot
that a concurrent write made stale is refused.

Triggers, not application code, so that imports (COPY fires statement-level triggers), the CLI and manual SQL cannot
go around them. A later migration that rebuilds competency_ratings, team_memberships, staff, competencies,
category_principles or frameworks on SQLite (batch_alter_table) drops their triggers and must create them again.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-06 02:40:00
"""
from __future__ import annotations

from typing import NamedTuple

import sqlalchemy as sa
from alembic import op

revision = '0016'
down_revision = '0015'
branch_labels = None
depends_on = None

GUARD = 1
EVERY_MONTH = "'0001-01-01'"  # "from the beginning": a change that may alter every month


class _Trigger(NamedTuple):
    name: str
    table: str
    event: str  # INSERT, UPDATE, DELETE or TRUNCATE (PostgreSQL only)
    postgresql: str  # a SELECT of the first dates changed, from the transition tables new_rows / old_rows
    sqlite: str  # the first date changed, an expression over NEW / OLD (row-level)
    sqlite_columns: str = ""  # UPDATE OF these columns only


def _triggers() -> list[_Trigger]:
    found: list[_Trigger] = []
    # A rating counts on month ends on or after its rated_on; adding or removing one changes which rating is current
    # from its own rated_on on. An update may move it: from the earlier of the two dates.
    # A membership counts from its start_date; changing its end (or team) changes days after the start.
    for table, column in (("competency_ratings", "rated_on"), ("team_memberships", "start_date")):
        found += [
            _Trigger(f"cm_{table}_insert", table, "INSERT", f"SELECT {column} FROM new_rows", f"NEW.{column}"),
            _Trigger(f"cm_{table}_delete", table, "DELETE", f"SELECT {column} FROM old_rows", f"OLD.{column}"),
            _Trigger(f"cm_{table}_update", table, "UPDATE",
                     f"SELECT {column} FROM old_rows UNION ALL SELECT {column} FROM new_rows",
                     f"min(OLD.{column}, NEW.{column})")]
    # A worker counts only while hired, not yet left, and a peer worker: no day before the earlier hire date can change.
    found += [
        _Trigger("cm_staff_update", "staff", "UPDATE",
                 "SELECT least(o.hire_date, n.hire_date) FROM old_rows AS o JOIN new_rows AS n ON n.id = o.id "
                 "WHERE n.hire_date IS DISTINCT FROM o.hire_date OR n.left_on IS DISTINCT FROM o.left_on "
                 "OR n.role IS DISTINCT FROM o.role",
                 "min(OLD.hire_date, NEW.hire_date)", "id, hire_date, left_on, role"),
        _Trigger("cm_staff_delete", "staff", "DELETE", "SELECT hire_date FROM old_rows", "OLD.hire_date")]
    # Which competencies count (primary-mapped, of the framework) is read, not kept in the key: any change of it, and
    # a framework's removal (SQLite may give its id to the next one loaded), may alter every month.
    for table in ("competencies", "category_principles"):
        for event, rows in (("INSERT", "new_rows"), ("UPDATE", "new_rows"), ("DELETE", "old_rows")):
            found.append(_Trigger(f"cm_{table}_{event.lower()}", table, event,
                                  f"SELECT DATE {EVERY_MONTH} WHERE EXISTS (SELECT FROM {rows})", EVERY_MONTH))
    found.append(_Trigger("cm_frameworks_delete", "frameworks", "DELETE",
                          f"SELECT DATE {EVERY_MONTH} WHERE EXISTS (SELECT FROM old_rows)", EVERY_MONTH))
    for table in ("competency_ratings", "team_memberships", "staff", "competencies", "category_principles"):
        found.append(_Trigger(f"cm_{table}_truncate", table, "TRUNCATE", f"SELECT DATE {EVERY_MONTH}", ""))
    return found


def upgrade() -> None:
    op.create_table('coverage_months',
    sa.Column('month_end', sa.Date(), nullable=False),
    sa.Column('team_id', sa.Integer(), nullable=False),
    sa.Column('definition', sa.Integer(), nullable=False),
    sa.Column('framework_id', sa.Integer(), nullable=False),
    sa.Column('proficient_level', sa.Integer(), nullable=False),
    sa.Column('staleness_days', sa.Integer(), nullable=False),
    sa.Column('workers', sa.Integer(), nullable=False),
    sa.Column('rated', sa.Integer(), nullable=False),
    sa.Column('proficient', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['team_id'], ['teams.id'], name=op.f('fk_coverage_months_team_id_teams'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('month_end', 'team_id', 'definition', 'framework_id', 'proficient_level',
                            'staleness_days', name=op.f('pk_coverage_months'))
    )
    guard = op.create_table('coverage_month_guard',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('generation', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_coverage_month_guard'))
    )
    op.bulk_insert(guard, [{"id": GUARD, "generation": 0}])
    if op.get_bind().dialect.name == "postgresql":
        _postgresql_triggers()
    else:
        _sqlite_triggers()


def _postgresql_triggers() -> None:
    """Statement-level triggers reading the transition tables: one delete per statement, so a COPY of a million ratings
    (the import, the bench generator) costs one range delete, not a million.

    The guard is bumped before the delete, and only for a write dated before the first day of the month that holds
    the day after tomorrow (closed months end before the app's today; two days' margin for its clock and time zone
    against the database's): a rating recorded today neither waits for a keep nor refuses one. A keep that locked the guard first has committed by the time the
    bump goes through, and the delete that follows (a new snapshot in READ COMMITTED) sees its rows."""
    transitions = {"INSERT": "REFERENCING NEW TABLE AS new_rows", "DELETE": "REFERENCING OLD TABLE AS old_rows",
                   "UPDATE": "REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows", "TRUNCATE": ""}
    for t in _triggers():
        op.execute(f"""CREATE FUNCTION {t.name}() RETURNS trigger LANGUAGE plpgsql AS $$
                       DECLARE since date;
                       BEGIN
                         SELECT min(changed.day) INTO since FROM ({t.postgresql}) AS changed (day);
                         IF since IS NOT NULL THEN
                           IF since < date_trunc('month', CURRENT_DATE + 2)::date THEN
                             UPDATE coverage_month_guard SET generation = generation + 1 WHERE id = {GUARD};
                           END IF;
                           DELETE FROM coverage_months WHERE month_end >= since;
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
                       UPDATE coverage_month_guard SET generation = generation + 1
                         WHERE id = {GUARD} AND {t.sqlite} < date('now', '+2 days', 'start of month');
                       DELETE FROM coverage_months WHERE month_end >= {t.sqlite};
                       END""")


def downgrade() -> None:
    postgresql = op.get_bind().dialect.name == "postgresql"
    for t in _triggers():
        if postgresql:
            op.execute(f"DROP TRIGGER {t.name} ON {t.table}")
            op.execute(f"DROP FUNCTION {t.name}()")
        elif t.event != "TRUNCATE":
            op.execute(f"DROP TRIGGER {t.name}")
    op.drop_table('coverage_month_guard')
    op.drop_table('coverage_months')
