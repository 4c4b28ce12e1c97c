"""Plain-language names of workflow values for residents; lazy, translated when shown."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from flask_babel import LazyString
from flask_babel import lazy_gettext as _l

from workflows.states import Action, ArchiveReason, Classification, Clock, Outcome, State


@dataclass(frozen=True)
class StateLabel:
    """A state as a resident reads it: a short name, what it means, and the LAPOR! term."""

    name: LazyString
    meaning: LazyString
    lapor: str  # the official Indonesian label, a proper name: never translated


STATES: Mapping[State, StateLabel] = {
    State.SUBMITTED: StateLabel(
        _l("Waiting for screening"),
        _l("The central desk will check the report and send it to the agency responsible."),
        "Belum Terverifikasi",
    ),
    State.DEFERRED: StateLabel(
        _l("Waiting for the reporter"),
        _l("More information was asked of the reporter; the deadlines pause until they answer."),
        "Ditunda",
    ),
    State.DISPATCHED: StateLabel(
        _l("Sent to the agency"),
        _l("The report was checked and sent to the agency responsible, which must start on it."),
        "Belum Ditindaklanjuti",
    ),
    State.IN_PROGRESS: StateLabel(
        _l("In progress"),
        _l("The agency is working on it and has posted at least one update."),
        "Proses",
    ),
    State.RESPONDED: StateLabel(
        _l("Answered, waiting for the reporter"),
        _l("The agency posted its answer; the reporter can accept it or say the problem remains."),
        "Tindak Lanjut, menunggu tanggapan",
    ),
    State.CLOSED: StateLabel(
        _l("Closed"),
        _l("The report is finished."),
        "Selesai",
    ),
    State.ARCHIVED: StateLabel(
        _l("Archived"),
        _l("The report was not taken up, for the reason given."),
        "Diarsipkan",
    ),
}

CLASSIFICATIONS: Mapping[Classification, LazyString] = {
    Classification.COMPLAINT: _l("Complaint"),
    Classification.ASPIRATION: _l("Suggestion"),
    Classification.INFORMATION_REQUEST: _l("Information request"),
}

CLASSIFICATION_HINTS: Mapping[Classification, LazyString] = {
    Classification.COMPLAINT: _l("Something in a public service is wrong and should be fixed."),
    Classification.ASPIRATION: _l("An idea or a wish to make a public service better."),
    Classification.INFORMATION_REQUEST: _l("You want information from a public agency."),
}

OUTCOMES: Mapping[Outcome, LazyString] = {
    Outcome.RESOLVED: _l("Resolved"),
    Outcome.NOT_RESOLVED: _l("Not resolved"),
    Outcome.INFO_PROVIDED: _l("Information provided"),
    Outcome.NO_ACTION_NEEDED: _l("No action needed"),
}

ARCHIVE_REASONS: Mapping[ArchiveReason, LazyString] = {
    ArchiveReason.INCOMPLETE: _l("it lacks the details needed to act"),
    ArchiveReason.OUT_OF_SCOPE: _l("it is outside what public agencies can handle here"),
    ArchiveReason.DUPLICATE: _l("it repeats another report"),
    ArchiveReason.ABUSIVE: _l("it breaks the rules of this service"),
    ArchiveReason.NO_REPLY: _l("the information asked for did not arrive in time"),
}

# What the running clock's due time means, for "due by" lines.
CLOCKS: Mapping[Clock, LazyString] = {
    Clock.VERIFICATION: _l("To be checked by"),
    Clock.FOLLOW_UP: _l("The agency must start by"),
    Clock.RESOLUTION: _l("To be resolved by"),
    Clock.REPLY: _l("The reporter may reply until"),
    Clock.DEFERRAL: _l("The information is awaited until"),
}

# Events the public may see, as a line on the timeline. Any action not listed here (notes,
# messages, identity views, reminders) stays off every public page.
PUBLIC_EVENTS: Mapping[Action, LazyString] = {
    Action.SUBMIT: _l("Report filed"),
    Action.DISPATCH: _l("Checked and sent to the agency responsible"),
    Action.DEFER: _l("More information asked of the reporter"),
    Action.ARCHIVE: _l("Archived"),
    Action.MERGE: _l("Archived as a repeat of another report"),
    Action.ADD_INFORMATION: _l("The reporter added information"),
    Action.ASSIGN: _l("Assigned within the agency"),
    Action.FORWARD: _l("Passed to the agency with authority"),
    Action.RETURN: _l("Returned to screening: not the agency's authority"),
    Action.POST_UPDATE: _l("Update from the agency"),
    Action.REQUEST_INFORMATION: _l("More information asked of the reporter"),
    Action.RESPOND: _l("Answer from the agency"),
    Action.ACCEPT: _l("The reporter accepted the answer"),
    Action.DISPUTE: _l("The reporter said the problem is not solved"),
    Action.RATE: _l("The reporter rated the answer"),
    Action.APPEAL: _l("The reporter appealed to a higher authority"),
    Action.ESCALATE: _l("Escalated after a missed deadline"),
    Action.TIMEOUT: _l("Closed: the time allowed ran out"),
}
