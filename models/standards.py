"""The agency's supervision standard, versioned by effective date, with one rule per certification stage."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, Date, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, UTCDateTime, utcnow


class SupervisionStandard(Base):
    """In force from effective_from until the next standard's effective_from."""

    __tablename__ = "supervision_standards"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    effective_from: Mapped[date] = mapped_column(Date, unique=True)
    source: Mapped[str] = mapped_column(Text, default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class StandardRule(Base):
    __tablename__ = "standard_rules"
    __table_args__ = (
        CheckConstraint("max_days_between_individual > 0", name="max_days_positive"),
        CheckConstraint("min_minutes_per_month >= 0", name="min_minutes_nonnegative"),
    )
    standard_id: Mapped[int] = mapped_column(ForeignKey("supervision_standards.id", ondelete="CASCADE"),
                                             primary_key=True)
    stage_id: Mapped[int] = mapped_column(ForeignKey("certification_stages.id"), primary_key=True)
    max_days_between_individual: Mapped[int]
    min_minutes_per_month: Mapped[int]
    group_counts_toward_minimum: Mapped[bool] = mapped_column(default=True)
