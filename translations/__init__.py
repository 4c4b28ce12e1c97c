"""Babel catalogs (messages.pot and <lang>/LC_MESSAGES/messages.po, .mo), shipped as data."""

from pathlib import Path

DIRECTORY = Path(__file__).resolve().parent
