"""Kept month judgements: keeping whole months in month_judgements, composing windows from them, staleness."""
from __future__ import annotations

from datetime import date, timedelta
import typing
from typing import Any

from sqlalchemy import (CTE, ColumnElement, Date, Integer, Select, Subquery, Table, and_, case, cast, func, literal,
                        null, or_, select, union_all)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, aliased
from sqlalchemy.schema import DropTable
from sqlalchemy.sql.selectable import NamedFromClause

from dashboard.queries.common import Window
from dashboard.queries.supervision.reasons import _DETAIL, _SUMMARY, _layout
from dashboard.queries.supervision.rule import JUDGEMENT_DEFINITION, _judgement_rows, month_periods
from dashboard.queries.supervision.sql import _calendar_months, _months_cte, _next_month, _until
from dashboard.queries.supervision.tuning import _analyze, _temporary
from models import EVERYONE, JudgementVersion, MonthJudgement



def _whole_months(window: Window) -> tuple[date, date] | None:
    """The first days of the first and the last calendar month wholly inside the window (None when none is)."""
    whole = [p.start for p in month_periods(window)
             if p.start.day == 1 and p.end == _next_month(p.start) - timedelta(days=1)]
    return (whole[0], whole[-1]) if whole else None


def _is_whole(judged: NamedFromClause, whole: tuple[date, date]) -> list[ColumnElement[bool]]:
    """A period of `judged` is one of the whole months (the window cuts at most its first and last month): said of
    the period's end, not its start, which the kept rows are joined on. SQLite carried a range on the start over to
    month_judgements.month and searched each worker's five years of kept rows instead of one month (~1 s more)."""
    return [judged.c.period_end_excl > whole[0], judged.c.period_end_excl <= _next_month(whole[1])]


def _everyone_version() -> ColumnElement[int]:
    return func.coalesce(select(JudgementVersion.version).where(JudgementVersion.worker_id == EVERYONE)
                         .scalar_subquery(), 0)


def _with_versions(query: Select[*tuple[Any, ...]], worker_id: ColumnElement[int]) -> Select[*tuple[Any, ...]]:
    """query with the worker's judgement versions now (version, everyone_version): what a judgement kept for them
    must carry to hold (month_judgements, window_judgements). A worker with no judgement_versions row is at 0."""
    version = aliased(JudgementVersion)
    return (query.outerjoin(version, version.worker_id == worker_id)
            .add_columns(func.coalesce(version.version, 0).label("version"),
                         _everyone_version().label("everyone_version")))


def _kept(judged: NamedFromClause, whole: tuple[date, date]) -> Select[*tuple[Any, ...]]:
    """A judged period's summary in month_judgements, when the period is a whole month and the summary was kept at
    the versions read with the period (judged.c.version, judged.c.everyone_version; see _judged_periods)."""
    kept = MonthJudgement
    return select(kept.worker_id).where(
        kept.worker_id == judged.c.worker_id, kept.month == judged.c.period_start, *_current(judged),
        kept.kind == 0, *_is_whole(judged, whole))


def _current(judged: NamedFromClause) -> list[ColumnElement[bool]]:
    """Kept rows judged under the current definition at the versions read with the periods of `judged`."""
    kept = MonthJudgement
    return [kept.definition == JUDGEMENT_DEFINITION, kept.version == judged.c.version,
            kept.everyone_version == judged.c.everyone_version]


def _kept_rows(judged: NamedFromClause, whole: tuple[date, date]) -> Select[*tuple[Any, ...]]:
    """_judgement_rows' rows for the whole months kept at the periods' versions, with the period's position, names
    and team from `judged` (what depends on the team is never kept)."""
    kept = MonthJudgement.__table__.c
    stored = {name: kept[name] for name, _, _ in (*_SUMMARY, *_DETAIL) if name in kept}
    return (select(judged.c.position, kept.kind, kept.day,
                   *_layout(_SUMMARY, **{**stored, "worker_id": judged.c.worker_id,
                                         "period_start": judged.c.period_start, "full_name": judged.c.full_name,
                                         "team_id": judged.c.team_id, "team_name": judged.c.team_name}),
                   *_layout(_DETAIL, **stored))
            .select_from(judged)
            .join(MonthJudgement, and_(kept.worker_id == judged.c.worker_id, kept.month == judged.c.period_start,
                                       *_current(judged)))
            .where(*_is_whole(judged, whole)))


def _employed_months(judged: NamedFromClause, window: Window) -> CTE:
    """The by-month periods of the workers judged over a window of whole months: each calendar month of it in which
    the worker was employed (what _keep_month_judgements keeps, and _composed_rows reads)."""
    months = _months_cte(_calendar_months(window.start, window.end), "window_months")
    return (select(judged.c.worker_id, judged.c.team_id, months.c.month_start.label("period_start"),
                   months.c.next_month.label("period_end_excl"),
                   _until(judged.c.left_on, months.c.next_month).label("until"), judged.c.hire_date, judged.c.left_on,
                   judged.c.full_name, months.c.month_start.label("period_month"), judged.c.position,
                   judged.c.team_name, judged.c.version, judged.c.everyone_version)
            .join(months, and_(judged.c.hire_date < months.c.next_month,
                               or_(judged.c.left_on.is_(None), judged.c.left_on > months.c.month_start)))
            .cte("judged_months"))


def _composed_rows(judged: NamedFromClause, whole: tuple[date, date]) -> Subquery:
    """_judgement_rows' rows for periods that are whole calendar months, composed from the kept judgements of the
    months in which each worker was employed (all kept at the periods' versions: _keep_month_judgements first).

    A month's judgement is its part of the period's: sessions, minutes, minimums, sessions expected and leave add
    up, and short months are the months'. A gap's days grow with the day it is measured to, and each month
    measures the gaps overlapping it to its own last judged day at most, so the period's judgement of a gap is the
    longest of the months' (the month it ends in, or the period's last): the longest gap is the months' longest,
    and each violating gap is listed once, from the month that measured it longest. The stage is the one on the
    period's last judged day: the last month's. Months the worker was not employed in add nothing either way.
    """
    kept = MonthJudgement.__table__.c

    def joined(kind: int, *columns: ColumnElement[Any]) -> Select[*tuple[Any, ...]]:
        return (select(*columns).select_from(judged)
                .join(MonthJudgement, and_(kept.worker_id == judged.c.worker_id, kept.month.between(*whole),
                                           *_current(judged), kept.kind == kind)))

    last_month = and_(kept.month < judged.c.until, kept.period_end_excl >= judged.c.until)
    sources = {**{name: kept[name] for name, _, _ in _SUMMARY if name in kept},
               "period_end_excl": judged.c.period_end_excl, "full_name": judged.c.full_name,
               "team_id": judged.c.team_id, "team_name": judged.c.team_name,
               "stage_code": case((last_month, kept.stage_code))}
    summaries = joined(0, func.max(judged.c.position).label("position"), literal(0, Integer).label("kind"),
                       cast(null(), Date).label("day"), judged.c.worker_id, judged.c.period_start,
                       *(aggregate(sources[name]).label(name) for name, _, aggregate in _SUMMARY
                         if aggregate is not None),
                       *_layout(_DETAIL)).group_by(judged.c.worker_id, judged.c.period_start)
    longest_first = func.row_number().over(partition_by=(judged.c.worker_id, kept.day),
                                           order_by=(kept.days.desc(), kept.gap_end.desc()))
    gaps = joined(1, judged.c.position, judged.c.worker_id, judged.c.period_start, kept.day, kept.days,
                  kept.max_days, kept.gap_end, kept.away, longest_first.label("rank")).subquery("kept_gaps")
    violations = select(gaps.c.position, literal(1, Integer), gaps.c.day,
                        *_layout(_SUMMARY, worker_id=gaps.c.worker_id, period_start=gaps.c.period_start),
                        *_layout(_DETAIL, days=gaps.c.days, max_days=gaps.c.max_days, gap_end=gaps.c.gap_end,
                                 away=gaps.c.away)).where(gaps.c.rank == 1)
    shortfalls = joined(2, judged.c.position, literal(2, Integer), kept.day,
                        *_layout(_SUMMARY, worker_id=judged.c.worker_id, period_start=judged.c.period_start),
                        *_layout(_DETAIL, counted=kept.counted, required=kept.required,
                                 employed_days=kept.employed_days, month_days=kept.month_days, away=kept.away))
    return union_all(summaries, violations, shortfalls).subquery("composed_rows")


def _keep_month_judgements(session: Session, judged: NamedFromClause, window: Window, whole: tuple[date, date]
                           ) -> bool:
    """Judge the whole months of `judged` that month_judgements does not hold at the worker's current version, and
    keep them (replacing what it held for those months).

    A whole month's judgement reads only the worker's own records (sessions attended, hire and leaving dates,
    stages, leave) and the standard, never the team or the window around it; the triggers of migration 0005
    bump the worker's version (or everyone's) on any write to those. The versions are read by the statement
    that judges, so a write committed after it leaves these rows at an older version: never used, and replaced
    the next time. Two exports keeping the same month at once keep it once (the key includes the version).
    True when every whole month of `judged` is now kept at the periods' versions.
    """
    stale = select(judged).where(*_is_whole(judged, whole), ~_kept(judged, whole).exists())
    if not session.scalar(select(stale.exists())):
        return True
    table = _temporary(session, stale, "judged_stale", ("worker_id", "period_start"))
    rows = _judgement_rows(session, table, window, by_month=True)
    version = aliased(JudgementVersion)
    kept = typing.cast(Table, MonthJudgement.__table__)
    sequence = func.row_number().over(partition_by=(rows.c.worker_id, rows.c.period_start, rows.c.kind),
                                      order_by=(rows.c.day, rows.c.days))
    values = {"worker_id": rows.c.worker_id, "month": rows.c.period_start,
              "definition": literal(JUDGEMENT_DEFINITION),
              "version": func.coalesce(version.version, 0), "everyone_version": _everyone_version(),
              "kind": rows.c.kind, "seq": sequence}
    columns = [c.name for c in kept.c]
    query = (select(*(values[name] if name in values else rows.c[name] for name in columns))
             .select_from(rows).outerjoin(version, version.worker_id == rows.c.worker_id))
    postgres = session.get_bind().dialect.name == "postgresql"
    # How many periods are judged here (the INSERT's rowcount is not reported: -1), and of how many whole ones.
    judging, of = session.execute(select(select(func.count()).select_from(table).scalar_subquery(),
                                         select(func.count()).where(*_is_whole(judged, whole)).scalar_subquery())
                                  ).one() if postgres else (0, 0)
    try:
        with session.begin_nested():
            session.execute(kept.delete().where(select(table.c.worker_id).where(
                table.c.worker_id == kept.c.worker_id, table.c.period_start == kept.c.month).exists()))
            insert = postgresql.insert if postgres else sqlite.insert
            session.execute(insert(kept).from_select(columns, query).on_conflict_do_nothing())
    except OperationalError:
        # Another transaction wrote these rows first (PostgreSQL's repeatable read refuses to overwrite them), or
        # wrote anything since this SQLite snapshot began: what is not kept is then judged by the caller.
        return False
    finally:
        session.execute(DropTable(table))
    if judging > 500 and 2 * judging >= of:
        # Statistics now rather than when autovacuum comes round (if it is on at all): the next reads join it to the
        # periods, and months the statistics have not seen are taken for empty, then scanned once per period (a
        # quarter: 0.5-1.7 s instead of 35 ms; a month for the whole agency is ~1,800). Months seen for the first
        # time are most of a keep; re-judging a fifth of the workers does not need it (~20 ms saved).
        _analyze(session, "month_judgements")
    return True
