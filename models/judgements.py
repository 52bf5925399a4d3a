"""The kept judgement of whole calendar months (meeting the standard by month), and the versions that say
whether it still holds."""
from __future__ import annotations

from datetime import date

from sqlalchemy import Date, Float, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base

# judgement_versions' row for what every worker's judgement reads: the standard and the stages.
EVERYONE = 0


class JudgementVersion(Base):
    """Bumped by database triggers (migration 0005) whenever something a worker's judgement reads changes: the
    sessions they attended, their hire and leaving dates, stage assignments and leave; row EVERYONE for the
    standard and the certification stages. Triggers, not application code, so that imports, the CLI and
    manual SQL cannot go around them."""

    __tablename__ = "judgement_versions"
    worker_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    version: Mapped[int]


class MonthJudgement(Base):
    """The rows the judgement statement gives for one worker and one whole calendar month (a summary, kind 0,
    then its violating gaps, kind 1, and short months, kind 2), without what depends on the team. Valid while
    version and everyone_version equal the judgement_versions rows (a missing row is version 0) and definition
    is the judgement's current definition (dashboard.queries.supervision.kept.JUDGEMENT_DEFINITION)."""

    __tablename__ = "month_judgements"
    # A period's kept rows are read by month (a quarter of five years' worth); the key leads with the worker.
    __table_args__ = (Index("ix_month_judgements_month_kind", "month", "kind"),)
    worker_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    month: Mapped[date] = mapped_column(Date, primary_key=True)
    # The version of the judgement's rule the rows were judged by (JUDGEMENT_DEFINITION when kept).
    definition: Mapped[int] = mapped_column(primary_key=True, autoincrement=False, server_default="1")
    version: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    everyone_version: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    kind: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    seq: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    day: Mapped[date | None] = mapped_column(Date)
    period_end_excl: Mapped[date | None] = mapped_column(Date)
    stage_code: Mapped[str | None] = mapped_column(String(40))
    longest: Mapped[int | None] = mapped_column(Integer)
    sessions: Mapped[int | None] = mapped_column(Integer)
    minutes: Mapped[int | None] = mapped_column(Integer)
    minimum: Mapped[int | None] = mapped_column(Integer)
    expected: Mapped[float | None] = mapped_column(Float)
    unruled: Mapped[int | None] = mapped_column(Integer)
    leave_days: Mapped[int | None] = mapped_column(Integer)
    days: Mapped[int | None] = mapped_column(Integer)
    max_days: Mapped[int | None] = mapped_column(Integer)
    counted: Mapped[int | None] = mapped_column(Integer)
    required: Mapped[int | None] = mapped_column(Integer)
    employed_days: Mapped[int | None] = mapped_column(Integer)
    month_days: Mapped[int | None] = mapped_column(Integer)
    gap_end: Mapped[date | None] = mapped_column(Date)
    away: Mapped[int | None] = mapped_column(Integer)


class WindowJudgement(Base):
    """One worker's verdict over one window ending on the day it was judged (the Overview's "Meeting the standard"
    card: last 30, 90, 180 or 365 days, or a custom window ending today), so that the day's later views read it
    instead of judging every worker again. Valid under the same versions as month_judgements; rows of windows that
    ended before today are deleted by the next keep (dashboard.queries.supervision.kept_windows)."""

    __tablename__ = "window_judgements"
    # The window leads the key: a view reads one window's rows, and the clean-up deletes a range of ends.
    period_end_excl: Mapped[date] = mapped_column(Date, primary_key=True)
    period_start: Mapped[date] = mapped_column(Date, primary_key=True)
    worker_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    definition: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    version: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    everyone_version: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    bad: Mapped[int]  # 1: the standard was not met over the window
