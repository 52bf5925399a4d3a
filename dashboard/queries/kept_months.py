"""Kept per-team counts of closed months (coverage_months, meeting_months): read where kept, the rest counted once."""
from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, Generic, TypeVar, cast

from sqlalchemy import CursorResult, and_, case, func, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from dashboard.queries.common import MetricSettings
from models import GUARD  # the guard tables' only row

C = TypeVar("C")  # one team's counts on one date: a frozen dataclass of ints named as the table's count columns,
# one of them `workers` (the team's head count, which decides whether it is shown: shown_totals)


@dataclass(frozen=True)
class Store(Generic[C]):
    """Where one trend's months are kept: the table (month_end, team_id, the key's columns, C's fields), its guard
    (id, generation; bumped by the table's triggers) and the key the counts are read and kept under (everything
    other than the data that changes them)."""

    table: type[Any]
    guard: type[Any]
    key: Mapping[str, int]
    counts: type[C]

    def nobody(self) -> C:
        """The counts of a team nobody was on."""
        return self.counts(*(0 for _ in dataclasses.fields(cast(Any, self.counts))))


# What counting a set of dates gives: (date, team_id) -> counts; a team nobody was on that day may be left out.
Counter = Callable[[list[date]], dict[tuple[date, int], C]]


def is_closed(day: date, today: date) -> bool:
    """A closed month's end: the last day of a month that ended before today. Only those are kept; a month to date
    gains records every day and would be invalidated as often as it was kept."""
    return day < today and (day + timedelta(days=1)).day == 1


def team_counts(session: Session, store: Store[C], team_ids: Sequence[int], dates: Sequence[date], today: date,
                count: Counter[C]) -> dict[tuple[date, int], C]:
    """Every team's counts on every date: closed months read from the store where kept for all of team_ids, the rest
    counted by `count` in one call (the dates not kept, and any that are not closed months), of which the closed
    months are then kept. A keep that cannot be written (a read-only transaction, a concurrent write) leaves the
    answer as counted."""
    closed = [d for d in dates if is_closed(d, today)]
    kept = _kept(session, store, team_ids, closed) if closed and team_ids else {}
    complete = {d for d in closed if all((d, team) in kept for team in team_ids)}
    missing = [d for d in dates if d not in complete]
    if not missing:
        return kept
    to_keep = [d for d in missing if is_closed(d, today)]
    # Read before counting: a write committed after this changes the generation (see keep), so counts taken from an
    # older snapshot than the generation says are never kept.
    generation = session.scalar(select(store.guard.generation).where(store.guard.id == GUARD)) \
        if to_keep and team_ids else None
    counted = count(missing)
    if generation is not None:
        nobody = store.nobody()
        keep(session, store, [(d, team, counted.get((d, team), nobody)) for d in to_keep for team in team_ids],
             generation)
    return {**{k: v for k, v in kept.items() if k[0] in complete}, **counted}


def shown_totals(session: Session, store: Store[C], team_ids: Sequence[int], dates: Sequence[date], today: date,
                 count: Counter[C], settings: MetricSettings) -> dict[date, C]:
    """Per date, the counts summed over the teams shown on it: a team nobody was on, or too small to show
    (settings.suppressed), adds nothing (common.shown_team_ids' rule). Closed months kept for every one of team_ids
    are summed by the database, one row a month where the teams' rows took ~10 ms of Python for an agency's year;
    the rest come from team_counts (counted, and kept)."""
    totals = _kept_totals(session, store, team_ids, [d for d in dates if is_closed(d, today)], settings) \
        if team_ids else {}
    rest = [d for d in dates if d not in totals]
    if rest:
        names = [f.name for f in dataclasses.fields(cast(Any, store.counts))]
        per_team = team_counts(session, store, team_ids, rest, today, count)
        for day in rest:
            shown = [c for c in (per_team.get((day, team)) for team in team_ids)
                     if c is not None and getattr(c, "workers") > 0 and not settings.suppressed(getattr(c, "workers"))]
            totals[day] = store.counts(*(sum(getattr(c, name) for c in shown) for name in names))
    return {day: totals[day] for day in dates}


def _kept_totals(session: Session, store: Store[C], team_ids: Sequence[int], closed: list[date],
                 settings: MetricSettings) -> dict[date, C]:
    """shown_totals of the closed months kept for every one of team_ids (a month missing a team is left out)."""
    if not closed:
        return {}
    kept = store.table
    names = [f.name for f in dataclasses.fields(cast(Any, store.counts))]
    shown = and_(kept.workers > 0, settings.shown(kept.workers))
    rows = session.execute(
        select(kept.month_end, func.count(), *(func.sum(case((shown, getattr(kept, name)), else_=0)) for name in names))
        .where(kept.month_end.in_(closed), kept.team_id.in_(team_ids),
               *(getattr(kept, column) == value for column, value in store.key.items()))
        .group_by(kept.month_end))
    return {row[0]: store.counts(*(int(value or 0) for value in row[2:])) for row in rows if row[1] == len(team_ids)}


def _kept(session: Session, store: Store[C], team_ids: Sequence[int], closed: list[date]
          ) -> dict[tuple[date, int], C]:
    kept = store.table
    names = [f.name for f in dataclasses.fields(cast(Any, store.counts))]
    return {(row[0], row[1]): store.counts(*row[2:]) for row in session.execute(
        select(kept.month_end, kept.team_id, *(getattr(kept, name) for name in names))
        .where(kept.month_end.in_(closed), kept.team_id.in_(team_ids),
               *(getattr(kept, column) == value for column, value in store.key.items())))}


def keep(session: Session, store: Store[C], rows: list[tuple[date, int, C]], generation: int) -> bool:
    """Insert the counted rows, unless a write that could change them has happened since the generation was read
    (its trigger bumped the generation) or is under way (it holds the guard's row): its delete may have run before
    this insert, and the rows would outlive it. True when kept."""
    guard = store.guard
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
            session.execute(insert(store.table).on_conflict_do_nothing(), [
                {"month_end": month_end, "team_id": team_id, **store.key, **dataclasses.asdict(cast(Any, counts))}
                for month_end, team_id, counts in rows])
    except DBAPIError:
        # A read-only transaction or role, a concurrent write under repeatable read, a busy SQLite: the counts are
        # right, only not kept; the next call counts them again.
        return False
    return True
