"""What a phone may know and do about its reports: shared by the SMS and USSD channels.

On these channels the phone number is the reporter's proof of ownership, so every lookup here
starts from an E.164 number. A report's status is public (its number is on the public site) unless
it is confidential; then only its own reporter hears about it.
"""

from __future__ import annotations

import random
import time
from collections.abc import Iterable
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm.exc import StaleDataError

from channels.sms import replies
from grievance.clock import utcnow
from grievance.extensions import db
from grievance.models import Contact, Report, ReportEvent, normalize_phone
from grievance.services.policy import load_policy
from workflows.states import Action, State

# What two requests changing the same report at once run into (its version column, the next seq of
# its trail, a provider's message id claimed twice, a deadlock PostgreSQL broke); the loser rolls
# back and tries again (see `retryable`).
CONCURRENT_ERRORS = (IntegrityError, StaleDataError, OperationalError)
ATTEMPTS = 8
# PostgreSQL's deadlock_detected and serialization_failure.
_RETRYABLE_SQLSTATES = frozenset({"40P01", "40001"})


def retryable(exc: BaseException) -> bool:
    """Tell whether a CONCURRENT_ERRORS error is a lost race worth another try (not an outage)."""
    if isinstance(exc, OperationalError):
        # SQLite has no row locks: a writer whose snapshot went stale is refused as "locked".
        return getattr(
            exc.orig, "sqlstate", None
        ) in _RETRYABLE_SQLSTATES or "database is locked" in str(exc.orig)
    return isinstance(exc, (IntegrityError, StaleDataError))


def pause_before_retry(attempt: int) -> None:
    """Wait a few random milliseconds, more after each lost race, so racers fall out of step."""
    time.sleep(random.uniform(0, 0.005 * attempt))  # noqa: S311 - jitter, not secrecy


def lock_report(report_id: int) -> Report | None:
    """Lock a report's row until the transaction ends, so messages about it append in turn.

    Two messages about one report at once would both take the next seq of its trail; with the
    row locked (PostgreSQL) the second waits for the first to commit and reads the new tail.
    SQLite writes one at a time anyway; what slips through is retried (`CONCURRENT_ERRORS`).
    Hold on to the report while using it: the session keeps loaded objects only while referenced.
    """
    # One query that locks the row and refreshes the loaded report with what it holds now.
    return db.session.execute(
        select(Report)
        .where(Report.id == report_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).scalar_one_or_none()


def phone_e164(raw: str | None) -> str | None:
    """Return a sender's number in E.164, or None when it is not a valid phone number."""
    if not raw:
        return None
    try:
        return normalize_phone(raw[:40])
    except ValueError:
        return None


def contact_for(e164: str | None) -> Contact | None:
    """Return the contact that owns a number, if any."""
    if e164 is None:
        return None
    return db.session.scalar(select(Contact).where(Contact.phone == e164))


def owns(report: Report, e164: str | None) -> bool:
    """Tell whether a report was filed from this number."""
    return e164 is not None and report.contact is not None and report.contact.phone == e164


def reports_from(e164: str | None, states: Iterable[State] | None = None) -> list[Report]:
    """Return the reports filed from a number, newest first, optionally in some states only."""
    if e164 is None:
        return []
    query = (
        select(Report).join(Contact, Report.contact_id == Contact.id).where(Contact.phone == e164)
    )
    if states is not None:
        query = query.where(Report.state.in_(list(states)))
    return list(db.session.scalars(query.order_by(Report.created_at.desc(), Report.id.desc())))


def awaiting_rating(e164: str | None) -> list[Report]:
    """Return a number's closed reports that may still be rated, most recently closed first.

    The rule behind a bare "1" to "5": a report filed from this number, closed (accepted without
    a rating, or closed because the reporter did not reply: both end with a rating prompt), not
    yet rated since it was last closed, and still inside the policy's rating window.
    """
    since = utcnow() - timedelta(days=load_policy().rating_window_days)
    candidates = [
        report
        for report in reports_from(e164, [State.CLOSED])
        if report.closed_at is not None and report.closed_at >= since and not is_rated(report)
    ]
    return sorted(candidates, key=lambda r: r.closed_at or since, reverse=True)


def is_rated(report: Report) -> bool:
    """Tell whether a report has been rated since it was last closed (an appeal starts anew)."""
    cycle = int(report.appealed)
    return any(rating.cycle == cycle for rating in report.ratings)


def latest_public_text(report: Report, kinds: Iterable[Action]) -> str:
    """Return the public text of the latest event of some kinds (an update, a question)."""
    text = db.session.scalar(
        select(ReportEvent.public_text)
        .where(
            ReportEvent.report_id == report.id,
            ReportEvent.action.in_(list(kinds)),
            ReportEvent.public_text.is_not(None),
        )
        .order_by(ReportEvent.seq.desc())
        .limit(1)
    )
    return text or ""


def status_text(report: Report, language: str, owner: bool) -> str:
    """Return what STATUS answers about a report, in one SMS segment."""
    state = report.state
    if owner and state is State.CLOSED and not is_rated(report):
        template = replies.STATUS_AWAITING_RATING
    else:
        template = (replies.STATUS_OWNER if owner else replies.STATUS_PUBLIC)[state]
    filler = ""
    if state is State.DEFERRED:
        filler = latest_public_text(report, (Action.DEFER, Action.REQUEST_INFORMATION))
    elif state is State.DISPATCHED:
        filler = report.agency.name if report.agency is not None else ""
    elif state is State.IN_PROGRESS:
        filler = latest_public_text(report, (Action.POST_UPDATE,))
    elif state in (State.RESPONDED, State.CLOSED):
        filler = latest_public_text(report, (Action.RESPOND,))
    elif state is State.ARCHIVED and report.archive_reason is not None:
        filler = replies.translate(replies.ARCHIVE_REASONS[report.archive_reason], language)
    return replies.render(template, language, filler, number=report.tracking_number)
