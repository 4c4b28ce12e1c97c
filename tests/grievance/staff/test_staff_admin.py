"""Administration: agencies, regions, categories and routing, users, SLA policy, calendars and
API clients, through the pages."""

from __future__ import annotations

import hashlib
import re
from datetime import date

from sqlalchemy import select

from grievance.extensions import db
from grievance.models import (
    Agency,
    ApiClient,
    Calendar,
    Category,
    Region,
    RoutingRule,
    SlaPolicyRow,
    StaffUser,
)
from grievance.services import admin as admin_service
from tests.grievance.staff.staff_helpers import file, reload
from workflows.states import AgencyLevel, Role, Tier


def test_admin_index_links_everything(staff, login):
    page = login(staff.admin).get("/staff/admin/").get_data(as_text=True)
    client = login(staff.admin)
    for path in ("agencies", "regions", "categories", "users", "sla", "calendars", "api-clients"):
        assert f"/staff/admin/{path}" in page
        response = client.get(f"/staff/admin/{path}")
        assert response.status_code == 200
        assert "=&#34;" not in response.get_data(as_text=True)  # attributes are not escaped text


def test_create_and_edit_an_agency(staff, login):
    client = login(staff.admin)
    national = db.session.scalar(select(Calendar))
    response = client.post(
        "/staff/admin/agencies",
        data={
            "code": "BDG-DISHUB",
            "name": "Dinas Perhubungan Kota Bandung",
            "level": "unit",
            "parent": staff.city.id,
            "calendar": national.id,
            "regions": ["32.73"],
        },
    )
    assert response.status_code == 303
    agency = db.session.scalar(select(Agency).where(Agency.code == "BDG-DISHUB"))
    assert agency.parent_id == staff.city.id and [r.code for r in agency.regions] == ["32.73"]
    assert "Dinas Perhubungan" in client.get("/staff/admin/agencies").get_data(as_text=True)

    # Moving the city beneath its own unit would make a loop.
    response = client.post(
        f"/staff/admin/agencies/{staff.city.id}",
        data={"code": "BDG", "name": "Pemkot Bandung", "level": "regency", "parent": agency.id},
    )
    assert response.status_code == 400
    assert "An agency cannot sit beneath itself or its own units." in response.get_data(
        as_text=True
    )
    assert reload_agency(staff.city).parent_id == staff.province.id

    response = client.post(
        f"/staff/admin/agencies/{agency.id}",
        data={"code": "BDG", "name": "Copy", "level": "unit", "parent": staff.city.id},
    )
    assert response.status_code == 400
    assert "Another agency has the code BDG." in response.get_data(as_text=True)
    response = client.post(
        f"/staff/admin/agencies/{agency.id}",
        data={"code": "BDG-DISHUB", "name": "Dishub", "level": "unit", "parent": staff.city.id},
    )
    assert response.status_code == 303
    agency = reload_agency(agency)
    assert agency.name == "Dishub" and not agency.active and agency.regions == []


def reload_agency(agency: Agency) -> Agency:
    db.session.expire_all()
    return db.session.get(Agency, agency.id)


def test_regions(staff, login):
    client = login(staff.admin)
    data = {"code": "32.04", "name": "Kabupaten Bandung", "level": "regency", "parent": "32"}
    assert client.post("/staff/admin/regions", data=data).status_code == 303
    assert db.session.get(Region, "32.04").parent_code == "32"
    again = client.post("/staff/admin/regions", data=data)
    assert again.status_code == 400
    assert "exists already" in again.get_data(as_text=True)
    data = {"name": "Kab. Bandung", "level": "regency", "parent": "32"}
    assert client.post("/staff/admin/regions/32.04", data=data).status_code == 303
    db.session.expire_all()
    assert db.session.get(Region, "32.04").name == "Kab. Bandung"
    loop = client.post(
        "/staff/admin/regions/32", data={"name": "Jabar", "level": "province", "parent": "32.73"}
    )
    assert loop.status_code == 400


def test_categories_and_routing_rules(staff, login):
    client = login(staff.admin)
    missing_english = client.post(
        "/staff/admin/categories", data={"code": "health", "name_id": "Kesehatan", "tier": "minor"}
    )
    assert missing_english.status_code == 400
    assert "Enter at least the English name." in missing_english.get_data(as_text=True)
    assert 'value="Kesehatan"' in missing_english.get_data(as_text=True)  # kept
    response = client.post(
        "/staff/admin/categories",
        data={"code": "health", "name_en": "Health", "name_id": "Kesehatan", "tier": "minor"},
    )
    assert response.status_code == 303
    health = db.session.scalar(select(Category).where(Category.code == "health"))
    assert health.names == {"en": "Health", "id": "Kesehatan"} and health.tier is Tier.MINOR

    response = client.post(
        f"/staff/admin/categories/{health.id}",
        data={"code": "health", "name_en": "Health care", "tier": "standard", "position": "3"},
    )
    assert response.status_code == 303
    db.session.refresh(health)
    assert health.tier is Tier.STANDARD and not health.active and health.position == 3

    rule_url = f"/staff/admin/categories/{health.id}/rules"
    assert (
        client.post(rule_url, data={"region": "32", "agency": staff.province.id}).status_code == 303
    )
    assert client.post(rule_url, data={"agency": staff.ministry.id}).status_code == 303
    twice = client.post(rule_url, data={"region": "32", "agency": staff.city.id})
    assert twice.status_code == 400
    assert "already has a rule for this region" in twice.get_data(as_text=True)
    rules = db.session.scalars(
        select(RoutingRule).where(RoutingRule.category_id == health.id)
    ).all()
    assert {(r.region_code, r.agency_id) for r in rules} == {
        ("32", staff.province.id),
        (None, staff.ministry.id),
    }
    rule = next(r for r in rules if r.region_code == "32")
    assert client.post(f"{rule_url}/{rule.id}/delete").status_code == 303
    assert db.session.get(RoutingRule, rule.id) is None


def test_users_create_deactivate_and_reset_password(staff, login, staff_app):
    client = login(staff.admin)
    no_agency = client.post(
        "/staff/admin/users",
        data={
            "email": "new.officer@example.org",
            "name": "New Officer",
            "role": "officer",
            "language": "id",
            "password": "long enough password",
        },
    )
    assert no_agency.status_code == 400
    assert "Coordinators and officers belong to an agency." in no_agency.get_data(as_text=True)
    response = client.post(
        "/staff/admin/users",
        data={
            "email": "New.Officer@example.org",
            "name": "New Officer",
            "role": "officer",
            "agency": staff.city.id,
            "language": "id",
            "password": "long enough password",
        },
    )
    assert response.status_code == 303
    user = db.session.scalar(select(StaffUser).where(StaffUser.email == "new.officer@example.org"))
    assert user.role is Role.OFFICER and user.agency_id == staff.city.id
    assert "long enough password" not in user.password_hash

    # Deactivated: the account cannot log in any more.
    data = {"name": "New Officer", "role": "officer", "agency": staff.city.id, "language": "id"}
    assert client.post(f"/staff/admin/users/{user.id}", data=data).status_code == 303
    db.session.refresh(user)
    assert not user.active
    attempt = staff_app.test_client().post(
        "/staff/login", data={"email": user.email, "password": "long enough password"}
    )
    assert attempt.status_code == 401

    # A reset shows a new password once and unlocks the account.
    data["active"] = "1"
    client.post(f"/staff/admin/users/{user.id}", data=data)
    user.failed_logins, user.locked_until = 3, None
    db.session.commit()
    page = client.post(f"/staff/admin/users/{user.id}/password").get_data(as_text=True)
    new_password = re.search(r'<p class="secret"><code>([^<]+)</code>', page).group(1)
    assert (
        staff_app.test_client()
        .post("/staff/login", data={"email": user.email, "password": new_password})
        .status_code
        == 303
    )
    assert new_password not in client.get(f"/staff/admin/users/{user.id}").get_data(as_text=True)


def test_an_admin_cannot_lock_themselves_out(staff, login):
    client = login(staff.admin)
    data = {"name": "Admin", "role": "admin", "language": "en"}
    response = client.post(f"/staff/admin/users/{staff.admin.id}", data=data)
    assert response.status_code == 400
    assert "You cannot deactivate yourself" in response.get_data(as_text=True)
    db.session.refresh(staff.admin)
    assert staff.admin.active


def test_sla_policy_saves_and_moves_open_due_times(staff, login, run_jobs):
    report = file()
    due_before = reload(report).due_at
    client = login(staff.admin)
    page = client.get("/staff/admin/sla").get_data(as_text=True)
    values = dict(re.findall(r'name="([a-z0-9_]+)" id="[a-z0-9_]+" value="(\d+)"', page))
    assert values["verification_days"] == "3"
    bad = client.post("/staff/admin/sla", data={**values, "investigation_days": "90"})
    assert bad.status_code == 400
    assert "Enter a whole number from 1 to 60." in bad.get_data(as_text=True)
    assert db.session.get(SlaPolicyRow, 1) is None
    response = client.post("/staff/admin/sla", data={**values, "verification_days": "5"})
    assert response.status_code == 303
    db.session.expire_all()
    assert db.session.get(SlaPolicyRow, 1).verification_days == 5
    run_jobs()  # the recompute is a job; on Redis it waits in RQ until worked
    assert reload(report).due_at > due_before  # two more working days


def test_calendars_and_closed_days(staff, login, run_jobs):
    client = login(staff.admin)
    bad = client.post(
        "/staff/admin/calendars",
        data={"name": "Bali", "timezone": "Mars/Olympus", "weekdays": ["0"]},
    )
    assert bad.status_code == 400 and "Enter a time zone like" in bad.get_data(as_text=True)
    response = client.post(
        "/staff/admin/calendars",
        data={
            "name": "Bali",
            "timezone": "Asia/Makassar",
            "weekdays": ["0", "1", "2", "3", "4", "5"],
            "work_start": "08:00",
            "work_end": "16:00",
            "holiday_country": "id",
        },
    )
    assert response.status_code == 303
    bali = db.session.scalar(select(Calendar).where(Calendar.name == "Bali"))
    assert bali.weekdays == "0,1,2,3,4,5" and bali.holiday_country == "ID"

    national = db.session.scalar(select(Calendar).where(Calendar.name == "national"))
    report = file()
    due_before = reload(report).due_at
    closures = f"/staff/admin/calendars/{national.id}/closures"
    response = client.post(closures, data={"day": "2026-03-03", "reason": "Banjir"})
    assert response.status_code == 303
    run_jobs()
    assert reload(report).due_at > due_before  # a closed day pushes the deadline
    again = client.post(closures, data={"day": "2026-03-03"})
    assert again.status_code == 400 and "This day is closed already." in again.get_data(
        as_text=True
    )
    closure = national.closures[0]
    db.session.refresh(national)
    assert national.closures[0].day == date(2026, 3, 3)
    assert client.post(f"{closures}/{closure.id}/delete").status_code == 303
    run_jobs()
    assert reload(report).due_at == due_before


def test_api_client_key_is_shown_once_and_only_its_hash_kept(staff, login):
    client = login(staff.admin)
    page = client.post("/staff/admin/api-clients", data={"name": "Kota Bandung 311"})
    assert page.status_code == 200
    key = re.search(r'<p class="secret"><code>([^<]+)</code>', page.get_data(as_text=True)).group(1)
    stored = db.session.scalar(select(ApiClient))
    assert stored.key_hash == hashlib.sha256(key.encode()).hexdigest()
    assert stored.key_prefix == key[: admin_service.API_KEY_PREFIX_LENGTH]
    assert key not in client.get("/staff/admin/api-clients").get_data(as_text=True)
    assert admin_service.find_api_client(key).id == stored.id
    assert admin_service.find_api_client(key[:-1] + "x") is None
    # Switched off, the key stops working.
    assert client.post(f"/staff/admin/api-clients/{stored.id}/active").status_code == 303
    assert admin_service.find_api_client(key) is None
    empty = client.post("/staff/admin/api-clients", data={"name": " "})
    assert empty.status_code == 400 and "Enter a name." in empty.get_data(as_text=True)


def test_unknown_ids_are_404(staff, login):
    client = login(staff.admin)
    for url in (
        "/staff/admin/agencies/9999",
        "/staff/admin/regions/99.99",
        "/staff/admin/categories/9999",
        "/staff/admin/users/9999",
        "/staff/admin/calendars/9999",
    ):
        assert client.get(url).status_code == 404, url
    assert client.post("/staff/admin/users/9999/password").status_code == 404
    assert client.post("/staff/admin/api-clients/9999/active").status_code == 404
    assert client.post("/staff/admin/calendars/9999/closures/1/delete").status_code == 404
    assert AgencyLevel.UNIT  # the levels the forms offer come from the enum
