"""Credential requirements (the supervision hours a certification needs, which sessions count) and the supervision
logs handed out with their verification codes."""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import JSON, Boolean, CheckConstraint, Date, ForeignKey, Numeric, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, UTCDateTime, utcnow


class CredentialRequirement(Base):
    """An agency-defined requirement (e.g. IC&RC Peer Recovery: 25 supervision hours). Empty kinds, formats,
    modalities or stage codes mean "any"; period_months None means the worker's whole record."""

    __tablename__ = "credential_requirements"
    __table_args__ = (
        CheckConstraint("hours_required > 0 AND hours_required <= 10000", name="hours_range"),
        CheckConstraint("period_months IS NULL OR (period_months > 0 AND period_months <= 600)",
                        name="period_range"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    issuing_body: Mapped[str] = mapped_column(String(120))
    hours_required: Mapped[Decimal] = mapped_column(Numeric(6, 1))
    period_months: Mapped[int | None]
    kinds: Mapped[list[str]] = mapped_column(JSON, default=list)
    formats: Mapped[list[str]] = mapped_column(JSON, default=list)
    modalities: Mapped[list[str]] = mapped_column(JSON, default=list)
    stage_codes: Mapped[list[str]] = mapped_column(JSON, default=list)  # the stages it applies to
    require_signed: Mapped[bool] = mapped_column(Boolean, default=True)
    require_acknowledged: Mapped[bool] = mapped_column(Boolean, default=False)
    source: Mapped[str | None] = mapped_column(Text)  # where the rule comes from, shown beside its progress
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class SupervisionLogExport(Base):
    """A supervision log handed out: its verification code and the SHA-256 of the exact file, so /verify can tell
    whether a file is the one generated (any changed byte changes the digest). Nothing else is revealed."""

    __tablename__ = "supervision_log_exports"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(20), unique=True)
    sha256: Mapped[str] = mapped_column(String(64))
    file_format: Mapped[str] = mapped_column(String(4))
    worker_id: Mapped[int] = mapped_column(ForeignKey("staff.id"))
    start_date: Mapped[date] = mapped_column(Date)
    end_date: Mapped[date] = mapped_column(Date)
    requirement_id: Mapped[int | None] = mapped_column(ForeignKey("credential_requirements.id"))
    generated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    generated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
