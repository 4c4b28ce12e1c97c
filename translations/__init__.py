"""Babel catalogs (messages.pot, <lang>/LC_MESSAGES/messages.po and .mo), shipped as package data."""

from pathlib import Path

DIRECTORY = Path(__file__).resolve().parent
