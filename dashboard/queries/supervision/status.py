"""Meeting the standard per worker: standard_status, and the statement that reads kept, composed or judged rows."""
from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import timedelta
from itertools import chain
import typing
from typing import Any, TypeVar

from sqlalchemy import Integer, Select, Table, func, select, text, union_all
from sqlalchemy.orm import Session
from sqlalchemy.schema import DropTable

from dashboard.queries.common import TeamFilter, Window
from dashboard.queries.supervision.kept import (_composed_rows, _employed_months, _keep_month_judgements, _kept,
                                                _kept_rows, _whole_months, _with_versions)
from dashboard.queries.supervision.reasons import _ONE_DAY, _standards
from dashboard.queries.supervision.results import WorkerStandard
from dashboard.queries.supervision.rule import _judged_select, _judgement_rows, _window_judged_select, month_periods
from dashboard.queries.supervision.sql import _day, _month_start, _next_month
from dashboard.queries.supervision.tuning import _one_snapshot, _temporary
from dashboard.scope import Scope
from models import Team

T = TypeVar("T")


def standard_status(session: Session, scope: Scope, window: Window, filters: TeamFilter, *, kept: bool = True
                    ) -> list[WorkerStandard]:
    """Meeting the standard, per peer worker, over a window (the one definition the overview, roster and
    compliance export share).

    Workers: peer workers with a membership on a visible team that overlaps the window while they were
    employed (hire_date <= day < left_on). Team: their team at window.end, or the last visible team they were
    on in the window. Stage: the one held on window.end, or on the last employed day.

    A worker meets the standard when both hold:
    (a) Gaps. Take the individual sessions they attended (format 'individual'), preceded by the last one
        before the window (or the hire date when there was none). No gap between consecutive ones that
        overlaps the window may exceed max_days_between_individual of the rule in force on the gap's first
        day; the open gap after the last session runs to window.end or to the last employed day (the day
        before left_on), whichever is first. A gap is end - start in days.
    (b) Minutes. Every full calendar month inside the window reaches min_minutes_per_month of the rule in
        force on the month's first day (or the hire date, if hired that month). Minutes = individual sessions
        attended + group sessions attended when that rule's group_counts_toward_minimum is true. For a month
        employed only in part the minimum is pro-rated by employed days / days in the month, rounded up.
    The rule in force on a day is the rule for the worker's stage assignment holding that day in the
    standard with the greatest effective_from on or before it. A gap with no rule in force (no stage
    recorded) cannot be judged and counts against the worker, with a reason saying so.

    individual_sessions and minutes count within the window while employed (minutes as counted toward the
    minimum, partial months included); longest_gap_days is the longest gap overlapping the window.
    required_minutes sums the minimum of the full months judged; required_individual_sessions is
    floor(sum over the window's months of the days employed in the window / that month's max days).
    Ordered by team name, then worker name.
    """
    return list(iter_standard_status(session, scope, window, filters, kept=kept))


def iter_standard_status(session: Session, scope: Scope, window: Window, filters: TeamFilter, *,
                         by_month: bool = False, stage_id: int | None = None, stream: bool = False,
                         make: Callable[..., T] = WorkerStandard,  # type: ignore[assignment]
                         kept: bool = True) -> Iterator[T]:
    """standard_status's rows one at a time; by_month judges each calendar month of the window on its own
    (month_periods: one row per worker and month, with that month's team and stage); stage_id keeps the
    workers holding that stage on the period's last judged day. With stream, rows are read from the
    database in batches (server-side cursors on PostgreSQL), so memory stays flat however many rows.
    make builds each row from WorkerStandard's fields, in order (WorkerStandard by default): the compliance
    view builds its rows straight from them, one object per row instead of two (~0.3 s per 100k rows).
    kept: whole calendar months may be read from (and written to) month_judgements; False judges every period from
    the records alone, as the tests' oracle does.
    """
    return _standards(_standard_rows(session, scope, window, filters, by_month, stage_id, stream, kept), make)


def _standard_rows(session: Session, scope: Scope, window: Window, filters: TeamFilter, by_month: bool,
                   stage_id: int | None, stream: bool, kept: bool) -> Iterator[Any]:
    """iter_standard_status's one statement, its rows as tuples in the roster's order (team name, worker name,
    worker id, period): for each judged period a summary row (its worker, team, stage and totals), then its
    violating gaps, then its short months. By month, whole calendar months are read from month_judgements where
    it holds them for the worker's current version (judged and kept first, see _keep_month_judgements); a window of
    whole months, read in one snapshot, is composed from them (_composed_rows).
    """
    whole = _whole_months(window) if kept else None
    # A window of whole calendar months (a quarter, a year) is judged from its months' kept judgements when this
    # transaction reads one snapshot (_composed_rows).
    composed = (not by_month and whole is not None and (whole[0], _next_month(whole[1])) ==
                (window.start, window.end + _ONE_DAY) and _one_snapshot(session))
    periods = _judged_periods(scope, window, filters, stage_id, by_month, versions=by_month or composed)
    # The periods are written once to a temporary table keyed on (worker_id, period_start), with statistics, when
    # that pays: by month (~95k rows for five years of an agency, which PostgreSQL otherwise misjudges), when its
    # months are kept, and always on SQLite, which has no hash joins (its key is the index the joins need) and no
    # round trips. Otherwise, for one window on PostgreSQL the four extra statements would cost more than they save.
    temporary = by_month or composed or session.get_bind().dialect.name == "sqlite"
    cut: list[tuple[Window, Table]] = []  # the months the window cuts, when judged on their own
    postgres = session.get_bind().dialect.name == "postgresql"
    if stream and postgres:
        # Server-side cursors are planned for their first 10% of rows by default (cursor_tuple_fraction 0.1):
        # nested loops that took 20 s where the plan for every row takes 10 s. Every row is read here.
        session.execute(text("SET LOCAL cursor_tuple_fraction = 1.0"))
    if by_month and whole is not None and postgres:
        # Sorting five years of periods by name spilled to disk with the default 4 MB (~0.1 s).
        session.execute(text("SET LOCAL work_mem = '32MB'"))
        # Each (worker, month) is looked up in month_judgements once, but the planner counted on caching the
        # look-ups (Memoize: 93k misses, no hits) and chose them over one hash join (five years: 0.5 s against 0.15).
        session.execute(text("SET LOCAL enable_memoize = off"))
    judged = _temporary(session, periods, "judged", ("worker_id", "period_start")) if temporary \
        else periods.cte("judged")
    if composed and whole is not None and _keep_month_judgements(session, _employed_months(judged, window), window,
                                                                whole):
        rows = _composed_rows(judged, whole)
    elif by_month and whole is not None:
        if _keep_month_judgements(session, judged, window, whole) and _one_snapshot(session):
            # Every whole month is kept, and this transaction reads one snapshot: only the months cut by the
            # window's ends are left, each judged over its own month (not five years of sessions for two months).
            # Their periods go to tables of their own, with statistics: as CTEs, PostgreSQL took ~2,000 workers for
            # 200 and read each one's whole history of sessions.
            cut = [(period, _temporary(session, select(judged).where(judged.c.period_start == period.start),
                                       f"judged_{'first' if period.start == window.start else 'last'}",
                                       ("worker_id", "period_start")))
                   for period in month_periods(window) if not whole[0] <= period.start <= whole[1]]
            fresh = [_judgement_rows(session, table, period, by_month) for period, table in cut]
        else:
            # Whatever is not kept (a write or a second export got in between) is judged here, in the statement
            # that reads the kept rows, so no period can be left out or shown twice.
            rest = select(judged).where(~_kept(judged, whole).exists()).cte("judged_rest")
            fresh = [_judgement_rows(session, rest, window, by_month)]
        rows = union_all(_kept_rows(judged, whole), *(select(part) for part in fresh)).subquery("standard_rows")
    else:
        rows = _judgement_rows(session, judged, window, by_month)
    options = {"yield_per": 2000} if stream else {}
    result = session.connection().execute(
        select(rows).order_by(rows.c.position, rows.c.kind, rows.c.day, rows.c.days), execution_options=options)

    try:
        # Whole batches from the driver, not a row at a time (~0.3 s per 100k rows).
        yield from (chain.from_iterable(result.partitions()) if stream else result.all())
    finally:
        result.close()
    if temporary:  # done with them (an abandoned stream leaves them to the next call, or the connection's end)
        for table in (judged, *(table for _, table in cut)):
            session.execute(DropTable(typing.cast(Table, table)))  # temporary: all Tables


def _judged_periods(scope: Scope, window: Window, filters: TeamFilter, stage_id: int | None, by_month: bool,
                    versions: bool) -> Select[*tuple[Any, ...]]:
    """The judged periods of iter_standard_status: _window_judged_select's rows for the window, or for each calendar
    month of it with by_month (plus period_month, the month's first day), and their position in the roster's
    order (team name, worker name, worker id, period): names are compared once, here, and the statement that
    reads the periods sorts on the position.
    """
    if by_month:
        # One join with a table of the months, rather than one statement per month stacked (60 for five years):
        # planned once, and ~2x faster on PostgreSQL.
        months = union_all(*[select(_day(p.start).label("period_start"),
                                    _day(p.end + timedelta(days=1)).label("period_end_excl"),
                                    _day(_month_start(p.start)).label("period_month")) for p in month_periods(window)]
                           ).cte("periods")
        stacked = (_judged_select(scope, months.c.period_start, months.c.period_end_excl, filters, stage_id)
                   .add_columns(months.c.period_month).subquery("judged_periods"))
    else:
        stacked = _window_judged_select(scope, window, filters, stage_id).subquery("judged_periods")
    position = func.row_number(type_=Integer).over(order_by=(Team.name, stacked.c.full_name, stacked.c.worker_id,
                                                             stacked.c.period_start))
    # The team's name rides along: every statement reading the periods shows it.
    query = (select(*stacked.c, position.label("position"), Team.name.label("team_name"))
             .join(Team, Team.id == stacked.c.team_id))
    if versions:  # the versions its whole months are looked up by in month_judgements (_kept)
        query = _with_versions(query, stacked.c.worker_id)
    return query
