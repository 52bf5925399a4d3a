"""The session's date on each attendance (session_attendees.held_on), kept by database triggers, with indexes by
(worker, date) and (date, worker, session): a window's attendances are read as a range instead of a scan.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-05 08:30:00
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None

SESSION_DATE = "(SELECT s.held_on FROM supervision_sessions AS s WHERE s.id = {row}.session_id)"


def upgrade() -> None:
    # Nullable only because SQLite fills it in an AFTER INSERT trigger; no row stays NULL. A plain ALTER TABLE (no
    # batch copy of the table on SQLite, which would drop its triggers).
    op.add_column('session_attendees', sa.Column('held_on', sa.Date(), nullable=True))
    op.execute(f"UPDATE session_attendees SET held_on = {SESSION_DATE.format(row='session_attendees')}")
    op.create_index('ix_session_attendees_worker_held_on', 'session_attendees', ['worker_id', 'held_on'])
    op.create_index('ix_session_attendees_held_on', 'session_attendees', ['held_on', 'worker_id', 'session_id'])
    if op.get_bind().dialect.name == "postgresql":
        _postgresql_triggers()
    else:
        _sqlite_triggers()
    # Statistics for the new column and indexes now, not at the next autovacuum: without them the planners guess.
    op.execute("ANALYZE session_attendees")


def _postgresql_triggers() -> None:
    # Each attendance takes its session's date whatever the insert or update says (the app, the import's COPY, the
    # CLI and manual SQL alike); a session's new date is carried to its attendances.
    op.execute(f"""CREATE FUNCTION session_attendees_held_on() RETURNS trigger LANGUAGE plpgsql AS $$
                   BEGIN NEW.held_on := {SESSION_DATE.format(row='NEW')}; RETURN NEW; END $$""")
    op.execute("""CREATE TRIGGER session_attendees_held_on BEFORE INSERT OR UPDATE ON session_attendees
                  FOR EACH ROW EXECUTE FUNCTION session_attendees_held_on()""")
    op.execute("""CREATE FUNCTION supervision_sessions_held_on() RETURNS trigger LANGUAGE plpgsql AS $$
                  BEGIN UPDATE session_attendees SET held_on = NEW.held_on WHERE session_id = NEW.id;
                  RETURN NULL; END $$""")
    op.execute("""CREATE TRIGGER supervision_sessions_held_on AFTER UPDATE OF held_on ON supervision_sessions
                  FOR EACH ROW WHEN (OLD.held_on IS DISTINCT FROM NEW.held_on)
                  EXECUTE FUNCTION supervision_sessions_held_on()""")


def _sqlite_triggers() -> None:
    # SQLite's triggers cannot change NEW. An insert without the session's date is replaced by one with it: the
    # BEFORE trigger inserts the completed row and RAISE(IGNORE) drops the original (that row only; a duplicate
    # still fails on the key, and the AFTER INSERT triggers fire once, for the completed row). Completing the row
    # by an UPDATE after the insert made a bulk insert of 100k attendances 4-5x slower. Updates are completed after
    # they are written; the judgement versions' trigger on updates of attendances (0005) now watches the two
    # columns a judgement reads (a worker's attendance of a session), which is what it meant, not held_on.
    op.execute("DROP TRIGGER jv_session_attendees_update")
    op.execute("""CREATE TRIGGER jv_session_attendees_update AFTER UPDATE OF session_id, worker_id
                  ON session_attendees BEGIN
                  INSERT INTO judgement_versions (worker_id, version) VALUES (OLD.worker_id, 1)
                  ON CONFLICT (worker_id) DO UPDATE SET version = judgement_versions.version + 1;
                  INSERT INTO judgement_versions (worker_id, version) VALUES (NEW.worker_id, 1)
                  ON CONFLICT (worker_id) DO UPDATE SET version = judgement_versions.version + 1; END""")
    session_date = SESSION_DATE.format(row='NEW')
    op.execute(f"""CREATE TRIGGER session_attendees_held_on_insert BEFORE INSERT ON session_attendees
                   WHEN NEW.held_on IS NOT {session_date} BEGIN
                   INSERT INTO session_attendees (session_id, worker_id, held_on)
                   VALUES (NEW.session_id, NEW.worker_id, {session_date});
                   SELECT RAISE(IGNORE); END""")
    complete = (f"UPDATE session_attendees SET held_on = {session_date} "
                "WHERE session_id = NEW.session_id AND worker_id = NEW.worker_id;")
    # Any update that leaves an attendance with another date than its session's (recursive triggers are off, and the
    # WHEN is false once it is right).
    op.execute(f"""CREATE TRIGGER session_attendees_held_on_update AFTER UPDATE OF session_id, held_on
                   ON session_attendees WHEN NEW.held_on IS NOT {session_date} BEGIN {complete} END""")
    op.execute("""CREATE TRIGGER supervision_sessions_held_on AFTER UPDATE OF held_on ON supervision_sessions
                  WHEN OLD.held_on IS NOT NEW.held_on
                  BEGIN UPDATE session_attendees SET held_on = NEW.held_on WHERE session_id = NEW.id; END""")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER supervision_sessions_held_on ON supervision_sessions")
        op.execute("DROP FUNCTION supervision_sessions_held_on()")
        op.execute("DROP TRIGGER session_attendees_held_on ON session_attendees")
        op.execute("DROP FUNCTION session_attendees_held_on()")
    else:
        for name in ("supervision_sessions_held_on", "session_attendees_held_on_update",
                     "session_attendees_held_on_insert", "jv_session_attendees_update"):
            op.execute(f"DROP TRIGGER {name}")
        op.execute("""CREATE TRIGGER jv_session_attendees_update AFTER UPDATE ON session_attendees BEGIN
                      INSERT INTO judgement_versions (worker_id, version) VALUES (OLD.worker_id, 1)
                      ON CONFLICT (worker_id) DO UPDATE SET version = judgement_versions.version + 1;
                      INSERT INTO judgement_versions (worker_id, version) VALUES (NEW.worker_id, 1)
                      ON CONFLICT (worker_id) DO UPDATE SET version = judgement_versions.version + 1; END""")
    op.drop_index('ix_session_attendees_held_on', table_name='session_attendees')
    op.drop_index('ix_session_attendees_worker_held_on', table_name='session_attendees')
    op.execute("ALTER TABLE session_attendees DROP COLUMN held_on")  # SQLite >= 3.35; no batch copy (see upgrade)
