"""The vocabulary of the workflow: states, roles, actions, outcomes, clocks and tiers."""

from enum import StrEnum


class State(StrEnum):
    """Where a report stands (WORKFLOW.md "States"; LAPOR! labels in comments)."""

    SUBMITTED = "submitted"  # Belum Terverifikasi
    DEFERRED = "deferred"  # Ditunda
    DISPATCHED = "dispatched"  # Belum Ditindaklanjuti
    IN_PROGRESS = "in_progress"  # Proses
    RESPONDED = "responded"  # Tindak Lanjut, menunggu tanggapan
    CLOSED = "closed"  # Selesai
    ARCHIVED = "archived"  # Diarsipkan


OPEN_STATES = frozenset(
    {State.SUBMITTED, State.DEFERRED, State.DISPATCHED, State.IN_PROGRESS, State.RESPONDED}
)
FINAL_STATES = frozenset({State.CLOSED, State.ARCHIVED})


class Role(StrEnum):
    """Who acts. `reporter` and `system` are not staff roles."""

    REPORTER = "reporter"
    VERIFIER = "verifier"
    COORDINATOR = "coordinator"
    OFFICER = "officer"
    OVERSIGHT = "oversight"
    ADMIN = "admin"
    SYSTEM = "system"


STAFF_ROLES = (Role.VERIFIER, Role.COORDINATOR, Role.OFFICER, Role.OVERSIGHT, Role.ADMIN)


class Action(StrEnum):
    """Everything that can happen to a report."""

    SUBMIT = "submit"
    DISPATCH = "dispatch"
    DEFER = "defer"
    ARCHIVE = "archive"
    MERGE = "merge"
    ADD_INFORMATION = "add_information"
    ASSIGN = "assign"
    FORWARD = "forward"
    RETURN = "return"
    POST_UPDATE = "post_update"
    REQUEST_INFORMATION = "request_information"
    RESPOND = "respond"
    ACCEPT = "accept"
    DISPUTE = "dispute"
    RATE = "rate"
    APPEAL = "appeal"
    ESCALATE = "escalate"
    NOTE = "note"
    TIMEOUT = "timeout"
    REMIND = "remind"
    REVEAL_IDENTITY = "reveal_identity"
    MESSAGE_IN = "message_in"
    MESSAGE_OUT = "message_out"


class Classification(StrEnum):
    """What kind of report it is."""

    COMPLAINT = "complaint"
    ASPIRATION = "aspiration"
    INFORMATION_REQUEST = "information_request"


class Outcome(StrEnum):
    """How a closed report ended."""

    RESOLVED = "resolved"
    NOT_RESOLVED = "not_resolved"
    INFO_PROVIDED = "info_provided"
    NO_ACTION_NEEDED = "no_action_needed"


class ArchiveReason(StrEnum):
    """Why a report was archived."""

    INCOMPLETE = "incomplete"
    OUT_OF_SCOPE = "out_of_scope"
    DUPLICATE = "duplicate"
    ABUSIVE = "abusive"
    NO_REPLY = "no_reply"


class Clock(StrEnum):
    """The SLA clock that runs in a state."""

    VERIFICATION = "verification"
    FOLLOW_UP = "follow_up"
    RESOLUTION = "resolution"
    REPLY = "reply"
    DEFERRAL = "deferral"


class Tier(StrEnum):
    """A category's resolution tier."""

    MINOR = "minor"
    NORMATIVE = "normative"
    STANDARD = "standard"
    INVESTIGATION = "investigation"


class Channel(StrEnum):
    """How a report came in."""

    WEB = "web"
    SMS = "sms"
    USSD = "ussd"
    API = "api"
    OPEN311 = "open311"
    STAFF = "staff"


class AgencyLevel(StrEnum):
    """Levels of government an agency sits at."""

    NATIONAL = "national"
    PROVINCE = "province"
    REGENCY = "regency"
    UNIT = "unit"
