"""The menus' view of the database, and their actions through the services, once per session.

Each USSD session takes at most one action (filing, accepting, rating or disputing: each ends the
session). An InboundMessage row with provider "ussd" and the sessionId is added before the action
and committed with it, so a gateway's replay of the step, or a replay after lost session state,
finds the row and returns the same result instead of acting twice.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import aliased

from channels.sms.reporter import (
    ATTEMPTS,
    CONCURRENT_ERRORS,
    awaiting_rating,
    contact_for,
    latest_public_text,
    lock_report,
    owns,
    pause_before_retry,
    reports_from,
    retryable,
    status_text,
)
from channels.ussd import texts
from channels.ussd.menu import Awaiting, Option
from channels.ussd.store import session_key
from grievance.extensions import db
from grievance.models import Category, Contact, InboundMessage, Region, Report
from grievance.services import actions
from grievance.services.errors import N_, Conflict, NotFound, ServiceError
from grievance.services.reports import (
    ReporterAccess,
    file_report,
    find_by_tracking_number,
    reporter_by_phone,
)
from workflows.states import Action, Channel, State

PROVIDER = "ussd"
CHANNEL = "ussd"


@dataclass
class TrailEntry:
    """A caller's exchange about a report, to record on its trail with the screen shown."""

    report_id: int
    said: str
    recorded_in: bool = False


@dataclass
class DatabaseDirectory:
    """The Directory of one caller (by E.164 number) in one session."""

    session_id: str
    e164: str
    service_code: str = ""
    trail: list[TrailEntry] = field(default_factory=list)
    # The row that claimed this session's action; kept (not just its id) so that storing the
    # reply on it later needs no reload.
    claim: InboundMessage | None = None

    # --- what the menus list ----------------------------------------------------------------

    def categories(self, language: str) -> Sequence[Option]:
        """Return the active categories, named in a language."""
        rows = db.session.scalars(
            sa.select(Category)
            .where(Category.active.is_(True))
            .order_by(Category.position, Category.code)
        )
        return [Option(c.code, c.name(language)) for c in rows]

    def regions(self, parent: str | None) -> Sequence[Option]:
        """Return the regions under a parent (None: the top level), by name."""
        child = aliased(Region)
        has_children = sa.exists().where(child.parent_code == Region.code)
        where = Region.parent_code.is_(None) if parent is None else Region.parent_code == parent
        rows = db.session.execute(
            sa.select(Region.code, Region.name, has_children).where(where).order_by(Region.name)
        )
        return [Option(code, name, bool(nested)) for code, name, nested in rows]

    def region(self, typed: str) -> Option | None:
        """Return the region with a typed code, dots optional ("32.73" or "3273")."""
        found = db.session.get(Region, typed.strip())
        if found is None:
            digits = "".join(ch for ch in typed if ch.isdigit())
            found = db.session.scalar(
                sa.select(Region).where(sa.func.replace(Region.code, ".", "") == digits).limit(1)
            )
        return Option(found.code, found.name) if found is not None else None

    def awaiting(self) -> Sequence[Awaiting]:
        """Return the caller's answered reports (to reply to), then closed ones to rate."""
        items = [
            Awaiting(r.tracking_number, "reply", latest_public_text(r, (Action.RESPOND,)))
            for r in reports_from(self.e164, [State.RESPONDED])
        ]
        items += [Awaiting(r.tracking_number, "rate") for r in awaiting_rating(self.e164)]
        return items

    def status(self, number: str, language: str) -> str:
        """Return a report's status for this caller (confidential ones only to their reporter)."""
        report = find_by_tracking_number(number)
        owner = owns(report, self.e164)
        if report.confidential and not owner:
            raise NotFound(N_("No report has the tracking number %(number)s."), number=number)
        if owner:
            self.trail.append(TrailEntry(report.id, f"USSD {self.service_code}: status"))
        return status_text(report, language, owner)

    def set_language(self, language: str) -> None:
        """Remember the caller's language on their contact, creating it for a new number."""
        contact = contact_for(self.e164)
        if contact is None:
            db.session.add(Contact(phone=self.e164, language=language))
        else:
            contact.language = language
        db.session.commit()

    # --- what the menus do, once per session -------------------------------------------------

    def _done(self) -> InboundMessage | None:
        return db.session.scalar(
            sa.select(InboundMessage).where(
                InboundMessage.provider == PROVIDER,
                InboundMessage.external_id == session_key(self.session_id),
            )
        )

    def _previous(self) -> int | None:
        """Return the report this session already acted on, None if it has not acted."""
        done = self._done()
        if done is None:
            return None
        if done.report_id is None:
            # Acted, then lost the end of the step (a crash): say so rather than act twice.
            raise ServiceError(texts.ALREADY_DONE)
        return done.report_id

    def _once(
        self, said: str, act: Callable[[InboundMessage], int], report_id: int | None = None
    ) -> int:
        """Act unless this session already did; return the report acted on."""
        for attempt in range(1, ATTEMPTS + 1):
            previous = self._previous()
            if previous is not None:
                return previous
            claim = InboundMessage(
                provider=PROVIDER,
                external_id=session_key(self.session_id),
                sender=self.e164[:20],
                body=said,
            )
            db.session.add(claim)
            try:
                # The caller's words go on the trail in the same commit as what they cause;
                # the report is held, locked, while they do.
                report = lock_report(report_id) if report_id is not None else None
                if report is not None:
                    actions.record_message(report_id, direction="in", channel=CHANNEL, text=said)
                acted_on = act(claim)
            except (*CONCURRENT_ERRORS, Conflict) as exc:
                # Someone changed the report at the same moment, or a replay of this step got
                # there first: nothing was done; look again.
                db.session.rollback()
                if attempt == ATTEMPTS or not (isinstance(exc, Conflict) or retryable(exc)):
                    raise
                pause_before_retry(attempt)
                continue
            except ServiceError:
                db.session.rollback()
                raise
            self.claim = claim
            self.trail.append(TrailEntry(acted_on, said, recorded_in=report is not None))
            return acted_on
        raise AssertionError("unreachable")  # pragma: no cover

    def file(self, draft: Mapping[str, Any], language: str) -> str:
        """File the draft as a USSD report from this number; return its tracking number."""

        def act(claim: InboundMessage) -> int:
            filed = file_report(
                description=str(draft.get("description") or ""),
                channel=Channel.USSD,
                language=language,
                classification=str(draft.get("classification") or "complaint"),
                category_code=draft.get("category") or None,
                region_code=draft.get("region") or None,
                phone=self.e164,
                anonymous=bool(draft.get("anonymous")),
            )
            claim.report_id = filed.report.id
            return filed.report.id

        said = "USSD {code}: new {kind}, category {category}, region {region}{anonymous}".format(
            code=self.service_code,
            kind=draft.get("classification") or "complaint",
            category=draft.get("category") or "-",
            region=draft.get("region") or "-",
            anonymous=", anonymous" if draft.get("anonymous") else "",
        )
        report_id = self._once(said, act)
        return db.session.get_one(Report, report_id).tracking_number

    def _reporter_action(
        self, number: str, said: str, act: Callable[[ReporterAccess], object]
    ) -> None:
        if self._previous() is not None:
            return  # done already: the same answer as the first time
        access = reporter_by_phone(number, self.e164)

        def run(claim: InboundMessage) -> int:
            claim.report_id = access.report_id
            act(access)
            return access.report_id

        self._once(said, run, report_id=access.report_id)

    def accept(self, number: str, score: int) -> None:
        """Accept a report's answer with a rating."""
        self._reporter_action(
            number,
            f"USSD {self.service_code}: solved, rating {score}",
            lambda access: actions.accept(access, score=score),
        )

    def rate(self, number: str, score: int) -> None:
        """Rate a closed report's answer."""
        self._reporter_action(
            number,
            f"USSD {self.service_code}: rating {score}",
            lambda access: actions.rate(access, score=score),
        )

    def dispute(self, number: str, reason: str) -> None:
        """Say a report's answer did not solve the problem."""
        self._reporter_action(
            number,
            f"USSD {self.service_code}: not solved: {reason}",
            lambda access: actions.dispute(access, reason=reason),
        )

    # --- the trail ---------------------------------------------------------------------------

    def record(self, screen: str) -> None:
        """Put this step's exchanges on their reports' trails with the screen shown; commit."""
        if not self.trail:
            return
        shown = screen.removeprefix("END ").removeprefix("CON ")
        for attempt in range(1, ATTEMPTS + 1):
            try:
                for entry in self.trail:
                    report = lock_report(entry.report_id)  # held while its trail grows
                    if report is None:
                        continue
                    if not entry.recorded_in:
                        actions.record_message(
                            entry.report_id, direction="in", channel=CHANNEL, text=entry.said
                        )
                    actions.record_message(
                        entry.report_id, direction="out", channel=CHANNEL, text=shown
                    )
                if self.claim is not None:
                    self.claim.reply = screen
                db.session.commit()
                break
            except CONCURRENT_ERRORS as exc:
                db.session.rollback()  # another message on the same report: append after it
                if attempt == ATTEMPTS or not retryable(exc):
                    raise
                pause_before_retry(attempt)
        self.trail.clear()
