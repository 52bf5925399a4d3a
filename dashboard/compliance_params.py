"""The compliance view's parameters (start, end, program, team, supervisor, stage, by), read the same way by
the page and the export addresses: checked against the viewer's scope, a clear message when wrong."""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any
from urllib.parse import urlencode

from sqlalchemy import select
from sqlalchemy.orm import Session

from dashboard.dates import show
from dashboard.numbers import is_digits, iso_day
from dashboard.queries.common import ALL, Window
from dashboard.queries.compliance import ComplianceFilter, FilterChoices, choices
from dashboard.scope import Scope
from models import CertificationStage

MAX_PERIOD_DAYS = 5 * 366  # five years (the retention of most funders' audits); longer is likely a mistake
KEYS = ("start", "end", "program", "team", "supervisor", "stage", "by")


class BadParameter(ValueError):
    """A parameter that cannot be used; the message says which and why, in words for the person asking."""


@dataclass(frozen=True)
class ComplianceRequest:
    window: Window
    filters: ComplianceFilter
    by_month: bool
    asked_end: date  # the end asked for; window.end is cut at today
    labels: tuple[tuple[str, str], ...]  # the parameters in words, for the file's header

    def query_string(self) -> str:
        """The stable address's query (the same parameters give the same file)."""
        params: list[tuple[str, Any]] = [("start", self.window.start.isoformat()),
                                         ("end", self.asked_end.isoformat())]
        if self.filters.program_id is not None:
            params.append(("program", self.filters.program_id))
        if self.filters.team_ids:
            params.append(("team", ",".join(str(t) for t in sorted(self.filters.team_ids))))
        if self.filters.supervisor_id is not None:
            params.append(("supervisor", self.filters.supervisor_id))
        if self.filters.stage_id is not None:
            params.append(("stage", dict(self.labels).get("_stage_code", "")))
        if self.by_month:
            params.append(("by", "month"))
        return urlencode(params)

    def audit_values(self) -> dict[str, Any]:
        return {"start": self.window.start, "end": self.window.end, "asked_end": self.asked_end,
                "program_id": self.filters.program_id, "team_ids": sorted(self.filters.team_ids),
                "supervisor_id": self.filters.supervisor_id, "stage_id": self.filters.stage_id,
                "by": "month" if self.by_month else "worker"}

    def described(self) -> list[tuple[str, str]]:
        return [(k, v) for k, v in self.labels if not k.startswith("_")]


def _one(args: Mapping[str, Any], key: str) -> str:
    value = args.get(key)
    if isinstance(value, (list, tuple)):
        value = ",".join(str(v) for v in value)
    return "" if value is None else str(value).strip()


def _date(args: Mapping[str, Any], key: str) -> date:
    text = _one(args, key)
    if not text:
        raise BadParameter(f"'{key}' is missing: give a date as YYYY-MM-DD, e.g. {key}=2026-01-01.")
    try:
        return iso_day(text)
    except ValueError:
        raise BadParameter(f"'{key}' must be a date as YYYY-MM-DD, not {text[:40]!r}.") from None


def _ids(text: str, key: str) -> list[int]:
    if text in ("", ALL):
        return []
    parts = [p.strip() for p in text.split(",") if p.strip()]
    if not all(map(is_digits, parts)):
        raise BadParameter(f"'{key}' must be a number (or numbers separated by commas), not {text[:40]!r}.")
    return [int(p) for p in parts]


def parse(args: Mapping[str, Any], session: Session, scope: Scope, today: date) -> ComplianceRequest:
    """Check every parameter; a program, team or supervisor outside the viewer's scope is 'unknown', exactly
    like one that does not exist (a scope does not reveal what lies beyond it)."""
    start, end = _date(args, "start"), _date(args, "end")
    if end < start:
        raise BadParameter(f"'end' ({end}) is before 'start' ({start}).")
    if start > today:
        raise BadParameter(f"'start' ({start}) is after today ({today}): nothing has been held yet.")
    if (end - start).days + 1 > MAX_PERIOD_DAYS:
        raise BadParameter(f"The period is longer than {MAX_PERIOD_DAYS} days; choose a shorter one.")
    window = Window(start, min(end, today))
    offered: FilterChoices = choices(session, scope, window)
    # Read by people (the PDF's and the workbook's parameters), so in the agency's format; the address keeps ISO.
    labels: list[tuple[str, str]] = [("Period", f"{show(window.start)} to {show(window.end)}"
                                      + (f" (asked to {show(end)}; cut at today)" if end > today else ""))]

    program_ids = _ids(_one(args, "program"), "program")
    if len(program_ids) > 1:
        raise BadParameter("'program' takes one program.")
    programs = {c.value: c.label for c in offered.programs}
    program_id = program_ids[0] if program_ids else None
    if program_id is not None and program_id not in programs:
        raise BadParameter(f"Unknown program {program_id}.")
    labels.append(("Program", programs[program_id] if program_id is not None else "All programs"))

    teams = {c.value: c.label for c in offered.teams}
    team_ids = _ids(_one(args, "team"), "team")
    unknown = [t for t in team_ids if t not in teams]
    if unknown:
        raise BadParameter(f"Unknown team {', '.join(map(str, unknown))}.")
    labels.append(("Teams", ", ".join(teams[t] for t in sorted(set(team_ids))) if team_ids else "All teams"))

    supervisor_ids = _ids(_one(args, "supervisor"), "supervisor")
    supervisors = {c.value: c.label for c in offered.supervisors}
    if len(supervisor_ids) > 1:
        raise BadParameter("'supervisor' takes one supervisor.")
    supervisor_id = supervisor_ids[0] if supervisor_ids else None
    if supervisor_id is not None and supervisor_id not in supervisors:
        raise BadParameter(f"Unknown supervisor {supervisor_id} (not leading a team you can see in this period).")
    labels.append(("Supervisor", supervisors[supervisor_id] if supervisor_id is not None else "All supervisors"))

    stage_code = _one(args, "stage")
    stages = {c.value: c.label for c in offered.stages}
    stage_id = None
    if stage_code not in ("", ALL):
        if stage_code not in stages:
            raise BadParameter(f"Unknown stage {stage_code[:40]!r}; use one of: {', '.join(map(str, stages))}.")
        stage_id = session.scalar(select(CertificationStage.id).where(CertificationStage.code == stage_code))
        labels.append(("_stage_code", stage_code))
    labels.append(("Stage", stages[stage_code] if stage_id is not None else "All stages"))

    by = _one(args, "by") or "worker"
    if by not in ("worker", "month"):
        raise BadParameter(f"'by' must be 'worker' or 'month', not {by[:20]!r}.")
    labels.append(("Rows", "one per worker and calendar month" if by == "month" else "one per worker"))
    unexpected = sorted(set(args) - set(KEYS))
    if unexpected:
        raise BadParameter(f"Unknown parameter {', '.join(repr(k[:20]) for k in unexpected[:3])}; "
                           f"use {', '.join(KEYS)}.")
    return ComplianceRequest(window, ComplianceFilter(program_id, frozenset(team_ids), supervisor_id, stage_id),
                             by == "month", end, tuple(labels))
