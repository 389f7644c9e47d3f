"""A LanguageTool server stand-in: real HTTP on 127.0.0.1, LanguageTool's own API shape.

It answers `GET /v2/languages` and `POST /v2/check` with the field names of LanguageTool's
HTTP API (https://languagetool.org/http-api/, and the server's RuleMatchesAsJsonSerializer):
`software`, `warnings`, `language`, and per match `message`, `shortMessage`, `replacements[].value`,
`offset`, `length`, `context{text, offset, length}`, `sentence`, `type.typeName`,
`rule{id, description, issueType, category{id, name}}`. Like the real server (a Java program),
it counts offsets and lengths in UTF-16 code units, so an emoji before an error shifts the
offset by two, not one.

Instead of real grammar it knows a table of errors (`KNOWN_ERRORS`). Controls for tests:
`delay` (seconds before answering a check), `down` ("error" → HTTP 500, "hangup" → the
connection is closed without an answer), `languages` (what `/v2/languages` lists) and
`requests` (every request received, with its form fields).
"""
from __future__ import annotations

import json
import re
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from typing import Any
from urllib.parse import parse_qs, urlsplit
from tests.loopback import LoopbackServer

CONTEXT_CHARS = 40


@dataclass(frozen=True)
class KnownError:
    """One error the stand-in finds: where (a regex, for languages starting with a prefix) and what."""

    languages: tuple[str, ...]  # language code prefixes: "en", "no", "nb", "it"
    pattern: str
    rule_id: str
    category_id: str
    category_name: str
    issue_type: str
    message: str
    short_message: str
    replacements: tuple[str, ...]


_SPELLING = ("TYPOS", "Possible Typo", "misspelling")
KNOWN_ERRORS: tuple[KnownError, ...] = (
    KnownError(("en",), r"\brecieve\b", "MORFOLOGIK_RULE_EN_US", *_SPELLING,
               "Possible spelling mistake found.", "Spelling mistake", ("receive", "relieve")),
    KnownError(("en",), r"\bdefinately\b", "MORFOLOGIK_RULE_EN_US", *_SPELLING,
               "Possible spelling mistake found.", "Spelling mistake", ("definitely", "defiantly")),
    KnownError(("en",), r"\boppurtunity\b", "MORFOLOGIK_RULE_EN_US", *_SPELLING,
               "Possible spelling mistake found.", "Spelling mistake", ("opportunity",)),
    # Real LanguageTool flags unknown proper names too; the client must drop them when ignored.
    KnownError(("en",), r"\bNordmann\b", "MORFOLOGIK_RULE_EN_US", *_SPELLING,
               "Possible spelling mistake found.", "Spelling mistake", ("Nordman",)),
    KnownError(("en",), r"\ba(?= [aeiou]\w)", "EN_A_VS_AN", "MISC", "Miscellaneous", "misspelling",
               "Use “an” instead of ‘a’ if the following word starts with a vowel sound, "
               "e.g. ‘an article’, ‘an hour’.", "Wrong article", ("an",)),
    KnownError(("en",), r",,", "DOUBLE_PUNCTUATION", "PUNCTUATION", "Punctuation", "typographical",
               "Two consecutive commas", "", (",",)),
    KnownError(("en",), r"\bin order to\b", "IN_ORDER_TO", "STYLE", "Style", "style",
               "Consider shortening this phrase.", "Wordiness", ("to",)),
    KnownError(("no", "nb"), r"\butvilker\b", "MORFOLOGIK_RULE_NO", *_SPELLING,
               "Mulig skrivefeil funnet.", "Skrivefeil", ("utvikler",)),
    KnownError(("it",), r"\bopportunita\b", "HUNSPELL_RULE", *_SPELLING,
               "Possibile errore di ortografia.", "Errore di ortografia", ("opportunità",)),
)

DEFAULT_LANGUAGES: tuple[dict[str, str], ...] = (
    {"name": "English", "code": "en", "longCode": "en"},
    {"name": "English (US)", "code": "en", "longCode": "en-US"},
    {"name": "English (GB)", "code": "en", "longCode": "en-GB"},
    {"name": "German (Germany)", "code": "de", "longCode": "de-DE"},
    {"name": "Italian", "code": "it", "longCode": "it"},
    {"name": "Norwegian", "code": "no", "longCode": "no-NO"},
)


def utf16_len(text: str) -> int:
    """Length in UTF-16 code units, as Java's String.length() counts."""
    return len(text.encode("utf-16-le")) // 2


@dataclass(frozen=True)
class RecordedRequest:
    method: str
    path: str
    form: dict[str, str]


@dataclass
class LanguageToolStandIn(LoopbackServer):
    """Start with `with LanguageToolStandIn() as lt:`; point clients at `lt.url`."""

    delay: float = 0.0
    down: str | None = None  # None, "error" or "hangup"
    languages: tuple[dict[str, str], ...] = DEFAULT_LANGUAGES
    errors: tuple[KnownError, ...] = KNOWN_ERRORS
    requests: list[RecordedRequest] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._stopping = threading.Event()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/"

    def checks(self) -> list[RecordedRequest]:
        return [r for r in self.requests if r.path == "/v2/check"]

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        return _handler_for(self)

    # --- what the server computes -----------------------------------------------------------
    def known_codes(self) -> set[str]:
        return {lang["code"] for lang in self.languages} | {lang["longCode"] for lang in self.languages}

    def check(self, form: dict[str, str]) -> tuple[int, Any]:
        language = form.get("language", "")
        if not language:
            return 400, "Error: Missing 'language' parameter."
        if language != "auto" and language not in self.known_codes():
            return 400, f"Error: '{language}' is not a language code known to LanguageTool."
        if "text" in form:
            text, checkable = form["text"], [(0, len(form["text"]))]
        elif "data" in form:
            text, checkable = _annotated(json.loads(form["data"]))
        else:
            return 400, "Error: Missing 'text' or 'data' parameter."
        code = "en-US" if language == "auto" else language
        return 200, {
            "software": {"name": "LanguageTool", "version": "6.6", "buildDate": "2025-03-27 14:58:00 +0000",
                         "apiVersion": 1, "premium": False, "status": ""},
            "warnings": {"incompleteResults": False},
            "language": {"name": self._name(code), "code": code,
                         "detectedLanguage": {"name": self._name(code), "code": code, "confidence": 0.99,
                                              "source": "+fallback"}},
            "matches": self._matches(code, text, checkable),
            "sentenceRanges": [],
        }

    def _name(self, code: str) -> str:
        return next((lang["name"] for lang in self.languages if lang["longCode"] == code), code)

    def _matches(self, code: str, text: str, checkable: list[tuple[int, int]]) -> list[dict[str, Any]]:
        found = []
        for error in self.errors:
            if code.split("-")[0] not in error.languages:
                continue
            for region_start, region_end in checkable:
                for m in re.finditer(error.pattern, text[region_start:region_end]):
                    found.append((region_start + m.start(), region_start + m.end(), error))
        return [self._match(error, start, end, text) for start, end, error in sorted(found, key=lambda f: f[:2])]

    @staticmethod
    def _match(error: KnownError, start: int, end: int, text: str) -> dict[str, Any]:
        ctx_start, ctx_end = max(0, start - CONTEXT_CHARS), min(len(text), end + CONTEXT_CHARS)
        prefix = "..." if ctx_start > 0 else ""
        context = prefix + text[ctx_start:ctx_end].replace("\n", " ") + ("..." if ctx_end < len(text) else "")
        sentence_start = max(text.rfind(stop, 0, start) for stop in ".!?\n") + 1
        sentence_end = min((i for i in (text.find(stop, end) for stop in ".!?\n") if i >= 0), default=len(text))
        return {
            "message": error.message,
            "shortMessage": error.short_message,
            "replacements": [{"value": v} for v in error.replacements],
            "offset": utf16_len(text[:start]),
            "length": utf16_len(text[start:end]),
            "context": {"text": context, "offset": utf16_len(prefix + text[ctx_start:start]),
                        "length": utf16_len(text[start:end])},
            "sentence": text[sentence_start:sentence_end + 1].strip(),
            "type": {"typeName": "Other"},
            "rule": {"id": error.rule_id, "description": error.short_message or error.message,
                     "issueType": error.issue_type,
                     "category": {"id": error.category_id, "name": error.category_name}},
            "ignoreForIncompleteSentence": False,
            "contextForSureMatch": 0,
        }


def _annotated(data: dict[str, Any]) -> tuple[str, list[tuple[int, int]]]:
    """The `data` parameter: text parts are checked, markup parts only take up room."""
    text, checkable = "", []
    for part in data.get("annotation", []):
        if "text" in part:
            checkable.append((len(text), len(text) + len(part["text"])))
            text += part["text"]
        else:
            text += part.get("markup", "")
    return text, checkable


def _handler_for(standin: LanguageToolStandIn) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: Any) -> None:  # keep test output clean
            pass

        def do_GET(self) -> None:
            path = urlsplit(self.path).path
            standin.requests.append(RecordedRequest("GET", path, _form(urlsplit(self.path).query)))
            if path == "/v2/languages":
                self._answer(200, list(standin.languages))
            else:
                self._answer(404, "Error: unknown endpoint")

        def do_POST(self) -> None:
            path = urlsplit(self.path).path
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0)).decode("utf-8")
            form = _form(body)
            standin.requests.append(RecordedRequest("POST", path, form))
            if path != "/v2/check":
                self._answer(404, "Error: unknown endpoint")
                return
            if standin.delay and standin._stopping.wait(standin.delay):
                return
            if standin.down == "hangup":
                self.close_connection = True
                self.connection.close()
                return
            if standin.down == "error":
                self._answer(500, "Error: Internal Error: the stand-in is down")
                return
            self._answer(*standin.check(form))

        def _answer(self, status: int, payload: Any) -> None:
            is_json = not isinstance(payload, str)
            data = (json.dumps(payload) if is_json else payload).encode("utf-8")
            try:
                self.send_response(status)
                self.send_header("Content-Type", "application/json" if is_json else "text/plain; charset=utf-8")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
            except (BrokenPipeError, ConnectionResetError):  # the client gave up (its timeout)
                pass

    return Handler


def _form(encoded: str) -> dict[str, str]:
    return {key: values[-1] for key, values in parse_qs(encoded, keep_blank_values=True).items()}
