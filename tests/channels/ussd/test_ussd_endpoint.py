"""The USSD endpoint through Africa's Talking sequences: whole lives, replays, hostile requests,
the shared secret, the end-of-session notification, and both session stores."""

from __future__ import annotations

import re
import uuid
from datetime import timedelta

import pytest
import sqlalchemy as sa
from flask import Flask
from redis import Redis
from redis.exceptions import RedisError

from channels.ussd.store import (
    DB_PROVIDER,
    STORE_EXTENSION,
    RedisSessionStore,
    session_key,
    store_for,
)
from grievance import create_app
from grievance.extensions import db
from grievance.models import Contact, InboundMessage, Rating, Report, ReportEvent
from grievance.services import actions, audit
from grievance.services.reports import file_report
from tests.channels.phone_support import (
    OTHER_PHONE,
    PHONE,
    USSD_PATH,
    UssdSession,
    close_redis,
    sent_to,
)
from tests.conftest import TEST_REDIS_URL, make_settings, service_unavailable
from workflows.states import Action, Channel, Classification, Outcome, State

DESCRIPTION = "Jalan berlubang besar di depan sekolah"


def reports() -> list[Report]:
    return list(db.session.scalars(sa.select(Report).order_by(Report.id)))


def lines(screen: str) -> list[str]:
    return screen[4:].split("\n")


def item(screen: str, label: str) -> str:
    """Return the number of the line that shows `label`."""
    for line in lines(screen):
        number, _, text = line.partition(" ")
        if text == label:
            return number
    raise AssertionError(f"{label!r} not on {screen!r}")


def file_by_ussd(session: UssdSession, *, first_time: bool = True, anonymous: bool = False) -> str:
    """Walk a caller through filing a roads complaint in Kota Bandung; return the last screen."""
    screen = session.dial()
    if first_time:
        screen = session.press(item(screen, "English"))
    screen = session.press(item(screen, "File a report"))
    screen = session.press(item(screen, "A complaint"))
    screen = session.press(item(screen, "Roads"))
    screen = session.press(item(screen, "Jawa Barat"))
    screen = session.press(item(screen, "Kota Bandung"))
    screen = session.press(DESCRIPTION)
    screen = session.press(
        item(screen, "Yes, keep me anonymous" if anonymous else "No, they may see my number")
    )
    assert lines(screen)[0] == "Send this report?"
    return session.press(item(screen, "Send"))


def number_in(screen: str) -> str:
    match = re.search(r"\b(\d{10})\b", screen)
    assert match, screen
    return match.group(1)


def answer(world, report: Report) -> None:
    actions.dispatch(report.id, actions.actor_for(world.verifier), agency_id=world.city.id)
    officer = actions.actor_for(world.officer)
    actions.post_update(report.id, officer, text="Tim sudah ke lokasi.")
    actions.respond(report.id, officer, text="Jalan sudah ditambal.", outcome=Outcome.RESOLVED)


def test_a_whole_life_by_ussd(app: Flask, world, ussd, transport, moved_clock) -> None:
    session = ussd()
    end = file_by_ussd(session, first_time=True)  # a first-time caller chooses a language first
    number = number_in(end)
    assert end == f"END Report {number} received. Keep this number. We will send updates by SMS."
    [report] = reports()
    assert (report.tracking_number, report.channel, report.state) == (
        number,
        Channel.USSD,
        State.SUBMITTED,
    )
    assert (report.category.code, report.region_code, report.classification) == (
        "roads",
        "32.73",
        Classification.COMPLAINT,
    )
    assert report.description == DESCRIPTION and report.anonymous is False
    assert db.session.scalar(sa.select(Contact.language).where(Contact.phone == PHONE)) == "en"
    assert sent_to(transport, PHONE)[0].startswith(f"Report {number} received.")

    # A second call: the language is remembered; check the status.
    status = ussd()
    screen = status.dial()
    assert lines(screen)[0] == "Public complaints service"
    status.press(item(screen, "Check a report"))
    assert (
        status.press(f"{number[:5]} {number[5:]}")
        == f"END Report {number} was received and is being checked."
    )

    # The agency answers; the reporter hears by SMS and accepts by USSD with a rating.
    moved_clock.advance(hours=3)
    answer(world, report)
    assert sent_to(transport, PHONE)[-1].startswith(
        f"Report {number} answered: Jalan sudah ditambal."
    )
    reply = ussd()
    screen = reply.press(item(reply.dial(), "Reply to an answer"))
    assert lines(screen)[:2] == [f"Report {number} was answered:", "Jalan sudah ditambal."]
    screen = reply.press(item(screen, "Solved"))
    assert reply.press(item(screen, "Good")) == f"END Thank you. Report {number} is closed."
    db.session.refresh(report)
    assert report.state is State.CLOSED
    assert db.session.scalar(sa.select(Rating.score).where(Rating.report_id == report.id)) == 4

    events = list(
        db.session.scalars(
            sa.select(ReportEvent)
            .where(ReportEvent.report_id == report.id)
            .order_by(ReportEvent.seq)
        )
    )
    exchanged = [
        (e.action, e.internal_text)
        for e in events
        if e.action in (Action.MESSAGE_IN, Action.MESSAGE_OUT)
    ]
    assert exchanged == [
        (Action.MESSAGE_IN, "USSD *384*1234#: new complaint, category roads, region 32.73"),
        (Action.MESSAGE_OUT, end.removeprefix("END ")),
        (Action.MESSAGE_IN, "USSD *384*1234#: status"),
        (Action.MESSAGE_OUT, f"Report {number} was received and is being checked."),
        (Action.MESSAGE_IN, "USSD *384*1234#: solved, rating 4"),
        (Action.MESSAGE_OUT, f"Thank you. Report {number} is closed."),
    ]
    assert audit.verify() == []


def test_disputing_by_ussd_reopens(app: Flask, world, ussd, transport) -> None:
    report = file_report(
        description=DESCRIPTION, channel=Channel.USSD, language="en", phone=PHONE
    ).report
    answer(world, report)
    session = ussd()
    screen = session.press(item(session.dial(), "Reply to an answer"))
    screen = session.press(item(screen, "Not solved"))
    assert lines(screen)[0] == "Why is it not solved?"
    end = session.press("Lubang * masih ada")  # a '*' inside free text
    assert end == f"END Report {report.tracking_number} is open again. The agency must answer anew."
    db.session.refresh(report)
    assert (report.state, report.reopen_count) == (State.IN_PROGRESS, 1)
    reasons = db.session.scalars(
        sa.select(ReportEvent.public_text).where(ReportEvent.action == Action.DISPUTE)
    )
    assert list(reasons) == ["Lubang * masih ada"]


def test_a_replayed_step_files_nothing_twice_and_answers_the_same(
    app: Flask, world, ussd, transport
) -> None:
    session = ussd()
    end = file_by_ussd(session)
    assert session.replay() == end
    assert session.replay() == end
    assert len(reports()) == 1
    # A replay of a middle step returns the same screen and changes nothing.
    other = ussd(phone=OTHER_PHONE)
    other.dial()
    screen = other.press("1")
    assert other.replay() == screen
    assert other.press("1") != screen


def test_a_replay_after_the_state_was_lost_still_files_once(app: Flask, world, ussd) -> None:
    store = store_for(app)
    session = ussd()
    session.dial()
    for value in ("1", "1", "1", "1", "1", "1", DESCRIPTION, "1"):
        session.press(value)
    before_sending = store.load(session.session_id)
    end = session.press("1")
    # As if the state saved after filing had been lost: the gateway's retry meets the old state.
    store.save(session.session_id, PHONE, before_sending)
    assert session.replay() == end
    assert len(reports()) == 1


def test_invalid_input_asks_again_with_a_reason(app: Flask, world, ussd) -> None:
    session = ussd()
    screen = session.dial()
    for bad in ("9", "hello", "😀", "\x00\x01", "1" * 50):
        assert lines(session.press(bad)) == ["Not a choice on this screen.", *lines(screen)], repr(
            bad
        )
    session.press("1")
    session.press("1")
    session.press("1")
    session.press("1")
    session.press("1")
    screen = session.press("1")
    assert lines(screen)[0].startswith("Describe the problem")
    assert lines(session.press("short"))[0] == "Too short: write at least 10 characters."
    assert reports() == []


def test_back_and_exit(app: Flask, world, ussd) -> None:
    session = ussd()
    session.dial()
    main = session.press("1")  # English
    kind = session.press("1")
    assert session.press("0") == main
    assert session.press("1") == kind
    session.press("0")
    assert session.press("0") == "END Thank you. Goodbye."


def test_malformed_requests_get_an_answer_not_an_error(app: Flask, world, ussd) -> None:
    client = app.test_client()
    for form in (
        {},
        {"sessionId": "s1"},
        {"phoneNumber": PHONE},
        {"sessionId": "x" * 300, "phoneNumber": PHONE},
    ):
        response = client.post(USSD_PATH, data=form)
        assert response.status_code == 400 and response.get_data(as_text=True).startswith("END ")
    response = client.post(
        USSD_PATH, data={"sessionId": "s2", "phoneNumber": "not-a-phone", "text": ""}
    )
    assert response.get_data(as_text=True) == "END This service needs a valid phone number."
    session = ussd()
    session.dial()
    too_long = session.post("1*" + "x" * 1100)
    assert too_long == "END Your input is too long. Please dial again."
    assert session.post("1*2*3").startswith(("CON ", "END "))
    response = client.post(USSD_PATH, data=b"\xff\xfe\x00", content_type="application/octet-stream")
    assert response.status_code == 400
    assert reports() == []


def test_control_characters_never_reach_the_database(app: Flask, world, ussd) -> None:
    session = ussd(session_id=f"ATUid_\x00{uuid.uuid4().hex}")
    session.dial()
    for value in ("1", "1", "1", "1", "1", "1", "Jalan\x00 rusak\x01 dekat pasar", "1"):
        session.press(value)
    assert session.press("1").startswith("END Report")
    [report] = reports()
    assert report.description == "Jalan rusak dekat pasar"


def test_a_session_id_belongs_to_one_phone(app: Flask, world, ussd) -> None:
    session = ussd()
    session.dial()
    intruder = UssdSession(session.client, phone=OTHER_PHONE, session_id=session.session_id)
    assert intruder.post("1") == "END This service is not available here."


def test_input_after_expiry_asks_to_dial_again(app: Flask, world, ussd, moved_clock) -> None:
    if app.config["GRIEVANCE_SETTINGS"].redis_url:
        pytest.skip("Redis expires keys in real time")
    session = ussd()
    session.dial()
    moved_clock.advance(minutes=6)
    assert session.press("1") == "END Your session has expired. Please dial again."


def test_the_end_of_session_notification_is_acknowledged_and_forgets_the_state(
    app: Flask, world, ussd
) -> None:
    session = ussd()
    session.dial()
    response = app.test_client().post(
        f"{USSD_PATH}/events",
        data={
            "sessionId": session.session_id,
            "phoneNumber": PHONE,
            "status": "Incomplete",
            "input": "1",
            "durationInMillis": "12000",
            "errorMessage": "",
            "networkCode": "51010",
        },
    )
    assert response.status_code == 200 and response.get_data(as_text=True) == "OK"
    assert session.press("1") == "END Your session has expired. Please dial again."
    assert app.test_client().post(f"{USSD_PATH}/events", data={}).status_code == 200


def test_the_shared_secret_restricts_the_endpoint(app: Flask, world, database_url: str) -> None:
    settings = make_settings(
        database_url,
        public_base_url="https://grievance.example.org",
        extra={"ussd_token": "s3cret"},
    )
    locked = create_app(settings)
    with locked.app_context():
        client = locked.test_client()
        form = {
            "sessionId": uuid.uuid4().hex,
            "phoneNumber": PHONE,
            "serviceCode": "*384*1234#",
            "text": "",
        }
        assert client.post(USSD_PATH, data=form).status_code == 403
        assert client.post(f"{USSD_PATH}/wrong", data=form).status_code == 403
        assert (
            client.post(f"{USSD_PATH}/s3cret", data=form).get_data(as_text=True).startswith("CON ")
        )
        assert (
            client.post(f"{USSD_PATH}?token=s3cret", data={**form, "text": "1"}).status_code == 200
        )
        assert client.post(f"{USSD_PATH}/events", data=form).status_code == 403
        assert client.post(f"{USSD_PATH}/s3cret/events", data=form).status_code == 200
        db.session.remove()
        db.engine.dispose()
    close_redis(locked)


def test_database_sessions_are_purged(app: Flask, world, ussd, moved_clock) -> None:
    if app.config["GRIEVANCE_SETTINGS"].redis_url:
        pytest.skip("sessions are in Redis in this run")
    old = ussd()
    old.dial()
    moved_clock.advance(minutes=11)
    ussd(phone=OTHER_PHONE).dial()
    keys = db.session.scalars(
        sa.select(InboundMessage.external_id).where(InboundMessage.provider == DB_PROVIDER)
    )
    assert list(keys) != [] and old.session_id not in list(keys)


def test_long_session_ids_are_hashed_to_fit() -> None:
    assert session_key("short") == "short"
    assert len(session_key("x" * 200)) == 64


# --- Redis ---------------------------------------------------------------------------------------


@pytest.fixture
def redis_store(app: Flask):
    connection = Redis.from_url(TEST_REDIS_URL, socket_connect_timeout=1)
    try:
        connection.ping()
    except RedisError as exc:
        connection.close()
        service_unavailable("Redis", str(exc))
    prefix = f"grievance-test-{uuid.uuid4().hex[:8]}:"
    store = RedisSessionStore(connection, prefix, ttl=timedelta(seconds=30))
    yield store
    for key in connection.scan_iter(f"{prefix}*"):
        connection.delete(key)
    connection.close()


def test_redis_store_keeps_state_under_its_prefix_with_a_ttl(
    redis_store: RedisSessionStore,
) -> None:
    assert redis_store.load("abc") is None
    redis_store.save("abc", PHONE, {"text": "1*2", "screen": "CON x"})
    assert redis_store.load("abc") == {"text": "1*2", "screen": "CON x"}
    key = redis_store._key("abc")
    assert 0 < redis_store._redis.ttl(key) <= 30
    redis_store.delete("abc")
    assert redis_store.load("abc") is None


def test_a_whole_session_on_the_redis_store(
    app: Flask, world, ussd, redis_store: RedisSessionStore
) -> None:
    app.extensions[STORE_EXTENSION] = redis_store
    session = ussd()
    end = file_by_ussd(session)
    assert session.replay() == end
    assert len(reports()) == 1
    assert redis_store.load(session.session_id)["screen"] == end
    keys = db.session.scalars(sa.select(InboundMessage.provider))
    assert DB_PROVIDER not in set(keys)


def test_redis_down_ends_the_session_politely(app: Flask, world, ussd) -> None:
    dead = Redis.from_url("redis://127.0.0.1:1/0", socket_connect_timeout=0.2)
    app.extensions[STORE_EXTENSION] = RedisSessionStore(dead, "x:")
    try:
        assert ussd().dial() == "END The service is busy. Please try again in a moment."
    finally:
        dead.close()
