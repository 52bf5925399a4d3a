"""Organisation: programs, teams, staff, certification stages, and the dated history of who was where."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import CheckConstraint, Date, ForeignKey, Index, Numeric, String, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import Base
from models.vocabulary import Role, values

STAFF_ROLES = values((Role.PEER_WORKER, Role.SUPERVISOR))

# Every dated assignment below is half-open: it holds on day d when start_date <= d < end_date
# (end_date NULL = still holds), so a move ends one row on the day the next one starts.


class Program(Base):
    __tablename__ = "programs"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    description: Mapped[str | None] = mapped_column(String(500))
    # Archived from this day (NULL: in use): kept with its history, left out of the filters' choices.
    archived_on: Mapped[date | None] = mapped_column(Date)
    teams: Mapped[list[Team]] = relationship(back_populates="program", order_by="Team.name")


class Team(Base):
    __tablename__ = "teams"
    __table_args__ = (UniqueConstraint("program_id", "name"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    program_id: Mapped[int] = mapped_column(ForeignKey("programs.id"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    archived_on: Mapped[date | None] = mapped_column(Date)  # as Program.archived_on
    program: Mapped[Program] = relationship(back_populates="teams")


class CertificationStage(Base):
    """Agency-editable list of certification stages; the supervision standard is set per stage."""

    __tablename__ = "certification_stages"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(80), unique=True)
    sort_order: Mapped[int] = mapped_column(default=0)


class Staff(Base):
    __tablename__ = "staff"
    __table_args__ = (
        CheckConstraint(f"role IN {STAFF_ROLES!r}", name="role"),
        CheckConstraint("fte > 0 AND fte <= 1", name="fte_range"),
        CheckConstraint("left_on IS NULL OR left_on >= hire_date", name="left_after_hire"),
        # The agency's own employee number: the natural key that imports match staff by (optional).
        Index("uq_staff_employee_code", "employee_code", unique=True),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    employee_code: Mapped[str | None] = mapped_column(String(40))
    full_name: Mapped[str] = mapped_column(String(120))
    role: Mapped[str] = mapped_column(String(20))
    hire_date: Mapped[date] = mapped_column(Date)
    fte: Mapped[Decimal] = mapped_column(Numeric(3, 2), default=Decimal("1.00"))
    left_on: Mapped[date | None] = mapped_column(Date)
    # For supervisors: holds a peer credential, i.e. supervises from lived experience.
    peer_credential: Mapped[bool] = mapped_column(default=False)


class TeamMembership(Base):
    """A peer worker's team over time; views of a past period use the team the worker was in then."""

    __tablename__ = "team_memberships"
    __table_args__ = (
        CheckConstraint("end_date IS NULL OR end_date > start_date", name="dates"),
        UniqueConstraint("staff_id", "start_date"),
        # One open membership per worker: a worker belongs to one team at a time.
        Index("uq_team_memberships_open", "staff_id", unique=True,
              sqlite_where=text("end_date IS NULL"), postgresql_where=text("end_date IS NULL")),
        Index("ix_team_memberships_team_dates", "team_id", "start_date", "end_date"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff.id"))
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id"))
    start_date: Mapped[date] = mapped_column(Date)
    end_date: Mapped[date | None] = mapped_column(Date)


class TeamSupervisor(Base):
    """Who supervised a team over time; a team may have several supervisors at once."""

    __tablename__ = "team_supervisors"
    __table_args__ = (
        CheckConstraint("end_date IS NULL OR end_date > start_date", name="dates"),
        UniqueConstraint("team_id", "staff_id", "start_date"),
        Index("ix_team_supervisors_staff", "staff_id", "start_date"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id"))
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff.id"))
    start_date: Mapped[date] = mapped_column(Date)
    end_date: Mapped[date | None] = mapped_column(Date)


class StageAssignment(Base):
    """A worker's certification stage over time; past periods are judged by the stage held then."""

    __tablename__ = "stage_assignments"
    __table_args__ = (
        CheckConstraint("end_date IS NULL OR end_date > start_date", name="dates"),
        UniqueConstraint("staff_id", "start_date"),
        Index("uq_stage_assignments_open", "staff_id", unique=True,
              sqlite_where=text("end_date IS NULL"), postgresql_where=text("end_date IS NULL")),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff.id"))
    stage_id: Mapped[int] = mapped_column(ForeignKey("certification_stages.id"))
    start_date: Mapped[date] = mapped_column(Date)
    end_date: Mapped[date | None] = mapped_column(Date)


class Leave(Base):
    """A leave of absence: days a worker is away, left out of supervision gaps and monthly minimums.

    Half-open like the rows above: end_date is the day they are back (NULL = return not known yet). No reason
    is kept on purpose: why someone is away (illness, family) is nobody's business in a supervision tool.
    """

    __tablename__ = "leaves"
    __table_args__ = (
        CheckConstraint("end_date IS NULL OR end_date > start_date", name="dates"),
        UniqueConstraint("staff_id", "start_date"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff.id"))
    start_date: Mapped[date] = mapped_column(Date)
    end_date: Mapped[date | None] = mapped_column(Date)
