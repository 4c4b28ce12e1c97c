"""Scorecard figures equal hand-computed ones, and the rebuild gives exactly the live numbers.

The dataset (holidays, paused time, a dispute, an appeal, a return, timeouts and escalations by
the sweep) and the derivation of every expected number are in `stats_march.py`.
"""

from __future__ import annotations

from typing import Any

import pytest

from grievance.extensions import db
from grievance.stats import queries
from grievance.stats.queries import NATIONAL, Period
from grievance.stats.rebuild import rebuild
from tests.grievance.stats.stats_march import MARCH, build_march, snapshot


@pytest.fixture
def march(world: Any, moved_clock: Any) -> dict[str, Any]:
    """The month of reports described in the module docstring."""
    return build_march(world, moved_clock)


def check(figures: Any, expected: dict[str, Any]) -> None:
    values = figures.as_dict()
    assert {key: values[key] for key in expected} == expected


def test_hand_computed_figures(world: Any, march: dict[str, Any]) -> None:
    check_national(world)
    check_agencies(world)
    check_regions(world)
    check_periods()


def check_national(world: Any) -> None:
    card = queries.scorecard(NATIONAL, MARCH)
    check(card.total, {
        "received": 7, "dispatched": 5, "returned": 1, "archived": 2,
        # R1, R2, R3 twice, R8 met; R6 decided late; R5 late by the sweep.
        "verified_within_limit_percent": round(100 * 5 / 7, 1),
        "followed_up_within_limit_percent": 100.0,  # R2 (city), R2 (province), R8, R1
        # R2's first response late; R8 late by the sweep; three met.
        "resolved_within_tier_percent": 60.0,
        # Responses after 2.0, 3.0, 3.25 and 4.25 working days from dispatch.
        "median_working_days_to_resolve": 3.0,
        "p90_working_days_to_resolve": 4.25,
        "responses": 4, "closures": 3,
        "open_backlog": 3, "overdue_backlog": 2,  # R5, R6, R8 open; R5 and R8 overdue
        "reopen_rate_percent": 25.0,  # 1 dispute of 4 responses
        "appeal_rate_percent": round(100 / 3, 1),  # 1 appeal of 3 closings
        "mean_rating": 3.5, "rating_4_or_5_percent": 50.0,
        "rated_percent": round(200 / 3, 1),
        "sla_clocks_due": 16, "sla_clocks_met": 12,
        "compliance_percent": 75.0, "zone": "yellow",
    })
    assert card.total["appeal_resolved"] == 1
    assert card.total["closed_not_resolved"] == 1 and card.total["closed_resolved"] == 2


def check_agencies(world: Any) -> None:
    city = queries.agency_scope(world.city.code)
    card = queries.scorecard(city, MARCH)
    check(card.total, {
        "received": 4,  # R1, R2, R6, R8 dispatched to it; the unit's assignment is internal
        "dispatched": 4, "returned": 0, "archived": 0,
        "verified_within_limit_percent": None,  # screening is the central desk's, not the city's
        "followed_up_within_limit_percent": 100.0,
        "resolved_within_tier_percent": 50.0,  # R2 late, R2 met, R1 met, R8 late
        "median_working_days_to_resolve": 3.25,  # of 2.0, 3.25, 4.25
        "p90_working_days_to_resolve": 4.25,
        "responses": 3, "closures": 2,
        "open_backlog": 2, "overdue_backlog": 1,  # R6 (at the unit) and R8; R8 overdue
        "reopen_rate_percent": round(100 / 3, 1),
        "appeal_rate_percent": 50.0,  # R2's first closing was appealed, R1's not
        "mean_rating": 3.5, "rated_percent": 100.0,
        "compliance_percent": round(100 * 5 / 7, 1), "zone": "yellow",
    })
    unit = queries.scorecard(queries.agency_scope(world.unit.code), MARCH)
    check(unit.total, {"received": 1, "dispatched": 0, "open_backlog": 1, "overdue_backlog": 0})
    province = queries.scorecard(queries.agency_scope(world.province.code), MARCH)
    # The appeal arrives at the province: one more received, its follow-up and response.
    check(province.total, {"received": 5, "responses": 4, "closures": 3,
                           "followed_up_within_limit_percent": 100.0})
    other = queries.scorecard(queries.agency_scope(world.other_city.code), MARCH)
    check(other.total, {"received": 1, "dispatched": 1, "returned": 1, "open_backlog": 0})


def check_regions(world: Any) -> None:
    bandung = queries.scorecard(queries.region_scope("32.73"), MARCH)
    check(bandung.total, {
        "received": 6, "dispatched": 4, "returned": 0, "archived": 1,
        "verified_within_limit_percent": 60.0,  # R1, R2, R8 met; R6, R5 late
        "median_working_days_to_resolve": 3.0,
        "open_backlog": 3, "overdue_backlog": 2,
        "compliance_percent": round(100 * 10 / 14, 1),
    })
    west_java = queries.scorecard(queries.region_scope("32"), MARCH)
    assert west_java.total.as_dict() == bandung.total.as_dict()
    central_java = queries.scorecard(queries.region_scope("33"), MARCH)
    check(central_java.total, {"received": 1, "dispatched": 1, "returned": 1, "archived": 1,
                               "verified_within_limit_percent": 100.0, "open_backlog": 0})


def check_periods() -> None:
    card = queries.scorecard(NATIONAL, Period(202602, 202604))
    months = {month: figures for month, figures in card.by_month}
    assert months[202602]["received"] == 0 and months[202602].open_end == 0
    assert months[202603]["received"] == 7 and months[202603].open_end == 3
    assert months[202604]["received"] == 1 and months[202604].open_end == 4  # R7 joins
    assert card.total["received"] == 8 and card.total.open_end == 4


def test_rebuild_gives_exactly_the_live_numbers(world: Any, march: dict[str, Any]) -> None:
    live = snapshot()
    assert live["rollups"] and live["histograms"] and len(live["facts"]) == 8
    result = rebuild(db.session)
    assert result.reports == 8
    assert snapshot() == live
