"""The USSD menu as a pure state machine, against a fake directory: navigation, paging, Back,
invalid input, the 182-character limit in every language, and no input that makes it raise."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pytest
from flask import Flask
from flask_babel import force_locale, gettext
from hypothesis import given, settings
from hypothesis import strategies as st

from channels.ussd import menu, texts
from channels.ussd.menu import Awaiting, Option
from grievance.services.errors import N_, Invalid, NotFound
from grievance.settings import SUPPORTED_LOCALES
from grievance.tracking import damm_digit

NUMBER = "123456789" + damm_digit("123456789")


@dataclass
class FakeDirectory:
    """A directory with many long-named categories and two levels of regions."""

    waiting: list[Awaiting] = field(default_factory=list)
    filed: list[dict[str, Any]] = field(default_factory=list)
    done: list[tuple[str, str, Any]] = field(default_factory=list)
    languages: list[str] = field(default_factory=list)
    refuse_filing: bool = False

    def categories(self, language: str) -> Sequence[Option]:
        return [
            Option(f"cat{i}", f"Category number {i} with a long descriptive name ({language})")
            for i in range(1, 21)
        ]

    def regions(self, parent: str | None) -> Sequence[Option]:
        if parent is None:
            return [
                Option("32", "Jawa Barat", True),
                Option("33", "Jawa Tengah", True),
                Option("31", "DKI Jakarta"),
            ]
        return [Option(f"{parent}.7{i}", f"Kota {parent}-{i}") for i in range(1, 4)]

    def region(self, typed: str) -> Option | None:
        return Option("32.73", "Kota Bandung") if typed.replace(".", "") == "3273" else None

    def awaiting(self) -> Sequence[Awaiting]:
        return self.waiting

    def status(self, number: str, language: str) -> str:
        if number != NUMBER:
            raise NotFound(N_("No report has the tracking number %(number)s."), number=number)
        return f"Report {number} is in progress. Latest: " + "x" * 300

    def file(self, draft: Mapping[str, Any], language: str) -> str:
        if self.refuse_filing:
            raise Invalid(
                "description", N_("Describe the problem in at least %(min)s characters."), min=10
            )
        self.filed.append(dict(draft))
        return NUMBER

    def accept(self, number: str, score: int) -> None:
        self.done.append(("accept", number, score))

    def rate(self, number: str, score: int) -> None:
        self.done.append(("rate", number, score))

    def dispute(self, number: str, reason: str) -> None:
        self.done.append(("dispute", number, reason))

    def set_language(self, language: str) -> None:
        self.languages.append(language)


class Session:
    """Drive the machine the way the endpoint does, checking every screen."""

    def __init__(self, directory: FakeDirectory, language: str | None = "en") -> None:
        self.directory = directory
        self.state, self.screen = menu.begin(language, "en", directory)
        self.check()

    def check(self) -> None:
        assert self.screen.startswith((menu.CON, menu.END)), self.screen
        assert len(self.screen) <= menu.MAX_SCREEN, (len(self.screen), self.screen)
        assert (self.screen.isascii() and self.screen.isprintable()) or "\n" in self.screen
        json.dumps(self.state)  # the state must survive Redis and a JSON column

    def press(self, value: str) -> str:
        self.state, self.screen = menu.advance(self.state, value, self.directory)
        self.check()
        return self.screen


def lines(screen: str) -> list[str]:
    return screen[4:].split("\n")


def test_a_first_time_caller_chooses_a_language_first(text_app: Flask) -> None:
    directory = FakeDirectory()
    session = Session(directory, language=None)
    assert lines(session.screen) == [
        "Choose a language",
        "1 English",
        "2 Bahasa Indonesia",
        "3 Francais",
        "4 Espanol",
        "5 Kiswahili",
        "0 Exit",
    ]
    session.press("2")
    assert directory.languages == ["id"] and session.state["lang"] == "id"
    with force_locale("id"):  # Indonesian from here on, once the catalog has it
        title, goodbye = gettext(texts.MAIN_TITLE), gettext(texts.GOODBYE)
    assert lines(session.screen)[0] == menu.to_ascii(title)
    assert session.press("0") == f"END {menu.to_ascii(goodbye)}"  # no way Back to the languages


def test_filing_through_pages_regions_and_back(text_app: Flask) -> None:
    directory = FakeDirectory()
    session = Session(directory)
    session.press("1")  # file
    session.press("1")  # a complaint
    first_page = lines(session.screen)
    assert first_page[0] == "Choose a category" and first_page[-2:] == ["98 More", "0 Back"]
    shown = [line for line in first_page if line[0].isdigit() and not line.startswith(("98", "0 "))]
    assert 2 <= len(shown) <= 9
    session.press("98")
    second_page = lines(session.screen)
    assert second_page[1].startswith("1 Category number") and second_page[1] != first_page[1]
    session.press("0")  # Back: the previous page, not the previous screen
    assert lines(session.screen) == first_page
    session.press("98")
    session.press("2")  # the second item of the second page
    chosen = int(second_page[2].split("number ")[1].split()[0])
    assert lines(session.screen)[0] == "Where? Choose, or type the region code"
    session.press("1")  # Jawa Barat has regencies: its sublist, with "All of" first
    assert lines(session.screen)[1] == "1 All of Jawa Barat"
    session.press("0")
    session.press("32.73")  # typed code
    assert lines(session.screen)[0].startswith("Describe the problem")
    session.press("short")
    assert lines(session.screen)[0] == "Too short: write at least 10 characters."
    session.press("Jalan rusak * berlubang dekat pasar")
    session.press("2")  # anonymous
    confirm = lines(session.screen)
    assert confirm[0] == "Send this report?"
    assert confirm[1].startswith(f"A complaint, Category number {chosen}")
    assert confirm[-3:] == ["1 Send", "2 Cancel", "0 Back"]
    assert (
        session.press("1")
        == f"END Report {NUMBER} received. Keep this number. We will send updates by SMS."
    )
    assert directory.filed == [
        {
            "classification": "complaint",
            "category": f"cat{chosen}",
            "category_label": f"Category number {chosen} with a long descriptive name (en)",
            "region": "32.73",
            "region_label": "Kota Bandung",
            "description": "Jalan rusak * berlubang dekat pasar",
            "anonymous": True,
        }
    ]


def test_other_category_and_skipped_region_file_without_them(text_app: Flask) -> None:
    directory = FakeDirectory()
    session = Session(directory)
    session.press("1")
    session.press("3")  # information request
    while "98 More" in session.screen:
        session.press("98")
    last = next(line for line in lines(session.screen) if line.endswith("Other / not sure"))
    session.press(last.split()[0])
    session.press("4")  # Skip (after three regions)
    session.press("Berapa biaya membuat KTP baru?")
    session.press("1")
    session.press("1")
    [draft] = directory.filed
    assert (draft["classification"], draft["category"], draft["region"], draft["anonymous"]) == (
        "information_request",
        None,
        None,
        False,
    )


def test_invalid_input_asks_again_with_a_reason(text_app: Flask) -> None:
    session = Session(FakeDirectory())
    main = lines(session.screen)
    for bad in ("7", "abc", "", "99", "1*2", "98"):
        session.press(bad)
        assert lines(session.screen) == ["Not a choice on this screen.", *main], bad
    session.press("1")
    session.press("1")
    session.press("1")
    session.press("99")
    assert lines(session.screen)[0] == "No region has this code."


def test_cancel_files_nothing(text_app: Flask) -> None:
    directory = FakeDirectory()
    session = Session(directory)
    for value in ("1", "1", "1", "3", "Sampah menumpuk di pinggir sungai", "1"):
        session.press(value)
    assert session.press("2") == "END Cancelled. Nothing was sent."
    assert directory.filed == []


def test_a_refused_filing_shows_why_on_the_confirm_screen(text_app: Flask) -> None:
    directory = FakeDirectory(refuse_filing=True)
    session = Session(directory)
    for value in ("1", "1", "1", "3", "Sampah menumpuk di pinggir sungai", "1"):
        session.press(value)
    session.press("1")
    assert lines(session.screen)[0] == "Describe the problem in at least 10 characters."
    assert session.screen.startswith("CON ")


def test_status_checks_the_digits_then_answers(text_app: Flask) -> None:
    session = Session(FakeDirectory())
    session.press("2")
    session.press("12345")
    assert lines(session.screen)[0] == "Check the digits: a tracking number has 10."
    other = "223456789" + damm_digit("223456789")
    session.press(other)
    assert lines(session.screen)[0] == f"No report has the tracking number {other}."
    final = session.press(f"{NUMBER[:3]} {NUMBER[3:]}")
    assert final.startswith(f"END Report {NUMBER} is in progress.") and final.endswith("...")


def test_replying_to_one_answer_goes_straight_to_it(text_app: Flask) -> None:
    directory = FakeDirectory(waiting=[Awaiting(NUMBER, "reply", "Jalan sudah ditambal. " * 20)])
    session = Session(directory)
    session.press("3")
    answer = lines(session.screen)
    assert answer[0] == f"Report {NUMBER} was answered:" and answer[1].startswith(
        "Jalan sudah ditambal."
    )
    assert answer[-3:] == ["1 Solved", "2 Not solved", "0 Back"]
    session.press("1")
    assert lines(session.screen)[:2] == ["Rate the answer", "1 Very bad"]
    assert session.press("4") == f"END Thank you. Report {NUMBER} is closed."
    assert directory.done == [("accept", NUMBER, 4)]


def test_disputing_asks_why(text_app: Flask) -> None:
    directory = FakeDirectory(waiting=[Awaiting(NUMBER, "reply", "Sudah.")])
    session = Session(directory)
    session.press("3")
    session.press("2")
    assert lines(session.screen)[0] == "Why is it not solved?"
    session.press("no")
    assert lines(session.screen)[0] == "Too short: write at least 3 characters."
    assert (
        session.press("Masih berlubang")
        == f"END Report {NUMBER} is open again. The agency must answer anew."
    )
    assert directory.done == [("dispute", NUMBER, "Masih berlubang")]


def test_several_waiting_reports_are_listed(text_app: Flask) -> None:
    other = "9876543210"
    directory = FakeDirectory(
        waiting=[Awaiting(NUMBER, "reply", "Sudah."), Awaiting(other, "rate")]
    )
    session = Session(directory)
    session.press("3")
    assert lines(session.screen) == [
        "Which report?",
        f"1 {NUMBER}: answered",
        f"2 {other}: rate it",
        "0 Back",
    ]
    session.press("2")
    assert lines(session.screen)[0] == "Rate the answer"
    assert session.press("5") == f"END Thank you for rating report {other}."
    assert directory.done == [("rate", other, 5)]


def test_nothing_waiting_ends_politely(text_app: Flask) -> None:
    session = Session(FakeDirectory())
    assert session.press("3") == "END None of your reports waits for a reply or a rating."


def test_changing_language_from_the_main_menu(text_app: Flask) -> None:
    directory = FakeDirectory()
    session = Session(directory)
    session.press("4")
    session.press("3")
    assert directory.languages == ["fr"] and session.state["lang"] == "fr"
    with force_locale("fr"):
        assert lines(session.screen)[-1] == f"0 {menu.to_ascii(gettext(texts.EXIT))}"


def test_after_the_end_every_input_gets_the_last_screen(text_app: Flask) -> None:
    session = Session(FakeDirectory())
    end = session.press("0")
    assert session.press("1") == end


@pytest.mark.parametrize(
    ("previous", "text", "newest"),
    [
        ("", "1", "1"),
        ("1", "1*2", "2"),
        ("1*1*3", "1*1*3*Jalan * rusak", "Jalan * rusak"),  # a '*' inside free text stays
        ("1*1*3*Jalan * rusak", "1*1*3*Jalan * rusak*1", "1"),
        ("1*2", "5", "5"),  # a gateway that sends only the newest input
        ("1*2", "9*9*4", "4"),
    ],
)
def test_newest_input(previous: str, text: str, newest: str) -> None:
    assert menu.newest_input(previous, text) == newest


@given(st.text(max_size=40), st.text(max_size=40))
def test_the_newest_input_is_what_follows_the_previous_text(previous: str, typed: str) -> None:
    text = f"{previous}*{typed}" if previous else typed
    assert menu.newest_input(previous, text) == typed


@pytest.mark.parametrize("locale", SUPPORTED_LOCALES)
def test_every_screen_fits_with_room_for_its_items(text_app: Flask, locale: str) -> None:
    """The fixed parts of each screen, translated, leave room for real list items."""
    budget = menu.MAX_SCREEN - len(menu.CON)
    with force_locale(locale):
        back, more = f"0 {gettext(texts.BACK)}", f"98 {gettext(texts.MORE)}"
        sample = {"number": NUMBER, "min": 10, "name": "Kota Administrasi Jakarta Selatan"}
        for name, parts in texts.SCREENS.items():
            title, *options = (menu.to_ascii(gettext(part, **sample)) for part in parts)
            notices = texts.NOTICES.get(name.removesuffix("_child"), (texts.INVALID,))
            notice = max((menu.to_ascii(gettext(n, **sample)) for n in notices), key=len)
            numbered = [f"{i} {label}" for i, label in enumerate(options, 1)]
            fixed = "\n".join([notice, title, *numbered, more, back])
            # A list of items from the data keeps room for one of 30 characters (More pages on).
            room = 32 if name in ("category", "region", "region_child", "answers") else 0
            assert len(fixed) + room <= budget, f"{locale} {name}: {len(fixed)} + {room}"
        for ending in texts.ENDINGS:
            text = menu.END + menu.to_ascii(gettext(ending, **sample))
            assert len(text) <= menu.MAX_SCREEN, f"{locale}: {text!r}"


inputs = st.one_of(
    st.sampled_from(["0", "1", "2", "3", "4", "5", "9", "98", "99", "32.73", NUMBER, "", " "]),
    st.text(max_size=60),
    st.from_regex(r"[0-9*#.]{1,12}", fullmatch=True),
)


@settings(max_examples=150, deadline=None)
@given(
    first_time=st.booleans(),
    waiting=st.integers(0, 3),
    steps=st.lists(inputs, max_size=14),
)
def test_no_input_sequence_breaks_the_menu(
    text_app: Flask, first_time: bool, waiting: int, steps: list[str]
) -> None:
    directory = FakeDirectory(
        waiting=[
            Awaiting(f"{NUMBER[:-1]}{i}", "reply" if i % 2 else "rate", "Done " * 30)
            for i in range(waiting)
        ]
    )
    session = Session(directory, language=None if first_time else "sw")
    for value in steps:
        session.press(value)
