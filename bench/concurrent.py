"""The Overview's panel callbacks fired together over HTTP against a running server, as the browser fires them.

python -m bench.concurrent --db sqlite|postgres --server http://127.0.0.1:PORT --user U --password P [--rounds 20]

The server is started first on the same database, with the README's command (`gunicorn --preload --workers 4
app:server`). Method:
- **HTTP, together**: the benchmark signs in through the form, then in each round sends the four panel
  callbacks (KPIs with the heatmap in proficiency mode, frequency, trend, signals) with the first load's inputs (default
  window, all programs, no team ticked: the page arrives with its choices, callbacks.overview.page), each
  from its own thread and keep-alive connection, released together by a barrier: a browser sends them at once
  over its six connections. Per callback: request sent -> whole response read. `all panels` = the round's first
  send -> last response.
- **Bare SQL, together**: the statements each callback sends, recorded in this process (the same code and
  database, the viewer a transient leadership account, bench.overview's StatementRecorder), replayed through a raw
  DBAPI connection per callback (execute, fetchall, one commit), the four released together the same way.
- **HTTP, alone**: the same requests one after another, each with the machine to itself: what a callback costs
  without the others competing for the cores.
- **CPU busy per round**: the machine's busy CPU time (all processes: gunicorn's workers, PostgreSQL's backends, this
  client; /proc/stat, 10 ms ticks) during each HTTP round fired together. Divided by the cores, it is the least time
  the round could take were the work spread perfectly: a floor set by the machine, not by the code's waiting.
- Rounds alternate (one HTTP round together, one bare round, one HTTP round alone) so the machine's load hits all
  alike; one warm-up round of each first. Percentiles are nearest-rank (p95 of 20 = the 19th), never past the
  slowest run.
- The clock is not pinned: the server uses today, so this process does too (the statements must be the same).
"""
from __future__ import annotations

import argparse
import os
import re
import statistics
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

import requests

from bench.overview import (DATABASES, RATIO_TARGET, TARGET_MS, Statement, StatementRecorder, ViewerSpec, app_engine,
                            bare_pass, build_app, cases_for, code_version, login_user_for, percentile)

# The KPI cards and the heatmap are one callback (one coverage query) since issue 18: four requests a round.
PANELS = ("kpis_and_heatmap", "refresh_frequency", "refresh_trend", "refresh_signals")


@dataclass(frozen=True)
class Panel:
    key: str
    outputs: list[tuple[str, str]]
    state: tuple[tuple[str, str, Any], ...] = ()  # as the first load sends it


def panel_requests() -> dict[str, Panel]:
    from layouts import ids

    return {
        "kpis_and_heatmap": Panel("kpis_and_heatmap", [
            (ids.OVERVIEW_KPIS, "children"), (ids.OVERVIEW_HEATMAP, "figure"), (ids.OVERVIEW_HEATMAP_TABLE, "children"),
            (ids.OVERVIEW_HEATMAP_EMPTY, "children"), (ids.OVERVIEW_HEATMAP_KEYS, "data")],
            # The table is not asked for at a first load on a desktop (callbacks.overview.TABLE_WANTED_JS).
            ((ids.OVERVIEW_MODE, "value", "proficiency"), (ids.OVERVIEW_HEATMAP_TABLE_WANTED, "data", False))),
        "refresh_frequency": Panel("refresh_frequency", [(ids.OVERVIEW_FREQUENCY, "figure")]),
        "refresh_trend": Panel("refresh_trend", [(ids.OVERVIEW_TREND, "figure"), (ids.OVERVIEW_TREND_DRAWN, "data")],
                                ((ids.OVERVIEW_TREND_DRAWN, "data", None),)),
        "refresh_signals": Panel("refresh_signals", [(ids.OVERVIEW_SIGNALS, "children")]),
    }


def callback_body(outputs: list[tuple[str, str]], inputs: list[tuple[str, str, Any]],
                  state: list[tuple[str, str, Any]] | None = None) -> dict[str, Any]:
    """A /_dash-update-component body as the Dash renderer sends it (tests/http/conftest.callback)."""
    output_key = (f"{outputs[0][0]}.{outputs[0][1]}" if len(outputs) == 1
                  else ".." + "...".join(f"{i}.{p}" for i, p in outputs) + "..")
    return {"output": output_key,
            "outputs": ({"id": outputs[0][0], "property": outputs[0][1]} if len(outputs) == 1
                        else [{"id": i, "property": p} for i, p in outputs]),
            "inputs": [{"id": i, "property": p, "value": v} for i, p, v in inputs],
            "state": [{"id": i, "property": p, "value": v} for i, p, v in state or []],
            "changedPropIds": [f"{i}.{p}" for i, p, _ in inputs]}


def sign_in(server: str, user: str, password: str) -> requests.Session:
    session = requests.Session()
    page = session.get(f"{server}/login", timeout=60).text
    token = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert token, "no CSRF token on the login page"
    response = session.post(f"{server}/login", data={"username": user, "password": password,
                                                     "csrf_token": token.group(1), "next": "/overview"}, timeout=60)
    response.raise_for_status()
    assert "/login" not in response.url, f"sign-in refused for {user}"
    return session


def first_load_bodies() -> dict[str, dict[str, Any]]:
    """The panels' request bodies with the first load's inputs: the page arrives with its choices filled and no team
    ticked (callbacks.overview.page), so the panels are the first callbacks the browser sends."""
    from layouts import ids
    from layouts.overview import ALL, DEFAULT_WINDOW

    filters = [(ids.OVERVIEW_WINDOW, "value", DEFAULT_WINDOW), (ids.OVERVIEW_CUSTOM_START, "value", None),
               (ids.OVERVIEW_CUSTOM_END, "value", None), (ids.OVERVIEW_PROGRAM, "value", ALL),
               (ids.OVERVIEW_TEAMS, "value", [])]
    return {key: callback_body(panel.outputs, filters, list(panel.state))
            for key, panel in panel_requests().items()}


def together(calls: dict[str, Callable[[], None]]) -> tuple[dict[str, float], float]:
    """Run every call in its own thread, released at once; ms per call and from the first start to the last end."""
    barrier = threading.Barrier(len(calls))
    spans: dict[str, tuple[float, float]] = {}
    errors: list[BaseException] = []

    def run(key: str, call: Callable[[], None]) -> None:
        barrier.wait()
        started = time.perf_counter()
        try:
            call()
        except BaseException as exc:  # reported after the round
            errors.append(exc)
        spans[key] = (started, time.perf_counter())

    threads = [threading.Thread(target=run, args=item) for item in calls.items()]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        raise errors[0]
    first, last = min(s for s, _ in spans.values()), max(e for _, e in spans.values())
    return {key: (end - start) * 1000 for key, (start, end) in spans.items()}, (last - first) * 1000


def http_calls(server: str, sessions: dict[str, requests.Session],
               bodies: dict[str, dict[str, Any]]) -> dict[str, Callable[[], None]]:
    def call(key: str) -> Callable[[], None]:
        def post() -> None:
            response = sessions[key].post(f"{server}/_dash-update-component", json=bodies[key], timeout=300)
            if response.status_code != 200:
                raise RuntimeError(f"{key}: HTTP {response.status_code} {response.text[:200]}")
            response.content  # noqa: B018 - the whole body, as the browser reads it
        return post
    return {key: call(key) for key in bodies}


def record_statements(app: Any, engine: Any, today: date, window_days: int) -> dict[str, list[Statement]]:
    """Each panel's statements, from its second call in this process as a transient leadership account."""
    import flask_login

    recorder = StatementRecorder(engine)
    viewer = ViewerSpec("leadership", "leadership", None, None)
    statements: dict[str, list[Statement]] = {}
    for case in cases_for(window_days, today, 0, ""):
        if case.key not in PANELS:
            continue
        with app.server.test_request_context("/_dash-update-component", method="POST"):
            flask_login.login_user(login_user_for(viewer))
            case.call()  # as bench.overview.measure_case: what only a first call does is not replayed
            with recorder.recording() as recorded:
                case.call()
            statements[case.key] = list(recorded)
    return statements


def busy_cpu_ms() -> float:
    """The machine's busy CPU time so far, all cores summed (/proc/stat: everything but idle and iowait)."""
    with open("/proc/stat") as f:
        ticks = [int(v) for v in f.readline().split()[1:]]
    return (sum(ticks) - ticks[3] - ticks[4]) * 1000 / os.sysconf("SC_CLK_TCK")


def alone(calls: dict[str, Callable[[], None]]) -> dict[str, float]:
    """Each call on its own, one after another: ms per call."""
    times = {}
    for key, call in calls.items():
        started = time.perf_counter()
        call()
        times[key] = (time.perf_counter() - started) * 1000
    return times


def load() -> str:
    with open("/proc/loadavg") as f:
        return " / ".join(f.read().split()[:3])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=sorted(DATABASES), default="postgres")
    parser.add_argument("--url", help="database URL (default: the --db data set's)")
    parser.add_argument("--server", required=True, help="the running app, e.g. http://127.0.0.1:8000")
    parser.add_argument("--user", required=True)
    parser.add_argument("--password", required=True)
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--window", type=int, default=90)
    args = parser.parse_args(argv)
    url = args.url or DATABASES[args.db]
    today = date.today()
    started_load = load()

    app = build_app(url, today)
    engine = app_engine(app)
    statements = record_statements(app, engine, today, args.window)
    raws = {key: engine.raw_connection() for key in PANELS}
    bare = {key: (lambda key=key: bare_pass(raws[key], statements[key], None)) for key in PANELS}  # type: ignore[misc]
    rows = {key: bare_pass(raws[key], statements[key], None) for key in PANELS}

    sessions = {key: sign_in(args.server, args.user, args.password) for key in PANELS}
    bodies = first_load_bodies()
    http = http_calls(args.server, sessions, bodies)

    http_ms: dict[str, list[float]] = {key: [] for key in PANELS}
    bare_ms: dict[str, list[float]] = {key: [] for key in PANELS}
    alone_ms: dict[str, list[float]] = {key: [] for key in PANELS}
    http_rounds: list[float] = []
    bare_rounds: list[float] = []
    busy_rounds: list[float] = []
    together(http)  # warm-up: connections, the workers' caches
    together(bare)
    alone(http)
    for _ in range(args.rounds):
        busy = busy_cpu_ms()
        times, whole = together(http)
        busy_rounds.append(busy_cpu_ms() - busy)
        for key, ms in times.items():
            http_ms[key].append(ms)
        http_rounds.append(whole)
        for key, ms in alone(http).items():
            alone_ms[key].append(ms)
        times, whole = together(bare)
        for key, ms in times.items():
            bare_ms[key].append(ms)
        bare_rounds.append(whole)
    for raw in raws.values():
        raw.close()

    target = TARGET_MS.get(args.db, 150.0)
    print(f"# Overview panels fired together: {args.rounds} rounds, leadership, last {args.window} days to {today}, "
          f"{engine.dialect.name}, server {args.server}, code {code_version()}")
    print(f"# load average (1/5/15 min): {started_load} at the start, {load()} at the end\n")
    print(f"| callback | median ms | p95 ms | bare SQL median ms | bare SQL p95 ms | ratio | alone median ms | "
          f"alone p95 ms | stmts | rows | p95 ≤ {target:.0f} ms | ratio ≤ {RATIO_TARGET} |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|")
    for key in PANELS:
        median, p95 = statistics.median(http_ms[key]), percentile(http_ms[key], 0.95)
        bare_median, bare_p95 = statistics.median(bare_ms[key]), percentile(bare_ms[key], 0.95)
        ratio = median / bare_median if bare_median > 0 else float("nan")
        print(f"| {key} | {median:,.0f} | {p95:,.0f} | {bare_median:,.0f} | {bare_p95:,.0f} | {ratio:.2f}× | "
              f"{statistics.median(alone_ms[key]):,.0f} | {percentile(alone_ms[key], 0.95):,.0f} | "
              f"{len(statements[key])} | {rows[key]:,} | {'PASS' if p95 <= target else 'MISS'} | "
              f"{'PASS' if ratio <= RATIO_TARGET else 'MISS'} |")
    median, p95 = statistics.median(http_rounds), percentile(http_rounds, 0.95)
    bare_median, bare_p95 = statistics.median(bare_rounds), percentile(bare_rounds, 0.95)
    print(f"| **all panels in** (first send → last response) | {median:,.0f} | {p95:,.0f} | {bare_median:,.0f} | "
          f"{bare_p95:,.0f} | {median / bare_median:.2f}× | | | {sum(len(s) for s in statements.values())} | "
          f"{sum(rows.values()):,} | | |")
    cores = os.cpu_count() or 1
    busy_median, busy_p95 = statistics.median(busy_rounds), percentile(busy_rounds, 0.95)
    print(f"\nCPU busy per round fired together (all processes, {cores} cores): median {busy_median:,.0f} ms, "
          f"p95 {busy_p95:,.0f} ms; spread perfectly over the cores, the round could take no less than "
          f"{busy_median / cores:,.0f} ms (median) / {busy_p95 / cores:,.0f} ms (p95).")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
