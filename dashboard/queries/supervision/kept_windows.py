"""Kept window verdicts: the Overview's "Meeting the standard" over a window ending on the page's today, each worker
judged once a day and read back by the day's later views (window_judgements)."""
from __future__ import annotations

import typing
from datetime import date, timedelta

from sqlalchemy import CTE, ColumnElement, Integer, Table, and_, case, func, literal, select, union_all
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from dashboard.queries.common import Window
from dashboard.queries.supervision.kept import _with_versions
from dashboard.queries.supervision.rule import JUDGEMENT_DEFINITION, _meeting_counts, _meeting_per_period
from dashboard.queries.supervision.tuning import _analyze
from models import WindowJudgement

# A keep of more workers than this is mostly a new window (the day's first view): its statistics are taken at once,
# as month_judgements' are (kept._keep_month_judgements), or the next read would be planned as if the window were empty.
ANALYZE_AFTER = 500
# Up to this many workers to judge are named in the statement (bound parameters); more are found by their missing row.
LISTED = 1_000


def meeting_counts(session: Session, judged: CTE, window: Window, today: date | None) -> tuple[int, int]:
    """(workers judged, workers meeting the standard) over `window`, for the rows of `judged` (one per worker, with
    the columns rule._meeting_counts judges by).

    Given the page's today and a window ending on it, each worker's verdict comes from window_judgements when it was
    kept at the worker's current versions (judgement_versions, bumped by the database on every write a judgement
    reads); the others are judged and kept, in one statement that reads the versions it keeps them at. Any other
    window, or a keep the database refuses, is judged whole in one statement and nothing is kept, as before these
    rows existed: a kept verdict is always the live one.
    """
    def live() -> tuple[int, int]:
        end_excl = window.end + timedelta(days=1)
        return _meeting_counts(session, judged, window.start, end_excl, one_per_worker=True).get(end_excl, (0, 0))

    if today is None or window.end != today:
        return live()
    total, found, meeting, stale = _read(session, judged, window)
    if found < total:
        fresh = _keep(session, judged, window, today, stale)
        if fresh is None or len(fresh) < total - found:  # refused, or another view kept some of them at once
            return live()
        meeting += sum(1 for bad in fresh if bad == 0)
        if total - found > ANALYZE_AFTER:
            _analyze(session, "window_judgements")
    return total, meeting


def _read(session: Session, judged: CTE, window: Window) -> tuple[int, int, int, list[int]]:
    """(workers judged, of them with a verdict kept at their versions, of those meeting the standard, the others' ids),
    in one statement: the counts' row first (worker_id NULL), then one row per worker without a kept verdict."""
    versioned = _versioned(judged)
    read = (select(versioned.c.worker_id, WindowJudgement.bad).select_from(versioned)
            .outerjoin(WindowJudgement, _holds(versioned, window)).cte("window_read"))
    rows = session.execute(union_all(
        select(literal(None, Integer).label("worker_id"), func.count().label("total"),
               func.count(read.c.bad).label("found"), func.sum(case((read.c.bad == 0, 1), else_=0)).label("meeting")),
        select(read.c.worker_id, literal(None, Integer), literal(None, Integer), literal(None, Integer))
        .where(read.c.bad.is_(None)))).all()
    total, found, meeting = next((t, f, m) for worker, t, f, m in rows if worker is None)
    return int(total), int(found), int(meeting or 0), [int(worker) for worker, *_ in rows if worker is not None]


def _versioned(judged: CTE) -> CTE:
    """`judged` with each worker's versions now: what a verdict kept for them must carry to hold."""
    return _with_versions(select(*judged.c), judged.c.worker_id).cte(f"{judged.name}_versioned")


def _holds(versioned: CTE, window: Window) -> ColumnElement[bool]:
    kept = WindowJudgement
    return and_(kept.period_end_excl == window.end + timedelta(days=1), kept.period_start == window.start,
                kept.worker_id == versioned.c.worker_id, kept.definition == JUDGEMENT_DEFINITION,
                kept.version == versioned.c.version, kept.everyone_version == versioned.c.everyone_version)


def _keep(session: Session, judged: CTE, window: Window, today: date, stale: list[int]) -> list[int] | None:
    """Judge the workers of `judged` without a kept verdict (`stale`, as _read found them), keep their verdicts, and
    delete the verdicts of windows that ended before today. Their verdicts (1: not met), or None when the database
    refused (then nothing is kept). The statement that judges reads the versions it keeps them at."""
    versioned = _versioned(judged)
    missing = ~select(WindowJudgement.worker_id).where(_holds(versioned, window)).exists()
    # A few changed since the last view (a session recorded): named, so that the planner judges them by worker rather
    # than reading the whole window's attendances (at state scale one changed worker cost ~400 ms without the list).
    named = [versioned.c.worker_id.in_(stale)] if len(stale) <= LISTED else []
    candidates = select(versioned).where(missing, *named).cte("stale_judged")
    per_period = _meeting_per_period(session, candidates, window.start, window.end + timedelta(days=1), True)
    kept = typing.cast(Table, WindowJudgement.__table__)
    columns = ["period_end_excl", "period_start", "worker_id", "definition", "version", "everyone_version", "bad"]
    rows = (select(candidates.c.period_end_excl, candidates.c.period_start, candidates.c.worker_id,
                   literal(JUDGEMENT_DEFINITION), candidates.c.version, candidates.c.everyone_version, per_period.c.bad)
            .join(per_period, per_period.c.worker_id == candidates.c.worker_id))
    insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
    try:
        with session.begin_nested():
            session.execute(kept.delete().where(kept.c.period_end_excl <= today))
            # Two views keeping the same verdicts at once keep them once (the key holds the versions); the one that
            # finds them kept gets fewer rows back, and judges the window whole.
            return list(session.scalars(insert(kept).from_select(columns, rows).on_conflict_do_nothing()
                                        .returning(kept.c.bad)))
    except OperationalError:
        # Another transaction holds these rows (SQLite: wrote since this snapshot began): judged whole by the caller.
        return None
