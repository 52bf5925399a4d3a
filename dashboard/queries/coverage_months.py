"""Kept coverage-trend counts of closed months: read from coverage_months, the missing ones counted once and kept."""
from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, cast

from sqlalchemy import CursorResult, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from models import GUARD, CoverageMonth, CoverageMonthGuard


@dataclass(frozen=True)
class TeamCounts:
    """One team's unsuppressed counts on one trend date: its peer workers that day, their current supervisor ratings
    of primary-mapped competencies, and those at or above the proficient level."""

    workers: int
    rated: int
    proficient: int


NOBODY = TeamCounts(0, 0, 0)
# What counting a set of dates gives: (date, team_id) -> counts; a team nobody was on that day may be left out.
Counter = Callable[[list[date]], dict[tuple[date, int], TeamCounts]]


@dataclass(frozen=True)
class MonthKey:
    """Everything other than the data that changes a month's counts: kept rows under another key are not read."""

    definition: int
    framework_id: int
    proficient_level: int
    staleness_days: int


def is_closed(day: date, today: date) -> bool:
    """A closed month's end: the last day of a month that ended before today. Only those are kept; a month to date
    gains ratings every day and would be invalidated as often as it was kept."""
    return day < today and (day + timedelta(days=1)).day == 1


def team_counts(session: Session, key: MonthKey, team_ids: Sequence[int], dates: Sequence[date], today: date,
                count: Counter) -> dict[tuple[date, int], TeamCounts]:
    """Every team's counts on every date: closed months read from coverage_months where kept for all of team_ids,
    the rest counted by `count` in one call (the dates not kept, and any that are not closed months), of which the
    closed months are then kept. A keep that cannot be written (a read-only transaction, a concurrent write) leaves
    the answer as counted."""
    closed = [d for d in dates if is_closed(d, today)]
    kept = _kept(session, key, team_ids, closed) if closed and team_ids else {}
    complete = {d for d in closed if all((d, team) in kept for team in team_ids)}
    missing = [d for d in dates if d not in complete]
    if not missing:
        return kept
    to_keep = [d for d in missing if is_closed(d, today)]
    # Read before counting: a write committed after this changes the generation (see _keep), so counts taken from an
    # older snapshot than the generation says are never kept.
    generation = session.scalar(select(CoverageMonthGuard.generation).where(CoverageMonthGuard.id == GUARD)) \
        if to_keep and team_ids else None
    counted = count(missing)
    if generation is not None:
        _keep(session, key, [(d, team, counted.get((d, team), NOBODY)) for d in to_keep for team in team_ids],
              generation)
    return {**{k: v for k, v in kept.items() if k[0] in complete}, **counted}


def _kept(session: Session, key: MonthKey, team_ids: Sequence[int], closed: list[date]
          ) -> dict[tuple[date, int], TeamCounts]:
    kept = CoverageMonth
    return {(month_end, team_id): TeamCounts(workers, rated, proficient)
            for month_end, team_id, workers, rated, proficient in session.execute(
                select(kept.month_end, kept.team_id, kept.workers, kept.rated, kept.proficient)
                .where(kept.month_end.in_(closed), kept.team_id.in_(team_ids), kept.definition == key.definition,
                       kept.framework_id == key.framework_id, kept.proficient_level == key.proficient_level,
                       kept.staleness_days == key.staleness_days))}


def _keep(session: Session, key: MonthKey, rows: list[tuple[date, int, TeamCounts]], generation: int) -> bool:
    """Insert the counted rows, unless a write that could change them has happened since the generation was read
    (its trigger bumped the generation) or is under way (it holds the guard's row): its delete may have run before
    this insert, and the rows would outlive it. True when kept."""
    guard = CoverageMonthGuard
    postgres = session.get_bind().dialect.name == "postgresql"
    try:
        with session.begin_nested():
            if postgres:
                # Locked until commit: a writer's bump waits for it, then its delete sees these rows. SKIP LOCKED: a
                # writer holding it is not waited for, the keep is left to the next call.
                current = session.scalar(select(guard.generation).where(guard.id == GUARD)
                                         .with_for_update(skip_locked=True))
                unchanged = current == generation
            else:
                # SQLite writes one at a time: this update takes the write lock and checks in one step.
                unchanged = cast(CursorResult[Any], session.execute(
                    update(guard).where(guard.id == GUARD, guard.generation == generation)
                    .values(generation=guard.generation).execution_options(synchronize_session=False))).rowcount == 1
            if not unchanged:
                return False
            insert = postgresql.insert if postgres else sqlite.insert
            session.execute(insert(CoverageMonth).on_conflict_do_nothing(), [
                {"month_end": month_end, "team_id": team_id, "definition": key.definition,
                 "framework_id": key.framework_id, "proficient_level": key.proficient_level,
                 "staleness_days": key.staleness_days, "workers": counts.workers, "rated": counts.rated,
                 "proficient": counts.proficient} for month_end, team_id, counts in rows])
    except DBAPIError:
        # A read-only transaction or role, a concurrent write under repeatable read, a busy SQLite: the counts are
        # right, only not kept; the next call counts them again.
        return False
    return True
