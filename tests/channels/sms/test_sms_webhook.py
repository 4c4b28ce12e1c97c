"""The Twilio webhook: signatures, idempotency, hostile bodies, opt-out, languages, callbacks."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import sqlalchemy as sa
from flask import Flask
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from channels.sms import replies
from grievance import create_app
from grievance.extensions import db
from grievance.models import Contact, InboundMessage, Notification, Report, ReportEvent
from grievance.services import actions, audit
from grievance.services.reports import file_report
from grievance.tracking import damm_digit
from tests.channels.phone_support import (
    OTHER_PHONE,
    PHONE,
    SMS_PATH,
    STATUS_PATH,
    Twilio,
    close_redis,
    new_sid,
    reply_text,
    sent_to,
)
from tests.conftest import make_settings
from workflows.states import Action, Channel, State


def count(model: type) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model)) or 0


def reports() -> list[Report]:
    return list(db.session.scalars(sa.select(Report).order_by(Report.id)))


def params(body: str, sid: str | None = None, sender: str = PHONE) -> dict[str, str]:
    return {"MessageSid": sid or new_sid(), "From": sender, "To": "+15005550006", "Body": body}


DESCRIPTION = "Lampu jalan mati di Jalan Merdeka sejak seminggu"


# --- signatures ---------------------------------------------------------------------------------


def test_signed_request_is_answered_with_twiml(app: Flask, world, twilio: Twilio) -> None:
    response = twilio.sms("HELP")
    assert response.status_code == 200
    assert response.mimetype == "text/xml"
    assert reply_text(response).startswith("Report:")


def test_forged_or_missing_signature_is_refused_and_stores_nothing(
    app: Flask, world, twilio: Twilio
) -> None:
    forged = Twilio(twilio.client, token="not-the-token")
    body = params(DESCRIPTION)
    assert forged.post(SMS_PATH, body).status_code == 403
    assert twilio.post(SMS_PATH, body, signature="").status_code == 403
    assert twilio.post(SMS_PATH, body, signature="garbage==").status_code == 403
    # Signed, then a parameter changed on the way.
    signature = twilio.sign(SMS_PATH, body)
    assert (
        twilio.post(
            SMS_PATH, {**body, "Body": "something else entirely"}, signature=signature
        ).status_code
        == 403
    )
    # Signed for the host the request reached rather than the public URL Twilio was given.
    from twilio.request_validator import RequestValidator

    local = RequestValidator("test-token").compute_signature("http://localhost" + SMS_PATH, body)
    assert twilio.post(SMS_PATH, body, signature=local).status_code == 403
    assert (count(InboundMessage), count(Report), count(Contact)) == (0, 0, 0)


def test_the_query_string_is_part_of_the_signed_url(app: Flask, world, twilio: Twilio) -> None:
    body = params("HELP")
    assert twilio.post(SMS_PATH, body, query="tenant=bandung").status_code == 200
    signature = twilio.sign(SMS_PATH, body)  # signed without the query Twilio was given
    assert (
        twilio.post(SMS_PATH, body, signature=signature, query="tenant=bandung").status_code == 403
    )


def test_without_twilio_credentials_nothing_is_accepted(app: Flask, database_url: str) -> None:
    bare = create_app(make_settings(database_url, public_base_url="https://grievance.example.org"))
    with bare.app_context():
        response = Twilio(bare.test_client()).sms("HELP")
        db.session.remove()
        db.engine.dispose()
    close_redis(bare)
    assert response.status_code == 403


def test_a_signed_request_without_message_sid_is_a_bad_request(
    app: Flask, world, twilio: Twilio
) -> None:
    body = {"From": PHONE, "Body": "HELP"}
    assert twilio.post(SMS_PATH, body).status_code == 400
    assert count(InboundMessage) == 0


# --- idempotency --------------------------------------------------------------------------------


def test_a_retried_message_sid_gets_the_same_answer_and_files_nothing_twice(
    app: Flask, world, twilio: Twilio, transport
) -> None:
    sid = new_sid()
    first = twilio.sms(DESCRIPTION, sid=sid)
    again = twilio.sms(DESCRIPTION, sid=sid)
    assert first.status_code == again.status_code == 200
    assert first.get_data() == again.get_data()
    assert len(reports()) == 1
    assert count(InboundMessage) == 1
    assert len(sent_to(transport, PHONE)) == 1  # one confirmation, not two

    status = f"STATUS {reports()[0].tracking_number}"
    sid = new_sid()
    assert twilio.text(status, sid=sid) == twilio.text(status, sid=sid)
    assert count(InboundMessage) == 2


def test_a_refused_action_is_stored_and_replayed_identically(
    app: Flask, world, twilio: Twilio
) -> None:
    twilio.text(DESCRIPTION)
    number = reports()[0].tracking_number
    sid = new_sid()
    first = twilio.text(f"YES {number}", sid=sid)  # still being screened: nothing to accept
    assert (
        first
        == f"Report {number} is not waiting for your reply. Send STATUS {number} to see where it "
        "stands."
    )
    assert twilio.text(f"YES {number}", sid=sid) == first
    assert reports()[0].state is State.SUBMITTED


# --- hostile bodies -----------------------------------------------------------------------------


def test_empty_and_blank_bodies_get_help(app: Flask, world, twilio: Twilio) -> None:
    for body in ("", "   ", "\n\t", "?!"):
        assert twilio.text(body).startswith("Your message was empty."), repr(body)
    assert count(Report) == 0


def test_oversized_bodies_get_a_helpful_reply(app: Flask, world, twilio: Twilio) -> None:
    assert twilio.text("x" * (10 * 1024 + 1)).startswith("Your message is too long.")
    assert twilio.text("jalan rusak " * 500).startswith("The description is too long")
    assert count(Report) == 0
    stored = db.session.scalars(sa.select(InboundMessage.body)).all()
    assert all(len(body) <= 10 * 1024 for body in stored)


def test_binary_and_emoji_bodies_never_break_the_webhook(app: Flask, world, twilio: Twilio) -> None:
    assert twilio.text("\x00\x01\x02\x7f\ufffd").startswith(("Your message was empty", "Describe"))
    assert twilio.text("😀").startswith("Describe the problem")
    assert twilio.text("🚧🚧 Jalan rusak 🚧🚧 dekat pasar\x00") == ""  # filed: the notice answers
    [report] = reports()
    assert "\x00" not in report.description and "🚧" in report.description


def test_control_characters_in_any_field_are_harmless(app: Flask, world, twilio: Twilio) -> None:
    assert twilio.post(SMS_PATH, params("HELP", sid="SM\x00abc")).status_code == 400
    assert twilio.text("Jalan\x00 rusak di depan pasar lama", sender=PHONE + "\x00") == ""
    assert reports()[0].description == "Jalan rusak di depan pasar lama"
    body = {"MessageSid": "SM\x00x", "MessageStatus": "failed\x00"}
    assert twilio.post(STATUS_PATH, body).status_code == 204


def test_a_refusal_after_a_rollback_is_stored_and_replayed(
    app: Flask, world, twilio: Twilio
) -> None:
    twilio.text(DESCRIPTION)
    report = reports()[0]
    actions.defer(report.id, actions.actor_for(world.verifier), question="Di RT berapa?")
    sid = new_sid()
    message = f"INFO {report.tracking_number} " + "panjang " * 700  # over the 5,000 limit
    first = twilio.text(message, sid=sid)
    assert first == "The text is too long (at most 5000 characters)."
    assert twilio.text(message, sid=sid) == first
    assert count(InboundMessage) == 2
    db.session.refresh(report)
    assert report.state is State.DEFERRED


def test_a_body_that_is_not_a_form_is_not_a_server_error(app: Flask, world, twilio: Twilio) -> None:
    response = twilio.client.post(
        SMS_PATH,
        data=b"\xff\xfe\x00garbage=%zz&&&",
        content_type="application/x-www-form-urlencoded",
        headers={"X-Twilio-Signature": "x"},
    )
    assert response.status_code == 403
    response = twilio.client.post(
        SMS_PATH,
        data=b"\x00\x01",
        content_type="application/octet-stream",
        headers={"X-Twilio-Signature": twilio.sign(SMS_PATH, {})},
    )
    assert response.status_code == 400


# --- numbers typed wrong, and other people's reports --------------------------------------------


def test_typed_numbers_are_checked(app: Flask, world, twilio: Twilio) -> None:
    twilio.text(DESCRIPTION)
    number = reports()[0].tracking_number
    wrong_check = number[:-1] + str((int(number[-1]) + 1) % 10)
    assert twilio.text(f"STATUS {wrong_check}") == (
        f"{wrong_check} is not a tracking number. "
        "Check the digits (there are 10) and send it again."
    )
    assert twilio.text("STATUS 12345").startswith("12345 is not a tracking number.")
    body = "123456789"
    unknown = body + damm_digit(body)
    assert twilio.text(f"STATUS {unknown}") == (
        f"No report has the number {unknown}. Check the digits and send it again."
    )
    spaced = f"{number[:3]} {number[3:6]}-{number[6:]}"
    assert twilio.text(f"cek {spaced}") == f"Report {number} was received and is being checked."


def test_only_the_reporter_acts_and_confidential_reports_stay_hidden(
    app: Flask, world, twilio: Twilio
) -> None:
    filed = file_report(description=DESCRIPTION, channel=Channel.SMS, language="en", phone=PHONE)
    number = filed.report.tracking_number
    assert (
        twilio.text(f"INFO {number} more", sender=OTHER_PHONE)
        == f"Report {number} was not sent from this phone."
    )
    assert twilio.text(f"STATUS {number}", sender=OTHER_PHONE) == (
        f"Report {number} was received and is being checked."
    )
    secret = file_report(
        description=DESCRIPTION, channel=Channel.WEB, language="en", phone=PHONE, confidential=True
    )
    hidden = secret.report.tracking_number
    assert twilio.text(f"STATUS {hidden}", sender=OTHER_PHONE).startswith(
        f"No report has the number {hidden}."
    )
    assert twilio.text(f"STATUS {hidden}") == f"Report {hidden} was received and is being checked."


# --- languages ----------------------------------------------------------------------------------


def test_a_new_number_gets_the_language_of_its_keyword_else_the_default(
    app: Flask, world, twilio: Twilio
) -> None:
    twilio.text("PLAINTE la route est cassée devant l'école", sender=PHONE)
    twilio.text("Jalan rusak di depan kantor desa", sender=OTHER_PHONE)
    languages = dict(db.session.execute(sa.select(Contact.phone, Contact.language)).all())
    assert languages == {PHONE: "fr", OTHER_PHONE: "en"}  # the tests' deployment default
    assert reports()[0].description == "la route est cassée devant l'école"


def test_lang_is_remembered_and_answers_in_the_new_language(
    app: Flask, world, twilio: Twilio
) -> None:
    assert twilio.text("LANG en") == "Messages will now be in English."
    assert db.session.scalar(sa.select(Contact.language).where(Contact.phone == PHONE)) == "en"
    # From now on in Indonesian, the new language's own confirmation first.
    assert twilio.text("bahasa indonesia") == replies.render(replies.LANGUAGE_SET, "id")
    assert db.session.scalar(sa.select(Contact.language).where(Contact.phone == PHONE)) == "id"
    assert twilio.text("LANG klingon") == replies.render(replies.LANGUAGE_UNKNOWN, "id")


# --- opting out ---------------------------------------------------------------------------------


def test_stop_opts_out_and_nothing_is_sent_until_start(
    app: Flask, world, twilio: Twilio, transport
) -> None:
    twilio.text(DESCRIPTION)
    report = reports()[0]
    assert len(sent_to(transport, PHONE)) == 1
    assert (
        twilio.text("STOP")
        == "You will get no more messages from us. Send START to receive them again."
    )
    assert db.session.scalar(sa.select(Contact.opted_out).where(Contact.phone == PHONE)) is True

    actions.dispatch(report.id, actions.actor_for(world.verifier), agency_id=world.city.id)
    # Not even queued (notify skips opted-out numbers; delivery would skip it too).
    assert len(sent_to(transport, PHONE)) == 1
    statuses = db.session.scalars(
        sa.select(Notification.status).where(Notification.template == "dispatched")
    )
    assert set(statuses) <= {"skipped"}
    # Commands still work, but no reply goes to an opted-out number; HELP is always answered.
    assert twilio.text(f"STATUS {report.tracking_number}") == ""
    assert twilio.text("HELP").startswith("Report:")

    assert twilio.text("START").startswith("Welcome back")
    actions.post_update(
        report.id, actions.actor_for(world.officer), text="Petugas sudah dijadwalkan."
    )
    assert sent_to(transport, PHONE)[-1].endswith("Petugas sudah dijadwalkan.")


def test_twilio_opt_out_type_is_honoured(app: Flask, world, twilio: Twilio) -> None:
    twilio.text("BATAL", OptOutType="STOP")  # a keyword configured in Twilio's console
    assert db.session.scalar(sa.select(Contact.opted_out).where(Contact.phone == PHONE)) is True
    twilio.text("LANJUT", OptOutType="START")
    assert db.session.scalar(sa.select(Contact.opted_out).where(Contact.phone == PHONE)) is False


# --- delivery status callbacks ------------------------------------------------------------------


def _sent_notification(transport) -> Notification:
    file_report(description=DESCRIPTION, channel=Channel.SMS, language="en", phone=PHONE)
    sent_to(transport, PHONE)
    row = db.session.scalar(sa.select(Notification).where(Notification.channel == "sms"))
    assert row is not None and row.status == "sent" and row.provider_ref
    return row


def _status(twilio: Twilio, sid: str, status: str, **extra: str) -> int:
    body = {"MessageSid": sid, "MessageStatus": status, "AccountSid": "AC" + "0" * 32, **extra}
    return twilio.post(STATUS_PATH, body).status_code


def test_status_callback_updates_the_outbox_row(
    app: Flask, world, twilio: Twilio, transport
) -> None:
    row = _sent_notification(transport)
    ref = row.provider_ref
    assert _status(twilio, ref, "sent") == 204
    assert _status(twilio, ref, "delivered") == 204
    assert _status(twilio, ref, "sent") == 204  # late and out of order: ignored
    db.session.refresh(row)
    assert (row.provider_status, row.status) == ("delivered", "sent")
    assert _status(twilio, "SM-unknown", "delivered") == 204


def test_undelivered_marks_the_row_failed(app: Flask, world, twilio: Twilio, transport) -> None:
    row = _sent_notification(transport)
    assert _status(twilio, row.provider_ref, "undelivered", ErrorCode="30003") == 204
    db.session.refresh(row)
    assert (row.provider_status, row.status) == ("undelivered", "failed")
    assert row.last_error == "twilio undelivered 30003"


def test_an_unsubscribed_recipient_is_opted_out(
    app: Flask, world, twilio: Twilio, transport
) -> None:
    row = _sent_notification(transport)
    assert _status(twilio, row.provider_ref, "failed", ErrorCode="21610") == 204
    assert db.session.scalar(sa.select(Contact.opted_out).where(Contact.phone == PHONE)) is True


def test_forged_status_callback_changes_nothing(
    app: Flask, world, twilio: Twilio, transport
) -> None:
    row = _sent_notification(transport)
    forged = Twilio(twilio.client, token="wrong")
    body = {"MessageSid": row.provider_ref, "MessageStatus": "failed"}
    assert forged.post(STATUS_PATH, body).status_code == 403
    db.session.refresh(row)
    assert (row.status, row.provider_status) == ("sent", None)


def test_a_message_queued_before_stop_is_skipped_at_delivery(
    app: Flask, world, twilio: Twilio, transport
) -> None:
    twilio.text(DESCRIPTION)
    before = len(sent_to(transport, PHONE))
    # Written directly, without its delivery job: as if it were waiting for a retry.
    row = Notification(
        channel="sms", recipient=PHONE, template="updated", language="id", body="Update"
    )
    db.session.add(row)
    db.session.commit()
    twilio.text("STOP")
    assert len(sent_to(transport, PHONE)) == before
    db.session.refresh(row)
    assert row.status == "skipped"


# --- concurrency --------------------------------------------------------------------------------


def test_a_concurrent_change_to_the_report_is_retried(
    app: Flask, world, twilio: Twilio, monkeypatch
) -> None:
    twilio.text(DESCRIPTION)
    report = reports()[0]
    actions.dispatch(report.id, actions.actor_for(world.verifier), agency_id=world.city.id)
    officer = actions.actor_for(world.officer)
    actions.post_update(report.id, officer, text="Tim sudah ke lokasi.")
    actions.respond(report.id, officer, text="Sudah ditambal.", outcome="resolved")
    real = actions.record_message
    failures = iter([StaleDataError("simulated"), IntegrityError("x", {}, Exception("seq"))])

    def flaky(*args, **kwargs):
        failure = next(failures, None)
        if failure is not None:
            raise failure  # as if another message on this report had taken the next seq
        return real(*args, **kwargs)

    monkeypatch.setattr(actions, "record_message", flaky)
    number = report.tracking_number
    assert twilio.text(f"YES {number} 5").startswith("Thank you for your rating.")
    db.session.refresh(report)
    assert report.state is State.CLOSED
    kinds = db.session.scalars(
        sa.select(ReportEvent.action).where(ReportEvent.report_id == report.id)
    ).all()
    assert kinds.count(Action.ACCEPT) == 1 and kinds[-3:] == [
        Action.MESSAGE_IN,
        Action.ACCEPT,
        Action.MESSAGE_OUT,
    ]


def test_simultaneous_messages_about_one_report_all_get_answers(
    app: Flask, world, twilio: Twilio
) -> None:
    twilio.text(DESCRIPTION)
    number = reports()[0].tracking_number
    expected = f"Report {number} was received and is being checked."

    def ask(_: int) -> str:
        with app.app_context():
            return Twilio(app.test_client()).text(f"STATUS {number}")

    with ThreadPoolExecutor(max_workers=4) as pool:
        answers = list(pool.map(ask, range(8)))
    assert answers == [expected] * 8
    ins = db.session.scalar(
        sa.select(sa.func.count()).where(ReportEvent.action == Action.MESSAGE_IN)
    )
    assert ins == 1 + 8  # the report itself, then every question
    assert audit.verify() == []
