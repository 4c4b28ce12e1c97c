"""Regions, agencies in their hierarchy, and the working calendars of their jurisdictions."""

from __future__ import annotations

from datetime import date, datetime, time

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from grievance.clock import utcnow
from grievance.extensions import db
from grievance.models.types import UTCDateTime, enum_type
from workflows.states import AgencyLevel

agency_regions = sa.Table(
    "agency_regions",
    db.metadata,
    sa.Column("agency_id", sa.ForeignKey("agencies.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("region_code", sa.ForeignKey("regions.code", ondelete="CASCADE"), primary_key=True),
)


class Region(db.Model):
    """An administrative region, keyed by its official code (e.g. Kemendagri "31.71")."""

    __tablename__ = "regions"

    code: Mapped[str] = mapped_column(sa.String(20), primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    level: Mapped[AgencyLevel] = mapped_column(enum_type(AgencyLevel, "region_level"))
    parent_code: Mapped[str | None] = mapped_column(
        sa.ForeignKey("regions.code"), index=True, default=None
    )

    parent: Mapped[Region | None] = relationship(remote_side=[code], back_populates="children")
    children: Mapped[list[Region]] = relationship(back_populates="parent")

    def ancestry(self) -> list[Region]:
        """Return this region and its ancestors, nearest first."""
        chain: list[Region] = []
        node: Region | None = self
        while node is not None and node not in chain:
            chain.append(node)
            node = node.parent
        return chain


class Calendar(db.Model):
    """The working calendar of a jurisdiction: time zone, working days and hours, holidays."""

    __tablename__ = "calendars"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(120), unique=True)
    timezone: Mapped[str] = mapped_column(sa.String(64), default="Asia/Jakarta")
    # ISO weekday numbers, Monday=0, comma separated: "0,1,2,3,4"
    weekdays: Mapped[str] = mapped_column(sa.String(20), default="0,1,2,3,4")
    work_start: Mapped[time | None] = mapped_column(sa.Time, default=None)
    work_end: Mapped[time | None] = mapped_column(sa.Time, default=None)
    holiday_country: Mapped[str | None] = mapped_column(sa.String(8), default="ID")
    holiday_subdiv: Mapped[str | None] = mapped_column(sa.String(16), default=None)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    closures: Mapped[list[CalendarClosure]] = relationship(
        back_populates="calendar", cascade="all, delete-orphan", order_by="CalendarClosure.day"
    )

    __table_args__ = (
        sa.CheckConstraint(
            "(work_start IS NULL AND work_end IS NULL) OR "
            "(work_start IS NOT NULL AND work_end IS NOT NULL AND work_start < work_end)",
            name="work_hours",
        ),
    )


class CalendarClosure(db.Model):
    """A day an admin closed in a calendar (a local emergency, cuti bersama, ...)."""

    __tablename__ = "calendar_closures"

    id: Mapped[int] = mapped_column(primary_key=True)
    calendar_id: Mapped[int] = mapped_column(sa.ForeignKey("calendars.id", ondelete="CASCADE"))
    day: Mapped[date] = mapped_column(sa.Date)
    reason: Mapped[str] = mapped_column(sa.String(200), default="")

    calendar: Mapped[Calendar] = relationship(back_populates="closures")

    __table_args__ = (sa.UniqueConstraint("calendar_id", "day", name="calendar_day"),)


class Agency(db.Model):
    """A government body that handles reports, at one level of a hierarchy."""

    __tablename__ = "agencies"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(40), unique=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    level: Mapped[AgencyLevel] = mapped_column(enum_type(AgencyLevel, "agency_level"))
    parent_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("agencies.id"), index=True, default=None
    )
    # None: the parent's calendar, up to the national default.
    calendar_id: Mapped[int | None] = mapped_column(sa.ForeignKey("calendars.id"), default=None)
    active: Mapped[bool] = mapped_column(default=True)

    parent: Mapped[Agency | None] = relationship(remote_side=[id], back_populates="children")
    children: Mapped[list[Agency]] = relationship(back_populates="parent", order_by="Agency.name")
    calendar: Mapped[Calendar | None] = relationship()
    regions: Mapped[list[Region]] = relationship(secondary=agency_regions, order_by=Region.code)

    def ancestry(self) -> list[Agency]:
        """Return this agency and its ancestors, nearest first."""
        chain: list[Agency] = []
        node: Agency | None = self
        while node is not None and node not in chain:
            chain.append(node)
            node = node.parent
        return chain

    def effective_calendar(self) -> Calendar | None:
        """Return the nearest calendar up the hierarchy, or None for the default."""
        for agency in self.ancestry():
            if agency.calendar is not None:
                return agency.calendar
        return None
