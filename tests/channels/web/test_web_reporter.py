"""The reporter's private page: what it shows, and the actions WORKFLOW.md allows them now."""

from __future__ import annotations

from sqlalchemy import func, select

from grievance.extensions import db
from grievance.models import Rating, Report, ReportEvent
from workflows.states import Action, State


def event_count() -> int:
    return db.session.scalar(select(func.count(ReportEvent.id))) or 0


def report(number: str) -> Report:
    return db.session.scalars(select(Report).where(Report.tracking_number == number)).one()


def forms_on(page: str) -> set[str]:
    """Return the reporter actions whose forms a page offers."""
    steps = ("add-information", "accept", "dispute", "rate", "appeal")
    return {step for step in steps if f'/{step}"' in page}


def test_the_private_page_shows_everything_even_when_confidential(web, file_on_web):
    number, code = file_on_web(
        confidential="y", description="Pungutan liar di loket KTP kecamatan Coblong."
    )
    page = web.get(f"/r/{number}/{code}?lang=en")
    assert page.status_code == 200
    assert "Pungutan liar di loket KTP kecamatan Coblong." in page.text
    assert "This is your private page." in page.text
    assert "Your report is confidential: it is not published." in page.text
    assert "Waiting for screening" in page.text and "To be checked by" in page.text
    assert forms_on(page.text) == set()  # nothing for the reporter to do during screening
    assert page.headers["Cache-Control"] == "no-store"
    assert page.headers["Referrer-Policy"] == "no-referrer"


def test_a_wrong_code_is_refused_and_changes_nothing(web, file_on_web, staff):
    number, code = file_on_web()
    staff.answered(number)
    before = event_count()
    wrong = "A" * len(code)
    page = web.get(f"/r/{number}/{wrong}?lang=en")
    assert page.status_code == 404
    assert f"This link is not valid for report {number}." in page.text
    action = web.post(f"/r/{number}/{wrong}/accept?lang=en", data={"score": "5"})
    assert action.status_code == 404
    mistyped = number[:-1] + str((int(number[-1]) + 1) % 10)  # a different check digit
    other = web.post(f"/r/{mistyped}/{code}/dispute", data={"reason": "Masih rusak"})
    assert other.status_code == 404
    assert event_count() == before and report(number).state is State.RESPONDED


def test_an_unknown_action_is_not_found(web, file_on_web):
    number, code = file_on_web()
    assert web.post(f"/r/{number}/{code}/delete", data={}).status_code == 404


def test_answering_a_question_resumes_the_report(web, file_on_web, staff):
    number, code = file_on_web()
    staff.defer(number, "Di sisi jalan yang mana lubangnya?")
    page = web.get(f"/r/{number}/{code}?lang=en")
    assert "A question for you" in page.text and "Di sisi jalan yang mana lubangnya?" in page.text
    assert forms_on(page.text) == {"add-information"}
    before = event_count()
    empty = web.post(f"/r/{number}/{code}/add-information?lang=en", data={"text": "   "})
    assert empty.status_code == 400
    assert "Write the information you want to add." in empty.text
    assert event_count() == before and report(number).state is State.DEFERRED
    done = web.post(
        f"/r/{number}/{code}/add-information", data={"text": "Sisi utara, dekat halte."}
    )
    assert done.status_code == 303
    assert done.headers["Location"].endswith(f"/r/{number}/{code}")
    assert report(number).state is State.SUBMITTED
    after = web.get(f"/r/{number}/{code}?lang=en").text
    assert "Thank you. Your information was added" in after
    assert "Sisi utara, dekat halte." in after
    assert forms_on(after) == set()


def test_accepting_with_a_rating_closes_the_report(web, file_on_web, staff):
    number, code = file_on_web()
    staff.answered(number)
    page = web.get(f"/r/{number}/{code}?lang=en").text
    assert forms_on(page) == {"accept", "dispute"}
    assert "Lubang sudah ditambal." in page  # the agency's answer
    response = web.post(
        f"/r/{number}/{code}/accept", data={"score": "4", "comment": "Cepat, terima kasih"}
    )
    assert response.status_code == 303
    closed = report(number)
    assert closed.state is State.CLOSED
    assert db.session.scalar(select(Rating.score).where(Rating.report_id == closed.id)) == 4
    after = web.get(f"/r/{number}/{code}?lang=en").text
    assert "Thank you. The report is closed." in after
    assert forms_on(after) == set()  # rated, and a 4 gives no ground for appeal


def test_accepting_then_rating_low_then_appealing(web, file_on_web, staff, world, moved_clock):
    number, code = file_on_web()
    staff.answered(number)
    assert web.post(f"/r/{number}/{code}/accept", data={}).status_code == 303
    assert forms_on(web.get(f"/r/{number}/{code}").text) == {"rate"}
    bad = web.post(f"/r/{number}/{code}/rate?lang=en", data={"score": "9"})
    assert bad.status_code == 400 and "Give a rating from 1 to 5." in bad.text
    missing = web.post(f"/r/{number}/{code}/rate?lang=en", data={})
    assert missing.status_code == 400 and "Give a rating from 1 to 5." in missing.text
    assert web.post(f"/r/{number}/{code}/rate", data={"score": "1"}).status_code == 303
    page = web.get(f"/r/{number}/{code}?lang=en").text
    assert "Thank you for your rating." in page
    assert forms_on(page) == {"appeal"}
    empty = web.post(f"/r/{number}/{code}/appeal?lang=en", data={"reason": ""})
    assert empty.status_code == 400 and "Say why you appeal." in empty.text
    appealed = web.post(f"/r/{number}/{code}/appeal", data={"reason": "Tambalan sudah lepas lagi."})
    assert appealed.status_code == 303
    after = report(number)
    assert after.state is State.DISPATCHED and after.appealed
    assert after.agency_id == world.province.id  # the city's parent takes it up
    assert forms_on(web.get(f"/r/{number}/{code}").text) == set()


def test_rating_is_offered_only_within_its_window(web, file_on_web, staff, moved_clock):
    number, code = file_on_web()
    staff.answered(number)
    web.post(f"/r/{number}/{code}/accept", data={})
    moved_clock.advance(days=31)
    assert forms_on(web.get(f"/r/{number}/{code}").text) == set()
    before = event_count()
    late = web.post(f"/r/{number}/{code}/rate?lang=en", data={"score": "5"})
    assert late.status_code == 400
    assert "Ratings are accepted for 30 days after closing." in late.text
    assert event_count() == before


def test_disputing_reopens_the_report(web, file_on_web, staff):
    number, code = file_on_web()
    staff.answered(number)
    missing = web.post(f"/r/{number}/{code}/dispute?lang=en", data={"reason": ""})
    assert missing.status_code == 400 and "Say why the problem is not solved." in missing.text
    assert report(number).state is State.RESPONDED
    too_long = web.post(f"/r/{number}/{code}/dispute?lang=en", data={"reason": "x" * 5001})
    assert too_long.status_code == 400 and "Too long (at most 5000 characters)." in too_long.text
    done = web.post(f"/r/{number}/{code}/dispute", data={"reason": "Lubangnya masih ada."})
    assert done.status_code == 303
    reopened = report(number)
    assert reopened.state is State.IN_PROGRESS and reopened.reopen_count == 1
    last = db.session.scalars(
        select(ReportEvent)
        .where(ReportEvent.report_id == reopened.id)
        .order_by(ReportEvent.seq.desc())
    ).first()
    assert last.action is Action.DISPUTE and last.public_text == "Lubangnya masih ada."


def test_an_action_not_allowed_now_is_refused_with_the_reason(web, file_on_web):
    number, code = file_on_web()
    before = event_count()
    response = web.post(f"/r/{number}/{code}/accept?lang=en", data={"score": "5"})
    assert response.status_code == 400
    assert "This cannot be done while the report is waiting for screening." in response.text
    assert event_count() == before and report(number).state is State.SUBMITTED


def test_reporter_actions_need_the_csrf_token(app, web, file_on_web, staff):
    number, code = file_on_web()
    staff.answered(number)
    app.config["WTF_CSRF_ENABLED"] = True
    response = web.post(
        f"/r/{number}/{code}/accept?lang=en",
        data={"score": "5"},
        headers={"Referer": f"https://localhost/r/{number}/{code}"},
    )
    assert response.status_code == 400
    assert "The form has expired or did not come from this site." in response.text
    assert report(number).state is State.RESPONDED
