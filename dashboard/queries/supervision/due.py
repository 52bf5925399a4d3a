"""Due dates and overdue now: days since the last individual session against the stage's limit."""
from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from sqlalchemy import CTE, ColumnElement, Select, Subquery, and_, func, select
from sqlalchemy.orm import Session

from dashboard.queries.common import TeamFilter, members_on, visible_team_ids
from dashboard.queries.supervision.results import DueDate, OverdueWorker
from dashboard.queries.supervision.rule import (_attended, _days_at_work, _join_rule_on, _judgement,
                                                _last_individual_before, _leave_takers, _lookback_days, _month_rows)
from dashboard.queries.supervision.sql import _day, _holds_on, _month_start, _next_month
from dashboard.scope import Scope
from models import Leave, Staff, Team
from models.vocabulary import DueStatus, values


DUE_SOON_DAYS = 7


DUE_STATUSES = values(DueStatus)


def _active_workers(scope: Scope, filters: TeamFilter, day: date, name: str, worker_id: int | None = None) -> CTE:
    """Peer workers on visible teams on `day` (members_on) with hire date and name; one of them if worker_id."""
    query = (members_on(day, visible_team_ids(scope, filters))
             .add_columns(Staff.hire_date.label("hire_date"), Staff.left_on.label("left_on"),
                          Staff.full_name.label("full_name")))
    if worker_id is not None:
        query = query.where(Staff.id == worker_id)
    return query.cte(name)


def _due_query(session: Session, scope: Scope, as_of: date, filters: TeamFilter, exact: bool,
               worker_id: int | None = None) -> Select[*tuple[Any, ...]]:
    active = _active_workers(scope, filters, as_of, "active", worker_id)
    lookback, before = _lookback_days(session), as_of + timedelta(days=1)
    narrow = worker_id is not None
    attended = _attended(active, before - timedelta(days=lookback), before, "active_attended", narrow)
    last, lacking = _last_individual_before(session, active, attended, before, lookback, exact, narrow)
    since = func.coalesce(last.c.held_on, last.c.hire_date)
    takers = _leave_takers(session, before - timedelta(days=lookback), before).for_gaps(lacking)
    days_since, _away = _days_at_work(takers, last.c.worker_id, since, _day(as_of))
    query = (select(last.c.worker_id, last.c.full_name, last.c.team_id, Team.name.label("team_name"))
             .select_from(last).join(Team, Team.id == last.c.team_id)
             .outerjoin(Leave, and_(Leave.staff_id == last.c.worker_id, _holds_on(Leave, as_of))))
    query, rule = _join_rule_on(query, last.c.worker_id, _day(as_of))
    return query.add_columns(rule.stage_code.label("stage_code"), last.c.held_on.label("last_individual"),
                             days_since.label("days_since"),
                             rule.max_days.label("limit"), Leave.id.is_not(None).label("on_leave"),
                             Leave.end_date.label("back_on"))


def _not_on_leave(due: Subquery) -> ColumnElement[bool]:
    """Overdue counts leave out workers away on the day: nobody can supervise them."""
    return due.c.on_leave.is_(False)


def _status(days_since: int, limit: int | None, on_leave: bool) -> DueStatus:
    if on_leave:
        return DueStatus.ON_LEAVE
    if limit is None:
        return DueStatus.NO_STANDARD
    if days_since > limit:
        return DueStatus.OVERDUE
    return DueStatus.DUE_SOON if limit - days_since <= DUE_SOON_DAYS else DueStatus.ON_TRACK


def due_dates(session: Session, scope: Scope, as_of: date, filters: TeamFilter,
              worker_id: int | None = None) -> list[DueDate]:
    """Every active peer worker on a visible team on `as_of` (members_on) with their supervision due date
    (only the one worker when worker_id is given: a profile needs one row, not the team's).

    last_individual: their last individual session on or before as_of (None when none). days_since: as_of
    minus that date, or minus the hire date when there was none. limit: max_days_between_individual of the
    rule in force on as_of for their current stage. Days on leave do not count: days_since leaves out the days
    after that date up to and including as_of on which the worker was on leave (_days_at_work).
    next_due = as_of + days_until_due, days_until_due = limit - days_since. status: 'overdue' when
    days_since > limit, 'due_soon' when due within DUE_SOON_DAYS (7) days including today, 'on_track'
    otherwise, 'no_standard' when no rule is in force (no stage recorded), 'on_leave' for a worker on leave on
    as_of: back_on is the day they are back, and the clock restarts then, the day back being the first day that
    counts again (next_due = back_on + limit - days_since - 1; None with days_until_due when the return is not
    known). minutes_this_month / required_this_month: minutes counted toward the month's
    minimum from the first of as_of's month to as_of, against the whole month's minimum (pro-rated for a
    worker hired that month), as in standard_status. Ordered overdue first (fewest days until due), then name.
    """
    due = _due_query(session, scope, as_of, filters, exact=True, worker_id=worker_id).subquery()
    rows = session.execute(select(due)).all()

    month_start, next_month = _month_start(as_of), _next_month(as_of)
    active = _active_workers(scope, filters, as_of, "month_active", worker_id)
    judged = select(active.c.worker_id, _day(month_start).label("period_start"),
                    _day(next_month).label("period_end_excl"), _day(as_of + timedelta(days=1)).label("until"),
                    active.c.hire_date, active.c.left_on).cte("month_judged")
    months = _month_rows(_judgement(session, judged, month_start, as_of + timedelta(days=1), one_per_worker=True,
                                    gaps=False, narrow=worker_id is not None))
    month = {worker_id: (int(counted), None if required is None else int(required))
             for worker_id, counted, required in session.execute(
                 select(months.c.worker_id, months.c.counted, months.c.required))}

    result = []
    for worker_id, name, team_id, team_name, stage_code, last_individual, days_since, limit, on_leave, back_on \
            in rows:
        days = int(days_since)
        # Away on as_of: the clock restarts on the day back, which is itself a day at work (days + 1 then).
        restart = back_on - timedelta(days=1) if on_leave and back_on else None if on_leave else as_of
        next_due = None if limit is None or restart is None else restart + timedelta(days=limit - days)
        counted, required = month.get(worker_id, (0, None))
        result.append(DueDate(
            worker_id=worker_id, worker_name=name, team_id=team_id, team_name=team_name, stage_code=stage_code,
            last_individual=last_individual, days_since=days, limit=limit, next_due=next_due,
            days_until_due=None if next_due is None else (next_due - as_of).days,
            status=_status(days, limit, bool(on_leave)), minutes_this_month=counted, required_this_month=required,
            back_on=back_on if on_leave else None))
    result.sort(key=lambda d: (d.days_until_due is None, d.days_until_due or 0, d.worker_name, d.worker_id))
    return result


def overdue_now(session: Session, scope: Scope, as_of: date, filters: TeamFilter) -> list[OverdueWorker]:
    """Active peer workers on visible teams on `as_of`, not on leave that day, whose days since their last
    individual session (or since hire, when none; leave days left out) exceed max_days_between_individual for
    their stage on as_of: due_dates' 'overdue' rows."""
    due = _due_query(session, scope, as_of, filters, exact=True).subquery()
    rows = session.execute(
        select(due.c.worker_id, due.c.full_name, due.c.team_id, due.c.last_individual, due.c.days_since,
               due.c.limit)
        .where(due.c.limit.is_not(None), due.c.days_since > due.c.limit, _not_on_leave(due))
        .order_by((due.c.days_since - due.c.limit).desc(), due.c.full_name, due.c.worker_id))
    return [OverdueWorker(worker_id, name, team_id, last, int(days_since), int(limit))
            for worker_id, name, team_id, last, days_since, limit in rows]
