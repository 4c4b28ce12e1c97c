"""The SMS grammar: turn any text a phone sends into one command, in five languages.

`parse_sms` is pure and total: it never raises and never looks anything up, so the webhook can
trust it with whatever arrives (empty, binary, emoji, 10 KB) and tests can throw random text at
it. It is forgiving on purpose: keywords in any case and language, punctuation and extra spaces
around them, tracking numbers typed with spaces, dashes or a '#'. Checking a number's digits,
finding reports and choosing between meanings that need the sender's reports (a bare "NO because
..." disputes their one answered report, or else files a new one) is the handler's job.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum

# Twilio accepts at most 1,600 characters; anything past 10 KB is not a text message.
MAX_BODY_BYTES = 10 * 1024
TRACKING_DIGITS = 10
# Fewer digits than this before more words are words ("NO 2 weeks and still broken"), not a
# mistyped tracking number.
SHORT_NUMBER_DIGITS = 6


class Kind(StrEnum):
    """What a message asks for."""

    REPORT = "report"  # file the text as a new report
    STATUS = "status"  # STATUS <number>
    INFO = "info"  # INFO <number> <text>: answer a request for information
    ACCEPT = "accept"  # YES <number> [score] [comment]
    DISPUTE = "dispute"  # NO <number> <reason>
    RATE = "rate"  # a digit 1 to 5 after a rating prompt
    LANG = "lang"  # LANG <code>
    HELP = "help"
    STOP = "stop"
    START = "start"
    EMPTY = "empty"
    TOO_LONG = "too_long"


# Keywords per command and language, accents folded and upper-cased. A word may belong to several
# languages (STATUS, INFO, NO); only a word of one language hints at a new sender's language.
KEYWORDS: Mapping[Kind, Mapping[str, tuple[str, ...]]] = {
    Kind.REPORT: {
        "en": ("REPORT", "COMPLAINT"),
        "id": ("LAPOR", "LAPORAN", "ADUAN"),
        "fr": ("PLAINTE", "SIGNALER", "SIGNALEMENT"),
        "es": ("QUEJA", "REPORTE", "DENUNCIA", "RECLAMO"),
        "sw": ("RIPOTI", "LALAMIKO", "MALALAMIKO"),
    },
    Kind.STATUS: {
        "en": ("STATUS", "CHECK", "TRACK"),
        "id": ("CEK", "STATUS", "LACAK"),
        "fr": ("ETAT", "STATUT", "SUIVI"),
        "es": ("ESTADO", "CONSULTA"),
        "sw": ("HALI", "FUATILIA"),
    },
    Kind.INFO: {
        "en": ("INFO", "ANSWER"),
        "id": ("INFO", "JAWAB"),
        "fr": ("INFO", "REPONSE"),
        "es": ("INFO", "RESPUESTA"),
        "sw": ("INFO", "TAARIFA", "JIBU"),
    },
    Kind.ACCEPT: {
        "en": ("YES",),
        "id": ("YA",),
        "fr": ("OUI",),
        "es": ("SI",),
        "sw": ("NDIYO", "NDIO"),
    },
    Kind.DISPUTE: {
        "en": ("NO",),
        "id": ("TIDAK", "TDK", "BELUM"),
        "fr": ("NON",),
        "es": ("NO",),
        "sw": ("HAPANA",),
    },
    Kind.HELP: {
        "en": ("HELP",),
        "id": ("BANTUAN", "BANTU", "TOLONG"),
        "fr": ("AIDE",),
        "es": ("AYUDA",),
        "sw": ("MSAADA", "SAIDIA"),
    },
    Kind.LANG: {
        "en": ("LANG", "LANGUAGE"),
        "id": ("BAHASA",),
        "fr": ("LANGUE",),
        "es": ("IDIOMA", "LENGUA"),
        "sw": ("LUGHA",),
    },
    # Twilio's own opt-out and opt-in words first (STOP, STOPALL, UNSUBSCRIBE, CANCEL, END, QUIT;
    # START, UNSTOP), then each language's.
    Kind.STOP: {
        "en": ("STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT"),
        "id": ("BERHENTI", "STOP"),
        "fr": ("ARRET", "STOP"),
        "es": ("ALTO", "BAJA", "PARAR"),
        "sw": ("ACHA", "SIMAMA"),
    },
    Kind.START: {
        "en": ("START", "UNSTOP"),
        "id": ("MULAI",),
        "fr": ("DEMARRER", "REPRENDRE"),
        "es": ("INICIO", "ALTA", "EMPEZAR"),
        "sw": ("ANZA",),
    },
}

# Words that are a command only when they are the whole message (carrier keywords must be; and
# "Help, the bridge fell" or "End of my street is flooded" are reports).
ALONE_ONLY = frozenset({Kind.HELP, Kind.STOP, Kind.START})

LANGUAGE_WORDS: Mapping[str, str] = {
    "EN": "en",
    "ENG": "en",
    "ENGLISH": "en",
    "INGGRIS": "en",
    "ANGLAIS": "en",
    "INGLES": "en",
    "KIINGEREZA": "en",
    "ID": "id",
    "IND": "id",
    "INDONESIA": "id",
    "INDONESIAN": "id",
    "INDONESIEN": "id",
    "FR": "fr",
    "FRA": "fr",
    "FRANCAIS": "fr",
    "FRENCH": "fr",
    "PERANCIS": "fr",
    "FRANCES": "fr",
    "KIFARANSA": "fr",
    "ES": "es",
    "SPA": "es",
    "ESPANOL": "es",
    "SPANISH": "es",
    "SPANYOL": "es",
    "ESPAGNOL": "es",
    "KIHISPANIA": "es",
    "SW": "sw",
    "SWA": "sw",
    "SWAHILI": "sw",
    "KISWAHILI": "sw",
}


def _word_index() -> dict[str, tuple[Kind, frozenset[str]]]:
    index: dict[str, tuple[Kind, set[str]]] = {}
    for kind, per_language in KEYWORDS.items():
        for language, words in per_language.items():
            for word in words:
                known = index.setdefault(word, (kind, set()))
                if known[0] is not kind:  # pragma: no cover - a table error, caught by a test
                    raise ValueError(f"keyword {word} names two commands")
                known[1].add(language)
    return {word: (kind, frozenset(langs)) for word, (kind, langs) in index.items()}


WORDS = _word_index()


@dataclass(frozen=True)
class Command:
    """What a message asks for, with its arguments as typed (not yet checked against reports)."""

    kind: Kind
    number: str | None = None  # the digits typed where a tracking number goes
    text: str = ""  # the report, information, reason or comment
    score: int | None = None
    language: str | None = None  # LANG's choice, None when not understood
    hint: str | None = None  # the one language the keyword belongs to, if any
    raw: str = ""  # the whole message, cleaned: filed as a report when nothing else fits


_LEADING_WORD = re.compile(r"[^\W\d_]+")
_NUMBERISH = re.compile(r"[#(\[]*\d[\d\-./]*[)\]]*[.,:;!?]*")
_SCORE = re.compile(r"([0-9])(?:/5)?[.,:;!?)*]*")
_EDGE_PUNCTUATION = " \t\n.,:;!?-_*#()[]{}\"'"


def clean_text(body: str) -> str:
    """Return the message with control and invisible characters removed and spaces collapsed."""
    kept: list[str] = []
    for ch in body:
        category = unicodedata.category(ch)
        if ch in "\n\t\r" or category == "Zs":
            kept.append(" ")
        elif category in ("Cc", "Cf", "Cs", "Co", "Cn"):
            # NUL and friends would break PostgreSQL text and XML replies; surrogates break UTF-8.
            continue
        else:
            kept.append(ch)
    return " ".join("".join(kept).split())


def fold(word: str) -> str:
    """Return a word upper-cased with its accents removed (ÉTAT -> ETAT, sí -> SI)."""
    decomposed = unicodedata.normalize("NFKD", word)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).upper()


def _hint(languages: frozenset[str]) -> str | None:
    return next(iter(languages)) if len(languages) == 1 else None


def _take_number(tokens: list[str]) -> tuple[str | None, list[str]]:
    """Take a number typed across tokens ("123 456-7890"); return its digits and the rest."""
    digits = ""
    used = 0
    for token in tokens:
        if len(digits) >= TRACKING_DIGITS or not _NUMBERISH.fullmatch(token):
            break
        digits += "".join(ch for ch in token if ch.isascii() and ch.isdigit())
        used += 1
    return (digits or None), tokens[used:]


def _take_score(tokens: list[str]) -> tuple[int | None, list[str]]:
    if tokens:
        match = _SCORE.fullmatch(tokens[0])
        if match and 1 <= int(match.group(1)) <= 5:
            return int(match.group(1)), tokens[1:]
    return None, tokens


def _split_keyword(text: str) -> tuple[str, list[str]]:
    """Return the leading word folded to a keyword, and the tokens after it."""
    stripped = text.lstrip(_EDGE_PUNCTUATION)
    match = _LEADING_WORD.match(stripped)
    if match is None:
        return "", text.split()
    rest = stripped[match.end() :]
    # "STATUS1234567890", "YES:123...", "Info- ..." all separate here.
    return fold(match.group(0)), rest.lstrip(_EDGE_PUNCTUATION + " ").split()


def parse_sms(body: str) -> Command:
    """Parse one inbound message into a command; never raises."""
    if len(body.encode("utf-8", "surrogatepass")) > MAX_BODY_BYTES:
        return Command(Kind.TOO_LONG)
    text = clean_text(body)
    if not text.strip(_EDGE_PUNCTUATION):
        return Command(Kind.EMPTY, raw=text)
    report = Command(Kind.REPORT, text=text, raw=text)

    tokens = text.split()
    # A digit first: a rating, with an optional comment ("5", "4 good work", "2/5").
    score_match = _SCORE.fullmatch(tokens[0])
    if score_match is not None:
        score = int(score_match.group(1))
        return Command(
            Kind.RATE, score=score if 1 <= score <= 5 else None, text=" ".join(tokens[1:]), raw=text
        )
    # A number alone ("1234567890", "123-456 7890") asks for its report's status.
    number, rest = _take_number(tokens)
    if number is not None and not rest:
        return Command(Kind.STATUS, number=number, raw=text)

    keyword, args = _split_keyword(text)
    known = WORDS.get(keyword)
    if known is None:
        return report
    kind, languages = known
    hint = _hint(languages)
    report = Command(Kind.REPORT, text=text, hint=hint, raw=text)

    if kind in ALONE_ONLY:
        return Command(kind, hint=hint, raw=text) if not args else report
    if kind is Kind.REPORT:
        return Command(Kind.REPORT, text=" ".join(args), hint=hint, raw=text)
    if kind is Kind.LANG:
        if not args:
            return Command(Kind.LANG, hint=hint, raw=text)
        if len(args) > 1:
            return report
        choice = LANGUAGE_WORDS.get(fold(args[0].strip(_EDGE_PUNCTUATION)))
        return Command(Kind.LANG, language=choice, hint=hint, raw=text)

    if kind is Kind.ACCEPT and args and _SCORE.fullmatch(args[0]):
        # "YES 5": a score, not a one-digit tracking number.
        score, args = _take_score(args)
        number = None
    else:
        number, rest = _take_number(args)
        if number is not None and len(number) < SHORT_NUMBER_DIGITS and rest:
            number, rest = None, args  # "INFO 3 rooms flooded": words, not a mistyped number
        args = rest
        score, args = _take_score(args) if kind is Kind.ACCEPT else (None, args)
    if kind is Kind.STATUS:
        if number is None and args:
            return report  # "Check the drain on Jalan Merdeka": a report, not a question
        return Command(Kind.STATUS, number=number, hint=hint, raw=text)
    if kind is Kind.ACCEPT:
        if number is None and args and score is None:
            return report  # "Yes the road is still broken" is not an acceptance
        return Command(
            Kind.ACCEPT, number=number, score=score, text=" ".join(args), hint=hint, raw=text
        )
    # INFO and NO: the text is the point; without a number the handler tries the sender's reports.
    return Command(kind, number=number, text=" ".join(args), hint=hint, raw=text)
