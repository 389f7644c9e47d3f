"""How the process logs: `--log-format text` (a line for people) or `json` (one object per line
for a log shipper), both behind a filter that blanks anything shaped like a Slack token.

The code never logs a token or draft text at the default level; the filter is the second line of
defence for what it does not control (a library's message, an exception's text, a value passed
as an extra field), so a token that slips into a log record still never reaches the output.
"""
from __future__ import annotations

import argparse
import json
import logging
import re
from datetime import datetime, timezone
from typing import IO, Any

from bot.i18n import _

LOG_FORMATS = ("text", "json")
TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
# Bot, user, app-config and refresh tokens (xoxb-, xoxp-, xoxa-, xoxr-, xoxe-, xoxe.xoxb- when
# rotated), app-level tokens (xapp-); the rest of the token is letters, digits and dashes.
SLACK_TOKEN = re.compile(r"\b(?:xoxe\.)?(?:xox[abeprs]|xapp)-[A-Za-z0-9-]+")
REDACTED = "[redacted]"
# What a LogRecord has of its own; anything else on it came as `extra=` and goes into the JSON.
_RECORD_FIELDS = frozenset(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {"message", "asctime", "taskName"}


def redact(text: str) -> str:
    return SLACK_TOKEN.sub(REDACTED, text)


def _redacted(value: Any) -> Any:
    if isinstance(value, str):
        return redact(value)
    if isinstance(value, (int, float, bool)) or value is None:
        return value
    return redact(str(value))


class RedactTokens(logging.Filter):
    """Rewrites a record before any handler formats it: its message (arguments merged in), its
    exception text and its extra fields, with every token-shaped string replaced."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except (TypeError, ValueError):  # arguments that do not fit the format: shown as they came
            message = f"{record.msg} {record.args!r}"
        record.msg, record.args = redact(message), None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        record.exc_info = None  # formatted above; only the redacted text is shown
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        for name in set(vars(record)) - _RECORD_FIELDS:
            setattr(record, name, _redacted(getattr(record, name)))
        return True


class JsonFormatter(logging.Formatter):
    """`{"time", "level", "logger", "message", …extra fields, "exception"}` on one line."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, timezone.utc).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for name in sorted(set(vars(record)) - _RECORD_FIELDS):
            entry[name] = getattr(record, name)  # redacted by `RedactTokens`
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        if record.exc_text:
            entry["exception"] = record.exc_text
        if record.stack_info:
            entry["stack"] = record.stack_info
        return json.dumps(entry, ensure_ascii=False, default=str)


def add_log_format(parser: argparse.ArgumentParser, default: str) -> None:
    """`--log-format`: before any command (the CLI's), and after `serve`'s (with `SUPPRESS` there,
    so the one before is kept when it is not given again)."""
    parser.add_argument("--log-format", choices=LOG_FORMATS, default=default,
                        help=_("text (default) or json: one JSON object per line, for a log shipper"))


def handler(log_format: str = "text", stream: IO[str] | None = None) -> logging.Handler:
    """A handler writing to `stream` (stderr) in `log_format`, with tokens redacted."""
    made = logging.StreamHandler(stream)
    made.setFormatter(JsonFormatter() if log_format == "json" else logging.Formatter(TEXT_FORMAT))
    made.addFilter(RedactTokens())
    return made


# Libraries whose debug lines carry request bodies (a draft's text) or headers: never below INFO.
BODY_LOGGERS = ("slack_sdk", "slack_bolt", "urllib3", "websocket", "websockets", "waitress")


def configure(level: int | str, log_format: str = "text") -> None:
    """The root logger's handler (unless one is set already, as under pytest); debug (`-vv`) is
    our own modules' only, so no level logs a draft's text."""
    logging.basicConfig(level=level, handlers=[handler(log_format)])
    for name in BODY_LOGGERS:
        logging.getLogger(name).setLevel(max(logging.getLevelName(level) if isinstance(level, str) else level,
                                             logging.INFO))
