"""Statistics: rollups kept current as events happen, public scorecards, oversight statistics.

`init_app(app)` registers the pages; `grievance.stats.rollups.on_events` is called wherever
events are written; `grievance stats rebuild` recomputes everything from the audit trail.
"""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the scorecard and statistics pages and keep the rollups current."""
    from grievance.stats import views

    views.init_app(app)
