"""The texts of notifications, one template per key, translated into the recipient's language.

Reporter texts go out by SMS, so each must fit one GSM-7 segment in every language (a test
checks every catalog); free text from staff goes where `{text}` stands and is shortened to fit.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask_babel import force_locale, gettext

from grievance.services.errors import N_
from grievance.sms_text import fit

REPORTER_TEMPLATES: Mapping[str, str] = {
    "submitted": N_(
        "Report %(number)s received. It will be checked within %(days)s working days. "
        "To follow it, send STATUS %(number)s."
    ),
    "dispatched": N_(
        "Report %(number)s was checked and sent to the agency responsible. "
        "Send STATUS %(number)s to follow it."
    ),
    "information_requested": N_(
        "Report %(number)s: we need more information: {text} Reply INFO %(number)s and your answer."
    ),
    "archived_incomplete": N_("Report %(number)s was closed: it lacks the details needed to act."),
    "archived_out_of_scope": N_(
        "Report %(number)s was closed: it is outside what public agencies can handle here."
    ),
    "archived_abusive": N_("Report %(number)s was closed: it breaks the rules of this service."),
    "archived_no_reply": N_(
        "Report %(number)s was closed: we did not receive the information we asked for."
    ),
    "merged": N_(
        "Report %(number)s repeats report %(original)s, which is being handled. "
        "Send STATUS %(original)s to follow it."
    ),
    "forwarded": N_("Report %(number)s was passed to the agency with authority over it."),
    "updated": N_("Report %(number)s update: {text}"),
    "responded": N_(
        "Report %(number)s answered: {text} "
        "Reply YES %(number)s if solved, NO %(number)s and why if not."
    ),
    "reopened": N_("Report %(number)s is open again. The agency must answer anew."),
    "closed_without_reply": N_(
        "Report %(number)s is closed. "
        "Rate the answer: reply with a number from 1 (bad) to 5 (good)."
    ),
    "appealed": N_("Your appeal on report %(number)s was sent to the higher authority."),
    "reminder_information": N_(
        "Reminder: report %(number)s waits for your answer. Reply INFO %(number)s and your answer."
    ),
    "reminder_reply": N_(
        "Reminder: report %(number)s was answered. Reply YES %(number)s if solved, "
        "NO %(number)s and why if not."
    ),
}

STAFF_TEMPLATES: Mapping[str, str] = {
    "staff_new_report": N_("Report %(number)s was sent to your agency."),
    "staff_information_added": N_("The reporter added information to report %(number)s."),
    "staff_assigned": N_("Report %(number)s was assigned to you or your unit."),
    "staff_returned": N_("Report %(number)s was returned as not the agency's authority."),
    "staff_accepted": N_("The reporter accepted the answer to report %(number)s."),
    "staff_disputed": N_(
        "The reporter disputed the answer to report %(number)s: it is open again."
    ),
    "staff_appeal": N_("Report %(number)s was appealed by its reporter."),
    "staff_escalated": N_("Report %(number)s passed its deadline and was escalated."),
    "staff_reminder": N_("Report %(number)s is due soon."),
    "staff_digest_escalated": N_(
        "%(count)s reports in your care passed their deadline and were escalated."
    ),
    "staff_digest_reminder": N_("%(count)s reports in your care are due soon."),
}


def reporter_template_key(template: str, params: Mapping[str, Any]) -> str:
    """Return the template key for a reporter notice (archiving has one text per reason)."""
    if template == "archived":
        return f"archived_{params.get('reason', 'incomplete')}"
    return template


def render_reporter(template: str, language: str, params: Mapping[str, Any]) -> str:
    """Render a reporter's notification in their language, fitted to one GSM-7 segment."""
    key = reporter_template_key(template, params)
    values = {k: v for k, v in params.items() if k != "text"}
    with force_locale(language):
        frame = gettext(REPORTER_TEMPLATES[key], **values)
    return fit(frame, str(params.get("text") or ""))


def render_staff(template: str, language: str, params: Mapping[str, Any]) -> str:
    """Render a staff notification in the staff member's language."""
    with force_locale(language):
        return gettext(STAFF_TEMPLATES[template], **params)
