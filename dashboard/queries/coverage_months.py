"""Kept coverage-trend counts of closed months: read from coverage_months, the missing ones counted once and kept."""
from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy.orm import Session

from dashboard.queries import kept_months
from dashboard.queries.common import MetricSettings
from dashboard.queries.kept_months import is_closed
from models import CoverageMonth, CoverageMonthGuard

__all__ = ["NOBODY", "MonthKey", "TeamCounts", "is_closed", "shown_totals", "team_counts"]


@dataclass(frozen=True)
class TeamCounts:
    """One team's unsuppressed counts on one trend date: its peer workers that day, their current supervisor ratings
    of primary-mapped competencies, and those at or above the proficient level."""

    workers: int
    rated: int
    proficient: int


NOBODY = TeamCounts(0, 0, 0)


@dataclass(frozen=True)
class MonthKey:
    """Everything other than the data that changes a month's counts: kept rows under another key are not read."""

    definition: int
    framework_id: int
    proficient_level: int
    staleness_days: int


def _store(key: MonthKey) -> kept_months.Store[TeamCounts]:
    return kept_months.Store(CoverageMonth, CoverageMonthGuard, dataclasses.asdict(key), TeamCounts)


def team_counts(session: Session, key: MonthKey, team_ids: Sequence[int], dates: Sequence[date], today: date,
                count: kept_months.Counter[TeamCounts]) -> dict[tuple[date, int], TeamCounts]:
    """kept_months.team_counts over coverage_months under `key`."""
    return kept_months.team_counts(session, _store(key), team_ids, dates, today, count)


def shown_totals(session: Session, key: MonthKey, team_ids: Sequence[int], dates: Sequence[date], today: date,
                 count: kept_months.Counter[TeamCounts], settings: MetricSettings) -> dict[date, TeamCounts]:
    """kept_months.shown_totals over coverage_months under `key`."""
    return kept_months.shown_totals(session, _store(key), team_ids, dates, today, count, settings)


def _keep(session: Session, key: MonthKey, rows: list[tuple[date, int, TeamCounts]], generation: int) -> bool:
    return kept_months.keep(session, _store(key), rows, generation)
