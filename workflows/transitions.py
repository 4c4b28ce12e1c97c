"""The transition table: who may do what from which state, and what follows.

`decide` takes a snapshot of a report, an action, the actor and the action's inputs, and returns
a `Decision`: the attribute changes to apply, the audit event to write and the notices to send.
It changes nothing itself, so a refused action (a `TransitionRefused`) changes nothing anywhere.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any, Protocol

from workflows.sla import ESCALATING_CLOCKS, SlaPolicy
from workflows.states import (
    OPEN_STATES,
    Action,
    ArchiveReason,
    Classification,
    Clock,
    Outcome,
    Role,
    State,
    Tier,
)


def N_(message: str) -> str:
    """Mark a message for translation without translating it here."""
    return message


class TransitionRefused(Exception):
    """An action not allowed now; `reason` is an untranslated msgid, `params` fill it in.

    `kind` says what failed: "role" or "scope" (the actor may not), "state" (not from here),
    "input" (the inputs are wrong or a rule of timing forbids it).
    """

    def __init__(self, reason: str, kind: str = "input", **params: Any) -> None:
        super().__init__(reason % params if params else reason)
        self.reason = reason
        self.kind = kind
        self.params = params


class Calendar(Protocol):
    """What the engine needs of a working-time calendar."""

    @property
    def day_length(self) -> timedelta: ...
    def add_working_time(self, start: datetime, amount: timedelta) -> datetime: ...
    def working_time_between(
        self, start: datetime, end: datetime, pauses: Any = ()
    ) -> timedelta: ...


@dataclass(frozen=True)
class Actor:
    """Who acts. `user_id` is a staff user's id; reporters and the system have none."""

    role: Role
    user_id: int | None = None
    agency_id: int | None = None


SYSTEM = Actor(Role.SYSTEM)
REPORTER = Actor(Role.REPORTER)


@dataclass(frozen=True)
class Snapshot:
    """The parts of a report the rules look at."""

    state: State
    tier: Tier | None = None
    agency_id: int | None = None
    officer_id: int | None = None
    deferred_from: State | None = None
    outcome: Outcome | None = None
    clock: Clock | None = None
    due_at: datetime | None = None
    level2_at: datetime | None = None
    escalation_level: int = 0
    clock_started_at: datetime | None = None
    clock_consumed: timedelta = timedelta(0)
    paused_clock: Clock | None = None
    paused_consumed: timedelta | None = None
    paused_level: int = 0
    first_update_at: datetime | None = None
    dispatched_at: datetime | None = None
    closed_at: datetime | None = None
    reopen_count: int = 0
    appealed: bool = False
    forward_count: int = 0
    rated: bool = False  # rated since it was last closed
    rating_score: int | None = None
    anonymous: bool = False


@dataclass(frozen=True)
class Context:
    """What the caller knows that the rules need: the time, calendar, policy and scope."""

    now: datetime
    calendar: Calendar
    policy: SlaPolicy = field(default_factory=SlaPolicy)
    # The report is at the actor's agency or beneath it (the caller resolves the hierarchy).
    in_scope: bool = False


@dataclass(frozen=True)
class Notice:
    """A message to send: to whom (an audience the service resolves), which template, values."""

    audience: str  # reporter, agency, parent_agency, oversight, verifiers
    template: str
    params: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Decision:
    """What an allowed action does."""

    action: Action
    from_state: State | None
    to_state: State
    changes: Mapping[str, Any]
    public_text: str | None = None
    internal_text: str | None = None
    data: Mapping[str, Any] = field(default_factory=dict)
    notices: tuple[Notice, ...] = ()
    rating: tuple[int, str | None] | None = None


Inputs = Mapping[str, Any]
Handler = Callable[[Snapshot, Actor, Inputs, Context], Decision]


@dataclass(frozen=True)
class Rule:
    """Where an action may start and who may take it."""

    from_states: frozenset[State]
    roles: frozenset[Role]
    handler: Handler
    needs_scope: frozenset[Role] = frozenset({Role.COORDINATOR, Role.OFFICER})


# --- clocks ------------------------------------------------------------------------------------


def clock_instants(
    clock: Clock,
    started_at: datetime,
    consumed: timedelta,
    ctx: Context,
    tier: Tier | None = None,
) -> dict[str, Any]:
    """Return a running clock's due, level 2 and reminder instants.

    `started_at` is when the clock last (re)started and `consumed` the working time it had used
    before that (non-zero after a deferral), so the same function starts, resumes and recomputes
    clocks after a calendar or policy change.
    """
    cal = ctx.calendar
    day = cal.day_length
    limit = day * ctx.policy.limit_days(clock, tier)
    zero = timedelta(0)
    level2 = None
    if clock in ESCALATING_CLOCKS:
        level2 = cal.add_working_time(
            started_at, max(limit * ctx.policy.level2_factor - consumed, zero)
        )
    remind = None
    before_remind = limit - day * ctx.policy.reminder_before_days - consumed
    if ctx.policy.reminder_before_days > 0 and before_remind > zero:
        remind = cal.add_working_time(started_at, before_remind)
    due = cal.add_working_time(started_at, max(limit - consumed, zero))
    instants: dict[str, Any] = {"due_at": due, "level2_at": level2, "remind_at": remind}
    if clock is Clock.RESOLUTION:
        instants["resolution_due_at"] = due
    return instants


def start_clock(clock: Clock, ctx: Context, tier: Tier | None = None) -> dict[str, Any]:
    """Return the changes that start a clock now."""
    return {
        "clock": clock,
        "clock_started_at": ctx.now,
        "clock_consumed": timedelta(0),
        "escalation_level": 0,
        **clock_instants(clock, ctx.now, timedelta(0), ctx, tier),
    }


STOPPED_CLOCK: Mapping[str, Any] = {
    "clock": None,
    "clock_started_at": None,
    "clock_consumed": timedelta(0),
    "due_at": None,
    "level2_at": None,
    "remind_at": None,
    "escalation_level": 0,
}

UNPAUSED: Mapping[str, Any] = {
    "paused_clock": None,
    "paused_consumed": None,
    "paused_level": 0,
}


def _pause(snap: Snapshot, ctx: Context) -> dict[str, Any]:
    """Stop the running clock where it is and start the deferral window."""
    consumed = snap.clock_consumed
    if snap.clock_started_at is not None:
        consumed += ctx.calendar.working_time_between(snap.clock_started_at, ctx.now)
    return {
        "paused_clock": snap.clock,
        "paused_consumed": consumed,
        "paused_level": snap.escalation_level,
        **start_clock(Clock.DEFERRAL, ctx),
    }


def _resume(snap: Snapshot, ctx: Context) -> dict[str, Any]:
    """Restart the paused clock with the working time it had used when it stopped."""
    if snap.paused_clock is None:
        return {**STOPPED_CLOCK, **UNPAUSED}
    consumed = snap.paused_consumed or timedelta(0)
    return {
        "clock": snap.paused_clock,
        "clock_started_at": ctx.now,
        "clock_consumed": consumed,
        "escalation_level": snap.paused_level,
        **clock_instants(snap.paused_clock, ctx.now, consumed, ctx, snap.tier),
        **UNPAUSED,
    }


# --- input checks --------------------------------------------------------------------------------


def _clean_text(value: object) -> str:
    # NUL cannot be stored in PostgreSQL text and means nothing to a reader: drop it.
    return value.replace("\x00", "").strip() if isinstance(value, str) else ""


def _text(inputs: Inputs, name: str, message: str, limit: int = 5000) -> str:
    text = _clean_text(inputs.get(name))
    if not text:
        raise TransitionRefused(message)
    if len(text) > limit:
        raise TransitionRefused(
            N_("The text is too long (at most %(limit)s characters)."), limit=limit
        )
    return text


def _optional_text(inputs: Inputs, name: str, limit: int = 5000) -> str | None:
    text = _clean_text(inputs.get(name))
    if len(text) > limit:
        raise TransitionRefused(
            N_("The text is too long (at most %(limit)s characters)."), limit=limit
        )
    return text or None


def _score(inputs: Inputs, *, required: bool) -> int | None:
    raw = inputs.get("score")
    if raw is None or raw == "":
        if required:
            raise TransitionRefused(N_("Give a rating from 1 to 5."))
        return None
    try:
        score = int(raw)
    except (TypeError, ValueError):
        raise TransitionRefused(N_("Give a rating from 1 to 5.")) from None
    if not 1 <= score <= 5:
        raise TransitionRefused(N_("Give a rating from 1 to 5."))
    return score


def _agency(inputs: Inputs, name: str = "agency_id") -> int:
    value = inputs.get(name)
    if not isinstance(value, int) or isinstance(value, bool):
        raise TransitionRefused(N_("Choose an agency."))
    return value


def _decision(
    snap: Snapshot, action: Action, to_state: State, changes: Mapping[str, Any], **rest: Any
) -> Decision:
    return Decision(
        action=action,
        from_state=snap.state,
        to_state=to_state,
        changes={"state": to_state, **changes},
        **rest,
    )


# --- handlers ----------------------------------------------------------------------------------


def _submit(snap: Snapshot, actor: Actor, inputs: Inputs, ctx: Context) -> Decision:
    return Decision(
        action=Action.SUBMIT,
        from_state=None,
        to_state=State.SUBMITTED,
        changes={"state": State.SUBMITTED, **start_clock(Clock.VERIFICATION, ctx)},
        notices=(Notice("reporter", "submitted"),),
    )


def _dispatch(snap: Snapshot, actor: Actor, inputs: Inputs, ctx: Context) -> Decision:
    agency_id = _agency(inputs)
    changes: dict[str, Any] = {
        "agency_id": agency_id,
        "officer_id": None,
        "dispatched_at": snap.dispatched_at or ctx.now,
        **start_clock(Clock.FOLLOW_UP, ctx),
    }
    data: dict[str, Any] = {"agency_id": agency_id}
    for name in ("category_id", "classification", "title", "tier"):
        if inputs.get(name) is not None:
            changes[name] = inputs[name]
            data[name] = inputs[name]
    if "classification" in changes:
        changes["classification"] = Classification(changes["classification"])
    changes.pop("tier", None)  # the tier follows the category; the service reads it from there
    return _decision(
        snap,
        Action.DISPATCH,
        State.DISPATCHED,
        changes,
        data=data,
        notices=(Notice("reporter", "dispatched"), Notice("agency", "staff_new_report")),
    )


def _defer(snap: Snapshot, actor: Actor, inputs: Inputs, ctx: Context) -> Decision:
    question = _text(inputs, "question", N_("Write the question for the reporter."))
    action = Action.DEFER if actor.role is Role.VERIFIER else Action.REQUEST_INFORMATION
    return _decision(
        snap,
        action,
        State.DEFERRED,
        {"deferred_from": snap.state, **_pause(snap, ctx)},
        public_text=question,
        notices=(Notice("reporter", "information_requested", {"text": question}),),
    )


ARCHIVE_REASONS_BY_HAND = frozenset(
    {ArchiveReason.INCOMPLETE, ArchiveReason.OUT_OF_SCOPE, ArchiveReason.ABUSIVE}
)


def _archive(snap: Snapshot, actor: Actor, inputs: Inputs, ctx: Context) -> Decision:
    try:
        reason = ArchiveReason(inputs.get("reason"))
    except ValueError:
        raise TransitionRefused(N_("Choose why the report is archived.")) from None
    if reason not in ARCHIVE_REASONS_BY_HAND:
        raise TransitionRefused(N_("Choose why the report is archived."))
    return _decision(
        snap,
        Action.ARCHIVE,
        State.ARCHIVED,
        {"archive_reason": reason, **STOPPED_CLOCK},
        internal_text=_optional_text(inputs, "comment"),
        data={"reason": reason},
        notices=(Notice("reporter", "archived", {"reason": reason}),),
    )


def _merge(snap: Snapshot, actor: Actor, inputs: Inputs, ctx: Context) -> Decision:
    into = inputs.get("into_report_id")
    if not isinstance(into, int):
        raise TransitionRefused(N_("Name the report this one duplicates."))
    return _decision(
        snap,
        Action.MERGE,
        State.ARCHIVED,
        {"archive_reason": ArchiveReason.DUPLICATE, "duplicate_of_id": into, **STOPPED_CLOCK},
        data={"into_report_id": into, "into_tracking_number": inputs.get("into_tracking_number")},
        notices=(
            Notice("reporter", "merged", {"original": inputs.get("into_tracking_number", "")}),
        ),
    )


def _add_information(snap: Snapshot, actor: Actor, inputs: Inputs, ctx: Context) -> Decision:
    text = _text(inputs, "text", N_("Write the information you want to add."))
    back_to = snap.deferred_from or State.SUBMITTED
    return _decision(
        snap,
        Action.ADD_INFORMATION,
        back_to,
        {"deferred_from": None, **_resume(snap, ctx)},
        public_text=text,
        notices=(
            Notice(
                "verifiers" if back_to is State.SUBMITTED else "agency", "staff_information_added"
            ),
        ),
    )


def _timeout(snap: Snapshot, actor: Actor, inputs: Inputs, ctx: Context) -> Decision:
    if snap.due_at is None or snap.due_at > ctx.now:
        raise TransitionRefused(N_("The time allowed has not run out yet."))
    if snap.state is State.DEFERRED:
        return _decision(
            snap,
            Action.TIMEOUT,
            State.ARCHIVED,
            {
                "archive_reason": ArchiveReason.NO_REPLY,
                "deferred_from": None,
                **UNPAUSED,
                **STOPPED_CLOCK,
            },
            data={"reason": ArchiveReason.NO_REPLY},
            notices=(Notice("reporter", "archived", {"reason": ArchiveReason.NO_REPLY}),),
        )
    return _decision(
        snap,
        Action.TIMEOUT,
        State.CLOSED,
        {"closed_at": ctx.now, **STOPPED_CLOCK},
        data={"closed_without_reply": True},
        notices=(Notice("reporter", "closed_without_reply"),),
    )


def _assign(snap: Snapshot, actor: Actor, inputs: Inputs, ctx: Context) -> Decision:
    unit_id = inputs.get("unit_id")
    officer_id = inputs.get("officer_id")
    if unit_id is None and officer_id is None:
        raise TransitionRefused(N_("Choose a unit or an officer."))
    changes: dict[str, Any] = {}
    if unit_id is not None:
        changes["agency_id"] = unit_id
        changes["officer_id"] = None
    if officer_id is not None:
        changes["officer_id"] = officer_id
    return _decision(
        snap,
        Action.ASSIGN,
        snap.state,
        changes,
        data={"unit_id": unit_id, "officer_id": officer_id},
        notices=(Notice("officer" if officer_id is not None else "agency", "staff_assigned"),),
    )


def _forward(snap: Snapshot, actor: Actor, inputs: Inputs, ctx: Context) -> Decision:
    agency_id = _agency(inputs)
    if agency_id == snap.agency_id:
        raise TransitionRefused(N_("The report is already with this agency."))
    return _decision(
        snap,
        Action.FORWARD,
        snap.state,
        {"agency_id": agency_id, "officer_id": None, "forward_count": snap.forward_count + 1},
        internal_text=_optional_text(inputs, "reason"),
        data={"from_agency_id": snap.agency_id, "agency_id": agency_id},
        notices=(Notice("reporter", "forwarded"), Notice("agency", "staff_new_report")),
    )


def _return(snap: Snapshot, actor: Actor, inputs: Inputs, ctx: Context) -> Decision:
    reason = _text(inputs, "reason", N_("Say why this is not your agency's authority."))
    return _decision(
        snap,
        Action.RETURN,
        State.SUBMITTED,
        {"agency_id": None, "officer_id": None, **start_clock(Clock.VERIFICATION, ctx)},
        internal_text=reason,
        data={"from_agency_id": snap.agency_id},
        notices=(Notice("verifiers", "staff_returned"),),
    )


def _post_update(snap: Snapshot, actor: Actor, inputs: Inputs, ctx: Context) -> Decision:
    text = _text(inputs, "text", N_("Write the update."))
    changes: dict[str, Any] = {}
    data: dict[str, Any] = {}
    if snap.state is State.DISPATCHED:
        # The first public follow-up meets the follow-up clock and starts the resolution clock.
        changes.update(start_clock(Clock.RESOLUTION, ctx, snap.tier))
        data["follow_up_met"] = snap.due_at is None or ctx.now <= snap.due_at
    if snap.first_update_at is None:
        changes["first_update_at"] = ctx.now
    return _decision(
        snap,
        Action.POST_UPDATE,
        State.IN_PROGRESS,
        changes,
        public_text=text,
        data=data,
        notices=(Notice("reporter", "updated", {"text": text}),),
    )


def _respond(snap: Snapshot, actor: Actor, inputs: Inputs, ctx: Context) -> Decision:
    text = _text(inputs, "text", N_("Write the resolution."))
    try:
        outcome = Outcome(inputs.get("outcome"))
    except ValueError:
        raise TransitionRefused(N_("Choose the outcome.")) from None
    return _decision(
        snap,
        Action.RESPOND,
        State.RESPONDED,
        {"outcome": outcome, "responded_at": ctx.now, **start_clock(Clock.REPLY, ctx)},
        public_text=text,
        data={"outcome": outcome, "resolution_met": snap.due_at is None or ctx.now <= snap.due_at},
        notices=(Notice("reporter", "responded", {"text": text}),),
    )


def _accept(snap: Snapshot, actor: Actor, inputs: Inputs, ctx: Context) -> Decision:
    score = _score(inputs, required=False)
    comment = _optional_text(inputs, "comment", 2000)
    return _decision(
        snap,
        Action.ACCEPT,
        State.CLOSED,
        {"closed_at": ctx.now, **STOPPED_CLOCK},
        public_text=comment,
        data={"score": score} if score is not None else {},
        rating=(score, comment) if score is not None else None,
        notices=(Notice("agency", "staff_accepted"),),
    )


def _dispute(snap: Snapshot, actor: Actor, inputs: Inputs, ctx: Context) -> Decision:
    reason = _text(inputs, "reason", N_("Say why the problem is not solved."))
    return _decision(
        snap,
        Action.DISPUTE,
        State.IN_PROGRESS,
        {
            "outcome": None,
            "responded_at": None,
            "reopen_count": snap.reopen_count + 1,
            **start_clock(Clock.RESOLUTION, ctx, snap.tier),
        },
        public_text=reason,
        notices=(Notice("agency", "staff_disputed"), Notice("reporter", "reopened")),
    )


def _within(ctx: Context, since: datetime | None, days: int) -> bool:
    return since is not None and ctx.now <= since + timedelta(days=days)


def _rate(snap: Snapshot, actor: Actor, inputs: Inputs, ctx: Context) -> Decision:
    score = _score(inputs, required=True)
    if snap.rated:
        raise TransitionRefused(N_("This report has already been rated."))
    if not _within(ctx, snap.closed_at, ctx.policy.rating_window_days):
        raise TransitionRefused(
            N_("Ratings are accepted for %(days)s days after closing."),
            days=ctx.policy.rating_window_days,
        )
    comment = _optional_text(inputs, "comment", 2000)
    return _decision(
        snap,
        Action.RATE,
        State.CLOSED,
        {},
        public_text=comment,
        data={"score": score},
        rating=(score, comment),  # type: ignore[arg-type] - score is required here
    )


def _appeal(snap: Snapshot, actor: Actor, inputs: Inputs, ctx: Context) -> Decision:
    reason = _text(inputs, "reason", N_("Say why you appeal."))
    if snap.appealed:
        raise TransitionRefused(N_("This report has already been appealed."))
    if not _within(ctx, snap.closed_at, ctx.policy.appeal_window_days):
        raise TransitionRefused(
            N_("An appeal is possible for %(days)s days after closing."),
            days=ctx.policy.appeal_window_days,
        )
    unhappy = snap.outcome is Outcome.NOT_RESOLVED or (
        snap.rating_score is not None and snap.rating_score <= 2
    )
    if not unhappy:
        raise TransitionRefused(
            N_("An appeal needs a rating of 1 or 2, or an outcome of not resolved.")
        )
    # Up to the parent agency; at the top of the hierarchy the report stays and oversight takes it.
    target = inputs.get("appeal_agency_id") or snap.agency_id
    return _decision(
        snap,
        Action.APPEAL,
        State.DISPATCHED,
        {
            "appealed": True,
            "agency_id": target,
            "officer_id": None,
            "outcome": None,
            "closed_at": None,
            "responded_at": None,
            **start_clock(Clock.FOLLOW_UP, ctx),
        },
        public_text=reason,
        data={"from_agency_id": snap.agency_id, "agency_id": target},
        notices=(
            Notice("reporter", "appealed"),
            Notice("agency", "staff_appeal"),
            Notice("oversight", "staff_appeal"),
        ),
    )


def _escalate(snap: Snapshot, actor: Actor, inputs: Inputs, ctx: Context) -> Decision:
    level = inputs.get("level", snap.escalation_level + 1)
    if not isinstance(level, int) or level not in (1, 2) or level <= snap.escalation_level:
        raise TransitionRefused(N_("The report is already escalated to this level."))
    if actor.role is Role.SYSTEM:
        threshold = snap.due_at if level == 1 else snap.level2_at
        if threshold is None or threshold > ctx.now:
            raise TransitionRefused(N_("The deadline has not passed yet."))
    notices = (
        (Notice("agency", "staff_escalated"), Notice("parent_agency", "staff_escalated"))
        if level == 1
        else (Notice("oversight", "staff_escalated"),)
    )
    return _decision(
        snap,
        Action.ESCALATE,
        snap.state,
        {"escalation_level": level},
        internal_text=_optional_text(inputs, "comment"),
        data={"level": level, "clock": snap.clock, "due_at": _iso(snap.due_at)},
        notices=notices,
    )


def _remind(snap: Snapshot, actor: Actor, inputs: Inputs, ctx: Context) -> Decision:
    audience = (
        "reporter"
        if snap.state in (State.DEFERRED, State.RESPONDED)
        else ("verifiers" if snap.state is State.SUBMITTED else "agency")
    )
    template = {
        State.DEFERRED: "reminder_information",
        State.RESPONDED: "reminder_reply",
    }.get(snap.state, "staff_reminder")
    return _decision(
        snap,
        Action.REMIND,
        snap.state,
        {"remind_at": None},
        data={"clock": snap.clock, "due_at": _iso(snap.due_at)},
        notices=(Notice(audience, template),),
    )


def _note(snap: Snapshot, actor: Actor, inputs: Inputs, ctx: Context) -> Decision:
    text = _text(inputs, "text", N_("Write the note."))
    return _decision(snap, Action.NOTE, snap.state, {}, internal_text=text)


def _reveal_identity(snap: Snapshot, actor: Actor, inputs: Inputs, ctx: Context) -> Decision:
    if not snap.anonymous:
        raise TransitionRefused(N_("This reporter is not anonymous."))
    return _decision(
        snap,
        Action.REVEAL_IDENTITY,
        snap.state,
        {},
        internal_text=_optional_text(inputs, "reason"),
    )


def _message(action: Action) -> Handler:
    def handler(snap: Snapshot, actor: Actor, inputs: Inputs, ctx: Context) -> Decision:
        return _decision(
            snap,
            action,
            snap.state,
            {},
            internal_text=_optional_text(inputs, "text", 20000),
            data=dict(inputs.get("data") or {}),
        )

    return handler


def _iso(instant: datetime | None) -> str | None:
    return instant.isoformat() if instant is not None else None


# --- the table ---------------------------------------------------------------------------------

_ALL = frozenset(State)
_OPEN = OPEN_STATES
_ESCALATABLE = frozenset({State.SUBMITTED, State.DISPATCHED, State.IN_PROGRESS})
_S = State

RULES: Mapping[Action, Rule] = {
    Action.DISPATCH: Rule(frozenset({_S.SUBMITTED}), frozenset({Role.VERIFIER}), _dispatch),
    Action.DEFER: Rule(frozenset({_S.SUBMITTED}), frozenset({Role.VERIFIER}), _defer),
    Action.ARCHIVE: Rule(frozenset({_S.SUBMITTED}), frozenset({Role.VERIFIER}), _archive),
    Action.MERGE: Rule(frozenset({_S.SUBMITTED}), frozenset({Role.VERIFIER}), _merge),
    Action.ADD_INFORMATION: Rule(
        frozenset({_S.DEFERRED}), frozenset({Role.REPORTER}), _add_information
    ),
    Action.TIMEOUT: Rule(
        frozenset({_S.DEFERRED, _S.RESPONDED}), frozenset({Role.SYSTEM}), _timeout
    ),
    Action.ASSIGN: Rule(frozenset({_S.DISPATCHED}), frozenset({Role.COORDINATOR}), _assign),
    Action.FORWARD: Rule(frozenset({_S.DISPATCHED}), frozenset({Role.COORDINATOR}), _forward),
    Action.RETURN: Rule(frozenset({_S.DISPATCHED}), frozenset({Role.COORDINATOR}), _return),
    Action.POST_UPDATE: Rule(
        frozenset({_S.DISPATCHED, _S.IN_PROGRESS}), frozenset({Role.OFFICER}), _post_update
    ),
    Action.REQUEST_INFORMATION: Rule(
        frozenset({_S.DISPATCHED, _S.IN_PROGRESS}), frozenset({Role.OFFICER}), _defer
    ),
    Action.RESPOND: Rule(frozenset({_S.IN_PROGRESS}), frozenset({Role.OFFICER}), _respond),
    Action.ACCEPT: Rule(frozenset({_S.RESPONDED}), frozenset({Role.REPORTER}), _accept),
    Action.DISPUTE: Rule(frozenset({_S.RESPONDED}), frozenset({Role.REPORTER}), _dispute),
    Action.RATE: Rule(frozenset({_S.CLOSED}), frozenset({Role.REPORTER}), _rate),
    Action.APPEAL: Rule(frozenset({_S.CLOSED}), frozenset({Role.REPORTER}), _appeal),
    Action.ESCALATE: Rule(_ESCALATABLE, frozenset({Role.SYSTEM, Role.OVERSIGHT}), _escalate),
    Action.REMIND: Rule(_OPEN, frozenset({Role.SYSTEM}), _remind),
    Action.NOTE: Rule(_ALL, frozenset({Role.VERIFIER, Role.COORDINATOR, Role.OFFICER}), _note),
    Action.REVEAL_IDENTITY: Rule(_ALL, frozenset({Role.VERIFIER}), _reveal_identity),
    Action.MESSAGE_IN: Rule(_ALL, frozenset({Role.SYSTEM}), _message(Action.MESSAGE_IN)),
    Action.MESSAGE_OUT: Rule(_ALL, frozenset({Role.SYSTEM}), _message(Action.MESSAGE_OUT)),
}

ROLE_LABELS = {
    Role.REPORTER: N_("the reporter"),
    Role.VERIFIER: N_("a verifier"),
    Role.COORDINATOR: N_("an agency coordinator"),
    Role.OFFICER: N_("an officer"),
    Role.OVERSIGHT: N_("oversight"),
    Role.ADMIN: N_("an administrator"),
    Role.SYSTEM: N_("the system"),
}


def submit(ctx: Context) -> Decision:
    """Return what filing a new report does: it enters screening with the verification clock."""
    return _submit(Snapshot(state=State.SUBMITTED), REPORTER, {}, ctx)


def allowed(snap: Snapshot, action: Action, actor: Actor, ctx: Context) -> bool:
    """Tell whether an action is open to this actor now (inputs aside): for showing buttons."""
    rule = RULES.get(action)
    return (
        rule is not None
        and snap.state in rule.from_states
        and actor.role in rule.roles
        and (actor.role not in rule.needs_scope or ctx.in_scope)
    )


def decide(snap: Snapshot, action: Action, actor: Actor, inputs: Inputs, ctx: Context) -> Decision:
    """Decide what an action does to a report, or raise TransitionRefused saying why not."""
    rule = RULES.get(action)
    if rule is None:
        raise TransitionRefused(N_("This action does not exist."), "state")
    if actor.role not in rule.roles:
        raise TransitionRefused(
            N_("Only %(roles)s may do this."), "role", roles=", ".join(sorted(rule.roles))
        )
    if actor.role in rule.needs_scope and not ctx.in_scope:
        raise TransitionRefused(N_("This report is not with your agency."), "scope")
    if snap.state not in rule.from_states:
        raise TransitionRefused(
            N_("This cannot be done while the report is %(state)s."),
            "state",
            state=snap.state.value,
        )
    return rule.handler(snap, actor, inputs, ctx)


def with_state(snap: Snapshot, decision: Decision) -> Snapshot:
    """Return the snapshot after a decision (for tests and chained decisions)."""
    known = {name: value for name, value in decision.changes.items() if hasattr(snap, name)}
    return replace(snap, **known)
