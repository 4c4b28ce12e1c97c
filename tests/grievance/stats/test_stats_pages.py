"""Scorecard and statistics pages: they render the numbers, their charts are valid accessible SVG,
oversight pages are for oversight only, downloads work, and nothing public names a reporter."""

from __future__ import annotations

import csv
import io
import re
import xml.etree.ElementTree as ET
from typing import Any

import pytest
from flask import Flask, g
from flask.testing import FlaskClient
from flask_login.utils import _create_identifier

from tests.grievance.stats.stats_march import build_march

SVG = "{http://www.w3.org/2000/svg}"
MARCH = "from=2026-03&to=2026-03&lang=en"


@pytest.fixture
def march(world: Any, moved_clock: Any) -> dict[str, Any]:
    """The month of reports of stats_march.py."""
    return build_march(world, moved_clock)


def svgs(html: str) -> list[ET.Element]:
    """Parse every inline SVG of a page as XML and check it is an accessible image."""
    charts = []
    for text in re.findall(r"<svg\b.*?</svg>", html, flags=re.S):
        root = ET.fromstring(text)  # noqa: S314 - our own output, parsed to check it
        assert root.get("role") == "img"
        title, desc = root.find(f"{SVG}title"), root.find(f"{SVG}desc")
        assert title is not None and title.text and desc is not None and desc.text
        assert root.get("aria-labelledby") == f"{title.get('id')} {desc.get('id')}"
        assert not any(element.get("style") for element in root.iter())
        charts.append(root)
    return charts


def assert_public(html: str) -> None:
    """No script, no inline style, and nothing that belongs to a reporter."""
    assert "<script" not in html and "style=" not in html
    for secret in ("Siti Rahayu", "6281298765432", "pungutan liar", "Rahasia", "+62812"):
        assert secret not in html


def test_national_scorecard(client: FlaskClient, march: dict[str, Any]) -> None:
    response = client.get(f"/scorecards/?{MARCH}")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert_public(html)
    for number in ("75.0%", "71.4%", "60.0%", "25.0%", "33.3%", "3.50", "4.25"):
        assert number in html
    assert 'class="zone-badge zone-yellow">yellow' in html
    assert "green when at least 80%" in html
    charts = svgs(html)
    assert len(charts) == 3
    assert "Pemprov Jawa Barat" in html or "Kementerian Pekerjaan Umum" in html  # drill-down
    assert "/scorecards/regions/32?" in html and "/scorecards/rankings/regency" in html
    for number in march.values():
        assert number.tracking_number not in html


def test_agency_region_and_ranking_pages(client: FlaskClient, world: Any,
                                         march: dict[str, Any]) -> None:
    city = client.get(f"/scorecards/agencies/{world.city.code}?{MARCH}")
    assert city.status_code == 200
    html = city.get_data(as_text=True)
    assert_public(html)
    assert "Pemkot Bandung" in html and "Dinas PU Kota Bandung" in html  # its unit, one level down
    assert "71.4%" in html and "3.25" in html and "Rank 1 of 1" in html
    assert len(svgs(html)) == 3

    region = client.get(f"/scorecards/regions/32?{MARCH}")
    assert region.status_code == 200
    html = region.get_data(as_text=True)
    assert "Kota Bandung" in html and "/scorecards/regions/32.73?" in html
    assert_public(html)

    ranking = client.get(f"/scorecards/rankings/regency?{MARCH}")
    assert ranking.status_code == 200
    html = ranking.get_data(as_text=True)
    assert "Pemkot Bandung" in html and "Pemkot Semarang" in html
    assert len(svgs(html)) == 1
    assert_public(html)


def test_scorecard_json(client: FlaskClient, world: Any, march: dict[str, Any]) -> None:
    data = client.get(f"/scorecards/data.json?{MARCH}").get_json()
    assert data["total"]["compliance_percent"] == 75.0 and data["total"]["zone"] == "yellow"
    assert data["months"][0]["month"] == "2026-03"
    assert data["thresholds"] == {"green_percent": 80, "yellow_percent": 60}
    city = client.get(f"/scorecards/agencies/{world.city.code}/data.json?{MARCH}").get_json()
    assert city["total"]["received"] == 4 and city["scope"]["code"] == world.city.code
    ranking = client.get(f"/scorecards/rankings/regency/data.json?{MARCH}").get_json()
    assert [row["rank"] for row in ranking["rows"]] == [1, None]
    region = client.get(f"/scorecards/regions/32.73/data.json?{MARCH}").get_json()
    assert region["total"]["received"] == 6
    text = str(data) + str(city) + str(region)
    assert "Siti" not in text and "pungutan" not in text


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("from=2026-13&to=2026-14", "Give months as YYYY-MM"),
        ("from=march", "Give months as YYYY-MM"),
        ("from=2026-05&to=2026-01", "must not come after"),
        ("from=2001-01&to=2026-01", "at most 120 months"),
    ],
)
def test_bad_periods_say_why(client: FlaskClient, world: Any, query: str, message: str) -> None:
    page = client.get(f"/scorecards/?{query}&lang=en")
    assert page.status_code == 200 and message in page.get_data(as_text=True)
    data = client.get(f"/scorecards/data.json?{query}&lang=en")
    assert data.status_code == 400 and message in data.get_json()["error"]


def test_unknown_scopes_are_not_found(client: FlaskClient, world: Any) -> None:
    for path in ("/scorecards/agencies/NOPE", "/scorecards/regions/99.99",
                 "/scorecards/rankings/galaxy", "/scorecards/agencies/A%00B",
                 "/scorecards/regions/" + "9" * 300):
        response = client.get(path + "?lang=en")
        assert response.status_code == 404
        assert "Scorecard not found" in response.get_data(as_text=True)
    for path in ("/scorecards/agencies/NOPE/data.json", "/scorecards/regions/99/data.json",
                 "/scorecards/rankings/galaxy/data.json"):
        response = client.get(path)
        assert response.status_code == 404 and "error" in response.get_json()


def test_empty_database_renders(client: FlaskClient, world: Any) -> None:
    html = client.get("/scorecards/?lang=en").get_data(as_text=True)
    assert "no zone" in html
    assert len(svgs(html)) == 3


def login(app: Flask, client: FlaskClient, user: Any) -> None:
    """Log a staff user in the way Flask-Login's strong session protection accepts."""
    with app.test_request_context(environ_base=client.environ_base):
        identifier = _create_identifier()
    with client.session_transaction() as session:
        session["_user_id"] = str(user.id)
        session["_fresh"] = True
        session["_id"] = identifier
    # The test's app context outlives each request, and Flask-Login caches the user on `g`.
    g.pop("_login_user", None)


def test_oversight_statistics_need_the_oversight_role(
    app: Flask, client: FlaskClient, world: Any, march: dict[str, Any]
) -> None:
    anonymous = client.get(f"/statistics/?{MARCH}")
    assert anonymous.status_code in (302, 401)
    assert client.get(f"/statistics/breaches_by_agency.csv?{MARCH}").status_code in (302, 401)
    login(app, client, world.officer)
    assert client.get(f"/statistics/?{MARCH}").status_code == 403
    assert client.get(f"/statistics/channel_mix.json?{MARCH}").status_code == 403
    login(app, client, world.oversight)
    page = client.get(f"/statistics/?{MARCH}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Breach rates by agency" in html and "Pemkot Bandung" in html
    assert "median 3 and 90th percentile 4.25" in html
    assert len(svgs(html)) == 1


def test_oversight_downloads(app: Flask, client: FlaskClient, world: Any,
                             march: dict[str, Any]) -> None:
    login(app, client, world.oversight)
    response = client.get(f"/statistics/breaches_by_agency.csv?{MARCH}")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    city = next(row for row in rows if row["agency_code"] == world.city.code)
    late = (city["clocks_due"], city["clocks_late"], city["breach_rate_percent"])
    assert late == ("7", "2", "28.6")

    categories = client.get(f"/statistics/breaches_by_category.json?{MARCH}").get_json()
    water = next(row for row in categories["rows"] if row["category_code"] == "water")
    # Water: R2 (screening, two follow-ups, three resolutions, the first late), R6 (screening,
    # late), R8 (screening, follow-up, resolution late): 10 clocks, 3 late.
    assert (water["clocks_due"], water["clocks_late"]) == (10, 3)

    appeals = client.get(f"/statistics/appeal_outcomes.json?{MARCH}").get_json()["rows"]
    assert {row["what"]: row["count"] for row in appeals}["appealed"] == 1
    assert {row["what"]: row["count"] for row in appeals}["closed_resolved"] == 1

    channels = client.get(f"/statistics/channel_mix.json?{MARCH}").get_json()["rows"]
    assert {row["channel"]: row["received"] for row in channels} == {"sms": 4, "web": 2, "ussd": 1}

    times = client.get(f"/statistics/resolution_times.csv?{MARCH}").get_data(as_text=True)
    lines = times.strip().splitlines()
    assert lines[0] == "working_days_from,working_days_to,responses"
    assert "1.0,2.0,1" in lines and "2.0,3.0,1" in lines and "3.0,4.0,1" in lines

    scoped = client.get(f"/statistics/channel_mix.json?{MARCH}&agency={world.city.code}")
    assert scoped.get_json()["scope"]["code"] == world.city.code
    assert client.get(f"/statistics/nothing.csv?{MARCH}").status_code == 404
    assert client.get("/statistics/channel_mix.json?from=bad").status_code == 400
    assert client.get(f"/statistics/channel_mix.csv?{MARCH}&region=77").status_code == 400
