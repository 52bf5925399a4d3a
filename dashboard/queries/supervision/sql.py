"""Portable SQL pieces: day arithmetic alike on PostgreSQL and SQLite, dated rows in force, calendar months."""
from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import (CTE, ColumnElement, Date, Integer, SQLColumnExpression, and_, case, literal, literal_column,
                        or_, select, union_all)
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import FunctionElement

from models import Staff


class days_between(FunctionElement[int]):
    """Whole days from `earlier` to `later` (later - earlier) on PostgreSQL and SQLite alike."""

    type = Integer()
    inherit_cache = True
    name = "days_between"


@compiles(days_between)
def _days_between_default(element: days_between, compiler: SQLCompiler, **kw: Any) -> str:
    later, earlier = list(element.clauses)
    return f"({compiler.process(later, **kw)} - {compiler.process(earlier, **kw)})"


@compiles(days_between, "sqlite")
def _days_between_sqlite(element: days_between, compiler: SQLCompiler, **kw: Any) -> str:
    later, earlier = list(element.clauses)
    return f"CAST(julianday({compiler.process(later, **kw)}) - julianday({compiler.process(earlier, **kw)}) AS INTEGER)"


class days_later(FunctionElement[date]):
    """A date plus a whole number of days (negative: earlier), on PostgreSQL and SQLite alike; see day_before."""

    type = Date()
    inherit_cache = True
    name = "days_later"


@compiles(days_later)
def _days_later_default(element: days_later, compiler: SQLCompiler, **kw: Any) -> str:
    day, days = (compiler.process(clause, **kw) for clause in element.clauses)
    return f"({day} + {days})"


@compiles(days_later, "sqlite")
def _days_later_sqlite(element: days_later, compiler: SQLCompiler, **kw: Any) -> str:
    day, days = (compiler.process(clause, **kw) for clause in element.clauses)
    return f"date({day}, '{int(days):+d} day')"


def day_before(day: ColumnElement[date]) -> ColumnElement[date]:
    return days_later(day, literal_column("-1"))


def day_after(day: ColumnElement[date]) -> ColumnElement[date]:
    return days_later(day, literal_column("1"))


def _day(value: date) -> ColumnElement[date]:
    return literal(value, Date)


def _later(a: SQLColumnExpression[date], b: SQLColumnExpression[date]) -> ColumnElement[date]:
    return case((a > b, a), else_=b)


def _earlier(a: ColumnElement[date], b: ColumnElement[date]) -> ColumnElement[date]:
    return case((a < b, a), else_=b)


def _until(left_on: SQLColumnExpression[date | None], end_exclusive: ColumnElement[date]) -> ColumnElement[date]:
    """The first day not judged: the end (exclusive) or the leaving day, whichever is first."""
    return case((and_(left_on.is_not(None), left_on < end_exclusive), left_on), else_=end_exclusive)


def _holds_on(model: Any, day: ColumnElement[date] | date) -> ColumnElement[bool]:
    """Half-open dated rows ([start_date, end_date)) in force on `day`."""
    return and_(model.start_date <= day, or_(model.end_date.is_(None), model.end_date > day))


def _employed_on(day: ColumnElement[date] | date) -> ColumnElement[bool]:
    return and_(Staff.hire_date <= day, or_(Staff.left_on.is_(None), Staff.left_on > day))


def _month_start(day: date) -> date:
    return day.replace(day=1)


def _next_month(day: date) -> date:
    return date(day.year + day.month // 12, day.month % 12 + 1, 1)


def _calendar_months(first: date, last: date) -> list[tuple[date, date]]:
    """(first day, first day of the next month) of each calendar month overlapping [first, last]."""
    months = []
    month = _month_start(first)
    while month <= last:
        months.append((month, _next_month(month)))
        month = _next_month(month)
    return months


def _months_cte(months: list[tuple[date, date]], name: str) -> CTE:
    """Literal rows month_start, next_month, month_days."""
    rows = [select(_day(month).label("month_start"), _day(following).label("next_month"),
                   literal((following - month).days, Integer).label("month_days")) for month, following in months]
    return (union_all(*rows) if len(rows) > 1 else rows[0]).cte(name)


def _month_of(day: ColumnElement[date], months: list[tuple[date, date]]) -> ColumnElement[date]:
    """The first day of the month of `day`, for days inside the given months (a CASE over literal bounds)."""
    if len(months) == 1:
        return _day(months[0][0])
    return case(*[(day < _day(following), _day(month)) for month, following in months[:-1]],
                else_=_day(months[-1][0]))
