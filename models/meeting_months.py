"""Kept meeting-trend counts of closed months per team (meeting_months), and the guard that lets a keep be written."""
from __future__ import annotations

from datetime import date

from sqlalchemy import Date, ForeignKey
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base


class MeetingMonth(Base):
    """One team's unsuppressed meeting-trend counts for one closed month: the peer workers on the team on the month's
    last day, judged over the month, and how many of them met the standard. Database triggers (migration 0017) delete
    the rows of every month a write to attendances, sessions, stages, leave, memberships, staff dates or the standard
    could change, so a kept row always equals the live count; rows counted under another definition are not read."""

    __tablename__ = "meeting_months"
    # month_end leads the key: the triggers delete "every month from this day on", a range on it.
    month_end: Mapped[date] = mapped_column(Date, primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"), primary_key=True,
                                         autoincrement=False)
    # The trend's own rule (kpis.MEETING_TREND_DEFINITION) and the judgement's (rule.JUDGEMENT_DEFINITION) when kept.
    definition: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    judgement_definition: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    workers: Mapped[int]
    meeting: Mapped[int]


class MeetingMonthGuard(Base):
    """coverage_month_guard's twin for meeting_months: its generation is bumped by migration 0017's triggers, so a
    keep counted from a snapshot that a concurrent write made stale is refused."""

    __tablename__ = "meeting_month_guard"
    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    generation: Mapped[int]
