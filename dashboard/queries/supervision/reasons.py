"""A judgement's rows: the columns its statements share, read into WorkerStandard with reasons in words."""
from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Iterator
from datetime import date, timedelta
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, Date, Float, Integer, SQLColumnExpression, String, cast, func, null

from dashboard.queries.supervision.results import GapViolation, MonthShortfall

T = TypeVar("T")


# The columns of iter_standard_status's rows after (position, kind, day): a summary's, with the aggregate that
# forms it from the stacked rows (worker_id and period_start are the group), then a detail's. Each row leaves the
# others' columns NULL.
_SUMMARY: tuple[tuple[str, Any, Any], ...] = (
    ("worker_id", Integer, None), ("period_start", Date, None), ("period_end_excl", Date, func.max),
    ("full_name", String, func.max), ("team_id", Integer, func.max), ("team_name", String, func.max),
    ("stage_code", String, func.max), ("longest", Integer, func.max), ("sessions", Integer, func.sum),
    ("minutes", Integer, func.sum), ("minimum", Integer, func.sum), ("expected", Float, func.sum),
    ("unruled", Integer, func.sum), ("leave_days", Integer, func.sum))


_DETAIL: tuple[tuple[str, Any, Any], ...] = (
    ("days", Integer, None), ("max_days", Integer, None), ("counted", Integer, None), ("required", Integer, None),
    ("employed_days", Integer, None), ("month_days", Integer, None), ("gap_end", Date, None), ("away", Integer, None))


def _layout(columns: tuple[tuple[str, Any, Any], ...], **values: SQLColumnExpression[Any]) -> list[ColumnElement[Any]]:
    """The columns in order: the values given, a NULL of the column's type for the others (so that the parts of a
    UNION agree on each column's type)."""
    return [values.get(name, cast(null(), type_)).label(name) for name, type_, _ in columns]


# Month names for the reasons, looked up rather than formatted with strftime (a reason a row: ~0.2 s per 100k rows).
_MONTH_NAMES = ("", "January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
                "November", "December")


_MONTH_ABBREVIATIONS = tuple(name[:3] for name in _MONTH_NAMES)


def _month_label(month: date) -> str:
    return f"{_MONTH_NAMES[month.month]} {month.year}"


def _day_label(day: date) -> str:
    return f"{day.day} {_MONTH_ABBREVIATIONS[day.month]} {day.year}"


def _gap_span(start: date, end: date) -> str:
    """Words for a gap's dates: 'in March 2026 (2 to 25 Mar)' or 'from 10 Feb to 20 Mar 2026'."""
    until = f"{end.day} {_MONTH_ABBREVIATIONS[end.month]}"
    if (start.year, start.month) == (end.year, end.month):
        return f"in {_MONTH_NAMES[start.month]} {start.year} ({start.day} to {until})"
    first = f"{start.day} {_MONTH_ABBREVIATIONS[start.month]}"
    return f"from {first} to {until} {end.year}" if start.year == end.year else \
        f"from {first} {start.year} to {until} {end.year}"


class _Reasons:
    """The reasons a period's detail rows (violating gaps, short months) give for not meeting the standard."""

    def __init__(self) -> None:
        self.gap_violations: list[GapViolation] = []
        self.shortfalls: list[MonthShortfall] = []
        self.texts: list[str] = []

    def gap(self, start: date, end: date, away: int, days: int, limit: int | None) -> None:
        leave = f" (not counting {away} days on leave)" if away else ""
        if limit is None:
            # The row says only that no rule was found for the gap's first day: the worker held no stage then,
            # or the standard then in force has no rule for their stage (a stage added after it took effect).
            self.texts.append(f"gap of {days} days {_gap_span(start, end)}{leave}; no standard rule applies "
                              f"(no certification stage recorded on {_day_label(start)}, or no rule for the "
                              f"worker's stage in the standard in force then)")
        else:
            self.gap_violations.append(GapViolation(start, end, days, limit))
            self.texts.append(f"gap of {days} days {_gap_span(start, end)}{leave}; limit {limit}")

    def short_month(self, month: date, counted: int, required: int, employed: int, away: int,
                    month_days: int) -> None:
        self.shortfalls.append(MonthShortfall(month, counted, required, int(away)))
        note = (f" (pro-rated: at work {employed} of {month_days} days, {away} on leave)" if away else
                f" (pro-rated: employed {employed} of {month_days} days)" if employed < month_days else "")
        self.texts.append(f"{_month_label(month)}: {counted} of {required} minutes{note}")


def _standards(rows: Iterable[Any], make: Callable[..., T]) -> Iterator[T]:
    """iter_standard_status's rows read into make(WorkerStandard's fields): a summary row opens a period, its details
    follow."""
    summary: Any = None
    reasons: _Reasons | None = None  # only for periods with a detail row (most have none)
    # Rows are unpacked as tuples: reading 20 columns by name cost ~1 s per 100k rows.
    for row in rows:
        kind = row[1]
        if kind == 0:
            if summary is not None:
                yield _standard(summary, reasons, make)
            summary, reasons = row, None
            continue
        if reasons is None:
            reasons = _Reasons()
        day = row[2]
        days, limit, counted, required, employed, month_days, end, away = row[17:]
        if kind == 1:
            reasons.gap(day, end, away, int(days), limit)
        else:
            reasons.short_month(day, int(counted), int(required), employed, away, month_days)
    if summary is not None:
        yield _standard(summary, reasons, make)


def _standard(summary: Any, reasons: _Reasons | None, make: Callable[..., T]) -> T:
    """A period's row (make(WorkerStandard's fields, in order)) from its summary row and the reasons of its detail
    rows. Positional: keywords cost a microsecond a row."""
    (_, _, _, worker_id, period_start, period_end_excl, name, team_id, team_name, stage_code, longest, sessions,
     minutes, minimum, expected, unruled, leave_days) = summary[:17]
    return make(
        worker_id, name, team_id, team_name, stage_code,
        reasons is None,  # meets
        int(sessions or 0), int(minutes or 0),  # individual_sessions, minutes
        None if longest is None else int(longest),  # longest_gap_days
        () if reasons is None else tuple(reasons.gap_violations),
        () if reasons is None else tuple(reasons.shortfalls),  # month_shortfalls
        () if reasons is None else tuple(reasons.texts),  # reasons
        period_start, period_end_excl - _ONE_DAY,  # period_start, period_end
        # required_individual_sessions: NULL as soon as one month has no rule, or none is judged
        None if unruled or expected is None else math.floor(round(float(expected), 9)),
        int(minimum or 0), int(leave_days or 0))  # required_minutes, leave_days


_ONE_DAY = timedelta(days=1)
