"""Kept coverage counts of closed months per team (coverage_months), and the guard that says a keep may be written."""
from __future__ import annotations

from datetime import date

from sqlalchemy import Date, ForeignKey
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base

# The only row of coverage_month_guard and meeting_month_guard.
GUARD = 1


class CoverageMonth(Base):
    """One team's unsuppressed coverage-trend counts on one closed month's last day, counted under the key's
    settings: the peer workers on the team that day, their current supervisor ratings of primary-mapped competencies
    (rated) and those at or above the proficient level. Database triggers (migration 0016) delete the rows of every
    month a write to ratings, memberships, staff dates or the framework could change, so a kept row always equals
    the live count; rows counted under another framework, level, staleness or definition are simply not read."""

    __tablename__ = "coverage_months"
    # month_end leads the key: the triggers delete "every month from this day on", a range on it.
    month_end: Mapped[date] = mapped_column(Date, primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"), primary_key=True,
                                         autoincrement=False)
    # The version of the trend's rule the counts were counted by (coverage.TREND_DEFINITION when kept).
    definition: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    framework_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    proficient_level: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    staleness_days: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    workers: Mapped[int]
    rated: Mapped[int]
    proficient: Mapped[int]


class CoverageMonthGuard(Base):
    """One row whose generation the triggers bump (before deleting) on every write dated before the current month.
    A keep reads it before counting and writes only if it is unchanged and not locked by a writer, so counts taken
    from a snapshot that a concurrent write made stale are never kept."""

    __tablename__ = "coverage_month_guard"
    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    generation: Mapped[int]
