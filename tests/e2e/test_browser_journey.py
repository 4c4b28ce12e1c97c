"""In a real browser: a resident files, a verifier dispatches, an officer responds, the resident
accepts and rates; and axe-core finds no serious or critical accessibility problem on the main
pages. Debian's chromium is driven by Playwright (no browser download); screenshots are kept in
test-artifacts/browser/.
"""

from __future__ import annotations

import shutil
import socket
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask_migrate import upgrade
from werkzeug.serving import make_server

from grievance import create_app
from grievance.extensions import db
from grievance.models import Agency, Calendar, Category, Region, RoutingRule, StaffUser
from tests.conftest import IN_CI, make_settings, password_hash
from workflows.states import AgencyLevel, Role, Tier

playwright_api = pytest.importorskip("playwright.sync_api")

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "browser"
PASSWORD = "correct horse battery"
# What a headless Chromium needs in this sandbox: no background calls to the outside world.
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def populate(app: Flask) -> None:
    """A city with a unit, a category routed to it, a verifier and an officer."""
    with app.app_context():
        upgrade()
        db.session.add(Calendar(name="national", timezone="Asia/Jakarta", holiday_country="ID"))
        db.session.add_all(
            [
                Region(code="32", name="Jawa Barat", level=AgencyLevel.PROVINCE),
                Region(
                    code="32.73", name="Kota Bandung", level=AgencyLevel.REGENCY, parent_code="32"
                ),
            ]
        )
        city = Agency(code="BDG", name="Pemerintah Kota Bandung", level=AgencyLevel.REGENCY)
        roads = Category(code="roads", names={"en": "Roads", "id": "Jalan"}, tier=Tier.STANDARD)
        db.session.add_all([city, roads])
        db.session.flush()
        db.session.add(RoutingRule(category_id=roads.id, region_code="32.73", agency_id=city.id))
        for email, role, agency in (
            ("verifier@example.org", Role.VERIFIER, None),
            ("officer@example.org", Role.OFFICER, city),
        ):
            db.session.add(
                StaffUser(
                    email=email,
                    name=email.split("@")[0].title(),
                    role=role,
                    agency=agency,
                    language="en",
                    password_hash=password_hash(),
                )
            )
        db.session.commit()
        db.engine.dispose()


@pytest.fixture
def live_server(tmp_path: Path) -> Iterator[str]:
    """Serve a fresh app on a loopback port and yield its base URL."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    app = create_app(
        make_settings(
            f"sqlite:///{tmp_path / 'browser.sqlite3'}", public_base_url=base, redis_url=None
        )
    )
    populate(app)
    server = make_server("127.0.0.1", port, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield base
    server.shutdown()
    thread.join(timeout=5)
    with app.app_context():
        db.engine.dispose()


@pytest.fixture
def browser() -> Iterator[Any]:
    """Yield a headless Debian chromium driven by Playwright."""
    if not Path(CHROMIUM).exists():
        message = "chromium is not installed (scripts/test installs Debian's package as root)"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with playwright_api.sync_playwright() as driver:
        instance = driver.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield instance
        instance.close()


def shot(page: Any, name: str) -> None:
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def staff_login(browser: Any, base: str, email: str) -> Any:
    page = browser.new_context(locale="en-US").new_page()
    page.goto(f"{base}/staff/login?lang=en")
    page.fill("#email", email)
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/staff/**")
    return page


def open_staff_report(page: Any, base: str, number: str) -> None:
    page.goto(f"{base}/staff/find?number={number}")
    page.wait_for_url(f"{base}/staff/reports/**")


def test_a_report_from_filing_to_rating(live_server: str, browser: Any) -> None:
    base = live_server
    resident = browser.new_context(locale="en-US").new_page()
    resident.goto(f"{base}/?lang=en")
    shot(resident, "01-home")
    resident.goto(f"{base}/report/new")
    resident.check("input[name=classification][value=complaint]")
    resident.select_option("select[name=category]", label="Roads")
    resident.select_option("select[name=region]", value="32.73")
    resident.fill(
        "textarea[name=description]",
        "A deep pothole in front of SD Negeri 5 on Jalan Braga; children trip on it every day.",
    )
    resident.fill("input[name=email]", "resident@example.org")
    shot(resident, "02-filing-form")
    resident.click("form[enctype] button[type=submit]")
    resident.wait_for_selector(".private-link")
    shot(resident, "03-filed")
    number = "".join(ch for ch in resident.inner_text(".tracking") if ch.isdigit())
    private_link = resident.get_attribute(".private-link", "href")
    assert len(number) == 10 and private_link

    verifier = staff_login(browser, base, "verifier@example.org")
    open_staff_report(verifier, base, number)
    shot(verifier, "04-verifier-report")
    verifier.click("summary:has-text('Dispatch')")  # each action folds out of a <details>
    agency = verifier.locator("#dispatch-agency option", has_text="Pemerintah Kota Bandung").first
    verifier.select_option("#dispatch-agency", value=agency.get_attribute("value"))
    verifier.click("form[action$='/dispatch'] button[type=submit]")
    verifier.wait_for_load_state()
    shot(verifier, "05-dispatched")

    officer = staff_login(browser, base, "officer@example.org")
    open_staff_report(officer, base, number)
    officer.click("form[action$='/post_update'] >> xpath=ancestor::details/summary")
    officer.fill("#update-text", "Our road team inspected the pothole this morning.")
    officer.click("form[action$='/post_update'] button[type=submit]")
    officer.wait_for_selector("#respond-text", state="attached")
    officer.click("form[action$='/respond'] >> xpath=ancestor::details/summary")
    officer.fill("#respond-text", "The pothole was filled and the road resurfaced.")
    officer.select_option("#respond-outcome", value="resolved")
    officer.click("form[action$='/respond'] button[type=submit]")
    officer.wait_for_load_state()
    shot(officer, "06-responded")

    resident.goto(private_link if private_link.startswith("http") else f"{base}{private_link}")
    shot(resident, "07-answered")
    resident.check("#accept input[name=score][value='5']")
    resident.click("#accept button[type=submit]")
    resident.wait_for_load_state()
    shot(resident, "08-closed")
    assert "Your rating: 5 of 5." in resident.content()

    public = browser.new_context(locale="en-US").new_page()
    public.goto(f"{base}/reports/{number}?lang=en")
    assert "pothole was filled" in public.content()
    assert "resident@example.org" not in public.content()


MAIN_PAGES = [
    "/?lang=en",
    "/report/new?lang=en",
    "/reports?lang=en",
    "/track?lang=en",
    "/staff/login?lang=en",
    "/?lang=id",
]


def test_main_pages_have_no_serious_accessibility_problems(live_server: str, browser: Any) -> None:
    from axe_playwright_python.sync_playwright import Axe

    axe = Axe()
    page = browser.new_context(locale="en-US").new_page()
    problems = []
    for path in MAIN_PAGES:
        page.goto(f"{live_server}{path}")
        results = axe.run(page)
        for violation in results.response["violations"]:
            if violation["impact"] in ("serious", "critical"):
                problems.append(
                    f"{path}: {violation['id']} ({violation['impact']}): {violation['help']}"
                )
    assert not problems, "\n".join(problems)
