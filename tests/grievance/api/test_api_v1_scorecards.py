"""Scorecards and rankings through the JSON API: aggregates from grievance.stats, as documented."""

from __future__ import annotations

import pytest


def test_national_scorecard(api_client, conforms, filer, moved_clock):
    filer()
    response = api_client.get("/api/v1/scorecards?from=2026-01&to=2026-03")
    assert response.status_code == 200
    conforms("Scorecard", response.json)
    body = response.json
    assert body["scope"] == {"kind": "national", "code": None, "name": None, "level": None}
    assert body["period"] == {"from": "2026-01", "to": "2026-03"}
    assert [m["month"] for m in body["months"]] == ["2026-01", "2026-02", "2026-03"]
    assert {c["scope"]["kind"] for c in body["children"]} == {"agency", "region"}


def test_agency_and_region_scorecards(api_client, conforms, moved_clock):
    agency = api_client.get("/api/v1/scorecards/agencies/BDG")
    assert agency.status_code == 200
    conforms("Scorecard", agency.json)
    assert agency.json["scope"]["code"] == "BDG"
    assert [c["scope"]["code"] for c in agency.json["children"]] == ["BDG-DPU"]
    region = api_client.get("/api/v1/scorecards/regions/32")
    conforms("Scorecard", region.json)
    assert [c["scope"]["code"] for c in region.json["children"]] == ["32.73"]


def test_ranking(api_client, conforms, moved_clock):
    response = api_client.get("/api/v1/rankings/regency")
    assert response.status_code == 200
    conforms("Ranking", response.json)
    assert {row["scope"]["code"] for row in response.json["rows"]} == {"BDG", "SMG"}


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/api/v1/scorecards?from=March", 400),
        ("/api/v1/scorecards?from=2026-05&to=2026-01", 400),
        ("/api/v1/scorecards/agencies/NOPE", 404),
        ("/api/v1/scorecards/regions/99", 404),
        ("/api/v1/rankings/galaxy", 404),
        ("/api/v1/rankings/province?to=2026-13", 400),
    ],
)
def test_scorecard_errors(api_client, conforms, path, status):
    response = api_client.get(path)
    assert response.status_code == status
    conforms("Error", response.json)
