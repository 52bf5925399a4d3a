"""The competency framework (versioned), its principles and category mapping, and the rating scale."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import Base, UTCDateTime, utcnow


class Framework(Base):
    """One loaded version of a framework; exactly one is active and drives every view."""

    __tablename__ = "frameworks"
    __table_args__ = (
        UniqueConstraint("name", "version"),
        Index("uq_frameworks_active", "is_active", unique=True,
              sqlite_where=text("is_active"), postgresql_where=text("is_active")),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    version: Mapped[str] = mapped_column(String(40))
    source: Mapped[str] = mapped_column(Text, default="")
    note: Mapped[str] = mapped_column(Text, default="")
    is_active: Mapped[bool] = mapped_column(default=False)
    loaded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Principle(Base):
    __tablename__ = "principles"
    __table_args__ = (UniqueConstraint("framework_id", "code"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    framework_id: Mapped[int] = mapped_column(ForeignKey("frameworks.id"))
    code: Mapped[str] = mapped_column(String(60))
    name: Mapped[str] = mapped_column(String(120))
    summary: Mapped[str] = mapped_column(Text, default="")
    sort_order: Mapped[int] = mapped_column(default=0)


class Category(Base):
    __tablename__ = "categories"
    __table_args__ = (UniqueConstraint("framework_id", "code"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    framework_id: Mapped[int] = mapped_column(ForeignKey("frameworks.id"))
    code: Mapped[str] = mapped_column(String(20))
    title: Mapped[str] = mapped_column(String(200))
    sort_order: Mapped[int] = mapped_column(default=0)
    competencies: Mapped[list[Competency]] = relationship(order_by="Competency.sort_order")


class CategoryPrinciple(Base):
    """The agency's mapping of a category to principles: one primary, optional secondaries."""

    __tablename__ = "category_principles"
    __table_args__ = (
        Index("uq_category_principles_primary", "category_id", unique=True,
              sqlite_where=text("is_primary"), postgresql_where=text("is_primary")),
        Index("ix_category_principles_principle", "principle_id", "is_primary"),
    )
    category_id: Mapped[int] = mapped_column(ForeignKey("categories.id"), primary_key=True)
    principle_id: Mapped[int] = mapped_column(ForeignKey("principles.id"), primary_key=True)
    is_primary: Mapped[bool] = mapped_column(default=False)


class Competency(Base):
    __tablename__ = "competencies"
    __table_args__ = (
        UniqueConstraint("framework_id", "code"),
        UniqueConstraint("category_id", "number"),
        CheckConstraint("number > 0", name="number_positive"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    framework_id: Mapped[int] = mapped_column(ForeignKey("frameworks.id"))
    category_id: Mapped[int] = mapped_column(ForeignKey("categories.id"), index=True)
    number: Mapped[int]
    code: Mapped[str] = mapped_column(String(30))  # e.g. "VIII.3": what imports and people use
    label: Mapped[str] = mapped_column(String(200))
    sort_order: Mapped[int] = mapped_column(default=0)


class RatingScale(Base):
    """Agency-defined proficiency levels; ratings at or above proficient_level count as proficient."""

    __tablename__ = "rating_scales"
    __table_args__ = (
        CheckConstraint("proficient_level >= 1", name="proficient_positive"),
        Index("uq_rating_scales_active", "is_active", unique=True,
              sqlite_where=text("is_active"), postgresql_where=text("is_active")),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    proficient_level: Mapped[int]
    is_active: Mapped[bool] = mapped_column(default=False)
    levels: Mapped[list[RatingLevel]] = relationship(order_by="RatingLevel.level")


class RatingLevel(Base):
    __tablename__ = "rating_levels"
    __table_args__ = (CheckConstraint("level >= 1", name="level_positive"),)
    scale_id: Mapped[int] = mapped_column(ForeignKey("rating_scales.id"), primary_key=True)
    level: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    label: Mapped[str] = mapped_column(String(60))
    description: Mapped[str] = mapped_column(String(300), default="")
