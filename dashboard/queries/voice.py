"""The supervisee's voice, aggregated: the share of favourable answers per team and per supervisor over a window,
suppressed below the small-cell threshold of respondents.

Answers counted: those given (when acknowledging) about sessions held in the window. A team's are those of its
peer workers on the window's last day (the supervision-mix signal's people); a supervisor's, those about the
sessions they ran. *Respondents*: distinct workers who answered at least one question; *favourable*: answers of
3 or 4 (agree, strongly agree) on the 1-4 scale; *share favourable* = favourable / answers. A cell with fewer
respondents than the small-cell threshold (agency setting `min_cell_workers`, default 3; 0 turns it off) shows
"n<k" and no number. Individual answers are never returned.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from dashboard.queries.common import MetricSettings, TeamFilter, Window, members_on, teams_in_view, visible_team_ids
from dashboard.queries.supervision import supervision_mix
from dashboard.scope import Scope
from dashboard.voice import FAVOURABLE
from models import Staff, SupervisionFeedback, SupervisionSession


@dataclass(frozen=True)
class VoiceCell:
    name: str
    respondents: int
    answers: int  # 0 when suppressed
    favourable: int  # 0 when suppressed
    suppressed: bool
    administrative_share: float | None = None  # teams only: the supervision-mix signal beside it

    @property
    def share(self) -> float | None:
        return None if self.suppressed or not self.answers else self.favourable / self.answers


def _cell(name: str, respondents: int, answers: int, favourable: int, settings: MetricSettings,
          administrative_share: float | None = None) -> VoiceCell:
    hidden = settings.suppressed(respondents)
    return VoiceCell(name, respondents, 0 if hidden else answers, 0 if hidden else favourable, hidden,
                     administrative_share)


def _answered_in(window: Window) -> Any:
    return (select(SupervisionFeedback.worker_id, SupervisionFeedback.answer, SupervisionSession.supervisor_id)
            .join(SupervisionSession, SupervisionSession.id == SupervisionFeedback.session_id)
            .where(SupervisionSession.held_on >= window.start, SupervisionSession.held_on <= window.end)
            .subquery("answered"))


def voice_by_team(session: Session, scope: Scope, window: Window, settings: MetricSettings) -> list[VoiceCell]:
    """Per visible team, in teams_in_view order, with the team's administrative share of supervision minutes."""
    members = members_on(window.end, visible_team_ids(scope, TeamFilter())).subquery("members")
    answered = _answered_in(window)
    favourable = func.sum(case((answered.c.answer.in_(FAVOURABLE), 1), else_=0))
    counts = {team_id: (int(r), int(a), int(f or 0)) for team_id, r, a, f in session.execute(
        select(members.c.team_id, func.count(func.distinct(answered.c.worker_id)), func.count(), favourable)
        .join(answered, answered.c.worker_id == members.c.worker_id).group_by(members.c.team_id))}
    mix = {m.team_id: m.administrative_share for m in supervision_mix(session, scope, window, TeamFilter(), settings)}
    return [_cell(team.name, *counts.get(team.id, (0, 0, 0)), settings, mix.get(team.id))
            for team in teams_in_view(session, scope, TeamFilter())]


def voice_by_supervisor(session: Session, scope: Scope, window: Window, settings: MetricSettings
                        ) -> list[VoiceCell]:
    """Per supervisor who ran answered sessions in the window (agency viewers only), by name."""
    if scope.team_ids is not None:
        return []
    answered = _answered_in(window)
    favourable = func.sum(case((answered.c.answer.in_(FAVOURABLE), 1), else_=0))
    rows = session.execute(
        select(Staff.full_name, func.count(func.distinct(answered.c.worker_id)), func.count(), favourable)
        .join(answered, answered.c.supervisor_id == Staff.id).group_by(Staff.id, Staff.full_name)
        .order_by(Staff.full_name)).all()
    return [_cell(name, int(r), int(a), int(f or 0), settings) for name, r, a, f in rows]
