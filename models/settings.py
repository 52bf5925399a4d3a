"""Agency-wide settings that the metrics read: one row, edited by an admin."""
from __future__ import annotations

from decimal import Decimal

from sqlalchemy import CheckConstraint, Numeric, String
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base


class AgencySettings(Base):
    __tablename__ = "agency_settings"
    __table_args__ = (
        CheckConstraint("id = 1", name="single_row"),
        CheckConstraint("staleness_days > 0", name="staleness_positive"),
        CheckConstraint("min_cell_workers >= 0", name="min_cell_nonnegative"),
        CheckConstraint("fte_per_supervisor_limit > 0", name="fte_limit_positive"),
        CheckConstraint("principle_holding_share > 0 AND principle_holding_share <= 1", name="holding_share"),
        CheckConstraint("unsigned_flag_days > 0 AND unacknowledged_flag_days > 0", name="signoff_flag_days"),
    )
    id: Mapped[int] = mapped_column(primary_key=True, default=1)
    # A supervisor rating older than this no longer counts as current.
    staleness_days: Mapped[int] = mapped_column(default=365)
    # Team-level values over fewer workers are shown as "n<k" (0 turns suppression off).
    min_cell_workers: Mapped[int] = mapped_column(default=3)
    fte_per_supervisor_limit: Mapped[Decimal] = mapped_column(Numeric(4, 1), default=Decimal(7))
    # A worker "holds" a principle when proficient on at least this share of its competencies.
    principle_holding_share: Mapped[Decimal] = mapped_column(Numeric(3, 2), default=Decimal("0.75"))
    # Sign-off flags: a session unsigned more than this many days after it was held, and a signature not
    # acknowledged by every attendee this many days after signing, are shown on the roster and the Sign-off page.
    unsigned_flag_days: Mapped[int] = mapped_column(default=7, server_default="7")
    unacknowledged_flag_days: Mapped[int] = mapped_column(default=14, server_default="14")
    # How dates are shown on screen and in files meant for people (dashboard.dates holds the formats; machine-readable
    # exports stay ISO). "dmy" is dashboard.dates.DEFAULT, repeated here because models import nothing of the app.
    date_format: Mapped[str] = mapped_column(String(8), default="dmy", server_default="dmy")
