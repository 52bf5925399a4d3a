"""Times the compliance page's callbacks and the compliance exports at agency scale, and prints tables.

python -m bench.compliance --db sqlite|postgres [--runs 20] [--export-runs 3] [--skip-month-export] [--page-only]

The harness is bench.overview's (measure_case: one warm-up recording every statement, then --runs pairs of one
timed callback call and one timed bare-SQL pass, interleaved; print_table: median, p95, bare SQL, ratio). The
page's clock (callbacks.compliance.today, dashboard.exports.today) is pinned to the datasets' end date.

The agency-wide quarter is timed again after writes: before each call (untimed) a twentieth, a fifth or every one of
the workers' kept months are made stale (forget_kept), as recording sessions or an import would, so each call judges
and keeps those months before composing the quarter from them.

Exports are timed through the real view function (dashboard.exports.export_compliance) in a request context
with a transient logged-in account, reading the whole streamed body; time = request to last byte. Peak memory:
one extra, untimed run under tracemalloc (Python allocations: rows, CSV buffers, workbook cells; the database
driver's C buffers are not included). The audit event an export writes is skipped (dashboard.exports.record is
replaced by a no-op) because the benchmark databases are read only, but for what the by-month exports keep
(month_judgements, judgement_versions): derived rows, which the five-year CSV is also timed without (every worker's
kept months made stale before each run, as after loading the data) and with a fifth of them stale (as after a day
of recording sessions for a fifth of the agency).
"""
from __future__ import annotations

import argparse
import sys
import time
import tracemalloc
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from bench.overview import (DATA_END, DATABASES, CallbackCase, FigureClock, StatementRecorder, Timing,
                            ViewerSpec, app_engine, build_app, environment, fmt_ms, login_user_for, measure_case,
                            pick_viewers, print_table)

QUARTER = ("2026-07-01", "2026-09-30")  # the last full quarter before the datasets' end
# Five years by month: one row per worker and month, the "100k rows" export.
MONTHS = ("2021-12-01", "2026-11-24")
SHORT_MONTHS = ("2026-05-01", "2026-10-31")  # six months by month: the same export, a tenth of the rows
TARGET_MS = 300.0


def pin_clock(today: date) -> None:
    import callbacks.compliance as page
    from dashboard import exports

    page.today = lambda: today  # type: ignore[assignment]
    exports.today = lambda: today  # type: ignore[assignment]
    exports.record = lambda *args, **kwargs: None  # type: ignore[assignment]  # read-only databases


def first_program(engine: Any) -> tuple[int, str]:
    from sqlalchemy import text

    with engine.connect() as conn:
        row = conn.execute(text("SELECT id, name FROM programs ORDER BY name LIMIT 1")).one()
    return int(row[0]), str(row[1])


def view_cases(program: tuple[int, str]) -> list[CallbackCase]:
    from callbacks import compliance as cb

    start, end = QUARTER
    return [
        CallbackCase("refresh_choices", "refresh_choices", lambda: cb.refresh_choices(start, end), None),
        CallbackCase("refresh_view", "refresh_view[quarter, all programs]",
                     lambda: cb.refresh_view(start, end, "all", "all", "all", "all"), None),
        CallbackCase("refresh_view_program", f"refresh_view[quarter, {program[1]}]",
                     lambda: cb.refresh_view(start, end, str(program[0]), "all", "all", "all"), None),
    ]


@dataclass
class ExportResult:
    label: str
    timing: Timing
    rows: int
    size_bytes: int
    peak_mb: float | None
    first_byte_ms: float


def fetch_export(app: Any, viewer: ViewerSpec, extension: str, query: str) -> tuple[int, int, float]:
    """(rows, bytes, ms to the first byte) of one export, its body read to the end."""
    import flask_login

    from dashboard.exports import export_compliance

    with app.server.test_request_context(f"/export/compliance.{extension}?{query}"):
        flask_login.login_user(login_user_for(viewer))
        started = time.perf_counter()
        response = export_compliance(extension)
        if response.status_code != 200:
            raise RuntimeError(f"{extension} export: {response.status_code} {response.get_data(as_text=True)[:200]}")
        size, lines, first = 0, 0, None
        for chunk in response.response:
            if first is None:
                first = (time.perf_counter() - started) * 1000
            data = chunk.encode() if isinstance(chunk, str) else chunk
            size += len(data)
            lines += data.count(b"\n")
        response.close()
    return (lines - 1 if extension == "csv" else -1), size, first or 0.0


def measure_export(app: Any, viewer: ViewerSpec, label: str, extension: str, query: str, runs: int,
                   peak: bool, before_each: Callable[[], None] | None = None) -> ExportResult:
    """before_each (untimed) runs before the warm-up and each run: what the export finds kept (month_judgements)."""
    prepare = before_each or (lambda: None)
    prepare()
    rows, size, _ = fetch_export(app, viewer, extension, query)  # warm-up
    times, firsts = [], []
    for _ in range(runs):
        prepare()
        started = time.perf_counter()
        rows, size, first = fetch_export(app, viewer, extension, query)
        times.append((time.perf_counter() - started) * 1000)
        firsts.append(first)
    peak_mb = None
    if peak:
        prepare()
        tracemalloc.start()
        fetch_export(app, viewer, extension, query)
        peak_mb = tracemalloc.get_traced_memory()[1] / 1024 / 1024
        tracemalloc.stop()
    return ExportResult(label, Timing(times), rows, size, peak_mb, min(firsts))


def forget_kept(engine: Any, share: float) -> Callable[[], None]:
    """Make `share` of the workers' kept months stale, as writes to their records would (every worker: the first
    export after the data was loaded; a fifth: after a day of recording sessions for a fifth of the agency)."""
    from sqlalchemy import text

    def stale() -> None:
        with engine.begin() as conn:
            conn.execute(text("INSERT INTO judgement_versions (worker_id, version) SELECT id, 1 FROM staff "
                              "WHERE role = 'peer_worker' AND id % :every = 0 "
                              "ON CONFLICT (worker_id) DO UPDATE SET version = judgement_versions.version + 1"),
                         {"every": round(1 / share)})
        if engine.dialect.name == "postgresql":
            # The kept rows the last run replaced, vacuumed away as autovacuum would in a deployment (it is off on
            # the benchmark machine): hundreds of runs a minute otherwise bloat month_judgements tenfold.
            with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.execute(text("VACUUM month_judgements"))
    return stale


AFTER_WRITES = (("a twentieth of the workers changed (about a day of recording sessions)", 0.05),
                ("a fifth of the workers changed", 0.2),
                ("every worker changed (after an import, or a change to the standard)", 1.0))


def measure_page_after_writes(app: Any, engine: Any, viewer: ViewerSpec, runs: int) -> list[tuple[str, Timing]]:
    """The agency-wide quarter (refresh_view) when some workers' kept months are stale: forget_kept (untimed) before
    each timed call, which then judges and keeps those workers' months before composing the quarter."""
    import flask_login

    from callbacks import compliance as cb

    timings = []
    with app.server.test_request_context("/_dash-update-component", method="POST"):
        flask_login.login_user(login_user_for(viewer))
        for label, share in AFTER_WRITES:
            stale, times = forget_kept(engine, share), []
            for _ in range(runs):
                stale()
                started = time.perf_counter()
                cb.refresh_view(*QUARTER, "all", "all", "all", "all")
                times.append((time.perf_counter() - started) * 1000)
            timings.append((label, Timing(times)))
    return timings


def print_page_after_writes(timings: list[tuple[str, Timing]], db_label: str, out: Any = sys.stdout) -> None:
    header = ("refresh_view[quarter, all programs], leadership", "median ms", "p95 ms", "runs",
              f"p95 ≤ {TARGET_MS:.0f} ms")
    print(f"\n### Compliance page after writes · {db_label}\n", file=out)
    print("| " + " | ".join(header) + " |", file=out)
    print("|" + "|".join("---" for _ in header) + "|", file=out)
    for label, timing in timings:
        print("| " + " | ".join((label, fmt_ms(timing.median), fmt_ms(timing.p95), str(len(timing.runs_ms)),
                                 "PASS" if timing.p95 <= TARGET_MS else "MISS")) + " |", file=out)


def print_exports(results: list[ExportResult], db_label: str, out: Any = sys.stdout) -> None:
    header = ("export", "median ms", "p95 ms", "first byte ms", "runs", "rows", "size", "peak MB (tracemalloc)")
    print(f"\n### Exports · {db_label}\n", file=out)
    print("| " + " | ".join(header) + " |", file=out)
    print("|" + "|".join("---" for _ in header) + "|", file=out)
    for r in results:
        print("| " + " | ".join((r.label, fmt_ms(r.timing.median), fmt_ms(r.timing.p95), fmt_ms(r.first_byte_ms),
                                 str(len(r.timing.runs_ms)), "—" if r.rows < 0 else f"{r.rows:,}",
                                 f"{r.size_bytes / 1024:,.0f} KiB",
                                 "—" if r.peak_mb is None else f"{r.peak_mb:,.1f}")) + " |", file=out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=("sqlite", "postgres"), default="postgres")
    parser.add_argument("--url", help="another database address (default: the --db benchmark dataset)")
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--export-runs", type=int, default=3)
    parser.add_argument("--budget", type=float, default=120.0, help="seconds per callback at most (fewer runs)")
    parser.add_argument("--skip-month-export", action="store_true", help="skip the five-years-by-month CSV")
    parser.add_argument("--page-only", action="store_true", help="the page's callbacks only, no exports")
    args = parser.parse_args(argv)

    url = args.url or DATABASES[args.db]
    today = DATA_END
    app = build_app(url, today)
    pin_clock(today)
    engine = app_engine(app)
    print("## Environment\n")
    for key, value in environment(engine).items():
        print(f"- {key}: {value}")

    recorder, clock = StatementRecorder(engine), FigureClock()
    program = first_program(engine)
    rows = []
    for viewer in pick_viewers(engine, today):
        for case in view_cases(program):
            if viewer.role == "supervisor" and case.key == "refresh_view_program":
                continue
            rows.append(measure_case(app, recorder, clock, engine, viewer, case, args.runs, args.budget))
    print_table(rows, TARGET_MS, f"Compliance page · {args.db} · {QUARTER[0]} to {QUARTER[1]}")
    leadership = ViewerSpec("leadership", "leadership", None, None)
    print_page_after_writes(measure_page_after_writes(app, engine, leadership, args.runs), args.db)

    if args.page_only:
        return 0
    quarter = f"start={QUARTER[0]}&end={QUARTER[1]}"
    plans: list[tuple[str, str, str, int, bool]] = [
        ("CSV, quarter, all programs", "csv", quarter, args.export_runs, True),
        ("Excel, quarter, all programs", "xlsx", quarter, args.export_runs, True),
        (f"PDF, quarter, {program[1]}", "pdf", f"{quarter}&program={program[0]}", args.export_runs, True),
        ("CSV by month, 6 months", "csv", f"start={SHORT_MONTHS[0]}&end={SHORT_MONTHS[1]}&by=month",
         args.export_runs, True),
    ]
    five_years = f"start={MONTHS[0]}&end={MONTHS[1]}&by=month"
    if not args.skip_month_export:
        plans += [("CSV by month, 5 years", "csv", five_years, args.export_runs, True),
                  ("CSV by month, 5 years, a fifth of the workers changed", "csv", five_years, args.export_runs, False),
                  ("CSV by month, 5 years, every worker changed", "csv", five_years, args.export_runs, False)]
    before = {"CSV by month, 5 years, a fifth of the workers changed": forget_kept(engine, 0.2),
              "CSV by month, 5 years, every worker changed": forget_kept(engine, 1.0)}
    results = []
    for label, extension, query, runs, peak in plans:
        results.append(measure_export(app, leadership, label, extension, query, runs, peak, before.get(label)))
        print(f"  measured {label}", file=sys.stderr)
    print_exports(results, args.db)
    return 0


if __name__ == "__main__":
    sys.exit(main())
