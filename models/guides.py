"""Resource guides and the categories and principles each one helps with."""
from __future__ import annotations

from datetime import date

from sqlalchemy import JSON, Date, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base


class ResourceGuide(Base):
    __tablename__ = "resource_guides"
    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(80), unique=True)  # stable name used by seed files
    title: Mapped[str] = mapped_column(String(300))
    publisher: Mapped[str] = mapped_column(String(300))
    year: Mapped[int | None]
    url: Mapped[str] = mapped_column(String(500))
    extra_links: Mapped[list[dict[str, str]]] = mapped_column(JSON, default=list)
    summary: Mapped[str] = mapped_column(Text, default="")
    sort_order: Mapped[int] = mapped_column(default=0)
    retired_on: Mapped[date | None] = mapped_column(Date)  # retired: shown nowhere, kept for the record


class GuideCategory(Base):
    __tablename__ = "guide_categories"
    guide_id: Mapped[int] = mapped_column(ForeignKey("resource_guides.id", ondelete="CASCADE"),
                                          primary_key=True)
    category_id: Mapped[int] = mapped_column(ForeignKey("categories.id"), primary_key=True)


class GuidePrinciple(Base):
    __tablename__ = "guide_principles"
    guide_id: Mapped[int] = mapped_column(ForeignKey("resource_guides.id", ondelete="CASCADE"),
                                          primary_key=True)
    principle_id: Mapped[int] = mapped_column(ForeignKey("principles.id"), primary_key=True)
