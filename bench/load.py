"""A load profile: N signed-in users of mixed roles opening pages over HTTP, with think time between them.

    PEERDASH_PASSWORD=... python -m bench.load setup --url postgresql+psycopg://postgres@127.0.0.1/peerdash_bench_load
    PEERDASH_PASSWORD=... python -m bench.load run --server http://127.0.0.1:8471 --users 20 [--duration 120]
        [--think 10-30] [--find-max [--steps 5,10,20,30,50]]

Run it against the README's gunicorn command (`gunicorn --preload --workers 4 app:server`, PEERDASH_ENV=production)
on a copy of the agency-scale PostgreSQL data, never the shared one: `setup` writes accounts. Loopback only.

- **Users.** The mix an agency has among the people who open the dashboard (ROLE_SHARES): supervisors are the most
  (48%: one per 8-10 peer workers, and they use it weekly for their teams), then peer workers looking at their own
  record (32%: most of the 2,000 never sign in, those who do look at My record), leadership 8%, quality 8%,
  administrators 4%. N users are split by largest remainder (5 users: 1 leadership, 2 supervisors, 2 peer workers).
  `setup` creates the accounts (`load-<role>-NN`, password PEERDASH_PASSWORD) with dashboard.accounts.create_user;
  supervisors get the staff record of someone who supervises a team today, peer workers of someone on a team today.
- **What a user does.** Signs in through the form once (not timed), waits a uniform share of the think time so
  arrivals spread, then until --duration has passed: opens a page of its role (ROLE_PAGES, chosen uniformly), thinks
  uniformly within --think seconds, opens another. A page open in flight when the time is up is finished and kept.
- **Opening a page costs what a browser costs** (its static assets excepted: a returning browser has them cached;
  bench/transfer.py measures them): the page's HTML (GET /overview ...), then `_dash-layout` and
  `_dash-dependencies` together, then round after round every server-side callback whose inputs, state and
  outputs are on the page, fired together from threads as the renderer fires them (each user keeps at most six
  connections, as a browser does). The callbacks are found from the app's own `_dash-dependencies` the way the
  renderer finds them (bench/capture.py's walk): clientside ones are left out, and so are `prevent_initial_call`
  ones unless an input is a dcc.Location, which reports the address as it mounts: that is how Dash pages'
  content callback (`_pages_content`, bench/capture.py's PAGES_CALLBACK) fires in the first round. A callback
  whose input another callback of the same round is about to set waits for the next round. What this finds
  (`python -m bench.load show`): every page's first round is the content callback alone; then the Overview
  fires its four panel callbacks (KPIs+heatmap, frequency, trend, signals: bench/concurrent.py's
  first_load_bodies) and the custom-dates toggle; My team the profile (nothing chosen: an empty answer) and the
  session form's topic count; Compliance its scope note, message and grid; Sign-off its grid and the voice panel;
  My record the worker's profile. Time = HTML request sent -> last callback response read. Any status other
  than 200/204, or a timeout (120 s), is an error.
- **Report** per page: opens, p50, p95, max (ms, nearest-rank, never past the slowest), errors; requests per open;
  the load average at the start, the highest 1-minute load sampled every 5 s, and at the end, and the CPU seconds
  the load generator itself used (it runs on the same machine and cores as the server and PostgreSQL).
- **--find-max** runs --duration for each N in --steps and reports the largest N for which every page's p95 stays
  within --target seconds (2 s); it stops at the first N that misses.
"""
from __future__ import annotations

import argparse
import json
import math
import os
import random
import re
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlparse

import requests
from requests.adapters import HTTPAdapter

from bench.capture import Page, components, id_key, output_specs
from bench.concurrent import load as load_average
from bench.overview import percentile

# Shares of the people who open the dashboard, by role (see the module docstring for why).
ROLE_SHARES: dict[str, float] = {"supervisor": 0.48, "peer_worker": 0.32, "leadership": 0.08, "quality": 0.08,
                                 "admin": 0.04}
# The pages each role opens in this profile: the ones people come for (the setup and editing pages are left out).
ROLE_PAGES: dict[str, tuple[str, ...]] = {
    "supervisor": ("/my-team", "/overview", "/compliance", "/sign-off"),
    "peer_worker": ("/my-record",),
    "leadership": ("/overview", "/compliance", "/sign-off"),
    "quality": ("/overview", "/compliance", "/sign-off"),
    "admin": ("/overview", "/compliance", "/sign-off"),
}
BROWSER_CONNECTIONS = 6  # per host, as browsers keep
LOOPBACK = {"127.0.0.1", "localhost", "::1"}
TIMEOUT_S = 120


def role_mix(users: int) -> dict[str, int]:
    """N users split across ROLE_SHARES by largest remainder (ties in ROLE_SHARES' order)."""
    exact = {role: users * share for role, share in ROLE_SHARES.items()}
    mix = {role: math.floor(value) for role, value in exact.items()}
    by_remainder = sorted(ROLE_SHARES, key=lambda role: -(exact[role] - mix[role]))
    for role in by_remainder[:users - sum(mix.values())]:
        mix[role] += 1
    return mix


def username(role: str, number: int) -> str:
    return f"load-{role.replace('_', '-')}-{number:02d}"


def accounts_for(users: int) -> list[tuple[str, str]]:
    """(username, role) of the N users of a run."""
    return [(username(role, number), role) for role, count in role_mix(users).items()
            for number in range(1, count + 1)]


# ---------------------------------------------------------------------------------------------------------
# setup: the accounts, in the bench's own copy of the data


def setup(database_url: str, users: int, password: str) -> None:
    """Create the accounts of every N up to `users` (existing ones are kept)."""
    from sqlalchemy import select

    from dashboard.accounts import create_user
    from dashboard.db import connect
    from models import Staff, TeamMembership, TeamSupervisor, User

    needed = {role: max(role_mix(n)[role] for n in range(1, users + 1)) for role in ROLE_SHARES}
    db = connect(database_url)
    try:
        with db.session() as session:
            current = (lambda table: (table.end_date.is_(None)))  # noqa: E731 - on a team (supervising one) today
            staff_ids = {
                "supervisor": list(session.scalars(select(TeamSupervisor.staff_id).where(current(TeamSupervisor))
                                                   .distinct().order_by(TeamSupervisor.staff_id))),
                "peer_worker": list(session.scalars(select(TeamMembership.staff_id).join(Staff)
                                                    .where(current(TeamMembership), Staff.left_on.is_(None),
                                                           Staff.role == "peer_worker")
                                                    .order_by(TeamMembership.staff_id))),
            }
            existing = set(session.scalars(select(User.username)))
            linked = set(session.scalars(select(User.staff_id).where(User.staff_id.is_not(None))))
            created = kept = 0
            for role, count in needed.items():
                # Spread over the agency rather than the first teams: every k-th staff record, then the rest,
                # leaving out staff who already have an account (an earlier, smaller setup's).
                pool = staff_ids.get(role) or []
                step = max(1, len(pool) // max(count, 1))
                free = (staff_id for staff_id in pool[::step] + pool if staff_id not in linked)
                for number in range(1, count + 1):
                    name = username(role, number)
                    if name in existing:
                        kept += 1
                        continue
                    staff_id = next(free) if pool else None
                    linked.add(staff_id)
                    create_user(session, name, password, role, staff_id=staff_id)
                    created += 1
        # "Already there" too: "250 created, 400 wanted" read as a shortfall when 150 were made by an earlier setup.
        print(f"{sum(needed.values())} accounts wanted ("
              + ", ".join(f"{role} {count}" for role, count in needed.items())
              + f"): {created} created, {kept} already there")
    finally:
        db.engine.dispose()


# ---------------------------------------------------------------------------------------------------------
# run: users opening pages


class OpenError(RuntimeError):
    """A request of a page open that did not answer 200/204."""


class LoopbackSession(requests.Session):
    """In production the session cookie is Secure (TLS is in front of the app); on loopback http it is sent anyway."""

    def request(self, *args: Any, **kwargs: Any) -> requests.Response:
        response = super().request(*args, **kwargs)
        for cookie in self.cookies:
            cookie.secure = False
        return response


def sign_in(server: str, name: str, password: str) -> requests.Session:
    """Through the form, as bench.concurrent.sign_in, without following the redirect (not timed)."""
    session = LoopbackSession()
    session.mount(server, HTTPAdapter(pool_connections=1, pool_maxsize=BROWSER_CONNECTIONS))
    page = session.get(f"{server}/login", timeout=TIMEOUT_S).text
    token = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert token, "no CSRF token on the login page"
    response = session.post(f"{server}/login", data={"username": name, "password": password,
                                                     "csrf_token": token.group(1)},
                            allow_redirects=False, timeout=TIMEOUT_S)
    if response.status_code not in (302, 303) or "/login" in response.headers.get("Location", ""):
        raise OpenError(f"sign-in refused for {name}: HTTP {response.status_code}")
    return session


def _checked(response: requests.Response, what: str) -> requests.Response:
    if response.status_code not in (200, 204):
        raise OpenError(f"{what}: HTTP {response.status_code} {response.text[:120]}")
    return response


def _all_together(calls: list[Callable[[], Any]]) -> list[Any]:
    """Each call from its own thread, at once; the first error is raised once all are back."""
    if len(calls) == 1:
        return [calls[0]()]
    with ThreadPoolExecutor(len(calls)) as pool:
        futures = [pool.submit(call) for call in calls]
        wait(futures)
    return [future.result() for future in futures]


def _body(key: str, registered: dict[str, Any], page: Page) -> dict[str, Any] | None:
    """The renderer's first-load body for a callback, or None when some component of it is not on the page."""
    inputs = [page.resolve(d) for d in registered["inputs"]]
    state = [page.resolve(d) for d in registered["state"]]
    outputs = [page.resolve(d) for d in output_specs(key)]
    if any(value is None for value in inputs + state + outputs) or not any(inputs):
        return None
    return {"output": key, "outputs": outputs if key.startswith("..") else outputs[0], "inputs": inputs,
            "state": state, "changedPropIds": []}


def _add(page: Page, tree: Any, locations: set[str], path: str, server: str) -> None:
    """Components onto the page; a dcc.Location reports the browser's address as it mounts."""
    page.add(tree)
    for component in components(tree):
        if component.get("type") == "Location" and isinstance(component["props"].get("id"), str):
            locations.add(component["props"]["id"])
            page.props[component["props"]["id"]].update({"pathname": path, "search": "", "hash": "",
                                                         "href": f"{server.rstrip('/')}{path}"})


def _apply(page: Page, answer: dict[str, Any], locations: set[str], path: str, server: str) -> None:
    """A callback's response onto the page: new prop values, and the components it renders."""
    for component_id, props in answer.get("response", {}).items():
        key = id_key(json.loads(component_id) if component_id.startswith("{") else component_id)
        if key in page.props:
            page.props[key].update(props)
        _add(page, list(props.values()), locations, path, server)


def _prop(dependency: dict[str, Any]) -> str:
    return f"{dependency['id']}.{dependency['property']}"


def open_page(session: requests.Session, server: str, path: str, trace: list[list[str]] | None = None) -> int:
    """Open a page as the browser does; returns the number of requests it took. trace: gets each callback round."""
    url = server.rstrip("/")
    _checked(session.get(f"{url}{path}", timeout=TIMEOUT_S), f"GET {path}")
    layout, dependencies = _all_together([
        lambda: _checked(session.get(f"{url}/_dash-layout", timeout=TIMEOUT_S), "layout").json(),
        lambda: _checked(session.get(f"{url}/_dash-dependencies", timeout=TIMEOUT_S), "dependencies").json()])
    callbacks = {d["output"]: d for d in dependencies if d.get("clientside_function") is None}
    page = Page()
    locations: set[str] = set()
    _add(page, layout, locations, path, server)
    fired: set[str] = set()
    requests_made = 3

    def post(body: dict[str, Any]) -> Callable[[], dict[str, Any]]:
        def call() -> dict[str, Any]:
            response = _checked(session.post(f"{url}/_dash-update-component", json=body, timeout=TIMEOUT_S),
                                body["output"])
            return response.json() if response.status_code == 200 else {}
        return call

    while True:
        ready = {key: body for key, registered in callbacks.items()
                 if key not in fired and (not registered.get("prevent_initial_call") or
                                          any(d["id"] in locations for d in registered["inputs"]))
                 and (body := _body(key, registered, page)) is not None}
        for key, body in ready.items():  # a Location's first report is a change, prevent_initial_call or not
            body["changedPropIds"] = [_prop(d) for d in callbacks[key]["inputs"] if d["id"] in locations]
        # The renderer holds back a callback whose input another callback of this round is about to set.
        sets = {key: {_prop(spec) for spec in output_specs(key)} for key in ready}
        held = {key for key in ready
                if any(_prop(d) in sets[other] for d in callbacks[key]["inputs"] for other in ready if other != key)}
        round_keys = [key for key in ready if key not in held] or list(ready)
        if not round_keys:
            return requests_made
        fired.update(round_keys)
        if trace is not None:
            trace.append(round_keys)
        requests_made += len(round_keys)
        for answer in _all_together([post(ready[key]) for key in round_keys]):
            _apply(page, answer, locations, path, server)


@dataclass
class Opens:
    ms: dict[str, list[float]] = field(default_factory=dict)
    errors: dict[str, list[str]] = field(default_factory=dict)
    requests: dict[str, list[int]] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)
    generator_cpu_s: float = 0.0
    peak_load: float = 0.0

    def add(self, path: str, ms: float, requests_made: int | None, error: str | None) -> None:
        with self.lock:
            self.ms.setdefault(path, [])
            self.errors.setdefault(path, [])
            self.requests.setdefault(path, [])
            if error is None:
                self.ms[path].append(ms)
                self.requests[path].append(requests_made or 0)
            else:
                self.errors[path].append(error)


def user_loop(session: requests.Session, server: str, role: str, think: tuple[float, float], deadline: float,
              rng: random.Random, opens: Opens) -> None:
    def pause(seconds: float) -> None:
        time.sleep(max(0.0, min(seconds, deadline - time.monotonic())))

    pause(rng.uniform(0, think[1]))  # arrivals spread over the first think time
    while time.monotonic() < deadline:
        path = rng.choice(ROLE_PAGES[role])
        started = time.perf_counter()
        try:
            made: int | None = open_page(session, server, path)
            error = None
        except (OpenError, requests.RequestException, ValueError) as exc:
            made, error = None, f"{type(exc).__name__}: {exc}"[:200]
        opens.add(path, (time.perf_counter() - started) * 1000, made, error)
        pause(rng.uniform(*think))


def run_load(server: str, users: int, password: str, duration: float, think: tuple[float, float],
             seed: int) -> tuple[Opens, str, str]:
    accounts = accounts_for(users)
    with ThreadPoolExecutor(4) as pool:  # sign-in hashes passwords on the server: not timed, a few at a time
        sessions = list(pool.map(lambda account: sign_in(server, account[0], password), accounts))
    opens = Opens()
    started_load = load_average()
    started_cpu = time.process_time()
    deadline = time.monotonic() + duration
    peak = [float(started_load.split(" / ")[0])]

    def sample() -> None:
        while time.monotonic() < deadline:
            time.sleep(5)
            peak.append(float(load_average().split(" / ")[0]))

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    threads = [threading.Thread(target=user_loop, args=(session, server, role, think, deadline,
                                                        random.Random(seed * 1000 + index), opens))
               for index, (session, (_, role)) in enumerate(zip(sessions, accounts, strict=True))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for session in sessions:
        session.close()
    opens.generator_cpu_s = time.process_time() - started_cpu
    opens.peak_load = max(peak)
    return opens, started_load, load_average()


def report(opens: Opens, users: int, duration: float, think: tuple[float, float], loads: tuple[str, str],
           target_ms: float) -> bool:
    """Print the table; True when every page's p95 is within the target and nothing failed."""
    mix = ", ".join(f"{count} {role}" for role, count in role_mix(users).items() if count)
    print(f"\n## {users} users ({mix}), think {think[0]:g}-{think[1]:g} s, {duration:g} s")
    print(f"load average (1/5/15 min): {loads[0]} at the start, {loads[1]} at the end; highest 1-min "
          f"{opens.peak_load:.2f}; load generator CPU {opens.generator_cpu_s:.1f} s in {duration:g} s\n")
    print("| page | opens | p50 ms | p95 ms | max ms | errors | requests per open |")
    print("|---|---|---|---|---|---|---|")
    met = True
    for path in sorted(set(opens.ms) | set(opens.errors)):
        times, errors = opens.ms.get(path, []), opens.errors.get(path, [])
        if times:
            p50, p95 = percentile(times, 0.50), percentile(times, 0.95)
            met = met and p95 <= target_ms
            figures = f"{p50:,.0f} | {p95:,.0f} | {max(times):,.0f}"
        else:
            figures = "— | — | —"
        met = met and not errors
        counts = sorted(set(opens.requests.get(path, [])))
        print(f"| {path} | {len(times) + len(errors)} | {figures} | {len(errors)} | "
              f"{'/'.join(str(c) for c in counts) or '—'} |")
    for path, errors in opens.errors.items():
        for error in errors[:3]:
            print(f"  {path}: {error}")
    return met


def show(server: str, password: str) -> None:
    """Each role's pages opened once by its first account: the callback rounds, requests and time."""
    for role, pages in ROLE_PAGES.items():
        session = sign_in(server, username(role, 1), password)
        for path in pages:
            trace: list[list[str]] = []
            started = time.perf_counter()
            made = open_page(session, server, path, trace)
            print(f"{role} {path}: {made} requests, {(time.perf_counter() - started) * 1000:,.0f} ms")
            for number, keys in enumerate(trace, 1):
                print(f"  round {number}: " + ", ".join(_outputs_named(key) for key in keys))


def _outputs_named(key: str) -> str:
    """A callback by its first output's id, '(+N)' for N more outputs."""
    specs = output_specs(key)
    return specs[0]["id"] + (f" (+{len(specs) - 1})" if len(specs) > 1 else "")


def parse_think(text: str) -> tuple[float, float]:
    low, _, high = text.partition("-")
    think = (float(low), float(high or low))
    if not 0 <= think[0] <= think[1]:
        raise argparse.ArgumentTypeError(f"--think {text}: expected LOW-HIGH seconds")
    return think


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    setup_parser = commands.add_parser("setup", help="create the accounts in the bench's copy of the data")
    setup_parser.add_argument("--url", required=True, help="database URL of the copy (never the shared data)")
    setup_parser.add_argument("--users", type=int, default=50, help="the largest N to run")
    run_parser = commands.add_parser("run", help="the load profile against a running server")
    run_parser.add_argument("--server", required=True, help="e.g. http://127.0.0.1:8471 (loopback only)")
    run_parser.add_argument("--users", type=int, default=20)
    run_parser.add_argument("--duration", type=float, default=120, help="seconds per N")
    run_parser.add_argument("--think", type=parse_think, default=(10.0, 30.0), help="LOW-HIGH seconds")
    run_parser.add_argument("--find-max", action="store_true", help="step N through --steps")
    run_parser.add_argument("--steps", default="5,10,20,30,50")
    run_parser.add_argument("--target", type=float, default=2.0, help="p95 seconds every page must stay within")
    run_parser.add_argument("--seed", type=int, default=18)
    show_parser = commands.add_parser("show", help="open each role's pages once and list the callback rounds")
    show_parser.add_argument("--server", required=True)
    args = parser.parse_args(argv)
    password = os.environ.get("PEERDASH_PASSWORD")
    if not password:
        parser.error("set PEERDASH_PASSWORD (the load accounts' password)")
    if args.command == "setup":
        setup(args.url, args.users, password)
        return 0
    host = urlparse(args.server).hostname
    if host not in LOOPBACK:
        parser.error(f"--server {args.server}: loopback only")
    if args.command == "show":
        show(args.server, password)
        return 0
    if host not in LOOPBACK:
        parser.error(f"--server {args.server}: loopback only")
    steps = [int(step) for step in args.steps.split(",")] if args.find_max else [args.users]
    largest = None
    for users in steps:
        opens, started, ended = run_load(args.server, users, password, args.duration, args.think, args.seed)
        met = report(opens, users, args.duration, args.think, (started, ended), args.target * 1000)
        if not met:
            break
        largest = users
    if args.find_max:
        print(f"\nlargest N with every page's p95 ≤ {args.target:g} s and no error "
              f"(steps {args.steps}, think {args.think[0]:g}-{args.think[1]:g} s): {largest if largest else 'none'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
