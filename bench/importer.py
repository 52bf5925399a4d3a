"""Times the sessions import of 100k rows against a raw bulk insert of the same rows, and prints a table.

python -m bench.importer --db sqlite|postgres [--rows 100000] [--runs 3] [--setup]

Data: the agency-scale benchmark set (2,000 workers, 5 years). --setup builds a base copy once:
SQLite /work/bench-data/import-base.sqlite3 (a copy of agency.sqlite3), PostgreSQL
peerdash_bench_import_base (made by `cli generate --scale agency --end-date 2026-11-24`); it applies
the migrations, gives every staff record an employee code (E<id>), and writes a sessions CSV of --rows
new individual sessions that pass every rule: a worker on one of the supervisor's teams that day,
hired by then, no session with the same supervisor, date and worker recorded yet; one or two topics.

Each timed run starts from a fresh copy of the base (a file copy, or CREATE DATABASE … TEMPLATE), so
every run inserts into the same 135k recorded sessions:
- import: run_import(commit=True) on the CSV bytes (decode, parse, check every row with set-based
  look-ups, match natural keys against what is recorded, insert with Core executemany, audit) + COMMIT.
- raw bulk insert: the same sessions, attendees and topics, already resolved to ids (not timed), written
  with the import's own writer, bulk.bulk_insert (COPY on PostgreSQL, the driver's executemany
  on SQLite) + COMMIT: no parsing, no checks. The ratio import / raw is what checking costs.
- raw Core executemany: the same rows through SQLAlchemy Core insert() with a dict per row, for scale.
Single runs (each needs a fresh database); the table shows each run, the median and the ratio of medians.
"""
from __future__ import annotations

import argparse
import csv
import io
import random
import shutil
import statistics
import subprocess
import time
from collections import defaultdict
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from sqlalchemy import create_engine, func, select, text

from dashboard.audit import Actor
from dashboard.db import connect, upgrade
from dashboard.bulk import bulk_insert
from dashboard.importers import SESSION_COLUMNS, SessionRow, run_import, session_tuples
from models import (Competency, Framework, SessionAttendee, SessionCompetency, Staff, SupervisionSession,
                    TeamMembership, TeamSupervisor)

DATA_END = date(2026, 11, 24)
SQLITE_SOURCE = Path("/work/bench-data/agency.sqlite3")
SQLITE_BASE = Path("/work/bench-data/import-base.sqlite3")
SQLITE_RUN = Path("/work/bench-data/import-run.sqlite3")
PG_SERVER = "postgresql+psycopg://postgres@127.0.0.1/postgres"
PG_BASE = "peerdash_bench_import_base"
PG_RUN = "peerdash_bench_import_run"
CSV_PATH = Path("/work/bench-data/import-sessions-100k.csv")
HEADER = ("held_on", "supervisor_code", "format", "kind", "modality", "minutes", "attendee_codes", "competencies",
          "note")


def base_url(db: str) -> str:
    return f"sqlite:///{SQLITE_BASE}" if db == "sqlite" else PG_SERVER.rsplit("/", 1)[0] + f"/{PG_BASE}"


def run_url(db: str) -> str:
    return f"sqlite:///{SQLITE_RUN}" if db == "sqlite" else PG_SERVER.rsplit("/", 1)[0] + f"/{PG_RUN}"


def fresh_copy(db: str) -> None:
    if db == "sqlite":
        shutil.copyfile(SQLITE_BASE, SQLITE_RUN)
        for suffix in ("-wal", "-shm"):
            Path(f"{SQLITE_RUN}{suffix}").unlink(missing_ok=True)
        return
    engine = create_engine(PG_SERVER, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{PG_RUN}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{PG_RUN}" TEMPLATE "{PG_BASE}"'))
    engine.dispose()


def setup(db: str, rows: int, seed: int = 7, source: Path = SQLITE_SOURCE) -> None:
    if db == "sqlite":
        shutil.copyfile(source, SQLITE_BASE)
    database = connect(base_url(db))
    upgrade(database)
    with database.session() as s:
        s.execute(text("UPDATE staff SET employee_code = 'E' || CAST(id AS VARCHAR(20)) WHERE employee_code IS NULL"))
    if CSV_PATH.exists() and db == "postgres":
        database.engine.dispose()
        return  # the same generated data on both: one CSV
    with database.session() as s:
        codes = dict(s.execute(select(Staff.id, Staff.employee_code)).all())
        hired = dict(s.execute(select(Staff.id, Staff.hire_date)).all())
        left = dict(s.execute(select(Staff.id, Staff.left_on)).all())
        supervisors_of: dict[int, list[tuple[int, date, date | None]]] = defaultdict(list)
        for team, sup, start, end in s.execute(select(TeamSupervisor.team_id, TeamSupervisor.staff_id,
                                                      TeamSupervisor.start_date, TeamSupervisor.end_date)):
            supervisors_of[team].append((sup, start, end))
        spans = s.execute(select(TeamMembership.staff_id, TeamMembership.team_id, TeamMembership.start_date,
                                 TeamMembership.end_date)).all()
        recorded = {(sup, day, worker) for sup, day, worker in s.execute(
            select(SupervisionSession.supervisor_id, SupervisionSession.held_on, SessionAttendee.worker_id)
            .join(SessionAttendee, SessionAttendee.session_id == SupervisionSession.id)
            .where(SupervisionSession.format == "individual"))}
        topics = list(s.scalars(select(Competency.code).join(Framework, Framework.id == Competency.framework_id)
                                .where(Framework.is_active)))
    rng = random.Random(seed)
    chosen: set[tuple[int, date, int]] = set()
    out: list[tuple[str, ...]] = []
    while len(out) < rows:
        worker, team, start, end = rng.choice(spans)
        last = min(end - timedelta(days=1) if end else DATA_END, left.get(worker) or DATA_END, DATA_END)
        first = max(start, hired[worker])
        if last < first:
            continue
        day = first + timedelta(days=rng.randrange((last - first).days + 1))
        sups = [sup for sup, s_start, s_end in supervisors_of[team] if s_start <= day and (s_end is None or day < s_end)
                and hired[sup] <= day]
        if not sups:
            continue
        sup = rng.choice(sups)
        key = (sup, day, worker)
        if key in recorded or key in chosen:
            continue
        chosen.add(key)
        out.append((day.isoformat(), codes[sup], "individual", rng.choice(["supportive", "administrative",
                                                                          "clinical_educational"]),
                    rng.choice(["in_person", "video", "phone"]), str(rng.choice([30, 45, 60, 90])), codes[worker],
                    ";".join(rng.sample(topics, rng.choice([1, 2]))), ""))
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(HEADER)
    writer.writerows(out)
    CSV_PATH.write_text(buffer.getvalue(), encoding="utf-8", newline="")
    database.engine.dispose()
    print(f"wrote {len(out):,} rows to {CSV_PATH}")


def time_import(db: str) -> float:
    data = CSV_PATH.read_bytes()
    fresh_copy(db)
    database = connect(run_url(db))
    try:
        started = time.perf_counter()
        with database.session() as s:
            report = run_import(s, "sessions", data, file_name=CSV_PATH.name, actor=Actor(None, "bench"),
                                today=DATA_END, commit=True)
        elapsed = time.perf_counter() - started
        if not report.committed:
            raise SystemExit(f"import refused: {report.error_count} problems, first {report.errors[:3]}")
        return elapsed
    finally:
        database.engine.dispose()


def raw_rows(db: str) -> tuple[list[SessionRow], int]:
    """The CSV's sessions as checked rows with ids resolved, and the first free id (not timed)."""
    database = connect(run_url(db))
    with database.session() as s:
        staff = dict(s.execute(select(Staff.employee_code, Staff.id)).all())
        competencies = dict(s.execute(select(Competency.code, Competency.id).join(
            Framework, Framework.id == Competency.framework_id).where(Framework.is_active)).all())
        next_id = (s.scalar(select(func.max(SupervisionSession.id))) or 0) + 1
    database.engine.dispose()
    with CSV_PATH.open(encoding="utf-8", newline="") as handle:
        rows = [SessionRow(number, date.fromisoformat(r["held_on"]), staff[r["supervisor_code"]], r["format"],
                           r["kind"], r["modality"], int(r["minutes"]), (staff[r["attendee_codes"]],),
                           tuple(sorted(competencies[c] for c in r["competencies"].split(";"))), None)
                for number, r in enumerate(csv.DictReader(handle), start=2)]
    return rows, next_id


def aware(value: object) -> object:
    """Core goes through UTCDateTime, which takes aware datetimes only."""
    return value.replace(tzinfo=UTC) if isinstance(value, datetime) and value.tzinfo is None else value


def time_raw(db: str, method: str) -> float:
    """bulk: bulk.bulk_insert (COPY / the driver's executemany), the import's own writer;
    core: SQLAlchemy Core insert() executemany with one dict per row."""
    fresh_copy(db)
    rows, next_id = raw_rows(db)
    ids = list(range(next_id, next_id + len(rows)))
    sessions, attendees, topics = session_tuples(ids, rows, None)
    database = connect(run_url(db))
    tables = ((SupervisionSession.__table__, SESSION_COLUMNS, sessions),
              (SessionAttendee.__table__, ("session_id", "worker_id"), attendees),
              (SessionCompetency.__table__, ("session_id", "competency_id"), topics))
    try:
        started = time.perf_counter()
        with database.session() as s:
            for table, columns, values in tables:
                if method == "bulk":
                    bulk_insert(s, table, columns, values)
                else:
                    s.connection().execute(table.insert(), [dict(zip(columns, map(aware, v))) for v in values])
        return time.perf_counter() - started
    finally:
        database.engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=("sqlite", "postgres"), required=True)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--setup", action="store_true", help="build the base copy and the CSV first")
    parser.add_argument("--source", type=Path, default=SQLITE_SOURCE, help="SQLite: the agency file to copy")
    args = parser.parse_args()
    if args.setup:
        setup(args.db, args.rows, source=args.source)
    rows = sum(1 for _ in CSV_PATH.open(encoding="utf-8")) - 1
    imports, bulk, core = [], [], []
    for _ in range(args.runs):
        imports.append(time_import(args.db))
        bulk.append(time_raw(args.db, "bulk"))
        core.append(time_raw(args.db, "core"))
    writer = "COPY" if args.db == "postgres" else "driver executemany"
    print(f"\nSessions import, {rows:,} rows, {args.db} "
          f"({subprocess.run(['nproc'], capture_output=True, text=True).stdout.strip()} cores, shared)")
    print(f"{'':<44}{'runs (s)':<28}{'median (s)':>10}")
    for label, values in (("import (check + plan + write + commit)", imports),
                          (f"raw bulk insert ({writer})", bulk), ("raw Core executemany (dicts)", core)):
        print(f"{label:<44}{', '.join(f'{v:.2f}' for v in values):<28}{statistics.median(values):>10.2f}")
    print(f"{'ratio import / raw bulk insert':<72}{statistics.median(imports) / statistics.median(bulk):>10.2f}")


if __name__ == "__main__":
    main()
