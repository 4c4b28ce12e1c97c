"""Categories of reports and the routing of category + region to the agency with authority."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from grievance.extensions import db
from grievance.models.geography import Agency
from grievance.models.types import JSONType, enum_type
from workflows.states import Tier


class Category(db.Model):
    """A kind of public-service problem, with its names per language and resolution tier."""

    __tablename__ = "categories"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(40), unique=True)
    # {"en": "Roads", "id": "Jalan", ...}; English is the fallback.
    names: Mapped[dict[str, str]] = mapped_column(JSONType, default=dict)
    tier: Mapped[Tier] = mapped_column(enum_type(Tier, "tier"), default=Tier.STANDARD)
    active: Mapped[bool] = mapped_column(default=True)
    position: Mapped[int] = mapped_column(default=0)

    def name(self, locale: str) -> str:
        """Return the name in a language, falling back to English, then the code."""
        return self.names.get(locale) or self.names.get("en") or self.code


class RoutingRule(db.Model):
    """Which agency handles a category in a region; no region means "anywhere else"."""

    __tablename__ = "routing_rules"

    id: Mapped[int] = mapped_column(primary_key=True)
    category_id: Mapped[int] = mapped_column(sa.ForeignKey("categories.id", ondelete="CASCADE"))
    region_code: Mapped[str | None] = mapped_column(sa.ForeignKey("regions.code"), default=None)
    agency_id: Mapped[int] = mapped_column(sa.ForeignKey("agencies.id"))

    category: Mapped[Category] = relationship()
    agency: Mapped[Agency] = relationship()

    __table_args__ = (sa.UniqueConstraint("category_id", "region_code", name="category_region"),)
