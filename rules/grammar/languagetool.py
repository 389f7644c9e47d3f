"""Grammar and spelling from a LanguageTool server, through `language_tool_python`.

`language_tool_python.LanguageTool(..., remote_server=url)` never downloads LanguageTool or
Java: with a remote server it only sends HTTP requests (its download and local-server code
runs only when `remote_server` is None; checked in its 3.4 source, server.py). Three things
it lacks are added in `_RemoteLanguageTool`, through its protected hooks (pin
`language-tool-python<4`):

- A timeout: requests use the class constant `_TIMEOUT = 300` s and a check is tried twice.
  We set `_TIMEOUT` per instance (requests' connect and per-read timeout) and send each check
  once. A LanguageTool server writes its JSON answer in one piece after checking, so the read
  timeout bounds the whole call; no extra thread is started, so none can be left behind.
- LanguageTool's hosted API: `username` and `apiKey` are added to every check.
- Offsets: LanguageTool is Java and counts in UTF-16 code units (its JSON serializer writes
  `RuleMatch.getFromPos()`, a Java String index). language_tool_python's `Match` corrects the
  offset but not the length, and caches the text in class attributes shared by all threads,
  so we read the raw JSON and convert offset and length to Python (code point) indices here.

Which code a server uses for a language depends on its version and plan (Norwegian: its module
calls it `no`, variant `nb`), so the code is chosen from the server's `/v2/languages`: the
recipient's locale when it is a variant of the language (`en-GB`), then the codes the language's
`language.yml` lists (`languagetool:`; nb: `nb-NO`, `nb`, `no-NO`, `no`), first listed wins. A
server without the language is not a failure: that text gets the offline check and a note.

When the server times out, errors or answers nonsense, the text gets the offline (Hunspell)
check and a note says why, and LanguageTool is skipped for `cooldown` seconds (a circuit
breaker, so a dead server does not add `timeout` seconds to every review), then tried again.
"""
from __future__ import annotations

import logging
import math
import threading
import time
import urllib.parse
from bisect import bisect_left
from typing import Any, Callable, cast

import requests
from language_tool_python import LanguageTool
from language_tool_python.exceptions import LanguageToolError, RateLimitError

from models.records import Field, Finding, Severity
from models.wording import Text, localized
from rules.grammar import GrammarChecker, GrammarResult
from rules.grammar.words import CheckableText
from rules.grammar.wording import quote, write_instead
from rules.i18n import N_, Translator, each_language
from rules.language import language_data, language_name

log = logging.getLogger(__name__)

DEFAULT_COOLDOWN = 30.0

# LanguageTool's category ids → our rule names; everything else is "grammar".
_RULE_NAMES = {
    "TYPOS": "spelling",
    "PUNCTUATION": "punctuation",
    "STYLE": "style",
    "TYPOGRAPHY": "style",
    "REDUNDANCY": "style",
    "REPETITIONS_STYLE": "style",
    "PLAIN_ENGLISH": "style",
}
# A missing comma or a typographic nicety should not by itself send a draft back ("revise").
_SEVERITIES: dict[str, Severity] = {
    "spelling": "warning", "grammar": "warning", "punctuation": "suggestion", "style": "suggestion",
}


class _RemoteLanguageTool(LanguageTool):
    """language_tool_python's client for a remote server, plus timeout, API key and raw JSON."""

    def __init__(self, url: str, *, timeout: float, username: str | None, api_key: str | None) -> None:
        self._TIMEOUT = timeout  # type: ignore[assignment]  # shadows the class's 300 s
        self._credentials = {"username": username, "apiKey": api_key} if username and api_key else {}
        self.supported: dict[str, str] = {}
        # "auto" is always valid; each check names its own language (see check_json).
        super().__init__("auto", remote_server=url)

    def _get_languages(self) -> set[str]:
        languages = super()._get_languages()
        self.supported = {code.lower(): code for code in languages if code}
        return languages

    def _create_params(self, text: str) -> dict[str, str]:
        return {**super()._create_params(text), **self._credentials}

    def code_for(self, lang: str, locale: str | None) -> str | None:
        """The server's code for our language, or None when it does not check it."""
        variant = (locale or "").replace("_", "-")
        data = language_data(lang)
        candidates = ((variant,) if variant.lower().startswith(f"{lang}-") else ()) + (
            data.languagetool if data else (lang,))
        return next((self.supported[c.lower()] for c in candidates if c.lower() in self.supported), None)

    def check_json(self, text: str, language: str) -> dict[str, Any]:
        """POST /v2/check once, with our timeout; the server's JSON answer."""
        params = {**self._create_params(text), "language": language}
        answer = self._query_server(urllib.parse.urljoin(self.url, "check"), params, num_tries=1, method="post")
        if not isinstance(answer, dict) or not isinstance(answer.get("matches"), list):
            raise LanguageToolError("the answer has no list of matches")
        return answer


class _CircuitBreaker:
    """Open for `cooldown` seconds after a failure; then the next call tries the server again."""

    def __init__(self, cooldown: float, clock: Callable[[], float]) -> None:
        self.cooldown = cooldown
        self._clock = clock
        self._open_until: float | None = None
        self._lock = threading.Lock()

    def remaining(self) -> float:
        """Seconds left before the server may be tried again (0 when it may be tried now)."""
        with self._lock:
            return 0.0 if self._open_until is None else max(0.0, self._open_until - self._clock())

    def failed(self) -> None:
        with self._lock:
            self._open_until = self._clock() + self.cooldown

    def succeeded(self) -> None:
        with self._lock:
            self._open_until = None


def server_base(url: str) -> str:
    """The server's base URL ending in '/', whether it was given with '/v2' or without."""
    base = url.strip().rstrip("/")
    if base.endswith("/v2"):
        base = base[: -len("/v2")]
    return base + "/"


def utf16_to_index(text: str) -> Callable[[int], int]:
    """A converter from UTF-16 offsets (LanguageTool's) to Python str indices into `text`."""
    if not text or max(text) <= "\uffff":
        return lambda offset: min(max(offset, 0), len(text))
    astral_starts, position = [], 0
    for ch in text:
        if ch > "\uffff":
            astral_starts.append(position)
            position += 2
        else:
            position += 1
    # Each astral character before an offset took two UTF-16 units but is one str index.
    return lambda offset: min(max(offset - bisect_left(astral_starts, offset), 0), len(text))


def _failure(exc: BaseException, timeout: float) -> Text:
    """What went wrong, in words for the user's note (no URLs, no server text)."""
    chain: list[BaseException] = []
    while exc is not None and exc not in chain:
        chain.append(exc)
        exc = exc.__cause__ or exc.__context__  # type: ignore[assignment]
    if any(isinstance(e, requests.Timeout) for e in chain):
        what = N_("LanguageTool did not answer within {seconds} s")
    elif any(isinstance(e, requests.ConnectionError) for e in chain):
        what = N_("LanguageTool could not be reached")
    elif any(isinstance(e, RateLimitError) for e in chain):
        what = N_("LanguageTool refused the request (rate limit)")
    else:
        what = N_("LanguageTool answered with an error")
    return each_language(lambda t: t.gettext(what, seconds=t.number(timeout, 0 if timeout == int(timeout) else 1)))


class LanguageToolChecker:
    """A LanguageTool server's findings, or `fallback`'s (Hunspell) when it cannot answer."""

    def __init__(self, url: str, *, fallback: GrammarChecker, api_key: str | None = None,
                 username: str | None = None, timeout: float = 2.0, cooldown: float = DEFAULT_COOLDOWN,
                 clock: Callable[[], float] = time.monotonic) -> None:
        if bool(api_key) != bool(username):
            raise ValueError("LanguageTool's API needs both a username and an API key (or neither)")
        self.url = server_base(url)
        self.timeout = timeout
        self._fallback = fallback
        self._username = username
        self._api_key = api_key
        self._client: _RemoteLanguageTool | None = None
        self._client_lock = threading.Lock()
        self._breaker = _CircuitBreaker(cooldown, clock)

    def _connect(self) -> _RemoteLanguageTool:
        """The client, created on first use (it asks the server for its languages)."""
        with self._client_lock:
            if self._client is None:
                self._client = _RemoteLanguageTool(self.url, timeout=self.timeout, username=self._username,
                                                   api_key=self._api_key)
            return self._client

    def check(self, text: str, *, field: str, lang: str, locale: str | None = None,
              ignore_words: frozenset[str] = frozenset()) -> GrammarResult:
        def offline(reason: Text) -> GrammarResult:
            result = self._fallback.check(text, field=field, lang=lang, locale=locale, ignore_words=ignore_words)
            used = (N_("offline spelling (Hunspell) used instead") if result.checker == "hunspell"
                    else N_("spelling not checked"))

            def said(t: Translator) -> str:
                note = t.gettext(N_("{reason}; {used}"), reason=localized(reason, t.lang), used=t.gettext(used))
                return note + (f". {localized(result.note, t.lang)}" if result.note else "")
            return GrammarResult(result.findings, result.checker, each_language(said))

        paused = self._breaker.remaining()
        if paused > 0:
            return offline(each_language(lambda t: t.gettext(
                N_("LanguageTool failed recently and is paused for another {seconds} s"), seconds=math.ceil(paused))))
        try:
            client = self._connect()
            code = client.code_for(lang, locale)
            if code is None:
                return offline(each_language(lambda t: t.gettext(
                    N_("The LanguageTool server does not check {language}"),
                    language=language_name(lang) if t.lang == "en" else t.language_name(lang))))
            answer = client.check_json(text, code)
            findings = _findings(answer["matches"], text, cast(Field, field), CheckableText(text, ignore_words))
        except (LanguageToolError, KeyError, TypeError, ValueError) as exc:
            self._breaker.failed()
            log.warning("LanguageTool failed (%s); offline spelling for the next %g s",
                        type(exc).__name__, self._breaker.cooldown)
            return offline(_failure(exc, self.timeout))
        self._breaker.succeeded()
        return GrammarResult(findings, "languagetool")


def _findings(matches: list[dict[str, Any]], text: str, field: Field, view: CheckableText) -> tuple[Finding, ...]:
    to_index = utf16_to_index(text)
    out = []
    for match in matches:
        start = to_index(int(match["offset"]))
        end = max(start, to_index(int(match["offset"]) + int(match["length"])))
        name = _RULE_NAMES.get(match["rule"]["category"]["id"], "grammar")
        if end == start:
            continue  # an empty span has nothing to quote or replace
        matched = text[start:end]
        # Spelling matches go through the same ignore rules as Hunspell's words; other matches
        # only skip URLs, addresses and the recipient's own words (a style rule on "rockstar"
        # stays, although "rockstar" is no spelling mistake).
        if view.in_protected(start, end) or view.is_recipient_word(matched) or (
                name == "spelling" and view.ignores(start, end)):
            continue
        lt_message = str(match.get("message") or match["rule"].get("description") or "").strip()
        # LanguageTool's own words are in the text's language; ours around them in the reader's.
        said = N_("{quote} looks misspelt (LanguageTool: {message})") if name == "spelling" else N_("{quote}: {message}")
        replacements = [str(r.get("value", "")) for r in match.get("replacements") or []]
        hint = match.get("shortMessage") or match["rule"].get("description")
        out.append(Finding.worded(
            f"grammar/{name}", _SEVERITIES[name],
            each_language(lambda t: t.gettext(said, quote=quote(matched, t), message=lt_message)),
            write_instead(matched, replacements, each_language(lambda t: t.gettext(
                N_("Rephrase {quote} ({hint})."), quote=quote(matched, t), hint=hint or t.gettext(N_("see the message"))))),
            field, (start, end),
        ))
    return tuple(out)
