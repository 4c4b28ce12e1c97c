"""Rollup tables: counters and histograms per month and scope, and each report's running facts.

A scope is one of: the whole country (agency_id 0, region_code ""), an agency with everything
beneath it (agency_id > 0, region_code ""), or a region with everything inside it (agency_id 0,
region_code set). Each scope has three groupings: the total (category_id 0, channel ""), one row
per category (category_id > 0, or -1 for reports not yet categorised) and one row per channel.
Rows hold flows (what happened in the month) and the month's change of the stocks (open and
overdue reports); a stock at the end of a month is the sum of its changes up to that month, and
`StatsStock` keeps that sum for now.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from grievance.extensions import db
from grievance.models.types import UTCDateTime

# The counters of a rollup row, in storage order (see docs/stats.md for their definitions).
COUNTERS: tuple[str, ...] = (
    "received",
    "dispatched",
    "returned",
    "archived",
    "verification_due",
    "verification_met",
    "follow_up_due",
    "follow_up_met",
    "resolution_due",
    "resolution_met",
    "responses",
    "disputes",
    "closures",
    "appeals",
    "ratings",
    "rating_sum",
    "ratings_high",
    "closed_resolved",
    "closed_not_resolved",
    "closed_info_provided",
    "closed_no_action_needed",
    "appeal_resolved",
    "appeal_not_resolved",
    "appeal_info_provided",
    "appeal_no_action_needed",
    "open_change",
    "overdue_change",
)

ALL_AGENCIES = 0
ALL_REGIONS = ""
ALL_CATEGORIES = 0
NO_CATEGORY = -1
ALL_CHANNELS = ""


class StatsRollup(db.Model):
    """The counters of one scope and grouping in one month."""

    __tablename__ = "stats_rollups"

    agency_id: Mapped[int] = mapped_column(sa.Integer, primary_key=True)
    region_code: Mapped[str] = mapped_column(sa.String(20), primary_key=True)
    category_id: Mapped[int] = mapped_column(sa.Integer, primary_key=True)
    channel: Mapped[str] = mapped_column(sa.String(16), primary_key=True)
    month: Mapped[int] = mapped_column(sa.Integer, primary_key=True)  # 202603 for March 2026
    received: Mapped[int] = mapped_column(default=0, server_default="0")
    dispatched: Mapped[int] = mapped_column(default=0, server_default="0")
    returned: Mapped[int] = mapped_column(default=0, server_default="0")
    archived: Mapped[int] = mapped_column(default=0, server_default="0")
    verification_due: Mapped[int] = mapped_column(default=0, server_default="0")
    verification_met: Mapped[int] = mapped_column(default=0, server_default="0")
    follow_up_due: Mapped[int] = mapped_column(default=0, server_default="0")
    follow_up_met: Mapped[int] = mapped_column(default=0, server_default="0")
    resolution_due: Mapped[int] = mapped_column(default=0, server_default="0")
    resolution_met: Mapped[int] = mapped_column(default=0, server_default="0")
    responses: Mapped[int] = mapped_column(default=0, server_default="0")
    disputes: Mapped[int] = mapped_column(default=0, server_default="0")
    closures: Mapped[int] = mapped_column(default=0, server_default="0")
    appeals: Mapped[int] = mapped_column(default=0, server_default="0")
    ratings: Mapped[int] = mapped_column(default=0, server_default="0")
    rating_sum: Mapped[int] = mapped_column(default=0, server_default="0")
    ratings_high: Mapped[int] = mapped_column(default=0, server_default="0")
    closed_resolved: Mapped[int] = mapped_column(default=0, server_default="0")
    closed_not_resolved: Mapped[int] = mapped_column(default=0, server_default="0")
    closed_info_provided: Mapped[int] = mapped_column(default=0, server_default="0")
    closed_no_action_needed: Mapped[int] = mapped_column(default=0, server_default="0")
    appeal_resolved: Mapped[int] = mapped_column(default=0, server_default="0")
    appeal_not_resolved: Mapped[int] = mapped_column(default=0, server_default="0")
    appeal_info_provided: Mapped[int] = mapped_column(default=0, server_default="0")
    appeal_no_action_needed: Mapped[int] = mapped_column(default=0, server_default="0")
    open_change: Mapped[int] = mapped_column(default=0, server_default="0")
    overdue_change: Mapped[int] = mapped_column(default=0, server_default="0")

    # Every scope's totals over a range of months (rankings, breach tables) in one range read.
    __table_args__ = (
        sa.Index("ix_stats_rollups_grouping_month", "category_id", "channel", "month"),
    )


class StatsDurationHistogram(db.Model):
    """How many responses took each bucket of working days, per scope, category and month."""

    __tablename__ = "stats_duration_histograms"

    agency_id: Mapped[int] = mapped_column(sa.Integer, primary_key=True)
    region_code: Mapped[str] = mapped_column(sa.String(20), primary_key=True)
    category_id: Mapped[int] = mapped_column(sa.Integer, primary_key=True)
    month: Mapped[int] = mapped_column(sa.Integer, primary_key=True)
    bucket: Mapped[int] = mapped_column(sa.SmallInteger, primary_key=True)
    count: Mapped[int] = mapped_column(sa.Integer, default=0, server_default="0")


class StatsStock(db.Model):
    """Open and overdue reports of one scope and grouping now: the sum of every month's change.

    A stock at the end of a past month is this minus the changes of the months after it, so a
    page reads the months since its period began, not the whole history.
    """

    __tablename__ = "stats_stocks"

    agency_id: Mapped[int] = mapped_column(sa.Integer, primary_key=True)
    region_code: Mapped[str] = mapped_column(sa.String(20), primary_key=True)
    category_id: Mapped[int] = mapped_column(sa.Integer, primary_key=True)
    channel: Mapped[str] = mapped_column(sa.String(16), primary_key=True)
    open_now: Mapped[int] = mapped_column(default=0, server_default="0")
    overdue_now: Mapped[int] = mapped_column(default=0, server_default="0")


class StatsReportFacts(db.Model):
    """Where one report stands for the statistics: what the next event needs to know.

    Written by the same code from the same events on both paths (as events happen, and by the
    rebuild), so both paths agree. ``last_seq`` makes applying an event twice a no-op.
    """

    __tablename__ = "stats_report_facts"

    report_id: Mapped[int] = mapped_column(
        sa.ForeignKey("reports.id", ondelete="CASCADE"), primary_key=True
    )
    last_seq: Mapped[int] = mapped_column(sa.Integer)
    region_code: Mapped[str | None] = mapped_column(sa.String(20), default=None)
    channel: Mapped[str] = mapped_column(sa.String(16))
    state: Mapped[str] = mapped_column(sa.String(32))
    agency_id: Mapped[int | None] = mapped_column(sa.Integer, default=None)
    category_id: Mapped[int | None] = mapped_column(sa.Integer, default=None)
    # Start of the current stretch of one state at one agency, and the working time (in
    # microseconds of a 24-hour working day) the current verification and handling have used.
    segment_start: Mapped[datetime] = mapped_column(UTCDateTime)
    screening_us: Mapped[int] = mapped_column(sa.BigInteger, default=0)
    handling_us: Mapped[int] = mapped_column(sa.BigInteger, default=0)
    run_late: Mapped[bool] = mapped_column(default=False)
    appealed: Mapped[bool] = mapped_column(default=False)
    outcome: Mapped[str | None] = mapped_column(sa.String(32), default=None)
    response_month: Mapped[int | None] = mapped_column(sa.Integer, default=None)
    close_month: Mapped[int | None] = mapped_column(sa.Integer, default=None)
