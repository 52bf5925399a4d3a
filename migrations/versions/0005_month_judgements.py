"""A kept judgement of whole calendar months per worker (month_judgements), valid while the worker's
judgement_versions row is unchanged; triggers bump it on every write the judgement reads.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-04 03:00:00
"""
from __future__ import annotations

from typing import NamedTuple

import sqlalchemy as sa
from alembic import op

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None

# (table, the column naming the worker) whose rows a worker's judgement reads. Sessions are reached through
# their attendees; the standard and the stages concern every worker (version row 0, see models.judgements).
WORKER_TABLES = (("session_attendees", "worker_id"), ("stage_assignments", "staff_id"), ("leaves", "staff_id"))
EVERYONE_TABLES = ("supervision_standards", "standard_rules", "certification_stages")
EVERYONE = 0

_BUMP = ("INSERT INTO judgement_versions (worker_id, version) {rows} "
         "ON CONFLICT (worker_id) DO UPDATE SET version = judgement_versions.version + 1")


def upgrade() -> None:
    op.create_table('judgement_versions',
    sa.Column('worker_id', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('worker_id', name=op.f('pk_judgement_versions'))
    )
    op.create_table('month_judgements',
    sa.Column('worker_id', sa.Integer(), nullable=False),
    sa.Column('month', sa.Date(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('everyone_version', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Integer(), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=True),
    sa.Column('period_end_excl', sa.Date(), nullable=True),
    sa.Column('stage_code', sa.String(length=40), nullable=True),
    sa.Column('longest', sa.Integer(), nullable=True),
    sa.Column('sessions', sa.Integer(), nullable=True),
    sa.Column('minutes', sa.Integer(), nullable=True),
    sa.Column('minimum', sa.Integer(), nullable=True),
    sa.Column('expected', sa.Float(), nullable=True),
    sa.Column('unruled', sa.Integer(), nullable=True),
    sa.Column('leave_days', sa.Integer(), nullable=True),
    sa.Column('days', sa.Integer(), nullable=True),
    sa.Column('max_days', sa.Integer(), nullable=True),
    sa.Column('counted', sa.Integer(), nullable=True),
    sa.Column('required', sa.Integer(), nullable=True),
    sa.Column('employed_days', sa.Integer(), nullable=True),
    sa.Column('month_days', sa.Integer(), nullable=True),
    sa.Column('gap_end', sa.Date(), nullable=True),
    sa.Column('away', sa.Integer(), nullable=True),
    sa.PrimaryKeyConstraint('worker_id', 'month', 'version', 'everyone_version', 'kind', 'seq',
                            name=op.f('pk_month_judgements'))
    )
    if op.get_bind().dialect.name == "postgresql":
        _postgresql_triggers()
    else:
        _sqlite_triggers()


class _Trigger(NamedTuple):
    name: str
    table: str
    event: str  # INSERT, UPDATE or DELETE
    postgresql: str  # a SELECT of the worker ids to bump from the transition tables new_rows / old_rows
    sqlite: tuple[str, ...]  # row-level: each a VALUES or SELECT of (worker_id, 1) over NEW / OLD
    sqlite_columns: str = ""  # UPDATE OF these columns only


def _triggers() -> list[_Trigger]:
    found = []
    for table, column in WORKER_TABLES:
        found += [
            _Trigger(f"jv_{table}_insert", table, "INSERT", f"SELECT {column} FROM new_rows",
                     (f"VALUES (NEW.{column}, 1)",)),
            _Trigger(f"jv_{table}_delete", table, "DELETE", f"SELECT {column} FROM old_rows",
                     (f"VALUES (OLD.{column}, 1)",)),
            _Trigger(f"jv_{table}_update", table, "UPDATE",
                     f"SELECT {column} FROM old_rows UNION ALL SELECT {column} FROM new_rows",
                     (f"VALUES (OLD.{column}, 1)", f"VALUES (NEW.{column}, 1)"))]
    # A session's date, format or minutes (deleting a session deletes its attendees, which bumps them).
    # WHERE ... AND true: without it SQLite reads ON CONFLICT as part of the SELECT.
    found.append(_Trigger(
        "jv_supervision_sessions_update", "supervision_sessions", "UPDATE",
        "SELECT a.worker_id FROM new_rows AS n JOIN session_attendees AS a ON a.session_id = n.id",
        ("SELECT worker_id, 1 FROM session_attendees WHERE session_id = NEW.id AND true",), "held_on, format, minutes"))
    found.append(_Trigger(
        "jv_staff_update", "staff", "UPDATE",
        "SELECT n.id FROM new_rows AS n JOIN old_rows AS o ON o.id = n.id "
        "WHERE n.hire_date IS DISTINCT FROM o.hire_date OR n.left_on IS DISTINCT FROM o.left_on",
        ("VALUES (NEW.id, 1)",), "hire_date, left_on"))
    for table in EVERYONE_TABLES:
        for event, rows in (("INSERT", "new_rows"), ("UPDATE", "new_rows"), ("DELETE", "old_rows")):
            found.append(_Trigger(f"jv_{table}_{event.lower()}", table, event,
                                  f"SELECT {EVERYONE} WHERE EXISTS (SELECT FROM {rows})", (f"VALUES ({EVERYONE}, 1)",)))
    return found


def _postgresql_triggers() -> None:
    """Statement-level triggers reading the transition tables: one upsert per statement, so a COPY of 200k
    attendees (the import) bumps each worker once instead of firing 200k times."""
    transitions = {"INSERT": "NEW TABLE AS new_rows", "DELETE": "OLD TABLE AS old_rows",
                   "UPDATE": "OLD TABLE AS old_rows NEW TABLE AS new_rows"}
    for t in _triggers():
        # DISTINCT: an upsert may not touch a row twice; ordered, so concurrent writers lock rows alike.
        rows = f"SELECT DISTINCT worker_id, 1 FROM ({t.postgresql}) AS changed (worker_id) ORDER BY worker_id"
        op.execute(f"""CREATE FUNCTION {t.name}() RETURNS trigger LANGUAGE plpgsql AS $$
                       BEGIN {_BUMP.format(rows=rows)}; RETURN NULL; END $$""")
        op.execute(f"""CREATE TRIGGER {t.name} AFTER {t.event} ON {t.table} REFERENCING {transitions[t.event]}
                       FOR EACH STATEMENT EXECUTE FUNCTION {t.name}()""")


def _sqlite_triggers() -> None:
    """Row-level (SQLite has no other kind), cheap in-process."""
    for t in _triggers():
        event = f"UPDATE OF {t.sqlite_columns}" if t.sqlite_columns else t.event
        body = " ".join(_BUMP.format(rows=rows) + ";" for rows in t.sqlite)
        op.execute(f"CREATE TRIGGER {t.name} AFTER {event} ON {t.table} BEGIN {body} END")


def downgrade() -> None:
    postgresql = op.get_bind().dialect.name == "postgresql"
    for t in _triggers():
        if postgresql:
            op.execute(f"DROP TRIGGER {t.name} ON {t.table}")
            op.execute(f"DROP FUNCTION {t.name}()")
        else:
            op.execute(f"DROP TRIGGER {t.name}")
    op.drop_table('month_judgements')
    op.drop_table('judgement_versions')
