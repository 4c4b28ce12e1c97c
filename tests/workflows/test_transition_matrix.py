"""Every (state, action, role): allowed exactly where WORKFLOW.md allows, refused elsewhere.

The expected table is written out here from WORKFLOW.md, not derived from the engine's RULES,
so a change to either that the other does not share fails this test.
"""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta

import pytest

from workflows.calendar import WorkingCalendar
from workflows.states import Action, Clock, Outcome, Role, State, Tier
from workflows.transitions import Actor, Context, Snapshot, TransitionRefused, decide

NOW = datetime(2026, 3, 10, 3, 0, tzinfo=UTC)
CAL = WorkingCalendar()
S, R, A = State, Role, Action
OPEN_ESCALATABLE = (S.SUBMITTED, S.DISPATCHED, S.IN_PROGRESS)
SAME = "same"

# (from state, action) -> (roles allowed, resulting state); scope applies to coordinators/officers.
EXPECTED: dict[tuple[State, Action], tuple[frozenset[Role], State | str]] = {
    (S.SUBMITTED, A.DISPATCH): (frozenset({R.VERIFIER}), S.DISPATCHED),
    (S.SUBMITTED, A.DEFER): (frozenset({R.VERIFIER}), S.DEFERRED),
    (S.SUBMITTED, A.ARCHIVE): (frozenset({R.VERIFIER}), S.ARCHIVED),
    (S.SUBMITTED, A.MERGE): (frozenset({R.VERIFIER}), S.ARCHIVED),
    (S.DEFERRED, A.ADD_INFORMATION): (frozenset({R.REPORTER}), S.DISPATCHED),  # deferred from
    (S.DEFERRED, A.TIMEOUT): (frozenset({R.SYSTEM}), S.ARCHIVED),
    (S.DISPATCHED, A.ASSIGN): (frozenset({R.COORDINATOR}), S.DISPATCHED),
    (S.DISPATCHED, A.FORWARD): (frozenset({R.COORDINATOR}), S.DISPATCHED),
    (S.DISPATCHED, A.RETURN): (frozenset({R.COORDINATOR}), S.SUBMITTED),
    (S.DISPATCHED, A.POST_UPDATE): (frozenset({R.OFFICER}), S.IN_PROGRESS),
    (S.IN_PROGRESS, A.POST_UPDATE): (frozenset({R.OFFICER}), S.IN_PROGRESS),
    (S.DISPATCHED, A.REQUEST_INFORMATION): (frozenset({R.OFFICER}), S.DEFERRED),
    (S.IN_PROGRESS, A.REQUEST_INFORMATION): (frozenset({R.OFFICER}), S.DEFERRED),
    (S.IN_PROGRESS, A.RESPOND): (frozenset({R.OFFICER}), S.RESPONDED),
    (S.RESPONDED, A.ACCEPT): (frozenset({R.REPORTER}), S.CLOSED),
    (S.RESPONDED, A.DISPUTE): (frozenset({R.REPORTER}), S.IN_PROGRESS),
    (S.RESPONDED, A.TIMEOUT): (frozenset({R.SYSTEM}), S.CLOSED),
    (S.CLOSED, A.RATE): (frozenset({R.REPORTER}), S.CLOSED),
    (S.CLOSED, A.APPEAL): (frozenset({R.REPORTER}), S.DISPATCHED),
}
for state in OPEN_ESCALATABLE:
    EXPECTED[(state, A.ESCALATE)] = (frozenset({R.SYSTEM, R.OVERSIGHT}), SAME)
for state in State:
    EXPECTED[(state, A.NOTE)] = (frozenset({R.VERIFIER, R.COORDINATOR, R.OFFICER}), SAME)
    EXPECTED[(state, A.REVEAL_IDENTITY)] = (frozenset({R.VERIFIER}), SAME)
    EXPECTED[(state, A.MESSAGE_IN)] = (frozenset({R.SYSTEM}), SAME)
    EXPECTED[(state, A.MESSAGE_OUT)] = (frozenset({R.SYSTEM}), SAME)
for state in (S.SUBMITTED, S.DEFERRED, S.DISPATCHED, S.IN_PROGRESS, S.RESPONDED):
    EXPECTED[(state, A.REMIND)] = (frozenset({R.SYSTEM}), SAME)

VALID_INPUTS = {
    A.DISPATCH: {"agency_id": 7},
    A.DEFER: {"question": "Where exactly?"},
    A.ARCHIVE: {"reason": "incomplete"},
    A.MERGE: {"into_report_id": 99, "into_tracking_number": "1234567890"},
    A.ADD_INFORMATION: {"text": "At RT 03"},
    A.ASSIGN: {"officer_id": 5},
    A.FORWARD: {"agency_id": 8},
    A.RETURN: {"reason": "Not ours"},
    A.POST_UPDATE: {"text": "Team on site"},
    A.REQUEST_INFORMATION: {"question": "Which house?"},
    A.RESPOND: {"text": "Fixed", "outcome": "resolved"},
    A.ACCEPT: {"score": 4},
    A.DISPUTE: {"reason": "Still broken"},
    A.RATE: {"score": 2},
    A.APPEAL: {"reason": "Unhappy", "appeal_agency_id": 3},
    A.ESCALATE: {"level": 1},
    A.NOTE: {"text": "internal"},
    A.REVEAL_IDENTITY: {"reason": "needed to call back"},
    A.MESSAGE_IN: {"text": "STATUS"},
    A.MESSAGE_OUT: {"text": "reply"},
    A.REMIND: {},
    A.TIMEOUT: {},
}

ACTIONS = [a for a in Action if a is not A.SUBMIT]


def snapshot_in(state: State) -> Snapshot:
    """Return a report in a state, with every clock past due so the system's actions apply."""
    past = NOW - timedelta(days=40)
    return Snapshot(
        state=state,
        tier=Tier.STANDARD,
        agency_id=7 if state not in (S.SUBMITTED,) else None,
        deferred_from=S.DISPATCHED if state is S.DEFERRED else None,
        outcome=Outcome.NOT_RESOLVED if state in (S.RESPONDED, S.CLOSED) else None,
        clock={
            S.SUBMITTED: Clock.VERIFICATION,
            S.DEFERRED: Clock.DEFERRAL,
            S.DISPATCHED: Clock.FOLLOW_UP,
            S.IN_PROGRESS: Clock.RESOLUTION,
            S.RESPONDED: Clock.REPLY,
        }.get(state),
        due_at=past,
        level2_at=past,
        clock_started_at=past - timedelta(days=5),
        paused_clock=Clock.FOLLOW_UP if state is S.DEFERRED else None,
        paused_consumed=timedelta(days=1) if state is S.DEFERRED else None,
        closed_at=NOW - timedelta(days=2) if state is S.CLOSED else None,
        anonymous=True,
    )


def context(in_scope: bool) -> Context:
    return Context(now=NOW, calendar=CAL, in_scope=in_scope)


CASES = [
    (state, action, role, in_scope)
    for state, action, role in itertools.product(State, ACTIONS, Role)
    for in_scope in ((True, False) if role in (R.COORDINATOR, R.OFFICER) else (True,))
]


@pytest.mark.parametrize(("state", "action", "role", "in_scope"), CASES)
def test_every_state_action_role(state: State, action: Action, role: Role, in_scope: bool) -> None:
    snap = snapshot_in(state)
    expected = EXPECTED.get((state, action))
    allowed = (
        expected is not None
        and role in expected[0]
        and (in_scope or role not in (R.COORDINATOR, R.OFFICER))
    )
    actor = Actor(role, user_id=1, agency_id=7)
    if not allowed:
        with pytest.raises(TransitionRefused) as refused:
            decide(snap, action, actor, VALID_INPUTS[action], context(in_scope))
        assert refused.value.reason  # a reason to show the user
        return
    decision = decide(snap, action, actor, VALID_INPUTS[action], context(in_scope))
    target = expected[1]
    assert decision.to_state is (state if target == SAME else target)
    assert decision.changes.get("state", state) is decision.to_state
    assert decision.from_state is state


def test_the_table_covers_every_workflow_row() -> None:
    # WORKFLOW.md's transition table, one (state, action) pair per from-state: 22 pairs.
    workflow_rows = {
        k
        for k in EXPECTED
        if k[1] not in (A.NOTE, A.REVEAL_IDENTITY, A.MESSAGE_IN, A.MESSAGE_OUT, A.REMIND)
    }
    assert len(workflow_rows) == 22


@pytest.mark.parametrize(
    ("action", "inputs"),
    [
        (A.DISPATCH, {}),
        (A.DEFER, {"question": "   "}),
        (A.ARCHIVE, {"reason": "duplicate"}),  # duplicates are merged, not archived by hand
        (A.ARCHIVE, {"reason": "no_reply"}),  # only the system archives for no reply
        (A.RESPOND, {"text": "ok", "outcome": "maybe"}),
        (A.ACCEPT, {"score": 9}),
        (A.RATE, {"score": "five"}),
        (A.POST_UPDATE, {"text": "x" * 5001}),
    ],
)
def test_bad_inputs_are_refused_with_a_reason(action: Action, inputs: dict) -> None:
    state = {
        A.RESPOND: S.IN_PROGRESS,
        A.ACCEPT: S.RESPONDED,
        A.RATE: S.CLOSED,
        A.POST_UPDATE: S.DISPATCHED,
    }.get(action, S.SUBMITTED)
    role = {
        A.RESPOND: R.OFFICER,
        A.POST_UPDATE: R.OFFICER,
        A.ACCEPT: R.REPORTER,
        A.RATE: R.REPORTER,
    }.get(action, R.VERIFIER)
    with pytest.raises(TransitionRefused) as refused:
        decide(snapshot_in(state), action, Actor(role, 1, 7), inputs, context(True))
    assert refused.value.kind == "input"


def test_dispatch_starts_the_follow_up_clock() -> None:
    decision = decide(
        snapshot_in(S.SUBMITTED), A.DISPATCH, Actor(R.VERIFIER, 1), {"agency_id": 7}, context(True)
    )
    assert decision.changes["clock"] is Clock.FOLLOW_UP
    assert decision.changes["due_at"] == CAL.add_working_days(NOW, 5)
    assert decision.changes["level2_at"] == CAL.add_working_days(NOW, 10)


def test_first_update_starts_resolution_clock_by_tier() -> None:
    snap = snapshot_in(S.DISPATCHED)
    decision = decide(snap, A.POST_UPDATE, Actor(R.OFFICER, 1, 7), {"text": "on it"}, context(True))
    assert decision.changes["clock"] is Clock.RESOLUTION
    assert decision.changes["due_at"] == CAL.add_working_days(NOW, 14)  # standard tier
    assert decision.data["follow_up_met"] is False  # the follow-up clock was past due


def test_rating_window_and_once() -> None:
    closed = snapshot_in(S.CLOSED)
    late = Context(now=closed.closed_at + timedelta(days=31), calendar=CAL)
    with pytest.raises(TransitionRefused):
        decide(closed, A.RATE, Actor(R.REPORTER), {"score": 3}, late)
    from dataclasses import replace

    with pytest.raises(TransitionRefused):
        decide(replace(closed, rated=True), A.RATE, Actor(R.REPORTER), {"score": 3}, context(True))


def test_appeal_needs_unhappiness() -> None:
    from dataclasses import replace

    happy = replace(snapshot_in(S.CLOSED), outcome=Outcome.RESOLVED, rating_score=5)
    with pytest.raises(TransitionRefused):
        decide(happy, A.APPEAL, Actor(R.REPORTER), {"reason": "x"}, context(True))
    low = replace(happy, rating_score=2)
    decision = decide(
        low, A.APPEAL, Actor(R.REPORTER), {"reason": "x", "appeal_agency_id": 3}, context(True)
    )
    assert decision.changes["agency_id"] == 3 and decision.changes["appealed"] is True


def test_system_escalation_waits_for_the_deadline() -> None:
    from dataclasses import replace

    early = replace(snapshot_in(S.DISPATCHED), due_at=NOW + timedelta(hours=1))
    with pytest.raises(TransitionRefused):
        decide(early, A.ESCALATE, Actor(R.SYSTEM), {"level": 1}, context(True))
