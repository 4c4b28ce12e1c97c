"""The words of the USSD menus, as msgids translated into the caller's language when shown.

A screen holds at most 182 characters, "CON " or "END " included, in plain ASCII (accents are
dropped when shown: old handsets garble anything else). `SCREENS` lists what each screen shows
besides its list items, so a test can check every catalog leaves room for them.
"""

from __future__ import annotations

from collections.abc import Mapping

from grievance.services.errors import N_

# Language names are shown in their own language, whatever the caller's.
LANGUAGE_NAMES: Mapping[str, str] = {
    "en": "English",
    "id": "Bahasa Indonesia",
    "fr": "Francais",
    "es": "Espanol",
    "sw": "Kiswahili",
}

BACK = N_("Back")
EXIT = N_("Exit")
MORE = N_("More")

LANGUAGE_TITLE = N_("Choose a language")
MAIN_TITLE = N_("Public complaints service")
MAIN_FILE = N_("File a report")
MAIN_STATUS = N_("Check a report")
MAIN_ANSWER = N_("Reply to an answer")
MAIN_LANGUAGE = N_("Language")

KIND_TITLE = N_("What do you want to send?")
KIND_COMPLAINT = N_("A complaint")
KIND_ASPIRATION = N_("A suggestion")
KIND_INFORMATION = N_("A request for information")

CATEGORY_TITLE = N_("Choose a category")
CATEGORY_OTHER = N_("Other / not sure")
REGION_TITLE = N_("Where? Choose, or type the region code")
REGION_SKIP = N_("Skip")
REGION_ALL_OF = N_("All of %(name)s")
NO_SUCH_REGION = N_("No region has this code.")

DESCRIBE = N_("Describe the problem (at least %(min)s characters)")
TOO_SHORT = N_("Too short: write at least %(min)s characters.")

ANONYMOUS_TITLE = N_("Hide your identity from the agency?")
ANONYMOUS_NO = N_("No, they may see my number")
ANONYMOUS_YES = N_("Yes, keep me anonymous")

CONFIRM_TITLE = N_("Send this report?")
CONFIRM_SEND = N_("Send")
CONFIRM_CANCEL = N_("Cancel")
ANONYMOUS_MARK = N_("anonymous")
FILED = N_("Report %(number)s received. Keep this number. We will send updates by SMS.")
CANCELLED = N_("Cancelled. Nothing was sent.")

STATUS_PROMPT = N_("Enter the 10-digit tracking number")
CHECK_DIGITS = N_("Check the digits: a tracking number has 10.")

NOTHING_WAITS = N_("None of your reports waits for a reply or a rating.")
ANSWERS_TITLE = N_("Which report?")
ANSWER_ITEM_REPLY = N_("%(number)s: answered")
ANSWER_ITEM_RATE = N_("%(number)s: rate it")
ANSWER_TITLE = N_("Report %(number)s was answered:")
ANSWER_SOLVED = N_("Solved")
ANSWER_NOT_SOLVED = N_("Not solved")

RATE_TITLE = N_("Rate the answer")
RATE_LABELS = (
    N_("Very bad"),
    N_("Bad"),
    N_("Fair"),
    N_("Good"),
    N_("Very good"),
)
ACCEPTED = N_("Thank you. Report %(number)s is closed.")
# The same texts as the SMS channel's and the notifications', so one translation serves all.
RATED = N_("Thank you for rating report %(number)s.")
REOPENED = N_("Report %(number)s is open again. The agency must answer anew.")
WHY = N_("Why is it not solved?")

INVALID = N_("Not a choice on this screen.")
GOODBYE = N_("Thank you. Goodbye.")
EXPIRED = N_("Your session has expired. Please dial again.")
TOO_LONG = N_("Your input is too long. Please dial again.")
BAD_PHONE = N_("This service needs a valid phone number.")
BUSY = N_("The service is busy. Please try again in a moment.")
FORBIDDEN = N_("This service is not available here.")
ALREADY_DONE = N_("This was already received. Check your SMS for updates.")

# Each screen's fixed parts: its title, then its options (list screens add items from the data).
SCREENS: Mapping[str, tuple[str, ...]] = {
    "language": (LANGUAGE_TITLE, *LANGUAGE_NAMES.values()),
    "main": (MAIN_TITLE, MAIN_FILE, MAIN_STATUS, MAIN_ANSWER, MAIN_LANGUAGE),
    "kind": (KIND_TITLE, KIND_COMPLAINT, KIND_ASPIRATION, KIND_INFORMATION),
    "category": (CATEGORY_TITLE, CATEGORY_OTHER),
    "region": (REGION_TITLE, REGION_SKIP),
    "region_child": (REGION_TITLE, REGION_ALL_OF),
    "description": (DESCRIBE,),
    "anonymous": (ANONYMOUS_TITLE, ANONYMOUS_NO, ANONYMOUS_YES),
    "confirm": (CONFIRM_TITLE, CONFIRM_SEND, CONFIRM_CANCEL),
    "status": (STATUS_PROMPT,),
    "answers": (ANSWERS_TITLE, ANSWER_ITEM_REPLY, ANSWER_ITEM_RATE),
    "answer": (ANSWER_TITLE, ANSWER_SOLVED, ANSWER_NOT_SOLVED),
    "rate": (RATE_TITLE, *RATE_LABELS),
    "dispute": (WHY,),
}
# The reasons a screen may show above itself when an input is refused (INVALID when not listed).
NOTICES: Mapping[str, tuple[str, ...]] = {
    "region": (INVALID, NO_SUCH_REGION),
    "description": (TOO_SHORT,),
    "dispute": (TOO_SHORT,),
    "status": (CHECK_DIGITS,),
}
ENDINGS = (
    FILED,
    CANCELLED,
    NOTHING_WAITS,
    ACCEPTED,
    RATED,
    REOPENED,
    GOODBYE,
    EXPIRED,
    TOO_LONG,
    BAD_PHONE,
    BUSY,
    FORBIDDEN,
    ALREADY_DONE,
)
