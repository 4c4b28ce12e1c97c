"""The periodic sweep: the actions that time causes (timeouts, escalations, reminders).

Set-based and idempotent. Each pass selects the reports whose instant has come with one indexed
range query (an empty range when nothing is due), asks the workflow for each report's decision
exactly as a person's action would, and writes the batch in bulk: the report updates, the audit
events, the breach register and the outbox. Each action changes what made it due (the state, the
escalation level, the reminder instant), so a second run finds nothing to do.

Staff hear about escalations and reminders as one digest per person per run rather than one
message per report: after an outage, thousands of per-report messages would help nobody.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import and_, select, update

from grievance import jobs, messages
from grievance.clock import utcnow
from grievance.extensions import db
from grievance.models import (
    Agency,
    Contact,
    Notification,
    Report,
    ReportEvent,
    SlaBreach,
    StaffUser,
)
from grievance.services import audit
from grievance.services.bulk import bulk_insert, bulk_update_reports
from grievance.services.notify import recipients, reporter_route
from grievance.services.policy import calendar_for_agency, load_policy
from grievance.stats import rollups
from grievance.tracking import TRACKING_LENGTH
from workflows.states import OPEN_STATES, Action, Role, State
from workflows.transitions import SYSTEM, Context, Snapshot, TransitionRefused, decide

BATCH_SIZE = 10000
ESCALATABLE = (State.SUBMITTED, State.DISPATCHED, State.IN_PROGRESS)


@dataclass(frozen=True)
class Pass:
    """One kind of time-caused action and the reports it applies to."""

    name: str
    action: Action
    inputs: Mapping[str, Any]
    condition: Any  # a function of `now` returning a WHERE clause


def _passes() -> tuple[Pass, ...]:
    return (
        Pass(
            "deferral timeouts",
            Action.TIMEOUT,
            {},
            lambda now: and_(Report.state == State.DEFERRED, Report.due_at <= now),
        ),
        Pass(
            "reply timeouts",
            Action.TIMEOUT,
            {},
            lambda now: and_(Report.state == State.RESPONDED, Report.due_at <= now),
        ),
        Pass(
            "level 1 escalations",
            Action.ESCALATE,
            {"level": 1},
            lambda now: and_(
                Report.state.in_(ESCALATABLE), Report.escalation_level == 0, Report.due_at <= now
            ),
        ),
        Pass(
            "level 2 escalations",
            Action.ESCALATE,
            {"level": 2},
            lambda now: and_(
                Report.state.in_(ESCALATABLE),
                Report.escalation_level.in_((0, 1)),
                Report.level2_at <= now,
            ),
        ),
        Pass(
            "reminders",
            Action.REMIND,
            {},
            lambda now: and_(
                Report.state.in_(OPEN_STATES), Report.remind_at <= now, Report.due_at > now
            ),
        ),
    )


@dataclass
class SweepResult:
    """What one run did, per pass."""

    counts: Counter[str] = field(default_factory=Counter)
    notifications: int = 0

    @property
    def total(self) -> int:
        """Return the number of actions taken."""
        return sum(self.counts.values())


_COLUMNS = (
    Report.id,
    Report.tracking_number,
    Report.state,
    Report.clock,
    Report.due_at,
    Report.level2_at,
    Report.remind_at,
    Report.escalation_level,
    Report.deferred_from,
    Report.outcome,
    Report.agency_id,
    Report.officer_id,
    Report.channel,
    Report.language,
    Report.anonymous,
    Report.last_event_seq,
    Report.last_event_hash,
    Report.version,
    Report.contact_id,
    Contact.phone,
    Contact.email,
    Contact.language.label("contact_language"),
    Contact.opted_out,
)


def run_sweep(now: datetime | None = None, batch_size: int = BATCH_SIZE) -> SweepResult:
    """Take every action that time has made due; return what was done."""
    now = now or utcnow()
    result = SweepResult()
    ctx = Context(now=now, calendar=calendar_for_agency(None), policy=load_policy())
    digests: Counter[tuple[str, int | None, str]] = Counter()
    messages_cache = ReporterMessages()
    for sweep_pass in _passes():
        while True:
            selected, changed = _run_batch(
                sweep_pass, ctx, batch_size, result, digests, messages_cache
            )
            # A batch that changed nothing would be selected again: stop rather than spin.
            if selected < batch_size or changed == 0:
                break
    result.notifications += _send_digests(digests, now)
    db.session.commit()
    if result.notifications:
        from grievance.notifications.delivery import deliver_due

        jobs.enqueue(deliver_due)
    return result


def _run_batch(
    sweep_pass: Pass,
    ctx: Context,
    batch_size: int,
    result: SweepResult,
    digests: Counter[tuple[str, int | None, str]],
    messages_cache: ReporterMessages,
) -> tuple[int, int]:
    query = (
        select(*_COLUMNS)
        .outerjoin(Contact, Contact.id == Report.contact_id)
        .where(sweep_pass.condition(ctx.now))
        # No ORDER BY: it would walk the primary key instead of the (state, level, due) index.
        .limit(batch_size)
    )
    # No row locks: each update is guarded by the version read here (optimistic, like a
    # person's action), which spares a write per row; a report changed meanwhile is skipped.
    rows = db.session.execute(query).all()
    if not rows:
        db.session.rollback()
        return 0, 0
    updates: list[dict[str, Any]] = []
    events: list[dict[str, Any]] = []
    outbox: list[dict[str, Any]] = []
    breaches: list[dict[str, Any]] = []
    level2_ids: list[int] = []
    for row in rows:
        try:
            decision = decide(_snapshot(row), sweep_pass.action, SYSTEM, sweep_pass.inputs, ctx)
        except TransitionRefused:
            continue  # changed since selected; the next run sees it as it is now
        changes = dict(decision.changes)
        if decision.action is Action.ESCALATE:
            changes["remind_at"] = None  # past due: a "due soon" reminder would be noise
        event = audit.chain_fields(
            row.id,
            row.last_event_seq + 1,
            row.last_event_hash,
            actor_role=Role.SYSTEM,
            action=decision.action,
            from_state=decision.from_state,
            to_state=decision.to_state,
            internal_text=decision.internal_text,
            data=decision.data,
            created_at=ctx.now,
        )
        events.append(event)
        updates.append(
            {
                "b_id": row.id,
                "b_version": row.version,
                **changes,
                "version": row.version + 1,
                "updated_at": ctx.now,
                "last_event_seq": event["seq"],
                "last_event_hash": event["hash"],
            }
        )
        if decision.action is Action.ESCALATE:
            if decision.data["level"] == 1 or row.escalation_level == 0:
                breaches.append(
                    {
                        "report_id": row.id,
                        "agency_id": row.agency_id,
                        "clock": row.clock,
                        "due_at": row.due_at,
                        "breached_at": ctx.now,
                        "level": decision.data["level"],
                    }
                )
            else:
                level2_ids.append(row.id)
        for notice in decision.notices:
            if notice.audience == "reporter":
                message = messages_cache.message(row, notice.template, notice.params, ctx.now)
                if message is not None:
                    outbox.append(message)
            else:
                digests[(notice.audience, row.agency_id, notice.template)] += 1
    changed = 0
    if updates:
        changed, queued = _write(updates, events, breaches, level2_ids, outbox)
        result.counts[sweep_pass.name] += changed
        result.notifications += queued
    db.session.commit()
    return len(rows), changed


def _write(
    updates: list[dict[str, Any]],
    events: list[dict[str, Any]],
    breaches: list[dict[str, Any]],
    level2_ids: list[int],
    outbox: list[dict[str, Any]],
) -> tuple[int, int]:
    """Write a batch; return how many reports changed and how many notifications were queued."""
    updated = bulk_update_reports(updates)
    if len(updated) < len(updates):
        # Someone acted on these reports since they were read: their action stands, and this
        # run writes nothing for them; the next run sees them as they are now.
        events = [e for e in events if e["report_id"] in updated]
        breaches = [b for b in breaches if b["report_id"] in updated]
        level2_ids = [i for i in level2_ids if i in updated]
        outbox = [o for o in outbox if o["report_id"] in updated]
    bulk_insert(ReportEvent.__table__, events)
    rollups.on_events(db.session(), events)  # statistics follow in the same transaction
    bulk_insert(SlaBreach.__table__, breaches)
    if level2_ids:
        db.session.execute(
            update(SlaBreach)
            .where(SlaBreach.report_id.in_(level2_ids), SlaBreach.ended_at.is_(None))
            .values(level=2)
        )
    bulk_insert(Notification.__table__, outbox)
    return len(updated), len(outbox)


def _snapshot(row: Any) -> Snapshot:
    return Snapshot(
        state=row.state,
        clock=row.clock,
        due_at=row.due_at,
        level2_at=row.level2_at,
        escalation_level=row.escalation_level,
        deferred_from=row.deferred_from,
        outcome=row.outcome,
        agency_id=row.agency_id,
        officer_id=row.officer_id,
        anonymous=row.anonymous,
    )


class ReporterMessages:
    """Render reporters' texts once per template and language, then fill in each number.

    Time-caused texts differ only by tracking number, and every number has the same length, so
    a text rendered with a placeholder number still fits its segment after the swap.
    """

    PLACEHOLDER = "#" * TRACKING_LENGTH

    def __init__(self) -> None:
        self._frames: dict[tuple[str, str, tuple[tuple[str, Any], ...]], str] = {}

    def message(
        self, row: Any, template: str, params: Mapping[str, Any], now: datetime
    ) -> dict[str, Any] | None:
        """Return the outbox row for a reporter's notice, or None when they cannot be reached."""
        if row.contact_id is None:
            return None
        route = reporter_route(row.channel, row.phone, row.email, row.opted_out)
        if route is None:
            return None
        channel, address = route
        language = row.contact_language or row.language
        values = {**params, "number": self.PLACEHOLDER}
        key = (template, language, tuple(sorted((k, str(v)) for k, v in params.items())))
        if key not in self._frames:
            self._frames[key] = messages.render_reporter(template, language, values)
        return {
            "report_id": row.id,
            "contact_id": row.contact_id,
            "channel": channel,
            "recipient": address,
            "template": messages.reporter_template_key(template, values),
            "language": language,
            "body": self._frames[key].replace(self.PLACEHOLDER, row.tracking_number),
            "status": "pending",
            "attempts": 0,
            "next_attempt_at": now,
            "created_at": now,
        }


def _send_digests(digests: Counter[tuple[str, int | None, str]], now: datetime) -> int:
    per_user: Counter[tuple[int, str]] = Counter()
    users: dict[int, StaffUser] = {}
    for (audience, agency_id, template), count in digests.items():
        agency = db.session.get(Agency, agency_id) if agency_id is not None else None
        for user in recipients(audience, agency):
            users[user.id] = user
            per_user[(user.id, template)] += count
    rows = []
    for (user_id, template), count in per_user.items():
        user = users[user_id]
        digest = (
            "staff_digest_escalated" if template == "staff_escalated" else "staff_digest_reminder"
        )
        rows.append(
            {
                "staff_user_id": user.id,
                "channel": "email",
                "recipient": user.email,
                "template": digest,
                "language": user.language,
                "body": messages.render_staff(digest, user.language, {"count": count}),
                "status": "pending",
                "attempts": 0,
                "next_attempt_at": now,
                "created_at": now,
            }
        )
    bulk_insert(Notification.__table__, rows)
    return len(rows)


def run_sweep_job() -> None:
    """Run the sweep from the scheduler (jobs take no objects)."""
    run_sweep()
