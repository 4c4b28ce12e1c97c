"""Words for the workflow's values on staff pages, in the user's language."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from workflows.states import (
    Action,
    AgencyLevel,
    ArchiveReason,
    Classification,
    Clock,
    Outcome,
    Role,
    State,
    Tier,
)

STATES = {
    State.SUBMITTED: _l("Waiting for screening"),
    State.DEFERRED: _l("Waiting for the reporter"),
    State.DISPATCHED: _l("Dispatched, no follow-up yet"),
    State.IN_PROGRESS: _l("In progress"),
    State.RESPONDED: _l("Responded, waiting for the reporter"),
    State.CLOSED: _l("Closed"),
    State.ARCHIVED: _l("Archived"),
}

# What a button or form for an action says.
ACTIONS = {
    Action.DISPATCH: _l("Dispatch"),
    Action.DEFER: _l("Ask the reporter (screening)"),
    Action.ARCHIVE: _l("Archive"),
    Action.MERGE: _l("Merge as duplicate"),
    Action.ASSIGN: _l("Assign"),
    Action.FORWARD: _l("Forward to another agency"),
    Action.RETURN: _l("Return as not our authority"),
    Action.POST_UPDATE: _l("Post a public update"),
    Action.REQUEST_INFORMATION: _l("Ask the reporter for information"),
    Action.RESPOND: _l("Respond with the resolution"),
    Action.ESCALATE: _l("Escalate"),
    Action.NOTE: _l("Internal note"),
    Action.REVEAL_IDENTITY: _l("Reveal the reporter's identity"),
}

# What an event on the timeline says happened.
EVENTS = {
    Action.SUBMIT: _l("Filed"),
    Action.DISPATCH: _l("Dispatched"),
    Action.DEFER: _l("Reporter asked for information (screening)"),
    Action.ARCHIVE: _l("Archived"),
    Action.MERGE: _l("Merged as a duplicate"),
    Action.ADD_INFORMATION: _l("Reporter added information"),
    Action.ASSIGN: _l("Assigned"),
    Action.FORWARD: _l("Forwarded"),
    Action.RETURN: _l("Returned as not the agency's authority"),
    Action.POST_UPDATE: _l("Public update"),
    Action.REQUEST_INFORMATION: _l("Reporter asked for information"),
    Action.RESPOND: _l("Resolution posted"),
    Action.ACCEPT: _l("Reporter accepted"),
    Action.DISPUTE: _l("Reporter disputed"),
    Action.RATE: _l("Reporter rated"),
    Action.APPEAL: _l("Reporter appealed"),
    Action.ESCALATE: _l("Escalated"),
    Action.NOTE: _l("Internal note"),
    Action.TIMEOUT: _l("Time ran out"),
    Action.REMIND: _l("Reminder sent"),
    Action.REVEAL_IDENTITY: _l("Reporter's identity viewed"),
    Action.MESSAGE_IN: _l("Message from the reporter"),
    Action.MESSAGE_OUT: _l("Message to the reporter"),
}

DONE = {
    Action.DISPATCH: _l("Report %(number)s was dispatched."),
    Action.DEFER: _l("The question was sent to the reporter of %(number)s."),
    Action.ARCHIVE: _l("Report %(number)s was archived."),
    Action.MERGE: _l("Report %(number)s was merged into its original."),
    Action.ASSIGN: _l("Report %(number)s was assigned."),
    Action.FORWARD: _l("Report %(number)s was forwarded."),
    Action.RETURN: _l("Report %(number)s was returned to screening."),
    Action.POST_UPDATE: _l("The update on %(number)s was published."),
    Action.REQUEST_INFORMATION: _l("The question was sent to the reporter of %(number)s."),
    Action.RESPOND: _l("The resolution of %(number)s was sent to the reporter."),
    Action.ESCALATE: _l("Report %(number)s was escalated."),
    Action.NOTE: _l("The note was added to %(number)s."),
}

ROLES = {
    Role.REPORTER: _l("Reporter"),
    Role.VERIFIER: _l("Verifier"),
    Role.COORDINATOR: _l("Coordinator"),
    Role.OFFICER: _l("Officer"),
    Role.OVERSIGHT: _l("Oversight"),
    Role.ADMIN: _l("Administrator"),
    Role.SYSTEM: _l("System"),
}

CLASSIFICATIONS = {
    Classification.COMPLAINT: _l("Complaint"),
    Classification.ASPIRATION: _l("Aspiration"),
    Classification.INFORMATION_REQUEST: _l("Information request"),
}

OUTCOMES = {
    Outcome.RESOLVED: _l("Resolved"),
    Outcome.NOT_RESOLVED: _l("Not resolved"),
    Outcome.INFO_PROVIDED: _l("Information provided"),
    Outcome.NO_ACTION_NEEDED: _l("No action needed"),
}

ARCHIVE_REASONS = {
    ArchiveReason.INCOMPLETE: _l("Incomplete"),
    ArchiveReason.OUT_OF_SCOPE: _l("Out of scope"),
    ArchiveReason.DUPLICATE: _l("Duplicate"),
    ArchiveReason.ABUSIVE: _l("Abusive"),
    ArchiveReason.NO_REPLY: _l("No reply from the reporter"),
}

CLOCKS = {
    Clock.VERIFICATION: _l("Verification"),
    Clock.FOLLOW_UP: _l("First follow-up"),
    Clock.RESOLUTION: _l("Resolution"),
    Clock.REPLY: _l("Reporter's reply"),
    Clock.DEFERRAL: _l("Reporter's information"),
}

TIERS = {
    Tier.MINOR: _l("Minor"),
    Tier.NORMATIVE: _l("Normative"),
    Tier.STANDARD: _l("Standard"),
    Tier.INVESTIGATION: _l("Investigation"),
}

LEVELS = {
    AgencyLevel.NATIONAL: _l("National"),
    AgencyLevel.PROVINCE: _l("Province"),
    AgencyLevel.REGENCY: _l("Regency or city"),
    AgencyLevel.UNIT: _l("Unit"),
}

ALL = {
    "states": STATES,
    "actions": ACTIONS,
    "events": EVENTS,
    "roles": ROLES,
    "classifications": CLASSIFICATIONS,
    "outcomes": OUTCOMES,
    "archive_reasons": ARCHIVE_REASONS,
    "clocks": CLOCKS,
    "tiers": TIERS,
    "levels": LEVELS,
}
