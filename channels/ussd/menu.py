"""The USSD menu as a state machine over plain data: one input in, the next screen out.

`begin` opens a session and `advance` applies the newest input to the state kept server-side.
Both are deterministic functions of the state, the input and a `Directory` (what the menus list
and the actions they take), so they run the same against the database and against a fake in a
property test. The state is a JSON-ready dict: the current frame, the frames to go Back to, the
draft report, and the choices the last screen offered (an input is matched against what the
caller actually saw, whatever page they were on).

Navigation, on every list: 1-9 choose, 98 shows more, 0 goes back (on the first screen: exit).
Free-text screens take 0 as Back too. Invalid input shows the same screen again with a reason.
Every screen is at most 182 characters, "CON "/"END " included, in plain ASCII.
"""

from __future__ import annotations

import copy
import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from flask_babel import force_locale, gettext

from channels.ussd import texts
from grievance import tracking
from grievance.services.errors import ServiceError
from grievance.settings import SUPPORTED_LOCALES
from workflows.states import Classification

MAX_SCREEN = 182
CON = "CON "
END = "END "
BACK = "0"
MORE = "98"
MAX_ITEMS = 9
DESCRIPTION_MIN = 10
DESCRIPTION_MAX = 1000
REASON_MIN = 3
ELLIPSIS = "..."
_REGION_CODE = re.compile(r"[0-9][0-9.]+")


@dataclass(frozen=True)
class Option:
    """A list item: the value it stands for, its label, and whether choosing it opens a sublist."""

    value: str
    label: str
    has_children: bool = False


@dataclass(frozen=True)
class Awaiting:
    """A caller's report that waits for them: "reply" to an answer, or "rate" a closed one."""

    number: str
    kind: str
    answer: str = ""


class Directory(Protocol):
    """What the menus read and do; `ServiceError`s from the actions are shown to the caller."""

    def categories(self, language: str) -> Sequence[Option]:
        """Return the active categories, named in a language."""
        ...

    def regions(self, parent: str | None) -> Sequence[Option]:
        """Return the regions under a parent (None: the top level)."""
        ...

    def region(self, typed: str) -> Option | None:
        """Return the region with a typed code ("32.73" or "3273"), if any."""
        ...

    def awaiting(self) -> Sequence[Awaiting]:
        """Return the caller's reports that wait for a reply or a rating."""
        ...

    def status(self, number: str, language: str) -> str:
        """Return what to tell the caller about a report."""
        ...

    def file(self, draft: Mapping[str, Any], language: str) -> str:
        """File the draft report; return its tracking number."""
        ...

    def accept(self, number: str, score: int) -> None:
        """Accept a report's answer with a rating."""
        ...

    def rate(self, number: str, score: int) -> None:
        """Rate a closed report's answer."""
        ...

    def dispute(self, number: str, reason: str) -> None:
        """Say a report's answer did not solve the problem."""
        ...

    def set_language(self, language: str) -> None:
        """Remember the caller's language."""
        ...


State = dict[str, Any]


def to_ascii(text: str) -> str:
    """Return text in plain printable ASCII on one line: accents dropped, the rest replaced."""
    decomposed = unicodedata.normalize("NFKD", " ".join(text.split()))
    out = []
    for ch in decomposed:
        if unicodedata.combining(ch):
            continue
        out.append(ch if " " <= ch <= "~" else "?")
    return "".join(out)


def clip(text: str, room: int) -> str:
    """Shorten text to `room` characters, marking the cut."""
    if len(text) <= room:
        return text
    if room <= len(ELLIPSIS):
        return text[: max(room, 0)]
    return text[: room - len(ELLIPSIS)].rstrip() + ELLIPSIS


def newest_input(previous: str, text: str) -> str:
    """Return the input just typed, given the `text` seen last and the accumulated one now.

    `text` is every input so far joined by '*', and a '*' typed inside free text looks the same,
    so the new input is whatever follows the previous text, not the last '*'-separated piece.
    """
    if not previous:
        return text
    if text.startswith(previous + "*"):
        return text[len(previous) + 1 :]
    # A gateway that sends only the newest input, or a text that does not extend the last one.
    return text.rsplit("*", 1)[-1]


def _t(message: str, **params: Any) -> str:
    return to_ascii(gettext(message, **params))


def _frame(step: str, **fields: Any) -> dict[str, Any]:
    return {"step": step, "starts": [0], **fields}


def begin(language: str | None, default_language: str, directory: Directory) -> tuple[State, str]:
    """Open a session: the language menu for a first-time caller, else the main menu."""
    state: State = {
        "lang": language if language in SUPPORTED_LOCALES else default_language,
        "frame": _frame("main" if language else "language"),
        "stack": [],
        "draft": {},
        "choices": {},
        "next": None,
    }
    return state, _show(state, directory)


def advance(state: State, value: str, directory: Directory) -> tuple[State, str]:
    """Apply the newest input to the state; return the new state and the screen to show."""
    state = copy.deepcopy(state)
    if state["frame"]["step"] == "done":
        return state, state.get("screen", END + _in(state, texts.GOODBYE))
    value = value.strip()
    if value == BACK:
        return _back(state, directory)
    if value == MORE and state.get("next") is not None:
        state["frame"]["starts"].append(state["next"])
        return state, _show(state, directory)
    return _STEPS[state["frame"]["step"]](state, value, directory)


# --- moving between screens ---------------------------------------------------------------------


def _in(state: State, message: str, **params: Any) -> str:
    with force_locale(state["lang"]):
        return _t(message, **params)


def _go(state: State, directory: Directory, step: str, **fields: Any) -> tuple[State, str]:
    state["stack"].append(state["frame"])
    state["frame"] = _frame(step, **fields)
    return state, _show(state, directory)


def _again(state: State, directory: Directory, notice: str, **params: Any) -> tuple[State, str]:
    return state, _show(state, directory, _in(state, notice, **params))


def _end(state: State, text: str) -> tuple[State, str]:
    state["frame"] = _frame("done")
    state["stack"] = []
    state["choices"] = {}
    state["next"] = None
    return state, END + clip(to_ascii(text), MAX_SCREEN - len(END))


def _back(state: State, directory: Directory) -> tuple[State, str]:
    frame = state["frame"]
    if len(frame["starts"]) > 1:
        frame["starts"].pop()
        return state, _show(state, directory)
    if not state["stack"]:
        return _end(state, _in(state, texts.GOODBYE))
    # Back to the page the caller chose from.
    state["frame"] = state["stack"].pop()
    return state, _show(state, directory)


def _chosen(state: State, value: str) -> Option | None:
    raw = state["choices"].get(value)
    return Option(*raw) if raw is not None else None


# --- rendering ----------------------------------------------------------------------------------


def _join(*parts: str) -> str:
    return "\n".join(part for part in parts if part)


def _list_screen(
    state: State,
    title: str,
    options: Sequence[Option],
    notice: str = "",
    detail: str = "",
) -> str:
    """Render a page of a list, as many items as fit, with More and Back; remember its choices."""
    frame = state["frame"]
    start = min(frame["starts"][-1], max(len(options) - 1, 0))
    budget = MAX_SCREEN - len(CON)
    back = f"{BACK} {_t(texts.BACK if state['stack'] or len(frame['starts']) > 1 else texts.EXIT)}"
    more = f"{MORE} {_t(texts.MORE)}"
    head = _join(notice, title)
    if detail:
        # Free text (an answer, a summary) gets what the fixed parts and one item leave.
        fixed = _join(
            head, *(f"9 {to_ascii(o.label)}" for o in options[start : start + 2]), more, back
        )
        head = _join(head, clip(to_ascii(detail), max(budget - len(fixed) - 1, 12)))
    lines: list[str] = []
    choices: dict[str, list[Any]] = {}
    index = start
    while index < len(options) and len(lines) < MAX_ITEMS:
        option = options[index]
        line = f"{len(lines) + 1} {to_ascii(option.label)}"
        footer = [more, back] if index + 1 < len(options) else [back]
        overflow = len(_join(head, *lines, line, *footer)) - budget
        if overflow > 0:
            if lines:
                break
            line = clip(line, max(len(line) - overflow, 8))
        lines.append(line)
        choices[str(len(lines))] = [option.value, option.label, option.has_children]
        index += 1
    state["choices"] = choices
    state["next"] = index if index < len(options) else None
    footer = [more, back] if state["next"] is not None else [back]
    return CON + clip(_join(head, *lines, *footer), budget)


def _prompt_screen(state: State, title: str, notice: str = "") -> str:
    """Render a free-text question with Back."""
    state["choices"] = {}
    state["next"] = None
    back = f"{BACK} {_t(texts.BACK if state['stack'] else texts.EXIT)}"
    return CON + clip(_join(notice, title, back), MAX_SCREEN - len(CON))


def _show(state: State, directory: Directory, notice: str = "") -> str:
    with force_locale(state["lang"]):
        return _render(state, directory, notice)


def _options(*pairs: tuple[str, str]) -> list[Option]:
    return [Option(value, _t(label)) for value, label in pairs]


def _render(state: State, directory: Directory, notice: str) -> str:
    frame = state["frame"]
    step = frame["step"]
    lang = state["lang"]
    if step == "language":
        languages = [Option(code, texts.LANGUAGE_NAMES[code]) for code in SUPPORTED_LOCALES]
        return _list_screen(state, _t(texts.LANGUAGE_TITLE), languages, notice)
    if step == "main":
        options = _options(
            ("file", texts.MAIN_FILE),
            ("status", texts.MAIN_STATUS),
            ("answer", texts.MAIN_ANSWER),
            ("language", texts.MAIN_LANGUAGE),
        )
        return _list_screen(state, _t(texts.MAIN_TITLE), options, notice)
    if step == "kind":
        options = _options(
            (Classification.COMPLAINT.value, texts.KIND_COMPLAINT),
            (Classification.ASPIRATION.value, texts.KIND_ASPIRATION),
            (Classification.INFORMATION_REQUEST.value, texts.KIND_INFORMATION),
        )
        return _list_screen(state, _t(texts.KIND_TITLE), options, notice)
    if step == "category":
        options = [*directory.categories(lang), Option("", _t(texts.CATEGORY_OTHER))]
        return _list_screen(state, _t(texts.CATEGORY_TITLE), options, notice)
    if step == "region":
        parent = frame.get("parent")
        children = list(directory.regions(parent))
        if parent:
            options = [
                Option(parent, _t(texts.REGION_ALL_OF, name=frame.get("parent_name", ""))),
                *children,
            ]
        else:
            options = [*children, Option("", _t(texts.REGION_SKIP))]
        return _list_screen(state, _t(texts.REGION_TITLE), options, notice)
    if step == "description":
        return _prompt_screen(state, _t(texts.DESCRIBE, min=DESCRIPTION_MIN), notice)
    if step == "anonymous":
        options = _options(("no", texts.ANONYMOUS_NO), ("yes", texts.ANONYMOUS_YES))
        return _list_screen(state, _t(texts.ANONYMOUS_TITLE), options, notice)
    if step == "confirm":
        options = _options(("send", texts.CONFIRM_SEND), ("cancel", texts.CONFIRM_CANCEL))
        return _list_screen(state, _t(texts.CONFIRM_TITLE), options, notice, _summary(state))
    if step == "status":
        return _prompt_screen(state, _t(texts.STATUS_PROMPT), notice)
    if step == "answers":
        items = [
            Option(
                f"{item['kind']}:{item['number']}",
                _t(
                    texts.ANSWER_ITEM_REPLY if item["kind"] == "reply" else texts.ANSWER_ITEM_RATE,
                    number=item["number"],
                ),
            )
            for item in frame["items"]
        ]
        return _list_screen(state, _t(texts.ANSWERS_TITLE), items, notice)
    if step == "answer":
        options = _options(("solved", texts.ANSWER_SOLVED), ("not_solved", texts.ANSWER_NOT_SOLVED))
        title = _t(texts.ANSWER_TITLE, number=frame["number"])
        return _list_screen(state, title, options, notice, frame.get("answer", ""))
    if step == "rate":
        options = [
            Option(str(score), _t(label)) for score, label in enumerate(texts.RATE_LABELS, 1)
        ]
        return _list_screen(state, _t(texts.RATE_TITLE), options, notice)
    if step == "dispute":
        return _prompt_screen(state, _t(texts.WHY), notice)
    return END + _t(texts.GOODBYE)  # pragma: no cover - "done" never renders


def _summary(state: State) -> str:
    draft = state["draft"]
    labels = {
        Classification.COMPLAINT.value: texts.KIND_COMPLAINT,
        Classification.ASPIRATION.value: texts.KIND_ASPIRATION,
        Classification.INFORMATION_REQUEST.value: texts.KIND_INFORMATION,
    }
    parts = [
        _t(labels.get(draft.get("classification", ""), texts.KIND_COMPLAINT)),
        draft.get("category_label") or "",
        draft.get("region_label") or "",
        _t(texts.ANONYMOUS_MARK) if draft.get("anonymous") else "",
    ]
    return to_ascii(", ".join(p for p in parts if p) + ": " + draft.get("description", ""))


# --- the steps ----------------------------------------------------------------------------------


def _language(state: State, value: str, directory: Directory) -> tuple[State, str]:
    option = _chosen(state, value)
    if option is None:
        return _again(state, directory, texts.INVALID)
    directory.set_language(option.value)
    state["lang"] = option.value
    state["stack"] = []
    state["frame"] = _frame("main")
    return state, _show(state, directory)


def _main(state: State, value: str, directory: Directory) -> tuple[State, str]:
    option = _chosen(state, value)
    if option is None:
        return _again(state, directory, texts.INVALID)
    if option.value == "file":
        state["draft"] = {}
        return _go(state, directory, "kind")
    if option.value == "status":
        return _go(state, directory, "status")
    if option.value == "language":
        return _go(state, directory, "language")
    waiting = [
        {"number": w.number, "kind": w.kind, "answer": w.answer} for w in directory.awaiting()
    ]
    if not waiting:
        return _end(state, _in(state, texts.NOTHING_WAITS))
    if len(waiting) == 1:
        return _open_awaiting(state, directory, waiting[0])
    return _go(state, directory, "answers", items=waiting)


def _open_awaiting(
    state: State, directory: Directory, item: Mapping[str, str]
) -> tuple[State, str]:
    if item["kind"] == "rate":
        return _go(state, directory, "rate", number=item["number"], mode="rate")
    return _go(state, directory, "answer", number=item["number"], answer=item.get("answer", ""))


def _kind(state: State, value: str, directory: Directory) -> tuple[State, str]:
    option = _chosen(state, value)
    if option is None:
        return _again(state, directory, texts.INVALID)
    state["draft"]["classification"] = option.value
    return _go(state, directory, "category")


def _category(state: State, value: str, directory: Directory) -> tuple[State, str]:
    option = _chosen(state, value)
    if option is None:
        return _again(state, directory, texts.INVALID)
    state["draft"]["category"] = option.value or None
    state["draft"]["category_label"] = option.label if option.value else ""
    return _go(state, directory, "region")


def _region(state: State, value: str, directory: Directory) -> tuple[State, str]:
    option = _chosen(state, value)
    if option is None and _REGION_CODE.fullmatch(value):
        option = directory.region(value)
        if option is None:
            return _again(state, directory, texts.NO_SUCH_REGION)
    elif option is None:
        return _again(state, directory, texts.INVALID)
    parent = state["frame"].get("parent")
    if option.has_children and option.value and option.value != parent:
        return _go(state, directory, "region", parent=option.value, parent_name=option.label)
    state["draft"]["region"] = option.value or None
    state["draft"]["region_label"] = option.label if option.value else ""
    return _go(state, directory, "description")


def _description(state: State, value: str, directory: Directory) -> tuple[State, str]:
    if len(value) < DESCRIPTION_MIN:
        return _again(state, directory, texts.TOO_SHORT, min=DESCRIPTION_MIN)
    state["draft"]["description"] = value[:DESCRIPTION_MAX]
    return _go(state, directory, "anonymous")


def _anonymous(state: State, value: str, directory: Directory) -> tuple[State, str]:
    option = _chosen(state, value)
    if option is None:
        return _again(state, directory, texts.INVALID)
    state["draft"]["anonymous"] = option.value == "yes"
    return _go(state, directory, "confirm")


def _error(state: State, exc: ServiceError) -> str:
    return _in(state, exc.message, **exc.params)


def _confirm(state: State, value: str, directory: Directory) -> tuple[State, str]:
    option = _chosen(state, value)
    if option is None:
        return _again(state, directory, texts.INVALID)
    if option.value == "cancel":
        return _end(state, _in(state, texts.CANCELLED))
    try:
        number = directory.file(state["draft"], state["lang"])
    except ServiceError as exc:
        return state, _show(state, directory, _error(state, exc))
    return _end(state, _in(state, texts.FILED, number=number))


def _status(state: State, value: str, directory: Directory) -> tuple[State, str]:
    number = tracking.clean_tracking_number(value)
    if not tracking.is_valid_tracking_number(number):
        return _again(state, directory, texts.CHECK_DIGITS)
    try:
        answer = directory.status(number, state["lang"])
    except ServiceError as exc:
        return state, _show(state, directory, _error(state, exc))
    return _end(state, answer)


def _answers(state: State, value: str, directory: Directory) -> tuple[State, str]:
    option = _chosen(state, value)
    if option is None:
        return _again(state, directory, texts.INVALID)
    kind, _, number = option.value.partition(":")
    item = next(
        (i for i in state["frame"]["items"] if i["number"] == number and i["kind"] == kind),
        {"number": number, "kind": kind},
    )
    return _open_awaiting(state, directory, item)


def _answer(state: State, value: str, directory: Directory) -> tuple[State, str]:
    option = _chosen(state, value)
    if option is None:
        return _again(state, directory, texts.INVALID)
    number = state["frame"]["number"]
    if option.value == "solved":
        return _go(state, directory, "rate", number=number, mode="accept")
    return _go(state, directory, "dispute", number=number)


def _rate(state: State, value: str, directory: Directory) -> tuple[State, str]:
    option = _chosen(state, value)
    if option is None:
        return _again(state, directory, texts.INVALID)
    frame = state["frame"]
    number, score = frame["number"], int(option.value)
    try:
        if frame["mode"] == "accept":
            directory.accept(number, score)
            return _end(state, _in(state, texts.ACCEPTED, number=number))
        directory.rate(number, score)
    except ServiceError as exc:
        return _end(state, _error(state, exc))
    return _end(state, _in(state, texts.RATED, number=number))


def _dispute(state: State, value: str, directory: Directory) -> tuple[State, str]:
    if len(value) < REASON_MIN:
        return _again(state, directory, texts.TOO_SHORT, min=REASON_MIN)
    number = state["frame"]["number"]
    try:
        directory.dispute(number, value[:DESCRIPTION_MAX])
    except ServiceError as exc:
        return _end(state, _error(state, exc))
    return _end(state, _in(state, texts.REOPENED, number=number))


_STEPS = {
    "language": _language,
    "main": _main,
    "kind": _kind,
    "category": _category,
    "region": _region,
    "description": _description,
    "anonymous": _anonymous,
    "confirm": _confirm,
    "status": _status,
    "answers": _answers,
    "answer": _answer,
    "rate": _rate,
    "dispute": _dispute,
}
