"""Times each overview callback against the bare SQL it issues and a pandas baseline, and prints a table.

python -m bench.overview --db sqlite|postgres|state [--runs 20] [--window 90] [--pandas-runs 5] [--explain]

Method, per callback and viewer: one warm-up call, then --runs timed calls (time.perf_counter), each
inside one Flask request context in which a transient leadership or supervisor account is logged in
with flask_login (no HTTP, no user row written). Every statement the callback sends to the database
(SQLAlchemy before_cursor_execute: statement, DBAPI parameters, executemany) is recorded during the
warm-up; "bare SQL" re-runs exactly those statements through engine.raw_connection() (execute,
fetchall, one commit per run, like the callback's one transaction) --runs times after a warm-up.
ratio = callback median / bare median: what the app adds (ORM, result processing, Python
aggregation, figures). The pandas column is bench.baseline_pandas for the same window.

The clock is pinned: callbacks.overview.today() is patched to --today (the datasets' end date), so
"the last 90 days" means the same rows whatever day the benchmark runs.
"""
from __future__ import annotations

import argparse
import gc
import inspect
import math
import os
import platform
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, event, text

DATABASES = {
    "sqlite": "sqlite:////work/bench-data/agency.sqlite3",
    "postgres": "postgresql+psycopg://postgres@127.0.0.1/peerdash_bench_agency",
    "state": "postgresql+psycopg://postgres@127.0.0.1/peerdash_bench_state",
}
# p95 targets from issue 3 ("Speed"), in ms.
TARGET_MS = {"sqlite": 300.0, "postgres": 150.0, "state": 1000.0}
RATIO_TARGET = 1.3
DATA_END = date(2026, 11, 24)  # the end date the bench datasets were generated with


# ---------------------------------------------------------------------------------------------------------
# Measuring


def percentile(values: list[float], share: float) -> float:
    """Nearest-rank percentile (p95 of 20 runs = the 19th fastest)."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


@dataclass
class Timing:
    runs_ms: list[float]

    @property
    def median(self) -> float:
        return statistics.median(self.runs_ms)

    @property
    def p95(self) -> float:
        return percentile(self.runs_ms, 0.95)


@dataclass(frozen=True)
class Statement:
    sql: str
    parameters: Any
    executemany: bool


class StatementRecorder:
    """Keeps every statement an engine sends to its DBAPI cursor while recording() is on."""

    def __init__(self, engine: Engine) -> None:
        self.statements: list[Statement] = []
        self._active = False
        event.listen(engine, "before_cursor_execute", self._record)

    def _record(self, _conn: Any, _cursor: Any, statement: str, parameters: Any, _context: Any,
                executemany: bool) -> None:
        if self._active:
            copied = dict(parameters) if isinstance(parameters, dict) else \
                (list(parameters) if executemany else tuple(parameters or ()))
            self.statements.append(Statement(statement, copied, executemany))

    @contextmanager
    def recording(self) -> Iterator[list[Statement]]:
        self.statements = []
        self._active = True
        try:
            yield self.statements
        finally:
            self._active = False


@dataclass
class BareResult:
    timing: Timing
    rows: int
    per_statement_ms: list[float]  # median per statement, same order as the statements


def bare_pass(raw: Any, statements: list[Statement], per_statement: list[list[float]] | None) -> int:
    """The recorded statements through a raw DBAPI connection: execute, fetchall, one commit; rows fetched."""
    rows = 0
    cursor = raw.cursor()
    for index, s in enumerate(statements):
        started = time.perf_counter()
        if s.executemany:
            cursor.executemany(s.sql, s.parameters)
        else:
            cursor.execute(s.sql, s.parameters)
        if cursor.description is not None:
            rows += len(cursor.fetchall())
        if per_statement is not None:
            per_statement[index].append((time.perf_counter() - started) * 1000)
    cursor.close()
    raw.commit()
    return rows


class FigureClock:
    """Time spent inside dashboard.figures (Plotly figures, Dash components) during a callback call.

    Wraps the module's functions in place, so callbacks that call `figures.something(...)` are timed;
    nested calls count once.
    """

    def __init__(self) -> None:
        import types

        from dashboard import figures

        self.spent = 0.0
        self._depth = 0
        for name, value in list(vars(figures).items()):
            if isinstance(value, types.FunctionType) and value.__module__ == figures.__name__:
                setattr(figures, name, self._wrap(value))

    def _wrap(self, function: Callable[..., Any]) -> Callable[..., Any]:
        def timed(*args: Any, **kwargs: Any) -> Any:
            self._depth += 1
            started = time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                self._depth -= 1
                if self._depth == 0:
                    self.spent += time.perf_counter() - started

        return timed

    def take(self) -> float:
        """ms spent since the last take()."""
        spent, self.spent = self.spent, 0.0
        return spent * 1000


def time_calls(call: Callable[[], Any], runs: int) -> Timing:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        call()
        times.append((time.perf_counter() - started) * 1000)
    return Timing(times)


# ---------------------------------------------------------------------------------------------------------
# The app, the viewers and the callbacks


def build_app(url: str, today: date) -> Any:
    """The real app (migrations run on start-up, nothing else written), with the page's clock pinned."""
    from dashboard.config import Config
    from dashboard.factory import create_app

    app = create_app(Config(database_url=url, secret_key="bench", seed_demo=False,
                            instance_path=Path(tempfile.mkdtemp(prefix="bench-instance-"))))
    import callbacks.overview as overview_callbacks

    overview_callbacks.today = lambda: today  # type: ignore[assignment]
    gc.collect()
    gc.freeze()  # as app.py does after start-up
    return app


def set_session_options(engine: Engine, statement_timeout_s: float, custom_plans: bool) -> None:
    """PostgreSQL settings for every new pooled connection (the app's and engine.raw_connection()'s)."""
    settings = []
    if statement_timeout_s > 0:
        settings.append(f"SET statement_timeout = {int(statement_timeout_s * 1000)}")
    if custom_plans:
        # psycopg prepares a statement on its 5th execution on a connection, and PostgreSQL may then switch
        # to a generic plan (blind to the dates) after 5 more: this shows what forcing custom plans changes.
        settings.append("SET plan_cache_mode = force_custom_plan")
    if not settings:
        return
    engine.dispose()

    @event.listens_for(engine, "connect")
    def _settings(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        for statement in settings:
            cursor.execute(statement)
        cursor.close()
        dbapi_connection.commit()


def app_engine(app: Any) -> Engine:
    from dashboard.db import EXTENSION_KEY

    return app.server.extensions[EXTENSION_KEY].engine


@dataclass(frozen=True)
class ViewerSpec:
    label: str
    role: str
    staff_id: int | None
    team_ids: frozenset[int] | None  # None: the agency


def login_user_for(spec: ViewerSpec) -> Any:
    """A flask-login user for a transient account: never added to a session, so nothing is written."""
    from dashboard.auth import LoginUser
    from models import User

    user = User(id=0, username="bench", full_name="Bench", role=spec.role, staff_id=spec.staff_id)
    return LoginUser(user)


def pick_viewers(engine: Engine, today: date) -> list[ViewerSpec]:
    """Leadership (the agency) and a supervisor of two teams on `today`."""
    viewers = [ViewerSpec("leadership", "leadership", None, None)]
    with engine.connect() as conn:
        row = conn.execute(text(
            "SELECT staff_id FROM team_supervisors WHERE start_date <= :d AND (end_date IS NULL OR end_date > :d) "
            "GROUP BY staff_id HAVING COUNT(*) > 1 ORDER BY staff_id LIMIT 1"), {"d": today}).first()
        if row is not None:
            teams = frozenset(conn.scalars(text(
                "SELECT team_id FROM team_supervisors WHERE staff_id = :s AND start_date <= :d "
                "AND (end_date IS NULL OR end_date > :d)"), {"s": row[0], "d": today}))
            viewers.append(ViewerSpec(f"supervisor #{row[0]} ({len(teams)} teams)", "supervisor", row[0], teams))
    return viewers


@dataclass(frozen=True)
class CallbackCase:
    key: str
    label: str
    call: Callable[[], Any]
    pandas: str | None  # name of the bench.baseline_pandas measure, or None


def padded(function: Callable[..., Any], *args: Any, **by_name: Any) -> Callable[[], Any]:
    """A call of `function` with `args`, then its remaining parameters by name from by_name or None.

    The callbacks' signatures grow while the page is built (a new State, say); the bench keeps working.
    """
    names = list(inspect.signature(function).parameters)
    values = list(args) + [by_name.get(name) for name in names[len(args):]]
    return lambda: function(*values)


def cases_for(window_days: int, today: date, drill_team: int, drill_principle: str) -> list[CallbackCase]:
    from callbacks import overview as cb

    preset, start, end = window_args(window_days, today)
    filters = (preset, start, end, None, None)
    # A heatmap click as the browser sends it: the axis labels of the cell (and, in older versions of the
    # page, customdata); `keys` is the heatmap's label -> id store.
    click = {"points": [{"x": "principle", "y": "team", "customdata": [drill_team, drill_principle]}]}
    keys = {"teams": {"team": drill_team}, "principles": {"principle": drill_principle}}
    return [
        CallbackCase("scope_and_options", "scope_and_options", padded(cb.scope_and_options, None), None),
        # The KPI cards and the heatmap share one coverage query (one callback); refresh_heatmap alone is the redraw
        # when only the heatmap's mode changes.
        CallbackCase("kpis_and_heatmap", "refresh_kpis_and_heatmap[proficiency]",
                     padded(cb.refresh_kpis_and_heatmap, *filters, "proficiency"), "kpis"),
        CallbackCase("heatmap_proficiency", "refresh_heatmap[proficiency]",
                     padded(cb.refresh_heatmap, *filters, "proficiency"), "coverage"),
        CallbackCase("heatmap_discussed", "refresh_heatmap[discussed]",
                     padded(cb.refresh_heatmap, *filters, "discussed"), "attention"),
        CallbackCase("refresh_frequency", "refresh_frequency", padded(cb.refresh_frequency, *filters), "frequency"),
        CallbackCase("refresh_trend", "refresh_trend", padded(cb.refresh_trend, *filters), None),
        CallbackCase("refresh_signals", "refresh_signals", padded(cb.refresh_signals, *filters), None),
        CallbackCase("open_drilldown", f"open_drilldown[team {drill_team} × {drill_principle}]",
                     padded(cb.open_drilldown, click, preset, start, end, keys=keys), None),
    ]


def window_args(window_days: int, today: date) -> tuple[str, str | None, str | None]:
    """A preset when the page has one for this many days, else the custom range ending today."""
    from datetime import timedelta

    from layouts.overview import WINDOW_PRESETS

    if str(window_days) in dict(WINDOW_PRESETS):
        return str(window_days), None, None
    return "custom", (today - timedelta(days=window_days - 1)).isoformat(), today.isoformat()


def pick_drilldown(engine: Engine, viewer: ViewerSpec, today: date) -> tuple[int, str]:
    """The viewer's team with the most members today (the first by id for a supervisor), and trauma-informed."""
    with engine.connect() as conn:
        if viewer.team_ids:
            team = min(viewer.team_ids)
        else:
            team = conn.scalar(text(
                "SELECT team_id FROM team_memberships WHERE start_date <= :d AND (end_date IS NULL OR end_date > :d) "
                "GROUP BY team_id ORDER BY COUNT(*) DESC, team_id LIMIT 1"), {"d": today})
        codes = list(conn.scalars(text(
            "SELECT p.code FROM principles p JOIN frameworks f ON f.id = p.framework_id "
            "WHERE f.is_active ORDER BY p.sort_order, p.id")))
    principle = "trauma-informed" if "trauma-informed" in codes else codes[0]
    return int(team), principle


# ---------------------------------------------------------------------------------------------------------
# The environment


def python_speed_ms() -> float:
    """The best of five runs of a million additions in a Python loop: the machine's speed at the kind of work
    that is most of the app's own time, so that figures taken on different machines can be compared (machines
    of the same kind have measured 2-3x apart)."""
    best = math.inf
    for _ in range(5):
        start, total = time.perf_counter(), 0
        for i in range(1_000_000):
            total += i
        best = min(best, time.perf_counter() - start)
    return best * 1000


def environment(engine: Engine) -> dict[str, str]:
    info = {"date": datetime.now().strftime("%Y-%m-%d %H:%M"), "cpus": str(os.cpu_count()),
            "load average at start (1/5/15 min)": " / ".join(f"{v:.2f}" for v in os.getloadavg()),
            "python speed (a million additions in a loop, best of 5)": f"{python_speed_ms():.0f} ms",
            "python": platform.python_version(), "platform": platform.platform()}
    try:
        with open("/proc/meminfo") as meminfo:
            kb = int(next(line for line in meminfo if line.startswith("MemTotal")).split()[1])
        info["memory"] = f"{kb / 1024 / 1024:.1f} GiB"
    except (OSError, StopIteration, ValueError):
        pass
    import sqlalchemy

    info["sqlalchemy"] = sqlalchemy.__version__
    info["code"] = code_version()
    with engine.connect() as conn:
        if engine.dialect.name == "sqlite":
            info["database"] = f"SQLite {conn.scalar(text('SELECT sqlite_version()'))} ({engine.url.database})"
        else:
            version = conn.scalar(text("SHOW server_version"))
            settings = ", ".join(f"{name}={conn.scalar(text(f'SHOW {name}'))}"
                                 for name in ("shared_buffers", "work_mem", "jit", "plan_cache_mode"))
            info["database"] = f"PostgreSQL {version} ({engine.url.database}; {settings})"
        for table in ("competency_ratings", "current_ratings", "supervision_sessions", "session_attendees",
                      "team_memberships", "teams"):
            info[table] = f"{conn.scalar(text(f'SELECT COUNT(*) FROM {table}')):,}"
        peers = conn.scalar(text("SELECT COUNT(*) FROM staff WHERE role = 'peer_worker'"))
        info["peer workers (all time)"] = f"{peers:,}"
    return info


def code_version() -> str:
    """The commit measured, and whether the query layer or callbacks differ from it (work in progress)."""
    import subprocess

    root = Path(__file__).resolve().parent.parent
    try:
        head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=root, capture_output=True, text=True,
                              check=True).stdout.strip()
        changed = subprocess.run(["git", "status", "--porcelain", "--", "dashboard/queries", "callbacks"], cwd=root,
                                 capture_output=True, text=True, check=True).stdout.split("\n")
    except (OSError, subprocess.CalledProcessError):
        return "unknown (no git)"
    changed = [line[3:] for line in changed if line.strip()]
    return head + (f" + uncommitted changes in {', '.join(changed)}" if changed else "")


# ---------------------------------------------------------------------------------------------------------
# Plans of the slowest statements


def explain(engine: Engine, statement: Statement, analyze: bool) -> str:
    """EXPLAIN QUERY PLAN (SQLite) or EXPLAIN (ANALYZE, BUFFERS) / EXPLAIN (PostgreSQL) of a recorded statement."""
    raw = engine.raw_connection()
    try:
        cursor = raw.cursor()
        if engine.dialect.name == "sqlite":
            cursor.execute("EXPLAIN QUERY PLAN " + statement.sql, statement.parameters)
            depths: dict[int, int] = {}
            lines = []
            for node, parent, _unused, detail in cursor.fetchall():  # SQLite: (id, parent, notused, detail)
                depths[node] = 0 if parent == 0 else depths.get(parent, 0) + 1
                lines.append("  " * depths[node] + detail)
        else:
            prefix = "EXPLAIN (ANALYZE, BUFFERS) " if analyze else "EXPLAIN "
            cursor.execute(prefix + statement.sql, statement.parameters)
            lines = [row[0] for row in cursor.fetchall()]
        cursor.close()
        raw.rollback()
        return "\n".join(lines)
    finally:
        raw.close()


# ---------------------------------------------------------------------------------------------------------
# Running


@dataclass
class Row:
    viewer: str
    case: CallbackCase
    callback: Timing | None = None
    bare: BareResult | None = None
    statements: list[Statement] = field(default_factory=list)
    pandas: Timing | None = None
    pandas_peak_mb: float | None = None
    error: str | None = None
    figures: Timing | None = None

    @property
    def runs(self) -> int:
        return len(self.callback.runs_ms) if self.callback else 0

    @property
    def ratio(self) -> float | None:
        if self.callback is None or self.bare is None or self.bare.timing.median <= 0:
            return None
        return self.callback.median / self.bare.timing.median


def measure_case(app: Any, recorder: StatementRecorder, clock: FigureClock, engine: Engine, viewer: ViewerSpec,
                 case: CallbackCase, runs: int, budget_s: float, min_runs: int = 3) -> Row:
    """A first call, a warm-up call (recording its statements) and a warm-up bare pass, then `runs` pairs of one
    timed call and one timed bare pass, interleaved so that a change in the machine's load hits both alike.

    A callback so slow that `runs` pairs would take longer than budget_s gets fewer (at least min_runs);
    the table shows how many ran.
    """
    import flask_login

    row = Row(viewer.label, case)
    try:
        with app.server.test_request_context("/_dash-update-component", method="POST"):
            flask_login.login_user(login_user_for(viewer))
            # A first, unrecorded call does what only a first call does (the compliance page keeping the months it
            # judged: inserts, ANALYZE), so the bare SQL is what the timed calls send, not a replay of those writes.
            case.call()
            started = time.perf_counter()
            with recorder.recording() as statements:
                result = case.call()
            if case.key == "open_drilldown" and (not isinstance(result, tuple) or result[0] is not True):
                raise ValueError(f"the drill-down did not open for this click payload: {str(result)[:100]}")
            warm_up_s = time.perf_counter() - started
            row.statements = list(statements)
            raw = engine.raw_connection()
            try:
                # The bare warm-up only fills caches; a statement that runs for minutes needs no help there.
                rows = bare_pass(raw, row.statements, None) if warm_up_s < budget_s / 8 else -1
                runs = min(runs, max(min_runs, int(budget_s / max(2 * warm_up_s, 1e-6))))
                per_statement: list[list[float]] = [[] for _ in row.statements]
                callback_ms, bare_ms, figures_ms = [], [], []
                for _ in range(runs):
                    clock.take()
                    started = time.perf_counter()
                    case.call()
                    callback_ms.append((time.perf_counter() - started) * 1000)
                    figures_ms.append(clock.take())
                    started = time.perf_counter()
                    bare_pass_rows = bare_pass(raw, row.statements, per_statement)
                    bare_ms.append((time.perf_counter() - started) * 1000)
            finally:
                raw.close()
        row.callback = Timing(callback_ms)
        row.figures = Timing(figures_ms)
        if rows < 0:
            rows = bare_pass_rows
        row.bare = BareResult(Timing(bare_ms), rows, [statistics.median(t) if t else 0.0 for t in per_statement])
    except Exception as exc:  # a half-finished query module or a statement timeout: report it, go on
        message = str(getattr(exc, "orig", None) or exc)
        row.error = f"{type(exc).__name__}: {message.splitlines()[0][:160] if message else ''}"
    return row


def measure_pandas(row: Row, engine: Engine, viewer: ViewerSpec, window_days: int, today: date, runs: int) -> None:
    if row.case.pandas is None or runs <= 0:
        return
    from bench import baseline_pandas

    baseline = baseline_pandas.BASELINES[row.case.pandas]
    window = baseline_pandas.window_ending(today, window_days)

    def call() -> Any:
        return baseline(engine, window, viewer.team_ids)

    call()  # warm-up (and the database's cache)
    row.pandas = time_calls(call, runs)
    row.pandas_peak_mb = baseline_pandas.peak_memory_mb(call)


def fmt_ms(value: float | None) -> str:
    return "—" if value is None else (f"{value:,.0f}" if value >= 100 else f"{value:,.1f}")


def print_table(rows: list[Row], target_ms: float, db_label: str, out: Any = sys.stdout) -> None:
    header = ("viewer", "callback", "median ms", "p95 ms", "bare SQL median ms", "ratio", "app overhead ms",
              "of which figures ms",
              "pandas median ms",
              "pandas peak MB", "runs", "stmts", "rows", f"p95 ≤ {target_ms:.0f} ms", f"ratio ≤ {RATIO_TARGET}")
    print(f"\n### {db_label}\n", file=out)
    print("| " + " | ".join(header) + " |", file=out)
    print("|" + "|".join("---" for _ in header) + "|", file=out)
    for r in rows:
        if r.error:
            print(f"| {r.viewer} | {r.case.label} | ERROR: {r.error} |" + " |" * (len(header) - 3), file=out)
            continue
        assert r.callback is not None and r.bare is not None
        ratio = r.ratio
        cells = (r.viewer, r.case.label, fmt_ms(r.callback.median), fmt_ms(r.callback.p95),
                 fmt_ms(r.bare.timing.median), "—" if ratio is None else f"{ratio:.2f}×",
                 fmt_ms(r.callback.median - r.bare.timing.median), fmt_ms(r.figures.median if r.figures else None),
                 fmt_ms(r.pandas.median if r.pandas else None),
                 "—" if r.pandas_peak_mb is None else f"{r.pandas_peak_mb:,.0f}",
                 str(r.runs), str(len(r.statements)), f"{r.bare.rows:,}",
                 "PASS" if r.callback.p95 <= target_ms else "MISS",
                 "—" if ratio is None else ("PASS" if ratio <= RATIO_TARGET else "MISS"))
        print("| " + " | ".join(cells) + " |", file=out)


def print_slowest(rows: list[Row], engine: Engine, top: int, show_plan: bool, analyze: bool,
                  out: Any = sys.stdout) -> None:
    """Per callback: its slowest statements (bare median), and with --explain the plan of the slowest."""
    print("\n### Slowest statements (bare SQL median per statement)\n", file=out)
    for r in rows:
        if r.error or r.bare is None or not r.statements:
            continue
        ranked = sorted(range(len(r.statements)), key=lambda i: -r.bare.per_statement_ms[i])[:top]
        total = sum(r.bare.per_statement_ms) or 1.0
        print(f"- {r.viewer} · {r.case.label}: {len(r.statements)} statements, {fmt_ms(total)} ms summed", file=out)
        for i in ranked:
            one_line = " ".join(r.statements[i].sql.split())
            print(f"    {fmt_ms(r.bare.per_statement_ms[i])} ms ({r.bare.per_statement_ms[i] / total:.0%}) "
                  f"#{i}: {one_line[:220]}{'…' if len(one_line) > 220 else ''}", file=out)
        if show_plan and ranked and r.bare.per_statement_ms[ranked[0]] >= 5:
            statement = r.statements[ranked[0]]
            try:
                plan = explain(engine, statement, analyze)
            except Exception as exc:
                plan = f"(EXPLAIN failed: {type(exc).__name__}: {exc})"
            print("    plan of #%d:" % ranked[0], file=out)
            lines = plan.splitlines()
            tail = next((i for i, line in enumerate(lines) if line.strip().startswith(("JIT:", "Planning Time"))),
                        len(lines))
            shown = lines[:min(45, tail)] + (["…"] if tail > 45 else []) + lines[tail:]
            for line in shown:
                print("      " + line, file=out)
    print(file=out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.overview", description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=sorted(DATABASES), default="sqlite",
                        help="which bench dataset (agency SQLite, agency PostgreSQL, state PostgreSQL)")
    parser.add_argument("--url", help="another database URL (overrides --db's address; --db still sets the target)")
    parser.add_argument("--runs", type=int, default=20, help="timed runs per callback and for the bare SQL (≥ 20)")
    parser.add_argument("--window", type=int, default=90, help="window in days, ending --today")
    parser.add_argument("--today", type=date.fromisoformat, default=DATA_END,
                        help=f"the day the page thinks it is (default {DATA_END}, the datasets' end date)")
    parser.add_argument("--pandas-runs", type=int, default=5,
                        help="timed runs of each pandas baseline after a warm-up (0 skips them; they take seconds)")
    parser.add_argument("--viewers", default="leadership,supervisor", help="leadership, supervisor or both")
    parser.add_argument("--only", help="comma-separated case keys (e.g. kpis_and_heatmap,refresh_trend)")
    parser.add_argument("--explain", action="store_true", help="print the plan of each callback's slowest statement")
    parser.add_argument("--analyze", action="store_true",
                        help="with --explain on PostgreSQL: EXPLAIN (ANALYZE, BUFFERS)")
    parser.add_argument("--budget", type=float, default=300.0,
                        help="seconds per callback: a slower one gets fewer timed runs (at least --min-runs)")
    parser.add_argument("--min-runs", type=int, default=3, help="timed runs however slow the callback is")
    parser.add_argument("--statement-timeout", type=float, default=0.0,
                        help="PostgreSQL statement_timeout in seconds for the app's and the bare connections (0: none)")
    parser.add_argument("--custom-plans", action="store_true",
                        help="PostgreSQL: SET plan_cache_mode = force_custom_plan on every connection (what-if)")
    parser.add_argument("--top", type=int, default=3, help="slowest statements listed per callback")
    args = parser.parse_args(argv)
    if args.runs < 20:
        print(f"note: {args.runs} runs (< 20): fine for a try, not for the README table", file=sys.stderr)

    url = args.url or DATABASES[args.db]
    target = TARGET_MS[args.db]
    app = build_app(url, args.today)
    engine = app_engine(app)
    if engine.dialect.name == "postgresql":
        set_session_options(engine, args.statement_timeout, args.custom_plans)
    recorder = StatementRecorder(engine)
    clock = FigureClock()

    info = environment(engine)
    print(f"## Overview callbacks · {args.db} · window {args.window} days ending {args.today} · "
          f"{args.runs} runs (pandas {args.pandas_runs})\n")
    for key, value in info.items():
        print(f"- {key}: {value}")

    wanted = {"leadership", "supervisor"} & set(args.viewers.split(","))
    viewers = [v for v in pick_viewers(engine, args.today) if v.role in wanted]
    only = set(args.only.split(",")) if args.only else None
    rows: list[Row] = []
    for viewer in viewers:
        drill_team, drill_principle = pick_drilldown(engine, viewer, args.today)
        for case in cases_for(args.window, args.today, drill_team, drill_principle):
            if only and case.key not in only:
                continue
            row = measure_case(app, recorder, clock, engine, viewer, case, args.runs, args.budget, args.min_runs)
            if row.error is None:
                try:
                    measure_pandas(row, engine, viewer, args.window, args.today, args.pandas_runs)
                except Exception as exc:
                    print(f"pandas baseline {case.pandas} failed: {type(exc).__name__}: {exc}", file=sys.stderr)
            rows.append(row)
            status = row.error or (f"{fmt_ms(row.callback.median)} ms median, bare {fmt_ms(row.bare.timing.median)} ms"
                                   if row.callback and row.bare else "")
            print(f"  … {viewer.label} · {case.label}: {status}", file=sys.stderr, flush=True)

    print_table(rows, target, f"{args.db}: {info.get('database', '')}")
    print("\nload average at end (1/5/15 min): " + " / ".join(f"{v:.2f}" for v in os.getloadavg()))
    print("ratio = callback median / bare SQL median; app overhead = their difference (ORM, result "
          "processing, Python, figures); of which figures = median time inside dashboard.figures (Plotly "
          "figures, Dash components); rows = rows the statements return (bare SQL, fetchall).")
    print_slowest(rows, engine, args.top, args.explain, args.analyze)
    return 1 if any(r.error for r in rows) else 0


if __name__ == "__main__":
    sys.exit(main())
