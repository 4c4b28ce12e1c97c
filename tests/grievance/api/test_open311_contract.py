"""Open311 GeoReport v2: every endpoint and error, in XML (parsed) and JSON (schema-checked)."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from sqlalchemy import select

from grievance.extensions import db
from grievance.models import ApiClient, Category, Contact, Report
from grievance.services.admin import set_api_client_active
from workflows.states import Channel, Tier

BASE = "/open311/v2"


def get_json(client, path, **kwargs):
    response = client.get(f"{BASE}/{path}", **kwargs)
    assert response.content_type == "application/json; charset=utf-8", response.content_type
    return response


def assert_error(checker, response, status):
    """Check an error answer in either format: status, body, and the code in the body."""
    assert response.status_code == status, response.get_data(as_text=True)
    if response.content_type.startswith("application/json"):
        checker.validate("open311_errors", response.json)
        assert response.json[0]["code"] == status
        return response.json[0]["description"]
    assert response.content_type == "text/xml; charset=utf-8"
    root = checker.parse_xml(response.data)
    assert root.tag == "errors"
    error = root.find("error")
    assert error.findtext("code") == str(status)
    assert error.findtext("description")
    return error.findtext("description")


def test_discovery_in_both_formats(api_client, checker):
    xml = api_client.get(f"{BASE}/discovery.xml")
    assert xml.status_code == 200 and xml.content_type == "text/xml; charset=utf-8"
    root = checker.parse_xml(xml.data)
    assert root.tag == "discovery"
    endpoint = root.find("endpoints/endpoint")
    assert endpoint.findtext("url") == "https://grievance.example.org/open311/v2"
    assert [f.text for f in endpoint.find("formats")] == ["text/xml", "application/json"]
    document = get_json(api_client, "discovery.json").json
    checker.validate("open311_discovery", document)
    assert checker.spark(root) == checker.as_text(document)


def test_services_are_active_categories_in_the_asked_language(api_client, checker, world):
    db.session.add(Category(code="old", names={"en": "Old"}, active=False))
    db.session.commit()
    document = get_json(api_client, "services.json", headers={"Accept-Language": "id"}).json
    checker.validate("open311_services", document)
    by_code = {s["service_code"]: s for s in document}
    assert set(by_code) == {"roads", "water"}
    roads = by_code["roads"]
    assert roads["service_name"] == "Jalan"
    assert roads["metadata"] is False and roads["type"] == "realtime"
    assert "Roads" in roads["keywords"] and "roads" in roads["keywords"]
    # No name in French: English, the fallback.
    french = get_json(api_client, "services.json", headers={"Accept-Language": "fr"}).json
    assert {s["service_name"] for s in french} == {"Roads", "Water"}
    xml = api_client.get(f"{BASE}/services.xml", headers={"Accept-Language": "id"})
    root = checker.parse_xml(xml.data)
    assert root.tag == "services" and all(child.tag == "service" for child in root)
    assert checker.spark(root) == checker.as_text(document)


def test_service_definition_and_its_errors(api_client, checker, world):
    document = get_json(api_client, "services/roads.json").json
    checker.validate("open311_service_definition", document)
    assert document == {"service_code": "roads", "attributes": []}
    root = checker.parse_xml(api_client.get(f"{BASE}/services/roads.xml").data)
    assert root.tag == "service_definition" and root.findtext("service_code") == "roads"
    assert root.find("attributes") is not None and len(root.find("attributes")) == 0
    world.water.active = False
    db.session.commit()
    assert_error(checker, api_client.get(f"{BASE}/services/water.json"), 404)
    assert_error(checker, api_client.get(f"{BASE}/services/nope.xml"), 404)
    assert_error(checker, api_client.get(f"{BASE}/services/roads"), 404)  # no format
    assert_error(checker, api_client.get(f"{BASE}/services/roads.html"), 404)


def test_request_fields_follow_the_report_through_the_workflow(
    api_client, checker, filer, workflow, moved_clock, world
):
    filed = filer(latitude="-6.914744", longitude="107.609810", address="Jl. Asia Afrika 8")
    number = filed.report.tracking_number

    def one():
        document = get_json(api_client, f"requests/{number}.json").json
        checker.validate("open311_requests", document)
        assert len(document) == 1
        return document[0]

    fresh = one()
    assert fresh["status"] == "open" and fresh["service_code"] == "roads"
    # Unscreened: the reporter's text, address and point are not published yet.
    assert fresh["description"] is None and fresh["address"] is None and fresh["lat"] is None
    assert fresh["address_id"] == "32.73" and fresh["agency_responsible"] is None
    assert fresh["requested_datetime"] == "2026-03-02T09:00:00+07:00"
    assert fresh["expected_datetime"] == "2026-03-05T09:00:00+07:00"  # screening due

    workflow.dispatch(filed)
    moved_clock.advance(hours=2)
    workflow.update(filed, "Tim sudah ke lokasi.")
    workflow.note(filed, "Catatan internal: kontraktor lambat.")
    working = one()
    assert working["description"] == filed.report.description
    assert working["address"] == "Jl. Asia Afrika 8"
    assert (working["lat"], working["long"]) == (-6.915, 107.61)  # rounded to ~100 m
    assert working["agency_responsible"] == "Pemkot Bandung"
    assert working["status_notes"] == "Tim sudah ke lokasi."  # the note stays internal
    assert working["updated_datetime"] == "2026-03-02T11:00:00+07:00"
    resolution_due = filed.report.resolution_due_at.astimezone(ZoneInfo("Asia/Jakarta"))
    assert working["expected_datetime"] == resolution_due.isoformat(timespec="seconds")

    moved_clock.advance(days=1)
    workflow.close(filed, text="Lubang sudah ditambal.")
    closed = one()
    assert closed["status"] == "closed" and closed["expected_datetime"] is None
    assert closed["status_notes"] == "Lubang sudah ditambal."
    assert closed["updated_datetime"] == "2026-03-03T11:00:00+07:00"

    xml = api_client.get(f"{BASE}/requests/{number}.xml")
    root = checker.parse_xml(xml.data)
    assert root.tag == "service_requests" and root[0].tag == "request"
    assert checker.spark(root) == checker.as_text(
        get_json(api_client, f"requests/{number}.json").json
    )


def test_anonymous_reports_never_show_a_point_or_address(api_client, filer, workflow):
    filed = filer(anonymous=True, latitude="-6.9", longitude="107.6", address="Rumah saya")
    workflow.dispatch(filed)
    request = get_json(api_client, f"requests/{filed.report.tracking_number}.json").json[0]
    assert request["description"] == filed.report.description
    assert (request["address"], request["lat"], request["long"]) == (None, None, None)
    assert request["address_id"] == "32.73"


def test_confidential_and_unknown_requests_are_not_found(api_client, checker, filer):
    secret = filer(confidential=True)
    assert_error(
        checker, api_client.get(f"{BASE}/requests/{secret.report.tracking_number}.json"), 404
    )
    assert_error(checker, api_client.get(f"{BASE}/requests/1234567890.xml"), 404)
    assert_error(checker, api_client.get(f"{BASE}/requests/not-a-number.json"), 404)
    listed = get_json(
        api_client, f"requests.json?service_request_id={secret.report.tracking_number}"
    )
    assert listed.json == []


def test_tokens_are_tracking_numbers(api_client, checker, filer):
    filed = filer()
    number = filed.report.tracking_number
    document = get_json(api_client, f"tokens/{number}.json").json
    checker.validate("open311_token", document)
    assert document == [{"service_request_id": number, "token": number}]
    root = checker.parse_xml(api_client.get(f"{BASE}/tokens/{number}.xml").data)
    assert root.find("request/token").text == number
    assert_error(checker, api_client.get(f"{BASE}/tokens/999.json"), 404)
    confidential = filer(confidential=True).report.tracking_number
    assert_error(checker, api_client.get(f"{BASE}/tokens/{confidential}.xml"), 404)


def test_list_defaults_to_the_last_90_days_newest_first(api_client, checker, filer, moved_clock):
    old = filer().report.tracking_number
    moved_clock.advance(days=91)
    first = filer().report.tracking_number
    moved_clock.advance(hours=1)
    second = filer().report.tracking_number
    filer(confidential=True)
    document = get_json(api_client, "requests.json").json
    checker.validate("open311_requests", document)
    assert [r["service_request_id"] for r in document] == [second, first]
    # A list of ids overrides every other filter, the window included.
    by_id = get_json(
        api_client, f"requests.json?service_request_id={old},{first}&status=closed"
    ).json
    assert {r["service_request_id"] for r in by_id} == {old, first}
    root = checker.parse_xml(api_client.get(f"{BASE}/requests.xml").data)
    assert [r.findtext("service_request_id") for r in root] == [second, first]


def test_list_filters(api_client, checker, filer, workflow, moved_clock, world):
    roads = filer()
    moved_clock.advance(days=1)
    water = filer(category_code="water")
    moved_clock.advance(days=1)
    closed = filer()
    workflow.dispatch(closed)
    workflow.close(closed)
    archived = filer()
    workflow.archive(archived)

    def ids(query):
        document = get_json(api_client, f"requests.json?{query}").json
        checker.validate("open311_requests", document)
        return {r["service_request_id"] for r in document}

    numbers = {f.report.tracking_number for f in (roads, water, closed, archived)}
    assert ids("") == numbers
    assert ids("status=closed") == {closed.report.tracking_number, archived.report.tracking_number}
    assert ids("status=open") == {roads.report.tracking_number, water.report.tracking_number}
    assert ids("status=open,closed") == numbers
    assert ids("service_code=water") == {water.report.tracking_number}
    assert ids("service_code=water,roads&status=open") == {
        roads.report.tracking_number,
        water.report.tracking_number,
    }
    # 2 March 09:00 WIB is 02:00Z; the water report came a day later.
    assert ids("start_date=2026-03-03T00:00:00Z&end_date=2026-03-03T23:59:59Z") == {
        water.report.tracking_number
    }
    assert ids("start_date=2026-03-03") == numbers - {roads.report.tracking_number}
    assert ids("end_date=2026-03-02T23:00:00%2B07:00") == {roads.report.tracking_number}
    assert ids("jurisdiction_id=grievance.example.org&service_code=") == numbers  # empty = absent
    page_one = get_json(api_client, "requests.json?page_size=3").json
    page_two = get_json(api_client, "requests.json?page_size=3&page=2").json
    assert len(page_one) == 3 and len(page_two) == 1
    assert {r["service_request_id"] for r in page_one + page_two} == numbers


LIST_ERRORS = [
    ("start_date=2026-01-01T00:00:00Z&end_date=2026-04-02T00:00:00Z", 400),  # > 90 days
    ("start_date=2026-03-02T00:00:00Z&end_date=2026-03-01T00:00:00Z", 400),  # reversed
    ("start_date=yesterday", 400),
    ("start_date=2026-03-01T00:00:00", 400),  # no time zone
    ("status=pending", 400),
    ("page_size=0", 400),
    ("page_size=1001", 400),
    ("page=-1", 400),
    ("service_request_id=" + ",".join(["1"] * 1001), 400),
    ("service_code=nope", 404),
    ("jurisdiction_id=elsewhere.example", 404),
]


def test_list_errors(api_client, checker):
    for query, status in LIST_ERRORS:
        for fmt in ("json", "xml"):
            response = api_client.get(f"{BASE}/requests.{fmt}?{query}")
            assert_error(checker, response, status)


def test_at_most_1000_rows(api_client, monkeypatch, filer):
    from grievance.api import open311

    monkeypatch.setattr(open311, "MAX_ROWS", 2)
    for _ in range(3):
        filer()
    assert len(get_json(api_client, "requests.json").json) == 2


def post(client, fmt="json", **form):
    return client.post(f"{BASE}/requests.{fmt}", data=form)


def test_post_files_a_report_into_the_workflow(api_client, api_key, checker, moved_clock):
    response = post(
        api_client,
        api_key=api_key,
        jurisdiction_id="grievance.example.org",
        service_code="roads",
        lat="-6.914744",
        long="107.609810",
        address_string="Jl. Asia Afrika 8, Bandung",
        address_id="32.73",
        first_name="Siti",
        last_name="Rahma",
        phone="081234567891",
        email="siti@example.org",
        device_id="abc",
        account_id="42",
        media_url="https://example.org/photo.jpg",
        description="Lampu jalan mati sejak seminggu, gelap dan berbahaya.",
        **{"attribute[WHATEVER]": "1"},
    )
    assert response.status_code == 201, response.get_data(as_text=True)
    checker.validate("open311_request_created", response.json)
    number = response.json[0]["service_request_id"]
    report = db.session.scalar(select(Report).where(Report.tracking_number == number))
    assert report.channel is Channel.OPEN311 and report.category.code == "roads"
    assert report.region_code == "32.73" and report.address == "Jl. Asia Afrika 8, Bandung"
    assert str(report.latitude) == "-6.914744"
    contact = db.session.get(Contact, report.contact_id)
    assert (contact.name, contact.phone, contact.email) == (
        "Siti Rahma",
        "+6281234567891",
        "siti@example.org",
    )
    assert db.session.scalar(select(ApiClient.last_used_at)) == moved_clock.now
    xml = post(
        api_client,
        "xml",
        api_key=api_key,
        service_code="water",
        address_string="Pasar Baru",
        description="Air PDAM tidak mengalir tiga hari.",
    )
    assert xml.status_code == 201
    root = checker.parse_xml(xml.data)
    assert root.tag == "service_requests"
    assert len(root.find("request/service_request_id").text) == 10
    assert root.find("request/token") is None


POST_ERRORS = [
    (
        {"service_code": "roads", "address_string": "x", "description": "Jalan rusak parah."},
        403,
    ),
    ({"api_key": "wrong.key", "service_code": "roads", "address_string": "x"}, 403),
    ({"api_key": "KEY", "address_string": "Pasar", "description": "Jalan rusak parah."}, 400),
    ({"api_key": "KEY", "service_code": "nope", "address_string": "x"}, 404),
    ({"api_key": "KEY", "service_code": "roads", "description": "Jalan rusak parah."}, 400),
    (
        {
            "api_key": "KEY",
            "service_code": "roads",
            "lat": "-6.9",
            "description": "Jalan rusak.",
        },
        400,
    ),
    (
        {
            "api_key": "KEY",
            "service_code": "roads",
            "lat": "north",
            "long": "1",
            "description": "Jalan rusak parah.",
        },
        400,
    ),
    (
        {
            "api_key": "KEY",
            "service_code": "roads",
            "address_id": "99.99",
            "description": "Jalan rusak parah.",
        },
        400,
    ),
    ({"api_key": "KEY", "service_code": "roads", "address_string": "x"}, 400),  # no text
    (
        {
            "api_key": "KEY",
            "service_code": "roads",
            "address_string": "x",
            "description": "x" * 4001,
        },
        400,
    ),
    (
        {
            "api_key": "KEY",
            "service_code": "roads",
            "address_string": "x",
            "description": "Jalan rusak parah.",
            "phone": "12",
        },
        400,
    ),
    (
        {
            "api_key": "KEY",
            "jurisdiction_id": "elsewhere",
            "service_code": "roads",
            "address_string": "x",
            "description": "Jalan rusak parah.",
        },
        404,
    ),
]


def test_post_errors_change_nothing(api_client, api_key, checker):
    for case, status in POST_ERRORS:
        form = {k: (api_key if v == "KEY" else v) for k, v in case.items()}
        for fmt in ("json", "xml"):
            assert_error(checker, post(api_client, fmt, **form), status)
    assert db.session.scalar(select(Report.id)) is None
    assert db.session.scalar(select(Contact.id)) is None


def test_revoked_key_is_refused(api_client, api_key, checker):
    set_api_client_active(db.session.scalar(select(ApiClient.id)), False)
    response = post(
        api_client,
        api_key=api_key,
        service_code="roads",
        address_string="x",
        description="Jalan rusak parah.",
    )
    assert_error(checker, response, 403)


def test_unknown_resources_and_methods(api_client, checker):
    assert_error(checker, api_client.get(f"{BASE}/nothing.json"), 404)
    assert_error(checker, api_client.get(f"{BASE}/"), 404)
    assert_error(checker, api_client.get(f"{BASE}/requests.csv"), 404)
    response = api_client.delete(f"{BASE}/requests.json")
    assert_error(checker, response, 405)
    assert response.headers["Allow"] == "GET, POST"
    assert_error(checker, api_client.post(f"{BASE}/services.xml"), 405)


def test_error_descriptions_follow_the_language(api_client, checker, marked_translations):
    response = api_client.get(f"{BASE}/services/nope.json", headers={"Accept-Language": "es"})
    assert assert_error(checker, response, 404) == "[es] No service has the code nope."
    response = api_client.get(f"{BASE}/requests.xml?status=x", headers={"Accept-Language": "id"})
    assert assert_error(checker, response, 400).startswith("[id] ")


def test_service_group_is_the_resolution_tier(api_client, world):
    world.roads.tier = Tier.INVESTIGATION
    db.session.commit()
    services = {s["service_code"]: s for s in get_json(api_client, "services.json?lang=en").json}
    assert services["roads"]["group"] == "Investigation"
    assert "60" in services["roads"]["description"]


def test_xml_survives_control_characters_in_free_text(api_client, checker, filer, workflow):
    filed = filer(description="Jalan rusak\x01 parah\x0b sekali <b>&amp;</b> di sini")
    workflow.dispatch(filed)
    number = filed.report.tracking_number
    root = checker.parse_xml(api_client.get(f"{BASE}/requests/{number}.xml").data)
    assert root.findtext("request/description") == "Jalan rusak parah sekali <b>&amp;</b> di sini"
    spaced = get_json(api_client, f"requests.json?service_request_id={number[:5]} {number[5:]}")
    assert [r["service_request_id"] for r in spaced.json] == [number]


def test_media_url_is_the_published_photo(api_client, filer, workflow):
    filed = filer(photo_path="abcdefghijklmnopqrstuvwxyz.jpg")
    number = filed.report.tracking_number
    assert get_json(api_client, f"requests/{number}.json").json[0]["media_url"] is None
    workflow.dispatch(filed)
    request = get_json(api_client, f"requests/{number}.json").json[0]
    assert request["media_url"] == f"https://grievance.example.org/reports/{number}/photo"
    assert "abcdefghijklmnopqrstuvwxyz" not in api_client.get(f"{BASE}/requests.xml").get_data(
        as_text=True
    )
