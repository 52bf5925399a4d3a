"""The overview's numbers written the common way: tables read with pd.read_sql, then grouped in pandas.

python -m bench.baseline_pandas --db sqlite|postgres|state [--runs 5] [--window 90]

Each baseline reads what it needs on every call, as a typical dashboard callback would (no cache):
whole tables but for the filters any developer would push into SQL (ratings in the staleness span, sessions
in the window or up to its end, and only their attendees and topics, memberships overlapping the window and
of the viewer's teams), and does the joins, the "latest rating" and the grouping in pandas. It is
the yardstick for the SQL-aggregating query layer, and, because it is written independently from the
definitions in dashboard/queries, a cross-check of both: the standalone run prints the largest
difference between each baseline's numbers and the app's (coverage(), attention(), frequency(),
kpi_supervision()) for the same window.
"""
from __future__ import annotations

import argparse
import math
import resource
import sys
import time
import tracemalloc
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import Connection, Engine, create_engine, text

from dashboard.queries.common import AVERAGE_MONTH_DAYS, Window

DAY = pd.Timedelta(days=1)
# The obvious filter on a session's attendees and topics: only those of the sessions read (held in the window).
WINDOW_SESSIONS = "JOIN supervision_sessions s ON s.id = a.session_id WHERE s.held_on >= :start AND s.held_on <= :end"


def window_ending(end: date, days: int) -> Window:
    return Window.last_days(days, end)


# ---------------------------------------------------------------------------------------------------------
# Reading


def read(conn: Connection, sql: str, params: dict[str, Any] | None = None, dates: Iterable[str] = ()) -> pd.DataFrame:
    return pd.read_sql(text(sql), conn, params=params or {}, parse_dates=list(dates))


@dataclass(frozen=True)
class Settings:
    staleness_days: int = 365
    min_cell_workers: int = 3

    def suppressed(self, workers: pd.Series) -> pd.Series:
        return (workers < self.min_cell_workers) if self.min_cell_workers > 0 else workers < 0


def read_settings(conn: Connection) -> Settings:
    frame = read(conn, "SELECT staleness_days, min_cell_workers FROM agency_settings WHERE id = 1")
    if frame.empty:
        return Settings()
    return Settings(int(frame.staleness_days[0]), int(frame.min_cell_workers[0]))


@dataclass(frozen=True)
class FrameworkData:
    proficient_level: int
    principles: pd.DataFrame  # principle_id, principle_code, principle_name, sort_order, competencies
    primary: pd.DataFrame  # competency_id, principle_id


def read_framework(conn: Connection) -> FrameworkData:
    frameworks = read(conn, "SELECT id, is_active FROM frameworks")
    framework_id = int(frameworks[frameworks.is_active.astype(bool)].id.iloc[0])
    scales = read(conn, "SELECT proficient_level, is_active FROM rating_scales")
    proficient = int(scales[scales.is_active.astype(bool)].proficient_level.iloc[0])
    principles = read(conn, "SELECT id AS principle_id, framework_id, code AS principle_code, name AS principle_name, "
                            "sort_order FROM principles")
    principles = principles[principles.framework_id == framework_id].sort_values(["sort_order", "principle_id"])
    competencies = read(conn, "SELECT id AS competency_id, framework_id, category_id FROM competencies")
    links = read(conn, "SELECT category_id, principle_id, is_primary FROM category_principles")
    primary = (competencies[competencies.framework_id == framework_id]
               .merge(links[links.is_primary.astype(bool)], on="category_id")[["competency_id", "principle_id"]])
    counts = primary.groupby("principle_id").size().rename("competencies")
    principles = principles.merge(counts, left_on="principle_id", right_index=True, how="left")
    principles["competencies"] = principles.competencies.fillna(0).astype(int)
    return FrameworkData(proficient, principles.reset_index(drop=True), primary)


def read_people(conn: Connection, window: Window,
                team_ids: frozenset[int] | None) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Memberships overlapping the window (of the viewer's teams), all staff, all teams."""
    teams_filter = f" AND team_id IN ({', '.join(str(int(t)) for t in sorted(team_ids)) or 'NULL'})" if team_ids else ""
    memberships = read(conn, "SELECT staff_id, team_id, start_date, end_date FROM team_memberships "
                             "WHERE start_date <= :end AND (end_date IS NULL OR end_date > :start)" + teams_filter,
                       {"start": window.start, "end": window.end}, dates=["start_date", "end_date"])
    staff = read(conn, "SELECT id AS staff_id, role, hire_date, left_on, fte FROM staff", dates=["hire_date", "left_on"])
    teams = read(conn, "SELECT t.id AS team_id, t.name AS team_name, t.program_id, p.name AS program_name "
                       "FROM teams t JOIN programs p ON p.id = t.program_id")
    return memberships, staff, teams


def visible_teams(teams: pd.DataFrame, team_ids: frozenset[int] | None) -> pd.DataFrame:
    shown = teams if team_ids is None else teams[teams.team_id.isin(team_ids)]
    return shown.sort_values(["program_name", "team_name"]).reset_index(drop=True)


def members_on(memberships: pd.DataFrame, staff: pd.DataFrame, day: pd.Timestamp,
               team_ids: frozenset[int] | None) -> pd.DataFrame:
    """(worker_id, team_id): peer workers on a team and employed on `day` (half-open memberships)."""
    m = memberships.merge(staff, on="staff_id")
    keep = ((m.start_date <= day) & (m.end_date.isna() | (m.end_date > day)) & (m.role == "peer_worker")
            & (m.hire_date <= day) & (m.left_on.isna() | (m.left_on > day)))
    if team_ids is not None:
        keep &= m.team_id.isin(team_ids)
    return m.loc[keep, ["staff_id", "team_id"]].drop_duplicates().rename(columns={"staff_id": "worker_id"})


@dataclass(frozen=True)
class Standards:
    stages: pd.DataFrame  # staff_id, stage_id, start_date, end_date
    standards: pd.DataFrame  # standard_id, effective_from (sorted)
    rules: pd.DataFrame  # standard_id, stage_id, max_days, min_minutes, group_counts


def read_standards(conn: Connection) -> Standards:
    stages = read(conn, "SELECT staff_id, stage_id, start_date, end_date FROM stage_assignments",
                  dates=["start_date", "end_date"])
    standards = read(conn, "SELECT id AS standard_id, effective_from FROM supervision_standards",
                     dates=["effective_from"]).sort_values("effective_from").reset_index(drop=True)
    rules = read(conn, "SELECT standard_id, stage_id, max_days_between_individual AS max_days, "
                       "min_minutes_per_month AS min_minutes, group_counts_toward_minimum AS group_counts "
                       "FROM standard_rules")
    rules["group_counts"] = rules.group_counts.astype(bool)
    return Standards(stages, standards, rules)


def rule_on(frame: pd.DataFrame, worker: str, day: str, standards: Standards) -> pd.DataFrame:
    """frame plus max_days, min_minutes, group_counts of the rule in force for the worker's stage on `day`."""
    f = frame.reset_index(drop=True).copy()
    f["_row"] = np.arange(len(f))
    held = f[["_row", worker, day]].merge(standards.stages, left_on=worker, right_on="staff_id")
    held = held[(held.start_date <= held[day]) & (held.end_date.isna() | (held.end_date > held[day]))]
    f = f.merge(held[["_row", "stage_id"]].drop_duplicates("_row"), on="_row", how="left")
    effective = standards.standards.effective_from.to_numpy()
    position = np.searchsorted(effective, f[day].to_numpy(), side="right") - 1
    ids = standards.standards.standard_id.to_numpy()
    f["standard_id"] = pd.array(np.where(position >= 0, ids[position.clip(0)], -1), dtype="Int64")
    f["stage_id"] = f.stage_id.astype("Int64")
    rules = standards.rules.astype({"standard_id": "Int64", "stage_id": "Int64"})
    return f.merge(rules, on=["standard_id", "stage_id"], how="left").drop(columns=["_row"])


# ---------------------------------------------------------------------------------------------------------
# Baselines: each takes (engine, window, team_ids or None for the agency) and returns a DataFrame


def coverage_frame(engine: Engine, window: Window, team_ids: frozenset[int] | None = None) -> pd.DataFrame:
    """Team × principle coverage: share of worker × primary-competency pairs whose latest supervisor rating
    (on or before window.end, not older than the staleness limit) is proficient; and the share rated."""
    end = pd.Timestamp(window.end)
    with engine.connect() as conn:
        settings = read_settings(conn)
        framework = read_framework(conn)
        cutoff = window.end - timedelta(days=settings.staleness_days)
        ratings = read(conn, "SELECT id, worker_id, competency_id, level, rater_role, rated_on FROM competency_ratings "
                             "WHERE rated_on > :cutoff AND rated_on <= :end", {"cutoff": cutoff, "end": window.end},
                       dates=["rated_on"])
        memberships, staff, teams = read_people(conn, window, team_ids)
    members = members_on(memberships, staff, end, team_ids)
    supervisor = ratings[ratings.rater_role == "supervisor"].sort_values(["rated_on", "id"])
    current = supervisor.drop_duplicates(["worker_id", "competency_id"], keep="last")
    current = current.merge(framework.primary, on="competency_id").merge(members, on="worker_id")
    current["is_proficient"] = current.level >= framework.proficient_level
    counts = current.groupby(["team_id", "principle_id"]).agg(rated=("level", "size"),
                                                              proficient=("is_proficient", "sum"))
    workers = members.groupby("team_id").worker_id.nunique().rename("workers")
    cells = (visible_teams(teams, team_ids).merge(framework.principles, how="cross")
             .merge(workers, left_on="team_id", right_index=True, how="left")
             .merge(counts, left_on=["team_id", "principle_id"], right_index=True, how="left"))
    for column in ("workers", "rated", "proficient"):
        cells[column] = cells[column].fillna(0).astype(int)
    cells["pairs"] = cells.workers * cells.competencies
    cells["suppressed"] = settings.suppressed(cells.workers)
    shown = ~cells.suppressed & (cells.pairs > 0)
    cells["proficient_share"] = (cells.proficient / cells.pairs).where(shown)
    cells["rated_share"] = (cells.rated / cells.pairs).where(shown)
    return cells


def attention_frame(engine: Engine, window: Window, team_ids: frozenset[int] | None = None) -> pd.DataFrame:
    """Team × principle: share of the principle's primary competencies discussed in a session held in the
    window and attended by a peer worker who was on the team on the session's date."""
    start, end = pd.Timestamp(window.start), pd.Timestamp(window.end)
    with engine.connect() as conn:
        settings = read_settings(conn)
        framework = read_framework(conn)
        sessions = read(conn, "SELECT id AS session_id, held_on FROM supervision_sessions "
                              "WHERE held_on >= :start AND held_on <= :end", {"start": window.start, "end": window.end},
                        dates=["held_on"])
        attendees = read(conn, "SELECT a.session_id, a.worker_id FROM session_attendees a " + WINDOW_SESSIONS,
                         {"start": window.start, "end": window.end})
        topics = read(conn, "SELECT a.session_id, a.competency_id FROM session_competencies a " + WINDOW_SESSIONS,
                      {"start": window.start, "end": window.end})
        memberships, staff, teams = read_people(conn, window, team_ids)
    peers = staff[staff.role == "peer_worker"]
    attended = (sessions.merge(attendees, on="session_id").merge(peers[["staff_id"]], left_on="worker_id",
                                                                  right_on="staff_id")
                .merge(memberships, on="staff_id", suffixes=("", "_m")))
    attended = attended[(attended.start_date <= attended.held_on)
                        & (attended.end_date.isna() | (attended.end_date > attended.held_on))]
    if team_ids is not None:
        attended = attended[attended.team_id.isin(team_ids)]
    discussed = (attended[["session_id", "team_id"]].drop_duplicates().merge(topics, on="session_id")
                 .merge(framework.primary, on="competency_id")
                 .groupby(["team_id", "principle_id"]).competency_id.nunique().rename("discussed"))
    m = memberships.merge(staff, on="staff_id")
    during = ((m.start_date <= end) & (m.end_date.isna() | (m.end_date > start)) & (m.role == "peer_worker")
              & (m.hire_date <= end) & (m.left_on.isna() | (m.left_on > start)))
    workers = m[during].groupby("team_id").staff_id.nunique().rename("workers")
    cells = (visible_teams(teams, team_ids).merge(framework.principles, how="cross")
             .merge(workers, left_on="team_id", right_index=True, how="left")
             .merge(discussed, left_on=["team_id", "principle_id"], right_index=True, how="left"))
    cells["workers"] = cells.workers.fillna(0).astype(int)
    cells["discussed"] = cells.discussed.fillna(0).astype(int)
    # Suppressed as the team's coverage cells are: by its workers on the window's last day.
    at_end = members_on(memberships, staff, end, team_ids).groupby("team_id").worker_id.nunique()
    cells["suppressed"] = settings.suppressed(cells.team_id.map(at_end).fillna(0))
    cells["share"] = (cells.discussed / cells.competencies).where(~cells.suppressed & (cells.competencies > 0))
    return cells


def frequency_frame(engine: Engine, window: Window, team_ids: frozenset[int] | None = None) -> pd.DataFrame:
    """Per team (workers on window.end): individual sessions and supervision hours per worker per month over
    the window, the median gap between consecutive individual sessions in it, and the standard's line."""
    end = pd.Timestamp(window.end)
    with engine.connect() as conn:
        settings = read_settings(conn)
        sessions = read(conn, "SELECT id AS session_id, held_on, minutes, format FROM supervision_sessions "
                              "WHERE held_on >= :start AND held_on <= :end", {"start": window.start, "end": window.end},
                        dates=["held_on"])
        attendees = read(conn, "SELECT a.session_id, a.worker_id FROM session_attendees a " + WINDOW_SESSIONS,
                         {"start": window.start, "end": window.end})
        memberships, staff, teams = read_people(conn, window, team_ids)
        standards = read_standards(conn)
    members = members_on(memberships, staff, end, team_ids)
    attended = members.merge(attendees, on="worker_id").merge(sessions, on="session_id")
    attended["individual"] = attended.format == "individual"
    totals = attended.groupby("team_id").agg(individual=("individual", "sum"), minutes=("minutes", "sum"))
    individual = attended[attended.individual].sort_values(["worker_id", "held_on"])
    individual = individual.assign(gap=(individual.held_on - individual.groupby("worker_id").held_on.shift()).dt.days)
    medians = individual.dropna(subset=["gap"]).groupby("team_id").gap.median().rename("median_gap_days")
    ruled = rule_on(members.assign(day=end), "worker_id", "day", standards)
    ruled = ruled[ruled.max_days.notna()]
    expected = (AVERAGE_MONTH_DAYS / ruled.max_days.astype(float)).groupby(ruled.team_id).mean().rename("expected")
    workers = members.groupby("team_id").worker_id.nunique().rename("workers")
    rows = (visible_teams(teams, team_ids).merge(workers, left_on="team_id", right_index=True, how="left")
            .merge(totals, left_on="team_id", right_index=True, how="left")
            .merge(medians, left_on="team_id", right_index=True, how="left")
            .merge(expected, left_on="team_id", right_index=True, how="left"))
    rows["workers"] = rows.workers.fillna(0).astype(int)
    rows["suppressed"] = settings.suppressed(rows.workers)
    shown = ~rows.suppressed & (rows.workers > 0)
    per_month = rows.workers * window.months
    rows["individual_per_worker_month"] = (rows.individual.fillna(0) / per_month).where(shown)
    rows["hours_per_worker_month"] = (rows.minutes.fillna(0) / 60 / per_month).where(shown)
    rows["median_gap_days"] = rows.median_gap_days.where(shown)
    rows["expected"] = rows.expected.where(shown)
    return rows


def meeting_standard(memberships: pd.DataFrame, staff: pd.DataFrame, sessions: pd.DataFrame,
                     attendees: pd.DataFrame, standards: Standards, window: Window,
                     team_ids: frozenset[int] | None, workers: set[int]) -> tuple[int, int]:
    """(workers judged, workers meeting the standard) over the window: no over-long gap between individual
    sessions (from the last one before the window, or hire) and no full month under its minimum minutes.
    Only `workers` are judged: the overview's population, those on a team on the window's last day."""
    start, end = pd.Timestamp(window.start), pd.Timestamp(window.end)
    end_excl = end + DAY
    m = memberships.merge(staff[staff.role == "peer_worker"], on="staff_id")
    m["until"] = m.left_on.where(m.left_on.notna() & (m.left_on < end_excl), end_excl)
    keep = ((m.hire_date <= end) & (m.left_on.isna() | (m.left_on > start)) & (m.start_date <= end)
            & (m.start_date < m.until) & (m.end_date.isna() | ((m.end_date > start) & (m.end_date > m.hire_date))))
    if team_ids is not None:
        keep &= m.team_id.isin(team_ids)
    judged = (m[keep].sort_values("start_date").drop_duplicates("staff_id", keep="last")
              .rename(columns={"staff_id": "worker_id"})[["worker_id", "hire_date", "left_on", "until"]])
    judged = judged[judged.worker_id.isin(workers)]
    if judged.empty:
        return 0, 0
    attended = attendees[attendees.worker_id.isin(judged.worker_id)].merge(sessions, on="session_id")
    individual = attended[attended.format == "individual"]

    # (a) gaps, from the last individual session before the window (or hire) through the window's sessions
    before = individual[individual.held_on < start].groupby("worker_id").held_on.max()
    anchors = judged.assign(day=judged.worker_id.map(before)).assign(is_session=0)
    anchors["day"] = anchors.day.fillna(anchors.hire_date)
    inside = individual[(individual.held_on >= start) & (individual.held_on < end_excl)]
    points = pd.concat([anchors[["worker_id", "day", "is_session"]],
                        inside[["worker_id", "held_on"]].rename(columns={"held_on": "day"}).assign(is_session=1)])
    points = points.sort_values(["worker_id", "day", "is_session"], kind="mergesort")
    points["gap_end"] = points.groupby("worker_id").day.shift(-1)
    gaps = points.rename(columns={"day": "gap_start"}).merge(judged[["worker_id", "until"]], on="worker_id")
    gaps = gaps[(gaps.gap_start < gaps.until) & (gaps.gap_end.isna() | (gaps.gap_end >= start))]
    closed = gaps.gap_end.notna() & (gaps.gap_end < gaps.until)
    gaps = gaps.assign(days=np.where(closed, (gaps.gap_end - gaps.gap_start).dt.days,
                                     (gaps.until - gaps.gap_start).dt.days - 1))
    gaps = rule_on(gaps, "worker_id", "gap_start", standards)
    bad_gap = set(gaps[gaps.max_days.isna() | (gaps.days > gaps.max_days)].worker_id)

    # (b) minutes in each full calendar month of the window, against the (pro-rated) minimum
    months = []
    month = start.replace(day=1)
    while month <= end:
        following = month + pd.offsets.MonthBegin(1)
        if month >= start and following <= end_excl:
            months.append((month, following))
        month = following
    bad_month: set[int] = set()
    if months:
        grid = judged.merge(pd.DataFrame(months, columns=["month_start", "next_month"]), how="cross")
        grid["month_days"] = (grid.next_month - grid.month_start).dt.days
        grid["from_day"] = grid[["month_start", "hire_date"]].max(axis=1)
        last = grid.left_on.where(grid.left_on.notna() & (grid.left_on < grid.next_month), grid.next_month)
        grid["employed_days"] = (last - grid.from_day).dt.days
        employed = attended.merge(judged[["worker_id", "hire_date", "left_on"]], on="worker_id")
        employed = employed[(employed.held_on >= start) & (employed.held_on < end_excl)
                            & (employed.held_on >= employed.hire_date)
                            & (employed.left_on.isna() | (employed.held_on < employed.left_on))]
        employed = employed.assign(month_start=employed.held_on.dt.to_period("M").dt.to_timestamp())
        employed["individual_minutes"] = employed.minutes.where(employed.format == "individual", 0)
        employed["group_minutes"] = employed.minutes.where(employed.format != "individual", 0)
        minutes = employed.groupby(["worker_id", "month_start"])[["individual_minutes", "group_minutes"]].sum()
        grid = grid.merge(minutes, left_on=["worker_id", "month_start"], right_index=True, how="left").fillna(
            {"individual_minutes": 0, "group_minutes": 0})
        grid = rule_on(grid, "worker_id", "from_day", standards)
        group_counts = grid.group_counts.fillna(True).astype(bool)
        grid["counted"] = grid.individual_minutes + grid.group_minutes.where(group_counts, 0)
        required = (grid.min_minutes * grid.employed_days + grid.month_days - 1) // grid.month_days
        short = (grid.employed_days > 0) & required.notna() & (grid.counted < required)
        bad_month = set(grid[short].worker_id)
    judged_count = len(judged)
    meeting = judged_count - len((bad_gap | bad_month) & set(judged.worker_id))
    return judged_count, meeting


def kpis_frame(engine: Engine, window: Window, team_ids: frozenset[int] | None = None) -> pd.DataFrame:
    """The KPI cards: active workers, supervisors, share meeting the standard, overdue now, hours per worker
    per month, and overall coverage (the KPI callback also reads coverage, so this one does too)."""
    end = pd.Timestamp(window.end)
    start = pd.Timestamp(window.start)
    with engine.connect() as conn:
        memberships, staff, _teams = read_people(conn, window, team_ids)
        supervising = read(conn, "SELECT team_id, staff_id, start_date, end_date FROM team_supervisors",
                           dates=["start_date", "end_date"])
        sessions = read(conn, "SELECT id AS session_id, held_on, minutes, format FROM supervision_sessions "
                              "WHERE held_on <= :end", {"end": window.end}, dates=["held_on"])
        attendees = read(conn, "SELECT a.session_id, a.worker_id FROM session_attendees a "
                               "JOIN supervision_sessions s ON s.id = a.session_id WHERE s.held_on <= :end",
                         {"end": window.end})
        standards = read_standards(conn)
    active = members_on(memberships, staff, end, team_ids)
    active_workers = active.worker_id.nunique()

    s = supervising.merge(staff, on="staff_id")
    holding = ((s.start_date <= end) & (s.end_date.isna() | (s.end_date > end)) & (s.hire_date <= end)
               & (s.left_on.isna() | (s.left_on > end)))
    if team_ids is not None:
        holding &= s.team_id.isin(team_ids)
    supervisors = s[holding].staff_id.nunique()

    attended = active.merge(attendees, on="worker_id").merge(sessions, on="session_id")
    in_window = attended[(attended.held_on >= start) & (attended.held_on <= end)]
    minutes = int(in_window.minutes.sum())
    hours = minutes / 60 / active_workers / window.months if active_workers else None

    last = attended[attended.format == "individual"].groupby("worker_id").held_on.max()
    due = active.merge(staff[["staff_id", "hire_date"]], left_on="worker_id", right_on="staff_id")
    due["since"] = due.worker_id.map(last).fillna(due.hire_date)
    due["days_since"] = (end - due.since).dt.days
    due = rule_on(due.assign(day=end), "worker_id", "day", standards)
    overdue = int((due.max_days.notna() & (due.days_since > due.max_days)).sum())

    judged, meeting = meeting_standard(memberships, staff, sessions, attendees, standards, window, team_ids,
                                       set(active.worker_id))
    cells = coverage_frame(engine, window, team_ids)
    counted = cells[~cells.suppressed]
    pairs = int(counted.pairs.sum())
    return pd.DataFrame([{
        "active_workers": active_workers, "supervisors": supervisors,
        "meeting_share": meeting / judged if judged else None, "overdue_now": overdue,
        "hours_per_worker_month": hours,
        "overall_coverage": int(counted.proficient.sum()) / pairs if pairs else None}])


BASELINES: dict[str, Callable[[Engine, Window, frozenset[int] | None], pd.DataFrame]] = {
    "coverage": coverage_frame, "attention": attention_frame, "frequency": frequency_frame, "kpis": kpis_frame}


# ---------------------------------------------------------------------------------------------------------
# Measuring and cross-checking


def peak_memory_mb(call: Callable[[], Any]) -> float:
    """Peak memory traced (Python objects and NumPy buffers) during one call, in MB; a separate, untimed run."""
    tracemalloc.start()
    try:
        call()
        return tracemalloc.get_traced_memory()[1] / 1e6
    finally:
        tracemalloc.stop()


def max_difference(pairs: Iterable[tuple[Any, Any]]) -> float:
    """Largest |a - b| over pairs of numbers; None against None counts as equal, None against a number as inf."""
    worst = 0.0
    for a, b in pairs:
        a_missing = a is None or (isinstance(a, float) and math.isnan(a))
        b_missing = b is None or (isinstance(b, float) and math.isnan(b))
        if a_missing or b_missing:
            worst = worst if a_missing and b_missing else math.inf
        else:
            worst = max(worst, abs(float(a) - float(b)))
    return worst


def _none(value: Any) -> Any:
    return None if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA else value


def cross_check(url: str, window: Window, frames: dict[str, pd.DataFrame]) -> list[str]:
    """The app's numbers for the same window (agency scope) against the baselines'; one line per comparison."""
    from dashboard.db import connect
    from dashboard.queries import coverage, supervision
    from dashboard.queries.common import TeamFilter, load_settings
    from dashboard.scope import Scope

    db = connect(url)
    lines = []
    with db.session() as session:
        settings = load_settings(session)
        scope, everything = Scope.agency(), TeamFilter()
        if "coverage" in frames:
            theirs = {(c.team_id, c.principle_code): c
                      for c in coverage.coverage(session, scope, window, everything, settings)}
            ours = frames["coverage"]
            keys = list(zip(ours.team_id, ours.principle_code))
            lines.append(f"coverage: {len(theirs)} app cells, {len(ours)} pandas cells, "
                         f"{len(set(keys) ^ set(theirs))} not in both; max |Δ| proficient_share "
                         f"{max_difference((_none(p), theirs[k].proficient_share) for k, p in zip(keys, ours.proficient_share) if k in theirs):.3g}, "
                         f"rated_share {max_difference((_none(p), theirs[k].rated_share) for k, p in zip(keys, ours.rated_share) if k in theirs):.3g}, "
                         f"counts (workers, rated, proficient) "
                         f"{max(max_difference((w, theirs[k].workers) for k, w in zip(keys, ours.workers) if k in theirs), max_difference((r, theirs[k].rated) for k, r in zip(keys, ours.rated) if k in theirs), max_difference((p, theirs[k].proficient) for k, p in zip(keys, ours.proficient) if k in theirs)):.3g}")
        if "attention" in frames:
            theirs_a = {(c.team_id, c.principle_code): c
                        for c in coverage.attention(session, scope, window, everything, settings)}
            ours = frames["attention"]
            keys = list(zip(ours.team_id, ours.principle_code))
            lines.append(f"attention: max |Δ| share "
                         f"{max_difference((_none(s), theirs_a[k].share) for k, s in zip(keys, ours.share) if k in theirs_a):.3g}, "
                         f"workers {max_difference((w, theirs_a[k].workers) for k, w in zip(keys, ours.workers) if k in theirs_a):.3g}, "
                         f"discussed {max_difference((d, theirs_a[k].discussed) for k, d in zip(keys, ours.discussed) if k in theirs_a):.3g}")
        if "frequency" in frames:
            theirs_f = {r.team_id: r for r in supervision.frequency(session, scope, window, everything, settings)}
            ours = frames["frequency"].set_index("team_id")
            parts = []
            for mine, app_attr in (("individual_per_worker_month", "individual_per_worker_month"),
                                   ("hours_per_worker_month", "hours_per_worker_month"),
                                   ("median_gap_days", "median_gap_days"),
                                   ("expected", "expected_individual_per_worker_month"), ("workers", "workers")):
                diff = max_difference((_none(ours.at[t, mine]), getattr(r, app_attr)) for t, r in theirs_f.items()
                                      if t in ours.index)
                parts.append(f"{mine} {diff:.3g}")
            lines.append("frequency: max |Δ| " + ", ".join(parts))
        if "kpis" in frames:
            app_kpis = supervision.kpi_supervision(session, scope, window, everything, settings)
            cells = [c for c in coverage.coverage(session, scope, window, everything, settings) if not c.suppressed]
            pairs = sum(c.pairs for c in cells)
            app_values = {"active_workers": app_kpis.active_workers, "supervisors": app_kpis.supervisors,
                          "meeting_share": app_kpis.meeting_share, "overdue_now": app_kpis.overdue_now,
                          "hours_per_worker_month": app_kpis.hours_per_worker_month,
                          "overall_coverage": sum(c.proficient for c in cells) / pairs if pairs else None}
            ours_k = frames["kpis"].iloc[0]
            lines.append("kpis (pandas vs app): " + ", ".join(
                f"{name} {_fmt(_none(ours_k[name]))} vs {_fmt(value)}" for name, value in app_values.items()))
    db.engine.dispose()
    return lines


def _fmt(value: Any) -> str:
    if value is None:
        return "None"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return f"{value:.6f}" if isinstance(value, float) else str(value)


def main(argv: list[str] | None = None) -> int:
    from bench.overview import DATA_END, DATABASES, Timing, percentile

    parser = argparse.ArgumentParser(prog="python -m bench.baseline_pandas", description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=sorted(DATABASES), default="sqlite")
    parser.add_argument("--url", help="another database URL")
    parser.add_argument("--runs", type=int, default=5, help="timed runs per baseline after a warm-up")
    parser.add_argument("--window", type=int, default=90)
    parser.add_argument("--today", type=date.fromisoformat, default=DATA_END)
    parser.add_argument("--only", help="comma-separated: coverage, attention, frequency, kpis")
    args = parser.parse_args(argv)
    url = args.url or DATABASES[args.db]
    engine = create_engine(url)
    window = window_ending(args.today, args.window)
    print(f"## pandas baselines · {args.db} · window {window.start} – {window.end} · {args.runs} runs "
          f"(pandas {pd.__version__})\n")
    print("| baseline | median ms | p95 ms | peak MB (tracemalloc) | maxrss growth MB | rows |")
    print("|---|---|---|---|---|---|")
    frames: dict[str, pd.DataFrame] = {}
    for name, baseline in BASELINES.items():
        if args.only and name not in args.only.split(","):
            continue
        rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        frames[name] = baseline(engine, window, None)  # warm-up
        rss_growth = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - rss_before) / 1024
        times = []
        for _ in range(args.runs):
            started = time.perf_counter()
            baseline(engine, window, None)
            times.append((time.perf_counter() - started) * 1000)
        peak = peak_memory_mb(lambda: baseline(engine, window, None))
        timing = Timing(times)
        print(f"| {name} | {timing.median:,.0f} | {percentile(times, 0.95):,.0f} | {peak:,.0f} | {rss_growth:,.0f} "
              f"| {len(frames[name]):,} |", flush=True)
    engine.dispose()
    print("\nCross-check against the app's query functions (agency scope, same window):")
    for line in cross_check(url, window, frames):
        print(f"- {line}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
