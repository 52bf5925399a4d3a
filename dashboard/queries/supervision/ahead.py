"""Kept month judgements made stale by writes, judged ahead of a long by-month read, on two connections at once."""
from __future__ import annotations

import logging
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from contextlib import AbstractContextManager
from datetime import date, timedelta

from sqlalchemy import func, select, text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from dashboard.queries.common import TeamFilter, Window
from dashboard.queries.supervision.kept import _keep_month_judgements, _kept, _whole_months
from dashboard.queries.supervision.sql import _next_month
from dashboard.queries.supervision.status import _judged_periods
from dashboard.queries.supervision.tuning import _temporary
from dashboard.scope import Scope

log = logging.getLogger(__name__)

# Connections judging at once. The judgement is one core's work per connection (PostgreSQL runs a statement that
# writes on one process), and the machine it was measured on has two: five years of an agency's months judged on
# 2 connections took 1.9-2.3 s, on 1 connection 3.0-3.6, on 3 or 4 2.1-2.7 (bench/README, session 17).
PARTS = 2
# Fewer stale workers than this in the window's last whole month, or fewer than half of those judged in it, and the
# read keeps them itself, in one statement: splitting costs each part a reading of the periods and of what is stale
# (~0.2 s for five years of an agency), more than it saves on a fifth of the workers (2.33 s against 2.44-2.52).
MIN_STALE_WORKERS = 50

Sessions = Callable[[], AbstractContextManager[Session]]


def keep_months_ahead(sessions: Sessions, scope: Scope, window: Window, filters: TeamFilter,
                      stage_id: int | None = None) -> int:
    """Judge and keep the stale whole months of the window's by-month periods (iter_standard_status(by_month=True)
    with the same scope, filters and stage) on PARTS connections at once, each over its share of the workers and
    committed on its own, so that the read that follows, in one snapshot, finds them kept (or judges in its own
    statement whatever a write made stale in between: _keep_month_judgements' versions see to that).

    sessions() gives a session in its own transaction, committed when it ends (db.Database.session). Only on
    PostgreSQL (SQLite writes one transaction at a time), and only when at least half of the workers, and
    MIN_STALE_WORKERS, are stale: a write bumps a worker's version for all their months at once (a change to the
    standard, everyone's), so the window's last whole month tells. Returns the number of connections that kept
    their share (0: nothing was done here).
    """
    whole = _whole_months(window)
    if whole is None or whole[0] == whole[1]:
        return 0
    with sessions() as session:
        if session.get_bind().dialect.name != "postgresql":
            return 0
        stale, judged = _stale_workers(session, scope, whole[1], filters, stage_id)
        if stale < MIN_STALE_WORKERS or 2 * stale < judged:
            return 0

    def keep(part: int) -> bool:
        return _keep_part(sessions, scope, window, whole, filters, stage_id, part)

    with ThreadPoolExecutor(PARTS, thread_name_prefix="keep-ahead") as pool:
        return sum(pool.map(keep, range(PARTS)))


def _stale_workers(session: Session, scope: Scope, month: date, filters: TeamFilter, stage_id: int | None
                   ) -> tuple[int, int]:
    """(stale, judged): the workers judged in `month` (a whole calendar month), and those of them whose kept
    judgement of it is missing or stale."""
    one = Window(month, _next_month(month) - timedelta(days=1))
    judged = _judged_periods(scope, one, filters, stage_id, by_month=True, versions=True).subquery("judged_last")
    stale = func.count().filter(~_kept(judged, (month, month)).exists())
    found = session.execute(select(stale, func.count()).select_from(judged)).one()
    return int(found[0]), int(found[1])


def _keep_part(sessions: Sessions, scope: Scope, window: Window, whole: tuple[date, date], filters: TeamFilter,
               stage_id: int | None, part: int) -> bool:
    """_keep_month_judgements over the periods of the workers with worker_id % PARTS == part, in its own
    transaction. A failure is logged and left to the read, which judges what is not kept."""
    try:
        with sessions() as session:
            session.execute(text("SET LOCAL work_mem = '32MB'"))  # as the by-month read has (status._standard_rows)
            periods = _judged_periods(scope, window, filters, stage_id, by_month=True, versions=True).subquery()
            share = _temporary(session, select(periods).where(periods.c.worker_id % PARTS == part), "judged_ahead",
                               ("worker_id", "period_start"))
            return _keep_month_judgements(session, share, window, whole)
    except SQLAlchemyError:
        log.warning("keeping months ahead (part %d of %d) failed; the read judges them", part + 1, PARTS,
                    exc_info=True)
        return False
