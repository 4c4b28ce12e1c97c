"""Filing a report on the web: the home page, the form, photos, CSRF, rate limits, page weight."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from PIL import Image
from sqlalchemy import func, select
from werkzeug.datastructures import FileStorage, MultiDict
from werkzeug.test import encode_multipart

from grievance import create_app, tracking
from grievance.extensions import db
from grievance.models import Contact, Report, ReportEvent
from grievance.ratelimit import LIMITS_CONFIG_KEY, Limit
from tests.conftest import make_settings
from workflows.states import Channel, Classification, State


def in_memory_multipart(data: dict) -> dict:
    """Return a large form encoded in memory: the test client would spool it to a temporary
    file it never closes."""
    boundary, body = encode_multipart(MultiDict(data))
    return {"data": body, "content_type": f"multipart/form-data; boundary={boundary}"}


def report_count() -> int:
    return db.session.scalar(select(func.count(Report.id))) or 0


def uploaded_files(app) -> list[Path]:
    folder = Path(app.config["GRIEVANCE_UPLOADS_DIR"])
    return sorted(folder.iterdir()) if folder.exists() else []


# --- the home page -------------------------------------------------------------------------------


def test_home_explains_the_service_and_offers_tracking(web, world):
    page = web.get("/?lang=en")
    assert page.status_code == 200
    text = page.text
    assert "Three ways to file" in text
    assert "*384*1234#" in text  # the default USSD code
    assert "By SMS" not in text  # no SMS number configured
    assert 'action="/track"' in text and 'name="number"' in text
    assert 'href="/report/new"' in text


def test_home_names_the_configured_sms_number_and_ussd_code(database_url):
    settings = make_settings(
        database_url,
        twilio_account_sid="AC" + "0" * 32,
        twilio_auth_token="secret-token",
        twilio_from_number="+6281100001111",
        extra={"ussd_code": "*123*45#"},
        channels=("web",),
    )
    text = create_app(settings).test_client().get("/?lang=en").text
    assert "+6281100001111" in text
    assert "*123*45#" in text and "*384*1234#" not in text


def test_language_choice_is_remembered_and_switcher_keeps_the_page(web, world):
    assert '<html lang="fr">' in web.get("/?lang=fr").text
    page = web.get("/reports?state=closed")
    assert '<html lang="fr">' in page.text
    # The switcher links to this same page, its filters kept.
    assert 'href="/reports?state=closed&amp;lang=en"' in page.text
    assert '<html lang="en">' in web.get("/?lang=en").text


def test_switcher_never_passes_url_for_options(web, world):
    page = web.get("/reports?_external=1&_scheme=javascript&lang=en")
    assert "javascript:" not in page.text


# --- the form ------------------------------------------------------------------------------------


def test_form_lists_categories_in_the_current_language_and_regions_by_province(web, world):
    english = web.get("/report/new?lang=en").text
    assert ">Roads<" in english and ">Water<" in english
    assert '<optgroup label="Jawa Barat">' in english
    assert 'value="32.73">Kota Bandung<' in english
    indonesian = web.get("/report/new?lang=id").text
    assert ">Jalan<" in indonesian and ">Air<" in indonesian
    for explanation in (
        "staff handling your report will not see who you are; only the central screening desk "
        "can, and every look is recorded",
        "Your report will not be published",
    ):
        assert explanation.lower() in english.lower()


def test_filing_shows_the_tracking_number_and_the_private_link_once(app, web, world, report_form):
    web.get("/?lang=en")
    response = web.post(
        "/report/new",
        data=report_form(name="Siti Aminah", phone="0812 3456 7890", email="siti@example.org"),
    )
    assert response.status_code == 200
    report = db.session.scalars(select(Report)).one()
    assert report.channel is Channel.WEB
    assert report.language == "en"
    assert report.classification is Classification.COMPLAINT
    assert report.state is State.SUBMITTED
    assert report.region_code == "32.73" and report.category.code == "roads"
    assert report.contact.phone == "+6281234567890"
    assert report.contact.name == "Siti Aminah"
    number = report.tracking_number
    grouped = f"{number[:3]} {number[3:6]} {number[6:]}"
    assert grouped in response.text
    # The link is built on the public address; its code proves reportership and is not stored.
    prefix = f"https://grievance.example.org/r/{number}/"
    assert prefix in response.text
    code = response.text.split(prefix, 1)[1].split('"', 1)[0]
    assert tracking.access_code_matches(code, report.access_code_hash)
    stored = [str(v) for v in db.session.execute(select(Report.__table__)).one()]
    stored += [str(e.data) for e in db.session.scalars(select(ReportEvent))]
    assert not any(code in value for value in stored)
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["Referrer-Policy"] == "no-referrer"
    assert "shown only once" in response.text


def test_the_report_language_is_the_page_language(web, world, report_form):
    web.post("/report/new?lang=sw", data=report_form())
    assert db.session.scalars(select(Report.language)).one() == "sw"


def test_minimal_report_needs_only_a_description(web, world):
    response = web.post("/report/new", data={"description": "Lampu jalan mati sejak minggu lalu."})
    assert response.status_code == 200
    report = db.session.scalars(select(Report)).one()
    assert report.category is None and report.region_code is None and report.contact is None


def test_anonymous_and_confidential_choices_are_kept(web, world, report_form):
    web.post(
        "/report/new", data=report_form(anonymous="y", confidential="y", email="a@example.org")
    )
    report = db.session.scalars(select(Report)).one()
    assert report.anonymous and report.confidential


def test_map_point_is_stored(web, world, report_form):
    web.post("/report/new", data=report_form(latitude="-6.9147", longitude="107,6098"))
    report = db.session.scalars(select(Report)).one()
    assert str(report.latitude) == "-6.914700" and str(report.longitude) == "107.609800"


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"description": None}, "Describe the problem."),
        ({"description": "   "}, "Describe the problem."),
        ({"description": "short"}, "Write between 10 and 5000 characters."),
        ({"description": "x" * 5001}, "Write between 10 and 5000 characters."),
        ({"title": "t" * 201}, "The title is too long"),
        ({"classification": "praise"}, "Choose complaint, suggestion or information request."),
        ({"category": "nope"}, "Choose a topic from the list."),
        ({"region": "99.99"}, "Choose a place from the list."),
        ({"latitude": "-6.9"}, "Give both latitude and longitude, or neither."),
        ({"latitude": "abc", "longitude": "107"}, "Enter a number, like -6.9147."),
        ({"latitude": "95", "longitude": "107"}, "Enter a number between -90 and 90."),
        ({"latitude": "NaN", "longitude": "107"}, "Enter a number between -90 and 90."),
        ({"phone": "12345"}, "Enter a valid phone number."),
        ({"email": "not an email"}, "Enter a valid email address."),
    ],
)
def test_bad_input_gets_a_clear_message_and_changes_nothing(
    web, world, report_form, overrides, message
):
    web.get("/?lang=en")
    before = report_count()
    response = web.post("/report/new", data=report_form(**overrides))
    assert response.status_code == 400
    assert message in response.text
    assert "Please correct the marked fields." in response.text or 'role="alert"' in response.text
    assert report_count() == before
    assert db.session.scalar(select(func.count(Contact.id))) == 0


def test_errors_keep_what_was_typed_and_come_in_the_page_language(web, world, report_form):
    response = web.post(
        "/report/new?lang=id", data=report_form(phone="123", address="Gang Mawar 3")
    )
    assert response.status_code == 400
    assert '<html lang="id">' in response.text
    assert 'value="Gang Mawar 3"' in response.text
    assert 'aria-invalid="true"' in response.text


# --- photos --------------------------------------------------------------------------------------


@pytest.mark.parametrize(("kind", "extension"), [("jpeg", "jpg"), ("png", "png"), ("webp", "webp")])
def test_a_photo_is_checked_and_stored_under_a_random_name(
    app, web, world, report_form, samples, kind, extension
):
    data = report_form(photo=(io.BytesIO(samples[kind]), "IMG_0001.JPG"))
    response = web.post("/report/new", data=data, content_type="multipart/form-data")
    assert response.status_code == 200
    report = db.session.scalars(select(Report)).one()
    assert report.photo_path.endswith(f".{extension}")
    assert "IMG_0001" not in report.photo_path
    [stored] = uploaded_files(app)
    assert stored.name == report.photo_path
    with Image.open(stored) as kept:  # re-encoded: the same picture, not the same bytes
        assert kept.size == (24, 16) and kept.format == {"jpg": "JPEG"}.get(
            extension, extension.upper()
        )


def test_photo_metadata_is_never_kept(app, web, world, report_form, samples):
    # A phone's photo names where it was taken and whose phone it is: an anonymous reporter's
    # photo must not say either.
    with Image.open(io.BytesIO(samples["jpeg_gps"])) as sent:
        assert sent.getexif().get(0x8825) and sent.getexif().get(0x013B) == "Siti Rahayu"
    data = report_form(anonymous="y", photo=(io.BytesIO(samples["jpeg_gps"]), "IMG_0002.JPG"))
    assert web.post("/report/new", data=data, content_type="multipart/form-data").status_code == 200
    [stored] = uploaded_files(app)
    raw = stored.read_bytes()
    assert b"Siti Rahayu" not in raw and b"PhoneMaker" not in raw
    with Image.open(stored) as kept:
        assert not kept.getexif()


def test_a_file_that_only_starts_like_a_photo_is_refused(app, web, world, report_form, samples):
    data = report_form(photo=(io.BytesIO(samples["fake_jpeg"]), "photo.jpg"))
    response = web.post("/report/new", data=data, content_type="multipart/form-data")
    assert response.status_code == 400
    assert db.session.scalars(select(Report)).first() is None
    assert uploaded_files(app) == []


@pytest.mark.parametrize(
    ("kind", "filename"), [("pdf", "photo.jpg"), ("exe", "photo.png"), ("pdf", "scan.pdf")]
)
def test_a_file_that_is_not_a_photo_is_refused(
    app, web, world, report_form, samples, kind, filename
):
    before = report_count()
    data = report_form(photo=(io.BytesIO(samples[kind]), filename))
    response = web.post("/report/new?lang=en", data=data, content_type="multipart/form-data")
    assert response.status_code == 400
    assert "This file is not a photo. Send a JPEG, PNG or WebP image." in response.text
    assert report_count() == before
    assert uploaded_files(app) == []


def test_a_photo_over_5_mb_is_refused(app, web, world, report_form, samples):
    big = samples["jpeg"] + b"\x00" * (5 * 1024 * 1024)
    data = report_form(photo=FileStorage(io.BytesIO(big), "big.jpg"))
    response = web.post("/report/new?lang=en", **in_memory_multipart(data))
    assert response.status_code == 400
    assert "The photo is too large (at most 5 MB)." in response.text
    assert report_count() == 0 and uploaded_files(app) == []


def test_an_upload_over_the_request_limit_gets_a_friendly_page(
    app, web, world, report_form, samples
):
    huge = samples["jpeg"] + b"\x00" * (7 * 1024 * 1024)
    data = report_form(photo=FileStorage(io.BytesIO(huge), "huge.jpg"))
    response = web.post("/report/new?lang=en", **in_memory_multipart(data))
    assert response.status_code == 413
    assert "The upload is too large" in response.text and "Nothing was saved." in response.text
    assert report_count() == 0 and uploaded_files(app) == []


def test_the_photo_is_removed_when_filing_fails(app, web, world, report_form, samples):
    data = report_form(phone="123", photo=(io.BytesIO(samples["png"]), "a.png"))
    response = web.post("/report/new?lang=en", data=data, content_type="multipart/form-data")
    assert response.status_code == 400
    assert "Enter a valid phone number." in response.text
    assert "Choose the photo again" in response.text
    assert report_count() == 0 and uploaded_files(app) == []


def test_every_problem_shows_at_once_photo_included(app, web, world, report_form, samples):
    data = report_form(description="", photo=(io.BytesIO(samples["pdf"]), "a.jpg"))
    response = web.post("/report/new?lang=en", data=data, content_type="multipart/form-data")
    assert response.status_code == 400
    assert "Describe the problem." in response.text
    assert "This file is not a photo." in response.text


def test_photos_are_public_only_with_a_published_report(web, world, report_form, samples, staff):
    tracking_numbers = {}
    for confidential in ("", "y"):
        data = report_form(confidential=confidential, photo=(io.BytesIO(samples["jpeg"]), "p.jpg"))
        response = web.post("/report/new", data=data, content_type="multipart/form-data")
        number = response.text.split("/r/", 1)[1].split("/", 1)[0]
        code = response.text.split(f"/r/{number}/", 1)[1].split('"', 1)[0]
        tracking_numbers[bool(confidential)] = (number, code)
    public, _ = tracking_numbers[False]
    secret, secret_code = tracking_numbers[True]
    # Before screening nothing is published, photos included.
    assert web.get(f"/reports/{public}/photo").status_code == 404
    staff.dispatch(public)
    staff.dispatch(secret)
    with web.get(f"/reports/{public}/photo") as photo:
        assert photo.status_code == 200 and photo.mimetype == "image/jpeg"
        assert photo.data.startswith(b"\xff\xd8\xff")
        assert photo.headers["X-Content-Type-Options"] == "nosniff"
    assert web.get(f"/reports/{secret}/photo").status_code == 404
    with web.get(f"/r/{secret}/{secret_code}/photo") as mine:
        assert mine.status_code == 200 and mine.data == photo.data
    assert web.get(f"/r/{secret}/wrong-code-wrong-code/photo").status_code == 404


# --- CSRF ----------------------------------------------------------------------------------------


def test_a_form_without_its_csrf_token_is_refused_with_a_clear_message(
    app, world, report_form, tmp_path
):
    app.config["GRIEVANCE_UPLOADS_DIR"] = str(tmp_path)
    assert app.config.get("WTF_CSRF_ENABLED", True)
    client = app.test_client()
    form_page = client.get("/report/new?lang=en")
    assert 'name="csrf_token"' in form_page.text
    # Over https Flask-WTF also checks that the form came from this site.
    same_site = {"Referer": "https://localhost/report/new"}
    refused = client.post("/report/new", data=report_form(), headers=same_site)
    assert refused.status_code == 400
    assert "The form has expired or did not come from this site." in refused.text
    forged = client.post(
        "/report/new", data=report_form(csrf_token="forged-token"), headers=same_site
    )
    assert forged.status_code == 400
    assert report_count() == 0
    token = form_page.text.split('name="csrf_token" type="hidden" value="', 1)[1].split('"', 1)[0]
    accepted = client.post("/report/new", data=report_form(csrf_token=token), headers=same_site)
    assert accepted.status_code == 200
    assert report_count() == 1


# --- rate limits ---------------------------------------------------------------------------------


def test_filing_is_rate_limited_per_client(app, web, world, report_form):
    app.config[LIMITS_CONFIG_KEY] = {"filing": Limit(3, 3600)}
    for _ in range(3):
        assert web.post("/report/new", data=report_form()).status_code == 200
    refused = web.post("/report/new?lang=en", data=report_form())
    assert refused.status_code == 429
    assert 0 < int(refused.headers["Retry-After"]) <= 3600
    assert "Too many requests from your connection." in refused.text
    assert report_count() == 3
    # Another address is not held back by this one.
    other = web.post("/report/new", data=report_form(), environ_base={"REMOTE_ADDR": "10.1.2.3"})
    assert other.status_code == 200


def test_filing_has_a_global_limit_too(app, web, world, report_form):
    app.config[LIMITS_CONFIG_KEY] = {"filing-all": Limit(2, 60)}
    for address in ("10.0.0.1", "10.0.0.2"):
        response = web.post(
            "/report/new", data=report_form(), environ_base={"REMOTE_ADDR": address}
        )
        assert response.status_code == 200
    refused = web.post("/report/new", data=report_form(), environ_base={"REMOTE_ADDR": "10.0.0.3"})
    assert refused.status_code == 429
    assert report_count() == 2


def test_showing_the_form_is_not_counted(app, web, world):
    app.config[LIMITS_CONFIG_KEY] = {"filing": Limit(1, 3600)}
    for _ in range(3):
        assert web.get("/report/new").status_code == 200


# --- weight and policy ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path", ["/?lang=en", "/report/new?lang=en", "/reports?lang=en", "/track?lang=en"]
)
def test_pages_are_light_and_have_no_inline_scripts_or_styles(web, world, path):
    page = web.get(path)
    assert page.status_code == 200
    with web.get("/static/site.css") as css:
        assert len(page.data) + len(css.data) < 100 * 1024
    assert "<script" not in page.text and "<style" not in page.text and " style=" not in page.text
    assert "script-src 'self'" in page.headers["Content-Security-Policy"]
