"""Times the My team callbacks (roster, profile) against their bare SQL, and saving a session with 61 ratings.

python -m bench.workspace --db sqlite|postgres [--runs 20]

Callbacks: the method of bench.overview (its harness is reused): a supervisor of two teams on the
datasets' end date, one warm-up call recording every statement, then --runs interleaved pairs of a
timed call and a timed bare-SQL pass. The profile is of the first worker on that supervisor's roster.

Saving: each run is one transaction, committed, through the functions the forms call
(recording.save_session, then recording.save_ratings with all 61 competencies changed, linked to the
session): validation queries, the inserts, current_ratings kept in step, the audit events, the commit.
Afterwards the rows the runs added are deleted and the worker's current ratings restored, except the
audit events: they are append-only by design (database triggers), so each run leaves two behind.
"""
from __future__ import annotations

import argparse
import sys
import time
from datetime import date, timedelta
from typing import Any

from sqlalchemy import delete, func, insert, select

from bench.overview import (DATA_END, DATABASES, CallbackCase, FigureClock, StatementRecorder, Timing, app_engine,
                            build_app, environment, fmt_ms, measure_case, pick_viewers, print_slowest,
                            print_table, set_session_options)

TARGET_MS = {"sqlite": 200.0, "postgres": 100.0}
SAVE_TARGET_MS = 150.0


def callback_cases(worker_id: int) -> list[CallbackCase]:
    from callbacks import workspace

    return [
        CallbackCase("team_choices", "team choices", lambda: workspace.team_choices(0), None),
        CallbackCase("refresh_roster", "roster (all my teams)", lambda: workspace.refresh_roster("all", 0), None),
        CallbackCase("render_profile", "worker profile", lambda: workspace.render_profile(worker_id, 0), None),
        CallbackCase("not_discussed", "not discussed (last 10)",
                     lambda: workspace.refresh_not_discussed("10", str(worker_id)), None),
    ]


def time_saves(app: Any, supervisor_id: int, worker_id: int, today: date, runs: int) -> Timing:
    """`runs` committed saves of a session with 61 changed ratings; the added rows are removed afterwards."""
    from dashboard.audit import Actor
    from dashboard.db import EXTENSION_KEY
    from dashboard.recording import RatingDraft, Writer, save_ratings, save_session
    from dashboard.scope import Scope
    from models import (Competency, CompetencyRating, CurrentRating, Framework, SessionAttendee,
                        SessionCompetency, SupervisionSession, TeamMembership)

    database = app.server.extensions[EXTENSION_KEY]
    with database.session() as s:
        team = s.scalar(select(TeamMembership.team_id).where(TeamMembership.staff_id == worker_id,
                                                             TeamMembership.end_date.is_(None)))
        competencies = list(s.scalars(select(Competency.id).join(Framework, Framework.id == Competency.framework_id)
                                      .where(Framework.is_active).order_by(Competency.sort_order).limit(61)))
        first_rating = (s.scalar(select(func.max(CompetencyRating.id))) or 0) + 1
        first_session = (s.scalar(select(func.max(SupervisionSession.id))) or 0) + 1
        kept = [dict(r._mapping) for r in s.execute(select(CurrentRating.__table__)
                                                    .where(CurrentRating.worker_id == worker_id))]
    writer = Writer(Actor(None, "bench"), "supervisor", supervisor_id, Scope(frozenset({team})).team_ids)
    times = []
    for run in range(runs + 1):  # the first is a warm-up
        # Minutes differ by run (61, 62, ...): the same supervisor, day, attendees and minutes twice is refused as a
        # probable duplicate (recording.ProbableDuplicate), which the form asks the supervisor to confirm.
        form = {"held_on": today.isoformat(), "minutes": 61 + run, "format": "individual", "kind": "supportive",
                "modality": "video", "attendee_ids": [worker_id], "competency_ids": competencies[:4]}
        # Levels alternate 1/2 by run, so all 61 differ from the current rating every time.
        drafts = [RatingDraft(worker_id, c, 1 + (run % 2), today) for c in competencies]
        started = time.perf_counter()
        with database.session() as s:
            session_id = save_session(s, writer, form, today)
            saved = save_ratings(s, writer, drafts, today, session_id=session_id)
        elapsed = (time.perf_counter() - started) * 1000
        if saved != len(competencies):
            raise RuntimeError(f"expected {len(competencies)} ratings saved, got {saved}")
        if run:
            times.append(elapsed)
    with database.session() as s:  # leave the dataset as it was (audit events are append-only)
        s.execute(delete(CurrentRating).where(CurrentRating.worker_id == worker_id))
        s.execute(delete(CompetencyRating).where(CompetencyRating.id >= first_rating))
        added = select(SupervisionSession.id).where(SupervisionSession.id >= first_session)
        s.execute(delete(SessionCompetency).where(SessionCompetency.session_id.in_(added)))
        s.execute(delete(SessionAttendee).where(SessionAttendee.session_id.in_(added)))
        s.execute(delete(SupervisionSession).where(SupervisionSession.id >= first_session))
        if kept:
            s.execute(insert(CurrentRating), kept)
    return Timing(times)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.workspace", description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=sorted(TARGET_MS), default="sqlite")
    parser.add_argument("--url", help="another database URL (overrides --db's address)")
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--today", type=date.fromisoformat, default=DATA_END)
    parser.add_argument("--budget", type=float, default=120.0)
    parser.add_argument("--top", type=int, default=5, help="slowest statements listed per callback")
    args = parser.parse_args(argv)

    url = args.url or DATABASES[args.db]
    app = build_app(url, args.today)
    import callbacks.workspace as workspace_callbacks

    workspace_callbacks.today = lambda: args.today  # type: ignore[assignment]
    engine = app_engine(app)
    if engine.dialect.name == "postgresql":
        set_session_options(engine, 0, False)
    recorder, clock = StatementRecorder(engine), FigureClock()
    supervisor = next(v for v in pick_viewers(engine, args.today) if v.role == "supervisor")

    import flask_login

    from bench.overview import login_user_for

    with app.server.test_request_context("/"):
        flask_login.login_user(login_user_for(supervisor))
        roster = workspace_callbacks.refresh_roster("all", 0)
    worker_id = roster[0]["worker_id"]

    info = environment(engine)
    print(f"## My team callbacks · {args.db} · {supervisor.label}, {len(roster)} workers on the roster · "
          f"profile of worker #{worker_id} · {args.runs} runs\n")
    for key, value in info.items():
        print(f"- {key}: {value}")
    rows = [measure_case(app, recorder, clock, engine, supervisor, case, args.runs, args.budget)
            for case in callback_cases(worker_id)]
    print_table(rows, TARGET_MS[args.db], f"{args.db}: {info.get('database', '')}")
    print_slowest(rows, engine, args.top, False, False)

    saves = time_saves(app, supervisor.staff_id or 0, worker_id, args.today - timedelta(days=0), args.runs)
    print(f"\n| save a session with 61 ratings (committed) | median {fmt_ms(saves.median)} ms | "
          f"p95 {fmt_ms(saves.p95)} ms | runs {len(saves.runs_ms)} | "
          f"{'PASS' if saves.p95 <= SAVE_TARGET_MS else 'MISS'} (p95 ≤ {SAVE_TARGET_MS:.0f} ms) |")
    return 1 if any(r.error for r in rows) else 0


if __name__ == "__main__":
    sys.exit(main())
