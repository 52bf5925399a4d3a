"""CSV import of teams, staff, team moves, certification stages, leave, supervision sessions and ratings:
parse → validate → plan → apply.

One service for the upload page, the command line and the templates. A run reads the whole file, checks every row
against the database with a few set-based queries, and plans what would change. A dry run stops there;
a commit applies the plan in the caller's transaction, and only when no row has an error (all or
nothing). Rows are matched by natural keys, so importing the same file twice changes nothing:

- teams: program name, and team name within the program;
- staff: employee code (an uncoded staff record with the same name, role and hire date is adopted);
- moves: employee code and start date;
- stages: employee code and from date;
- leave: employee code and first day away;
- sessions: supervisor, date and the set of attendees;
- ratings: worker, competency, rater role, rater and date.

Row numbers are the spreadsheet's: the header is row 1, the first data row is row 2.

The package: reading.py (bytes → ParsedFile, dates and values), plan.py (the plan, the report, the row checker,
the shared look-ups, the bulk audit events, import_file), and one module per kind holding its columns (KIND) beside
its planner (make_plan). Rows are written by dashboard/bulk.py, the writer the demo generator uses too. A new
kind is one module and one line in KIND_MODULES below: the Import page, its template CSV and the command line all
read KINDS.
"""
from __future__ import annotations

from datetime import date
from types import ModuleType

from sqlalchemy.orm import Session

from dashboard.audit import Actor
from dashboard.importers import leave, moves, ratings, sessions, staff, stages, teams
from dashboard.importers.plan import (MAX_ERRORS, PREVIEW_ROWS, Change, ImportReport, Plan, Planner, RowChecker,
                                      import_file, record_created)
from dashboard.importers.ratings import RatingRow, insert_ratings
from dashboard.importers.reading import (DATE_ORDERS, Column, ImportRefused, Kind, ParsedFile, RowError, parse_date,
                                         read_csv, shown)
from dashboard.importers.sessions import SESSION_COLUMNS, SessionRow, insert_sessions, session_tuples

# The registry: one module per kind, in the order the Import page lists them.
KIND_MODULES: tuple[ModuleType, ...] = (teams, staff, moves, stages, leave, sessions, ratings)
KINDS: dict[str, Kind] = {module.KIND.key: module.KIND for module in KIND_MODULES}
PLANNERS: dict[str, Planner] = {module.KIND.key: module.make_plan for module in KIND_MODULES}


def run_import(session: Session, kind_key: str, data: bytes, *, file_name: str, actor: Actor, today: date,
               commit: bool = False, date_order: str = "iso") -> ImportReport:
    """Check a whole file of the kind named and report what it would change; with commit=True and no errors,
    apply it (plan.import_file: one transaction, all or nothing)."""
    if kind_key not in KINDS:
        raise ImportRefused(f"unknown import kind {kind_key!r}; choose one of {', '.join(KINDS)}")
    return import_file(session, KINDS[kind_key], PLANNERS[kind_key], data, file_name=file_name, actor=actor,
                       today=today, commit=commit, date_order=date_order)


__all__ = ["DATE_ORDERS", "KINDS", "KIND_MODULES", "MAX_ERRORS", "PLANNERS", "PREVIEW_ROWS", "SESSION_COLUMNS",
           "Change", "Column", "ImportRefused", "ImportReport", "Kind", "ParsedFile", "Plan", "Planner", "RatingRow",
           "RowChecker", "RowError", "SessionRow", "import_file", "insert_ratings", "insert_sessions",
           "parse_date", "read_csv", "record_created", "run_import", "session_tuples", "shown"]
