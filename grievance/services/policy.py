"""The SLA policy and working calendars, read from the database into workflow objects."""

from __future__ import annotations

from datetime import time

from flask import current_app
from sqlalchemy import select

from grievance.extensions import db
from grievance.models import Agency, Calendar, SlaPolicyRow
from workflows.calendar import WorkingCalendar
from workflows.sla import SlaPolicy
from workflows.states import Tier

# Calendars are immutable values; rebuilding one (and its holiday tables) per request is waste.
_calendar_cache: dict[tuple[object, ...], WorkingCalendar] = {}


def load_policy() -> SlaPolicy:
    """Return the SLA policy in force (the defaults until an admin saves one)."""
    row = db.session.get(SlaPolicyRow, 1)
    if row is None:
        return SlaPolicy()
    return policy_from_row(row)


def policy_from_row(row: SlaPolicyRow) -> SlaPolicy:
    """Turn the policy row into the workflow's SlaPolicy."""
    return SlaPolicy(
        verification_days=row.verification_days,
        follow_up_days=row.follow_up_days,
        tier_days={
            Tier.MINOR: row.minor_days,
            Tier.NORMATIVE: row.normative_days,
            Tier.STANDARD: row.standard_days,
            Tier.INVESTIGATION: row.investigation_days,
        },
        reply_window_days=row.reply_window_days,
        deferral_window_days=row.deferral_window_days,
        rating_window_days=row.rating_window_days,
        appeal_window_days=row.appeal_window_days,
        reminder_before_days=row.reminder_before_days,
        level2_factor=row.level2_factor,
    )


def working_calendar(calendar: Calendar | None) -> WorkingCalendar:
    """Return the working calendar of a calendar row, or the deployment's default."""
    if calendar is None:
        timezone = current_app.config["GRIEVANCE_SETTINGS"].timezone
        key: tuple[object, ...] = ("default", timezone)
        if key not in _calendar_cache:
            _calendar_cache[key] = WorkingCalendar(timezone=timezone, country="ID")
        return _calendar_cache[key]
    closures = frozenset(c.day for c in calendar.closures)
    hours: tuple[time, time] | None = None
    if calendar.work_start is not None and calendar.work_end is not None:
        hours = (calendar.work_start, calendar.work_end)
    key = (
        calendar.id,
        calendar.timezone,
        calendar.weekdays,
        hours,
        calendar.holiday_country,
        calendar.holiday_subdiv,
        closures,
    )
    if key not in _calendar_cache:
        _calendar_cache[key] = WorkingCalendar(
            timezone=calendar.timezone,
            weekdays=frozenset(int(d) for d in calendar.weekdays.split(",") if d.strip()),
            hours=hours,
            country=calendar.holiday_country or None,
            subdiv=calendar.holiday_subdiv or None,
            closures=closures,
        )
    return _calendar_cache[key]


def calendar_for_agency(agency_id: int | None) -> WorkingCalendar:
    """Return the calendar a report at this agency runs on (the nearest one up the hierarchy)."""
    if agency_id is None:
        return working_calendar(default_calendar_row())
    agency = db.session.get(Agency, agency_id)
    row = agency.effective_calendar() if agency is not None else None
    return working_calendar(row or default_calendar_row())


def default_calendar_row() -> Calendar | None:
    """Return the calendar named "national", used where no agency calendar applies."""
    return db.session.scalar(select(Calendar).where(Calendar.name == "national"))
