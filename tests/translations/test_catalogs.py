"""Every user-facing string is translated into every language, and templates hold no literals."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po

from grievance import messages
from grievance.sms_text import SEGMENT_SEPTETS, fits_one_segment, septets
from translations import DIRECTORY

LANGUAGES = ("id", "fr", "es", "sw")
ROOT = DIRECTORY.parent
PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]|\{text\}")


def catalog(language: str) -> Catalog:
    with (DIRECTORY / language / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        return read_po(handle, locale=language)


def template_catalog() -> Catalog:
    with (DIRECTORY / "messages.pot").open("rb") as handle:
        return read_po(handle)


def test_the_template_catalog_is_current() -> None:
    """messages.pot holds every msgid the code marks (run `grievance translations extract`)."""
    from babel.messages.extract import extract_from_dir

    method_map = [
        ("grievance/**.py", "python"),
        ("channels/**.py", "python"),
        ("workflows/**.py", "python"),
        ("grievance/templates/**.html", "jinja2"),
        ("channels/**/templates/**.html", "jinja2"),
    ]
    keywords = {
        "_": None,
        "gettext": None,
        "ngettext": (1, 2),
        "_l": None,
        "N_": None,
        "lazy_gettext": None,
    }
    found: set[str] = set()
    for top in ("grievance", "channels", "workflows"):
        for _name, _line, message, _comments, _context in extract_from_dir(
            ROOT / top,
            method_map=[(p.split("/", 1)[1], m) for p, m in method_map if p.startswith(top)],
            keywords=keywords,
        ):
            found.add(message[0] if isinstance(message, tuple) else message)
    known = {m.id if isinstance(m.id, str) else m.id[0] for m in template_catalog() if m.id}
    missing = sorted(found - known)
    assert not missing, f"{len(missing)} msgids missing from messages.pot, e.g. {missing[:5]}"


@pytest.mark.parametrize("language", LANGUAGES)
def test_catalog_is_complete(language: str) -> None:
    translations = catalog(language)
    expected = {m.id for m in template_catalog() if m.id}
    untranslated = []
    for message in translations:
        if not message.id or message.id not in expected:
            continue
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if not all(strings) or message.fuzzy:
            untranslated.append(message.id)
    have = {m.id for m in translations if m.id}
    absent = expected - have
    assert not absent, (
        f"{language}: {len(absent)} msgids not in the catalog, e.g. {sorted(map(str, absent))[:3]}"
    )
    assert not untranslated, (
        f"{language}: {len(untranslated)} untranslated, e.g. {untranslated[:3]}"
    )


@pytest.mark.parametrize("language", LANGUAGES)
def test_placeholders_survive_translation(language: str) -> None:
    for message in catalog(language):
        if not message.id or not message.string:
            continue
        source = message.id if isinstance(message.id, str) else message.id[0]
        target = message.string if isinstance(message.string, str) else message.string[0]
        assert sorted(PLACEHOLDER.findall(source)) == sorted(PLACEHOLDER.findall(target)), source


@pytest.mark.parametrize("language", LANGUAGES)
def test_compiled_catalogs_are_current(language: str) -> None:
    po = DIRECTORY / language / "LC_MESSAGES" / "messages.po"
    mo = po.with_suffix(".mo")
    assert mo.exists(), "run `grievance translations compile`"
    assert mo.stat().st_mtime >= po.stat().st_mtime - 1, "the .mo is older than its .po: compile"


@pytest.mark.parametrize("language", ("en", *LANGUAGES))
def test_reporter_texts_fit_one_sms_segment(language: str, app: object) -> None:
    from flask_babel import force_locale, gettext

    for key, msgid in messages.REPORTER_TEMPLATES.items():
        with force_locale(language):
            frame = gettext(msgid, number="1234567890", original="1234567890", days=10)
        text = frame.replace("{text}", "")
        assert fits_one_segment(text), f"{language} {key}: {len(text)} characters"
        if "{text}" in frame:
            # Leave room for the staff's words, or the message says nothing.
            assert SEGMENT_SEPTETS - septets(text) >= 30, f"{language} {key} leaves no room"


# --- templates ---------------------------------------------------------------------------------

TAG = re.compile(r"<[^>]*>")
ENTITY = re.compile(r"&[a-z#0-9]+;")
# Words of prose; acronyms (CSV, JSON, SMS) read the same in every language.
WORD = re.compile(r"\b(?![A-Z0-9]{2,5}\b)[A-Za-zÀ-ÿ]{2,}")


def template_files() -> list[Path]:
    return sorted(
        [
            *(ROOT / "grievance" / "templates").rglob("*.html"),
            *(ROOT / "channels").rglob("templates/**/*.html"),
        ]
    )


JINJA = re.compile(r"\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\}", re.S)


@pytest.mark.parametrize("path", template_files(), ids=lambda p: str(p.relative_to(ROOT)))
def test_templates_hold_no_untranslated_text(path: Path) -> None:
    """Text between tags must come from gettext; markup and attribute values are not prose."""
    # Jinja parts go first (they may sit inside tags), then tags, then entities.
    text = ENTITY.sub(" ", TAG.sub(" ", JINJA.sub("\x00", path.read_text())))
    leftovers = WORD.findall(text)
    assert not leftovers, f"untranslated text in {path.name}: {leftovers[:8]}"
