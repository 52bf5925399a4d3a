"""The compliance view: per worker, the standard judged over a period (standard_status), with team, supervisors,
stage and the required numbers; a team roll-up; and the choices the filters offer."""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from typing import NamedTuple

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from dashboard.queries.common import TeamFilter, Window, visible_team_ids
from dashboard.queries.supervision import GapViolation, iter_standard_status
from dashboard.queries.supervision.ahead import Sessions, keep_months_ahead
from dashboard.queries.supervision.reasons import _gap_span
from dashboard.rule_packs import cited_by, rule_words
from dashboard.scope import Scope
from models import CertificationStage, Program, Staff, SupervisionStandard, Team, TeamSupervisor

MET, NOT_MET = "met", "not met"


@dataclass(frozen=True)
class ComplianceFilter:
    """What the viewer asked for; intersected with their Scope in the query layer, never trusted on its own."""

    program_id: int | None = None
    team_ids: frozenset[int] = frozenset()
    supervisor_id: int | None = None  # teams this person supervised at some point in the period
    stage_id: int | None = None  # workers holding this stage on the period's last judged day


class ComplianceRow(NamedTuple):
    """One worker's row of the view and the exports (a NamedTuple for the speed of building 100k of them; see
    WorkerStandard)."""

    worker_id: int
    worker_name: str
    program_name: str
    team_name: str
    supervisors: str  # the team's supervisors during the period, comma separated
    stage: str  # the stage's name on the period's last judged day ("" when none recorded)
    period_start: date
    period_end: date
    required_sessions: int | None
    held_sessions: int
    minutes: int
    minimum_minutes: int
    longest_gap_days: int | None
    status: str  # MET or NOT_MET
    reasons: tuple[str, ...]
    team_id: int = 0
    leave_days: int = 0  # days of the period on leave (left out of gaps, minimums and sessions required)

    @property
    def reasons_text(self) -> str:
        """The reasons as one cell of an export."""
        return "; ".join(self.reasons)


@dataclass(frozen=True)
class TeamRollup:
    team_id: int
    team_name: str
    program_name: str
    workers: int
    met: int

    @property
    def not_met(self) -> int:
        return self.workers - self.met

    @property
    def met_share(self) -> float | None:
        return self.met / self.workers if self.workers else None


@dataclass(frozen=True)
class Choice:
    value: int | str
    label: str


@dataclass(frozen=True)
class FilterChoices:
    programs: tuple[Choice, ...]
    teams: tuple[Choice, ...]
    supervisors: tuple[Choice, ...]
    stages: tuple[Choice, ...]  # value: the stage's code


def _supervised_during(window: Window, supervisor_id: int):  # type: ignore[no-untyped-def]
    return select(TeamSupervisor.team_id).where(
        TeamSupervisor.staff_id == supervisor_id, TeamSupervisor.start_date <= window.end,
        or_(TeamSupervisor.end_date.is_(None), TeamSupervisor.end_date > window.start))


def team_filter(session: Session, scope: Scope, window: Window, filters: ComplianceFilter) -> TeamFilter | None:
    """The TeamFilter for standard_status: the program and teams asked for, narrowed to the teams the chosen
    supervisor led during the period; None when no visible team is left."""
    team_ids = filters.team_ids
    if filters.supervisor_id is not None:
        led = frozenset(session.scalars(_supervised_during(window, filters.supervisor_id)))
        team_ids = (team_ids & led) if team_ids else led
        if not team_ids:
            return None
    narrowed = TeamFilter(program_id=filters.program_id, team_ids=team_ids)
    if session.scalar(visible_team_ids(scope, narrowed).limit(1)) is None:
        return None
    return narrowed


def _team_details(session: Session, scope: Scope, window: Window, teams: TeamFilter
                  ) -> tuple[dict[int, str], dict[int, str]]:
    """team id -> program name, and team id -> its supervisors during the period (names, comma separated)."""
    visible = visible_team_ids(scope, teams)
    programs = dict(session.execute(select(Team.id, Program.name).join(Program, Program.id == Team.program_id)
                                    .where(Team.id.in_(visible))).all())
    supervisors: dict[int, list[str]] = {}
    for team_id, name in session.execute(
            select(TeamSupervisor.team_id, Staff.full_name).join(Staff, Staff.id == TeamSupervisor.staff_id)
            .where(TeamSupervisor.team_id.in_(visible), TeamSupervisor.start_date <= window.end,
                   or_(TeamSupervisor.end_date.is_(None), TeamSupervisor.end_date > window.start))
            .distinct().order_by(TeamSupervisor.team_id, Staff.full_name)):
        supervisors.setdefault(team_id, []).append(name)
    return programs, {team_id: ", ".join(names) for team_id, names in supervisors.items()}


def _citations(session: Session) -> list[tuple[date, str | None]]:
    """Each standard version's effective date and the citation of the pack it came from (None: no citation),
    newest first."""
    versions = session.execute(select(SupervisionStandard.effective_from, SupervisionStandard.source)
                               .order_by(SupervisionStandard.effective_from.desc())).all()
    return [(day, pack.citation if (pack := cited_by(source)) else None) for day, source in versions]


def cite(reasons: tuple[str, ...], gaps: tuple[GapViolation, ...],
         citations: list[tuple[date, str | None]]) -> tuple[str, ...]:
    """The reasons with each too-long gap naming the rule it broke when the standard version in force on the gap's
    first day (the one that set its limit) carries a citation: "gap of 9 days in March 2026 (2 to 11 Mar); limit 7;
    DC 22-A DCMR 7314: weekly". Added here, when the reasons are shown, so the kept judgements are unchanged; a
    version without a citation leaves the reason as it was."""
    texts = list(reasons)
    for gap in gaps:
        citation = next((c for day, c in citations if day <= gap.start), None)
        if citation is None:
            continue
        opening = f"gap of {gap.days} days {_gap_span(gap.start, gap.end)}"
        ending = f"; limit {gap.limit}"
        for index, text in enumerate(texts):
            if text.startswith(opening) and text.endswith(ending):
                texts[index] = f"{text}; {citation}: {rule_words(gap.limit)}"
                break
    return tuple(texts)


def iter_rows(session: Session, scope: Scope, window: Window, filters: ComplianceFilter, *,
              by_month: bool = False, stream: bool = False) -> Iterator[ComplianceRow]:
    """One row per peer worker (per calendar month with by_month) judged by standard_status over the period.

    Team, stage, sessions, minutes, gaps and reasons are standard_status's: the team at the period's end (or
    the last visible team in it), the stage on its last judged day. supervisors: the team's supervisors at
    any time in the period. required_sessions / minimum_minutes: WorkerStandard.required_individual_sessions
    and required_minutes. Ordered by team name, worker name (then month). With stream, rows come from the
    database in batches and are never all held at once.
    """
    teams = team_filter(session, scope, window, filters)
    if teams is None:
        return
    programs, supervisors = _team_details(session, scope, window, teams)
    stages = dict(session.execute(select(CertificationStage.code, CertificationStage.name)).all())
    citations = _citations(session)
    cited = any(c for _, c in citations)

    def row(worker_id: int, worker_name: str, team_id: int, team_name: str, stage_code: str | None, meets: bool,
            individual_sessions: int, minutes: int, longest_gap_days: int | None,
            gap_violations: tuple[GapViolation, ...],
            month_shortfalls: object, reasons: tuple[str, ...], period_start: date | None, period_end: date | None,
            required_individual_sessions: int | None, required_minutes: int, leave_days: int) -> ComplianceRow:
        """A ComplianceRow from a WorkerStandard's fields (iter_standard_status's make)."""
        if cited and gap_violations:
            reasons = cite(reasons, gap_violations, citations)
        return ComplianceRow(
            worker_id, worker_name, programs.get(team_id, ""), team_name, supervisors.get(team_id, ""),
            stages.get(stage_code or "", ""), period_start or window.start, period_end or window.end,
            required_individual_sessions, individual_sessions, minutes, required_minutes, longest_gap_days,
            MET if meets else NOT_MET, reasons, team_id, leave_days)

    yield from iter_standard_status(session, scope, window, teams, by_month=by_month, stage_id=filters.stage_id,
                                    stream=stream, make=row)


def keep_ahead(sessions: Sessions, scope: Scope, window: Window, filters: ComplianceFilter) -> int:
    """Before iter_rows(by_month=True) over the same window and filters, in a transaction of its own: the months
    writes made stale judged and kept on two connections at once (supervision.keep_months_ahead; PostgreSQL, and
    only when many are stale). Returns how many connections kept their share."""
    with sessions() as session:
        teams = team_filter(session, scope, window, filters)
    return 0 if teams is None else keep_months_ahead(sessions, scope, window, teams, filters.stage_id)


def rows(session: Session, scope: Scope, window: Window, filters: ComplianceFilter) -> list[ComplianceRow]:
    """iter_rows for one period, as a list (the page's grid)."""
    return list(iter_rows(session, scope, window, filters))


def rollup(rows_: list[ComplianceRow]) -> list[TeamRollup]:
    """Workers and workers meeting the standard per team, counted from the view's own rows (so the roll-up can
    never disagree with the table under it), in the rows' order (team name)."""
    counts: dict[int, list[int]] = {}
    names: dict[int, tuple[str, str]] = {}
    for row in rows_:
        count = counts.setdefault(row.team_id, [0, 0])
        count[0] += 1
        count[1] += row.status == MET
        names[row.team_id] = (row.team_name, row.program_name)
    return [TeamRollup(team_id, names[team_id][0], names[team_id][1], workers, met)
            for team_id, (workers, met) in counts.items()]


def choices(session: Session, scope: Scope, window: Window) -> FilterChoices:
    """Programs, teams and stages the viewer may choose, and the supervisors who led a visible team in the
    period (by name)."""
    visible = visible_team_ids(scope, TeamFilter())
    team_rows = session.execute(
        select(Team.id, Team.name, Program.id, Program.name).join(Program, Program.id == Team.program_id)
        .where(Team.id.in_(visible), Team.archived_on.is_(None))  # archived teams keep their rows, not a choice
        .order_by(Program.name, Team.name)).all()
    programs = sorted({(p_id, p_name) for _, _, p_id, p_name in team_rows}, key=lambda p: p[1])
    supervisors = session.execute(
        select(Staff.id, Staff.full_name).join(TeamSupervisor, TeamSupervisor.staff_id == Staff.id)
        .where(TeamSupervisor.team_id.in_(visible), TeamSupervisor.start_date <= window.end,
               or_(TeamSupervisor.end_date.is_(None), TeamSupervisor.end_date > window.start))
        .distinct().order_by(Staff.full_name, Staff.id)).all()
    stages = session.execute(select(CertificationStage.code, CertificationStage.name)
                             .order_by(CertificationStage.sort_order, CertificationStage.name)).all()
    return FilterChoices(
        programs=tuple(Choice(p_id, name) for p_id, name in programs),
        teams=tuple(Choice(t_id, f"{t_name} ({p_name})") for t_id, t_name, _, p_name in team_rows),
        supervisors=tuple(Choice(s_id, name) for s_id, name in supervisors),
        stages=tuple(Choice(code, name) for code, name in stages))
