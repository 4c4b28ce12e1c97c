"""Tracking a report by number, its public page, and the public list with its filters."""

from __future__ import annotations

from sqlalchemy import select

from grievance import tracking
from grievance.extensions import db
from grievance.models import Report
from grievance.ratelimit import LIMITS_CONFIG_KEY, Limit
from workflows.states import State


def grouped(number: str) -> str:
    return f"{number[:3]} {number[3:6]} {number[6:]}"


def typo_of(number: str) -> str:
    """Return the number with one digit changed: the check digit must catch it."""
    changed = str((int(number[4]) + 1) % 10)
    return number[:4] + changed + number[5:]


def unused_number() -> str:
    """Return a well-formed tracking number no report has."""
    while True:
        number = tracking.new_tracking_number()
        if db.session.scalar(select(Report.id).where(Report.tracking_number == number)) is None:
            return number


# --- /track --------------------------------------------------------------------------------------


def test_track_page_offers_the_box(web, world):
    page = web.get("/track?lang=en")
    assert page.status_code == 200
    assert 'name="number"' in page.text and "10-digit" in page.text


def test_tracking_a_number_leads_to_its_public_page(web, file_on_web):
    number, _code = file_on_web()
    response = web.get(f"/track?number={grouped(number).replace(' ', '-')}")
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/reports/{number}")


def test_a_typo_in_the_number_says_check_the_digits(web, file_on_web):
    number, _code = file_on_web()
    response = web.get(f"/track?number={typo_of(number)}&lang=en")
    assert response.status_code == 404
    assert "is not a valid tracking number; check the digits." in response.text
    assert f'value="{typo_of(number)}"' in response.text  # kept in the box to fix


def test_an_unknown_number_says_no_report_has_it(web, world):
    number = unused_number()
    response = web.get(f"/track?number={number}&lang=en")
    assert response.status_code == 404
    assert f"No report has the tracking number {number}." in response.text


def test_garbage_in_the_box_is_answered_not_crashed(web, world):
    response = web.get("/track?number=%3Cscript%3Ealert(1)%3C%2Fscript%3E&lang=en")
    assert response.status_code == 404
    assert "<script>" not in response.text
    assert "check the digits" in response.text


def test_lookups_are_rate_limited(app, web, world):
    app.config[LIMITS_CONFIG_KEY] = {"lookup": Limit(3, 60)}
    number = unused_number()
    for _ in range(3):
        assert web.get(f"/track?number={number}").status_code == 404
    refused = web.get(f"/track?number={number}&lang=en")
    assert refused.status_code == 429
    assert "Too many requests" in refused.text
    assert 0 < int(refused.headers["Retry-After"]) <= 60


# --- the public page -----------------------------------------------------------------------------


def test_an_unscreened_report_shows_its_facts_but_not_its_words(web, file_on_web):
    number, _code = file_on_web(description="Sampah menumpuk di pasar Kosambi sejak Senin.")
    page = web.get(f"/reports/{number}?lang=en")
    assert page.status_code == 200
    assert "The words of a report are published once the screening desk has checked them." in (
        page.text
    )
    assert "Waiting for screening" in page.text and "Belum Terverifikasi" in page.text
    assert "Kota Bandung" in page.text and "Report filed" in page.text
    assert "Kosambi" not in page.text and "Lubang di Jalan Braga" not in page.text
    assert "Jalan Braga 12" not in page.text  # the address is text, too


def test_an_anonymous_reporters_location_is_not_published(web, file_on_web, staff):
    number, code = file_on_web(anonymous="y", latitude="-6.9147", longitude="107.6098")
    staff.dispatch(number)
    page = web.get(f"/reports/{number}?lang=en").text
    assert "Lubang di Jalan Braga" in page  # the words are published...
    assert "Jalan Braga 12" not in page and "107.6" not in page  # ...where they live is not
    mine = web.get(f"/r/{number}/{code}?lang=en").text
    assert "Jalan Braga 12" in mine and "107.6098" in mine


def test_a_published_report_shows_its_facts_and_public_events_only(web, file_on_web, staff):
    number, _code = file_on_web()
    staff.dispatch(number)
    staff.note(number, "Catatan internal: kontraktor lama bermasalah.")
    staff.update(number, "Tim sudah meninjau lokasi pagi ini.")
    page = web.get(f"/reports/{number}?lang=en")
    assert page.status_code == 200
    text = page.text
    assert grouped(number) in text
    assert "Lubang di Jalan Braga" in text  # the title
    assert "Ada lubang besar di Jalan Braga" in text  # the description
    assert "In progress" in text and "Proses" in text
    assert "Roads" in text and "Kota Bandung" in text and "Pemkot Bandung" in text
    assert "Tim sudah meninjau lokasi pagi ini." in text
    assert "Checked and sent to the agency responsible" in text
    assert "To be resolved by" in text  # the running clock's due time
    assert "kontraktor lama" not in text  # internal notes never reach the public


def test_the_public_page_names_categories_in_the_page_language(web, file_on_web, staff):
    number, _code = file_on_web()
    staff.dispatch(number)
    assert "Jalan" in web.get(f"/reports/{number}?lang=id").text
    assert ">Roads<" in web.get(f"/reports/{number}?lang=en").text


def test_a_confidential_report_is_not_found_like_an_unknown_number(web, file_on_web, staff):
    number, _code = file_on_web(
        confidential="y", description="Pungutan liar di kantor kelurahan Cibeunying."
    )
    staff.dispatch(number)
    staff.update(number, "Inspektorat memeriksa kelurahan Cibeunying.")
    page = web.get(f"/reports/{number}?lang=en")
    assert page.status_code == 404
    assert f"No report has the tracking number {number}." in page.text
    for secret in ("Cibeunying", "Pungutan", "In progress", "Kota Bandung", "Roads"):
        assert secret not in page.text


def test_the_public_page_of_unknown_or_mistyped_numbers(web, file_on_web):
    number, _code = file_on_web()
    mistyped = web.get(f"/reports/{typo_of(number)}?lang=en")
    assert mistyped.status_code == 404 and "check the digits" in mistyped.text
    unknown = unused_number()
    missing = web.get(f"/reports/{unknown}?lang=en")
    assert (
        missing.status_code == 404
        and f"No report has the tracking number {unknown}." in missing.text
    )


def test_a_missing_photo_is_a_friendly_404(web, file_on_web, staff):
    number, _code = file_on_web()
    staff.dispatch(number)
    page = web.get(f"/reports/{number}/photo?lang=en")
    assert page.status_code == 404
    assert "There is no such page." in page.text


def test_dates_follow_the_page_language(web, file_on_web, staff, moved_clock):
    number, _code = file_on_web()
    staff.dispatch(number)
    # Filed Monday 2 March 2026, 09:00 in Jakarta (the deployment's time zone).
    assert "Mar 2, 2026" in web.get(f"/reports/{number}?lang=en").text
    assert "2 Mar 2026" in web.get(f"/reports/{number}?lang=id").text
    assert "09.00" in web.get(f"/reports/{number}?lang=id").text


# --- the list ------------------------------------------------------------------------------------


def test_the_list_shows_published_reports_newest_first_and_never_confidential_ones(
    web, file_on_web, staff, moved_clock
):
    older, _ = file_on_web(title="Lampu jalan mati di Dago")
    moved_clock.advance(hours=1)
    newer, _ = file_on_web(title="Drainase tersumbat di Antapani")
    moved_clock.advance(hours=1)
    secret, _ = file_on_web(title="Pungli di kelurahan", confidential="y")
    moved_clock.advance(hours=1)
    pending, _ = file_on_web(title="Belum diperiksa sama sekali")
    for number in (older, newer, secret):
        staff.dispatch(number)
    text = web.get("/reports?lang=en").text
    assert text.index("Drainase tersumbat") < text.index("Lampu jalan mati")
    assert "Pungli" not in text and secret not in text.replace(" ", "")
    assert "Belum diperiksa" not in text  # listed, but its words wait for screening
    assert grouped(pending) in text


def test_the_list_filters_and_searches(web, file_on_web, staff, world):
    roads, _ = file_on_web(title="Jalan rusak parah", category="roads", classification="complaint")
    water, _ = file_on_web(
        title="Usul jam layanan PDAM",
        category="water",
        classification="aspiration",
        region="33.74",
        description="Mohon kantor PDAM buka hari Sabtu untuk pembayaran_tagihan 100%.",
    )
    for number in (roads, water):
        staff.dispatch(number)
    staff.update(roads)

    def titles(query: str) -> set[str]:
        text = web.get(f"/reports?{query}").text
        return {t for t in ("Jalan rusak parah", "Usul jam layanan PDAM") if t in text}

    assert titles("") == {"Jalan rusak parah", "Usul jam layanan PDAM"}
    assert titles("category=water") == {"Usul jam layanan PDAM"}
    assert titles("classification=complaint") == {"Jalan rusak parah"}
    assert titles("state=in_progress") == {"Jalan rusak parah"}
    assert titles("state=dispatched") == {"Usul jam layanan PDAM"}
    assert titles("region=33") == {"Usul jam layanan PDAM"}  # a province includes its cities
    assert titles("region=32.73") == {"Jalan rusak parah"}
    assert titles("q=sabtu") == {"Usul jam layanan PDAM"}  # description, any case
    assert titles("q=RUSAK") == {"Jalan rusak parah"}  # title
    assert titles("q=pembayaran_tagihan") == {"Usul jam layanan PDAM"}
    assert titles("q=100%25") == {"Usul jam layanan PDAM"}
    assert titles("q=_") == {"Usul jam layanan PDAM"}  # LIKE wildcards are taken literally
    assert titles("q=%25") == {"Usul jam layanan PDAM"}
    assert titles("q=tidak+ada") == set()


def test_bad_filters_get_a_message_and_are_ignored(web, file_on_web, staff):
    number, _ = file_on_web()
    staff.dispatch(number)
    page = web.get("/reports?state=exploded&category=nope&lang=en")
    assert page.status_code == 200
    assert page.text.count("Choose from the list.") == 2
    assert "Lubang di Jalan Braga" in page.text
    long_query = web.get("/reports?lang=en&q=" + "x" * 101)
    assert "Too long (at most 100 characters)." in long_query.text
    bad_cursor = web.get("/reports?after=yesterday&lang=en")
    assert "That page link is not valid" in bad_cursor.text


def test_the_list_pages_by_keyset_without_gaps_or_repeats(
    web, file_on_web, staff, moved_clock, app
):
    app.config[LIMITS_CONFIG_KEY] = {"filing": Limit(100, 3600)}
    numbers = []
    for i in range(23):
        number, _ = file_on_web(title=f"Laporan nomor {i:02d}")
        staff.dispatch(number)
        numbers.append(number)
        if i % 5:  # some share a creation instant: the id breaks the tie
            moved_clock.advance(minutes=1)
    seen: list[str] = []
    url = "/reports?category=roads"
    pages = 0
    while url:
        text = web.get(url).text
        pages += 1
        seen += [n for n in numbers if grouped(n) in text]
        assert "OFFSET" not in text
        if 'rel="next"' in text:
            url = text.split('rel="next" href="', 1)[1].split('"', 1)[0].replace("&amp;", "&")
            assert "category=roads" in url  # filters travel with the cursor
        else:
            url = ""
    assert pages == 2
    assert sorted(seen) == sorted(numbers) and len(seen) == len(set(seen))
    first_page = web.get("/reports").text
    assert "Laporan nomor 22" in first_page and "Laporan nomor 00" not in first_page


def test_the_list_never_selects_identity(web, file_on_web, staff):
    number, _ = file_on_web(
        name="Bambang Sutrisno", phone="081398765432", email="bambang@example.org"
    )
    staff.dispatch(number)
    text = web.get("/reports").text
    for identity in ("Bambang", "81398765432", "bambang@example.org"):
        assert identity not in text
    assert (
        db.session.scalar(select(Report.state).where(Report.tracking_number == number))
        is State.DISPATCHED
    )
