"""The JSON API: filing, the public view, the reporter's view, lists, errors, rate limits."""

from __future__ import annotations

from jsonschema import Draft202012Validator
from sqlalchemy import func, select

from grievance import ratelimit
from grievance.extensions import db
from grievance.models import Contact, Region, Report
from grievance.services import actions
from grievance.tracking import damm_digit
from workflows.states import AgencyLevel, Channel

FILING = {
    "description": "Lampu jalan mati sejak seminggu, gelap dan berbahaya.",
    "category": "roads",
    "region": "32.73",
    "latitude": -6.914744,
    "longitude": 107.60981,
    "address": "Jl. Braga 10",
    "name": "Budi",
    "phone": "081234567892",
}


def test_filing_answers_tracking_number_access_code_and_reporter_view(
    api_client, conforms, moved_clock
):
    response = api_client.post("/api/v1/reports", json={**FILING, "anonymous": True})
    assert response.status_code == 201, response.json
    conforms("FiledReport", response.json)
    body = response.json
    number = body["tracking_number"]
    assert response.headers["Location"] == f"https://grievance.example.org/api/v1/reports/{number}"
    assert response.headers["Cache-Control"] == "private, no-store"
    view = body["report"]
    assert view["view"] == "reporter" and view["anonymous"] is True
    assert view["location"] == {
        "address": "Jl. Braga 10",
        "latitude": -6.914744,
        "longitude": 107.60981,
    }
    assert view["state"] == "submitted" and view["allowed_actions"] == []
    report = db.session.scalar(select(Report).where(Report.tracking_number == number))
    assert report.channel is Channel.API and report.anonymous and not report.confidential
    assert db.session.get(Contact, report.contact_id).phone == "+6281234567892"


def test_public_view_and_reporter_view(api_client, conforms, filer, workflow, moved_clock):
    filed = filer(latitude="-6.914744", longitude="107.60981")
    number = filed.report.tracking_number
    unscreened = api_client.get(f"/api/v1/reports/{number}").json
    conforms("PublicReport", unscreened)
    assert unscreened["text_published"] is False
    assert unscreened["title"] is None and unscreened["description"] is None
    assert unscreened["location"] is None
    workflow.dispatch(filed)
    workflow.update(filed, "Tim sudah ke lokasi.")
    workflow.note(filed, "Internal: kontraktor lambat.")
    actions.record_message(filed.report.id, direction="in", channel="sms", text="Pesan SMS warga")
    db.session.commit()
    public = api_client.get(f"/api/v1/reports/{number}", headers={"Accept-Language": "en"}).json
    conforms("PublicReport", public)
    assert public["view"] == "public" and public["description"] == filed.report.description
    assert public["location"] == {"address": None, "latitude": -6.915, "longitude": 107.61}
    assert public["agency"] == {"code": "BDG", "name": "Pemkot Bandung"}
    assert public["state_label"] == "In progress"
    assert [e["action"] for e in public["events"]] == ["submit", "dispatch", "post_update"]
    assert public["events"][-1] == {
        "action": "post_update",
        "actor": "officer",
        "from_state": "dispatched",
        "to_state": "in_progress",
        "text": "Tim sudah ke lokasi.",
        "created_at": "2026-03-02T09:00:00+07:00",
    }
    assert public["links"]["open311"].endswith(f"/open311/v2/requests/{number}.json")
    mine = api_client.get(f"/api/v1/reports/{number}?code={filed.access_code}")
    conforms("ReporterReport", mine.json)
    assert mine.headers["Cache-Control"] == "private, no-store"
    assert mine.json["location"]["latitude"] == -6.914744
    assert mine.json["step_due_at"] is not None
    wrong = api_client.get(f"/api/v1/reports/{number}?code=guess")
    assert wrong.status_code == 404
    conforms("Error", wrong.json)


def test_confidential_reports_only_for_their_reporter(api_client, filer):
    filed = filer(confidential=True)
    number = filed.report.tracking_number
    hidden = api_client.get(f"/api/v1/reports/{number}")
    assert hidden.status_code == 404 and hidden.json["error"]["code"] == "not_found"
    missing = "123456789" + damm_digit("123456789")
    unknown = api_client.get(f"/api/v1/reports/{missing}")
    # Not even the wording tells a confidential report from a missing one.
    assert hidden.json["error"]["message"].replace(number, "N") == unknown.json["error"][
        "message"
    ].replace(missing, "N")
    mine = api_client.get(f"/api/v1/reports/{number}?code={filed.access_code}")
    assert mine.status_code == 200 and mine.json["confidential"] is True


def test_reporter_sees_what_they_may_do(api_client, filer, workflow):
    filed = filer()
    workflow.dispatch(filed)
    workflow.close(filed)
    view = api_client.get(
        f"/api/v1/reports/{filed.report.tracking_number}?code={filed.access_code}"
    ).json
    assert view["state"] == "closed" and view["rating"] == 4
    # Rated 4 with a resolved outcome: nothing left to rate, nothing to appeal.
    assert view["allowed_actions"] == []
    responded = filer()
    workflow.dispatch(responded)
    officer = actions.actor_for(workflow.world.officer)
    actions.post_update(responded.report.id, officer, text="Tim ke lokasi.")
    actions.respond(responded.report.id, officer, text="Selesai.", outcome="not_resolved")
    number = responded.report.tracking_number
    view = api_client.get(f"/api/v1/reports/{number}?code={responded.access_code}").json
    assert view["allowed_actions"] == ["accept", "dispute"]


BAD_FILINGS = [
    (
        {
            "data": "description=Jalan+rusak+parah",
            "content_type": "application/x-www-form-urlencoded",
        },
        415,
        None,
    ),
    ({"data": "[1, 2]", "content_type": "application/json"}, 400, None),
    ({"data": "{not json", "content_type": "application/json"}, 400, None),
    ({"json": {"description": "Jalan rusak parah sekali", "colour": "red"}}, 400, "colour"),
    ({"json": {"description": 12345678901}}, 400, "description"),
    (
        {"json": {"description": "Jalan rusak parah sekali", "anonymous": "yes"}},
        400,
        "anonymous",
    ),
    (
        {"json": {"description": "Jalan rusak parah sekali", "latitude": True, "longitude": 1}},
        400,
        "latitude",
    ),
    ({"json": {"title": "Tanpa isi"}}, 400, "description"),
    ({"json": {"description": "pendek"}}, 400, "description"),
    ({"json": {**FILING, "phone": "12"}}, 400, "phone"),
    ({"json": {**FILING, "email": "not-an-email"}}, 400, "email"),
    ({"json": {**FILING, "category": "nope"}}, 400, "category"),
    ({"json": {**FILING, "region": "99"}}, 400, "region"),
    ({"json": {**FILING, "latitude": 91, "longitude": 0}}, 400, "location"),
    ({"json": {**FILING, "latitude": 1e308, "longitude": 0}}, 400, "location"),
    ({"json": {**FILING, "classification": "praise"}}, 400, "classification"),
    ({"json": {**FILING, "language": "de"}}, 400, "language"),
]


def test_bad_filings_change_nothing(api_client, conforms):
    for kwargs, status, field in BAD_FILINGS:
        response = api_client.post("/api/v1/reports", **kwargs)
        assert response.status_code == status, (kwargs, response.json)
        conforms("Error", response.json)
        assert response.json["error"]["field"] == field, kwargs
    assert db.session.scalar(select(func.count(Report.id))) == 0
    assert db.session.scalar(select(func.count(Contact.id))) == 0


def test_nul_characters_are_dropped(api_client):
    response = api_client.post(
        "/api/v1/reports", json={"description": "Jalan\x00 rusak parah sekali", "name": "A\x00"}
    )
    assert response.status_code == 201
    assert response.json["report"]["description"] == "Jalan rusak parah sekali"


def test_errors_speak_the_request_language(api_client, marked_translations):
    response = api_client.get("/api/v1/reports/123", headers={"Accept-Language": "fr, en;q=0.5"})
    assert response.status_code == 404 and response.headers["Content-Language"] == "fr"
    assert response.json["error"]["message"].startswith("[fr] ")
    response = api_client.post(
        "/api/v1/reports", json={"description": "x"}, headers={"Accept-Language": "id"}
    )
    assert response.json["error"]["message"].startswith("[id] ")
    response = api_client.get("/api/v1/reports/123?lang=sw")
    assert response.headers["Content-Language"] == "sw"
    assert response.json["error"]["message"].startswith("[sw] ")


def test_filing_is_rate_limited_per_client(api_client, api_app):
    api_app.config[ratelimit.ENABLED_CONFIG_KEY] = True
    ratelimit.reset(api_app)
    try:
        for _ in range(10):
            assert api_client.post("/api/v1/reports", json=FILING).status_code == 201
        refused = api_client.post("/api/v1/reports", json=FILING)
    finally:
        ratelimit.reset(api_app)
    assert refused.status_code == 429
    assert refused.json["error"]["code"] == "too_many_requests"
    assert int(refused.headers["Retry-After"]) > 0
    assert db.session.scalar(select(func.count(Report.id))) == 10


def test_categories_and_regions(api_client, conforms, world):
    categories = api_client.get("/api/v1/categories", headers={"Accept-Language": "id"}).json
    assert categories == {
        "categories": [
            {"code": "roads", "name": "Jalan", "resolution_days": 14},
            {"code": "water", "name": "Air", "resolution_days": 2},
        ]
    }
    top = api_client.get("/api/v1/regions").json["regions"]
    assert [r["code"] for r in top] == ["32", "33"]
    for region in top:
        conforms("Region", region)
    children = api_client.get("/api/v1/regions?parent=32").json["regions"]
    assert children == [
        {"code": "32.73", "name": "Kota Bandung", "level": "regency", "parent": "32"}
    ]
    assert api_client.get("/api/v1/regions?parent=32.73").json == {"regions": []}
    missing = api_client.get("/api/v1/regions?parent=99")
    assert missing.status_code == 404
    conforms("Error", missing.json)
    db.session.add(Region(code="31", name="DKI Jakarta", level=AgencyLevel.PROVINCE))
    db.session.commit()
    assert [r["code"] for r in api_client.get("/api/v1/regions").json["regions"]] == [
        "31",
        "32",
        "33",
    ]


def test_unknown_paths_and_methods_answer_json(api_client, conforms):
    missing = api_client.get("/api/v1/nothing")
    assert missing.status_code == 404
    conforms("Error", missing.json)
    wrong = api_client.delete("/api/v1/reports")
    assert wrong.status_code == 405 and wrong.headers["Allow"] == "POST"
    conforms("Error", wrong.json)


def test_openapi_document_describes_every_route(api_app, api_client):
    document = api_client.get("/api/v1/openapi.json").json
    assert document["openapi"] == "3.1.0"
    # Every component schema is itself a valid JSON Schema (2020-12, as OpenAPI 3.1 uses).
    for schema in document["components"]["schemas"].values():
        Draft202012Validator.check_schema(schema)
    documented = {
        (method.upper(), path) for path, item in document["paths"].items() for method in item
    }
    served = {
        (method, rule.rule.replace("<", "{").replace(">", "}"))
        for rule in api_app.url_map.iter_rules()
        if rule.endpoint.startswith("api.") and rule.endpoint != "api.unknown"
        for method in rule.methods - {"HEAD", "OPTIONS"}
    }
    assert documented == served
