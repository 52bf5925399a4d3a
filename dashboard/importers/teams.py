"""Import of programs and teams: matched by program name, and team name within the program."""
from __future__ import annotations

from datetime import date

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from dashboard.audit import Actor, record
from dashboard.importers.plan import Change, Plan, RowChecker, teams_by_name
from dashboard.importers.reading import Column, Kind, ParsedFile, RowError
from models import Program, Team

KIND = Kind("teams", "Programs and teams", (
    Column("program", True, "Program name; created when new.", "Community Recovery"),
    Column("team", True, "Team name within the program; created when new.", "Eastside Outreach"),
    Column("program_description", False, "Optional; replaces the program's description when given.",
           "Outreach and peer recovery support"),
), "One row per team. Programs and teams are matched by name, so re-importing changes nothing.")


def make_plan(session: Session, parsed: ParsedFile, today: date, date_order: str) -> Plan:
    plan = Plan(KIND, len(parsed.rows), list(parsed.errors))
    programs = {name.lower(): (pid, name, description) for pid, name, description in
                session.execute(select(Program.id, Program.name, Program.description))}
    teams = teams_by_name(session)
    new_programs: dict[str, tuple[str, str | None]] = {}
    described: dict[str, tuple[int, str]] = {}  # program key -> (row, description) first given
    new_teams: list[tuple[int, str, str]] = []  # (row, program key, team name)
    first_row: dict[tuple[str, str], int] = {}
    for row, values in parsed.rows:
        check = RowChecker(row, values, today, date_order)
        program = check.text("program")
        team = check.text("team")
        description = check.text("program_description", required=False, max_length=500)
        if plan.rejects(check):
            continue
        assert program is not None and team is not None
        key = (program.lower(), team.lower())
        if key in first_row:
            plan.errors.append(RowError(row, "team", team, f"duplicate row: the same team is on row {first_row[key]}"))
            continue
        first_row[key] = row
        program_key = program.lower()
        if description is not None:
            if program_key in described and described[program_key][1] != description:
                plan.errors.append(RowError(row, "program_description", description, "a different description "
                                            f"for the same program is on row {described[program_key][0]}"))
                continue
            described.setdefault(program_key, (row, description))
        if program_key not in programs and program_key not in new_programs:
            new_programs[program_key] = (program, description)
            plan.add(Change(row, "create", "program", program))
        elif program_key in programs and description is not None and programs[program_key][2] != description \
                and described[program_key][0] == row:
            plan.add(Change(row, "update", "program", f"{programs[program_key][1]}: description"))
        if key in teams:
            plan.add(Change(row, "unchanged", "team", f"{team} ({program})"))
        else:
            new_teams.append((row, program_key, team))
            plan.add(Change(row, "create", "team", f"{team} ({program})"))

    def apply(s: Session, actor: Actor) -> None:
        program_ids = {k: v[0] for k, v in programs.items()}
        for program_key, (name, description) in new_programs.items():
            created = Program(name=name, description=description)
            s.add(created)
            s.flush()
            program_ids[program_key] = created.id
            record(s, actor, "create", "program", created.id, None, {"name": name, "description": description})
        for program_key, (_row, description) in described.items():
            if program_key in programs and programs[program_key][2] != description:
                pid, name, old = programs[program_key]
                s.execute(update(Program).where(Program.id == pid).values(description=description))
                record(s, actor, "update", "program", pid, {"description": old}, {"description": description})
        for _row, program_key, name in new_teams:
            created_team = Team(program_id=program_ids[program_key], name=name)
            s.add(created_team)
            s.flush()
            record(s, actor, "create", "team", created_team.id, None,
                   {"program_id": program_ids[program_key], "name": name})

    plan.apply = apply
    return plan

