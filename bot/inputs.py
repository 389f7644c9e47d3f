"""Reading drafts for `inmail-review check`: files, folders and stdin, in every documented format.

Each input yields an `Item`: a Draft, or the reason it could not be read. A bad file or a bad
line never stops the batch (PRODUCT.md §2): the caller reports it and goes on — whatever a
file holds (JSON nested a million deep, a line of 50 MB), it is that input's error.

The size limit is per draft, not per file: `.jsonl` files and JSON lines on stdin are read
line by line, each line up to `MAX_INPUT_BYTES`, so a batch of any length is reviewed in full
in bounded memory. Any other input over the limit is refused whole, with a message (stdin is
never cut short in silence).

An item's error and warning are in the current reader's language (`check` reads inside
`reading()`); an `InputError` raised here or by `models` is English as text and `said()` in it.
"""
from __future__ import annotations

import io
import json
import re
import sys
from dataclasses import dataclass, replace
from pathlib import Path
from typing import IO, Any, Iterable, Iterator

import yaml

from bot.i18n import _, current
from models.records import Draft, DraftSequence, InputError, Recipient
from models.wording import N_

EXTENSIONS = (".txt", ".md", ".json", ".jsonl")
# Slack allows 40,000 characters; a draft far beyond that is not a draft (a log, a binary).
MAX_INPUT_BYTES = 1_000_000
CHUNK = 65_536
# What a file can hold that makes a parser give up (json's recursion on deep nesting, a YAML
# tag it cannot build): that input's error, never the batch's.
UNREADABLE = (InputError, RecursionError, ValueError, TypeError)
# What Python's json module says is wrong (`JSONDecodeError.msg`), in the reader's language; its
# position ("at column 5") follows in our words. One it may add later is shown as it is.
_JSON_PROBLEMS = (
    N_("Expecting value"), N_("Expecting property name enclosed in double quotes"), N_("Expecting ':' delimiter"),
    N_("Expecting ',' delimiter"), N_("Unterminated string starting at"), N_("Invalid control character at"),
    N_("Invalid \\escape"), N_("Invalid \\uXXXX escape"), N_("Extra data"),
)


@dataclass(frozen=True)
class Item:
    source: str  # "path", "path:line" or "-"
    draft: Draft | None = None
    sequence: DraftSequence | None = None  # a planned sequence instead of one draft
    id: str | None = None  # the draft's id even when the draft itself could not be read
    error: str | None = None
    warning: str | None = None
    step_of: "Item | None" = None  # a step of this sequence item (`steps()`), the `step`-th
    step: int = 0


def steps(items: Iterable[Item]) -> Iterator[Item]:
    """The items with each sequence replaced by its steps, in order, each knowing its sequence."""
    for item in items:
        if item.sequence is None:
            yield item
            continue
        base = item.sequence.id or Path(item.source).stem
        for n, step in enumerate(item.sequence.steps, 1):
            yield Item(f"{item.source}#{n}", replace(step, id=step.id or f"{base}#{n}"), warning=item.warning if n == 1
                       else None, step_of=item, step=n)

def load_recipient(path: str) -> Recipient:
    """A recipient profile from a JSON or YAML file."""
    text, _warning = _read_text(Path(path))
    try:
        data = yaml.safe_load(text) if not path.endswith(".json") else json.loads(text)
    except (yaml.YAMLError, json.JSONDecodeError) as exc:
        raise InputError(N_("{path}: not valid {format}: {problem}"), path=path,
                         format="JSON" if path.endswith(".json") else "YAML", problem=_first_line(exc)) from None
    return Recipient.from_dict(data, where=path)


def said(error: Exception) -> str:
    """An input's error in the current reader's language (Python's own messages as they are)."""
    return error.said(current()) if isinstance(error, InputError) else str(error)


def _json_problem(exc: json.JSONDecodeError) -> str:
    return _(exc.msg) if exc.msg in _JSON_PROBLEMS else exc.msg


def _first_line(exc: Exception) -> str:
    return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__


def _read_text(path: Path) -> tuple[str, str | None]:
    """The file's text and a warning when it was not valid UTF-8 (bad bytes become U+FFFD)."""
    try:
        size = path.stat().st_size
        if size > MAX_INPUT_BYTES:
            raise InputError(N_("{path}: {size} bytes is too large for a draft (limit {limit})"), path=path, size=size,
                             limit=MAX_INPUT_BYTES)
        raw = path.read_bytes()
    except FileNotFoundError:
        raise InputError(N_("{path}: no such file"), path=path) from None
    except IsADirectoryError:
        raise InputError(N_("{path}: is a folder"), path=path) from None
    except OSError as exc:
        raise InputError(N_("{path}: cannot read: {reason}"), path=path, reason=exc.strerror) from None
    return _decode(raw, str(path))


def _decode(raw: bytes, name: str) -> tuple[str, str | None]:
    try:
        return raw.decode("utf-8-sig"), None
    except UnicodeDecodeError as exc:
        text = raw.decode("utf-8", errors="replace")
        return text, _("{path}: not valid UTF-8 (first bad byte at offset {offset}); unreadable bytes shown as �",
                       path=name, offset=exc.start)


def expand(paths: list[str]) -> Iterator[str]:
    """Paths as given, folders replaced by the draft files inside them (sorted, recursive)."""
    for p in paths:
        path = Path(p)
        if p != "-" and path.is_dir():
            yield from sorted(str(f) for f in path.rglob("*") if f.suffix in EXTENSIONS and f.is_file())
        else:
            yield p


def read(paths: list[str], stdin: IO[bytes] | None = None) -> Iterator[Item]:
    for p in expand(paths or ["-"]):
        if p == "-":
            yield from _stdin(stdin if stdin is not None else sys.stdin.buffer)
            continue
        if Path(p).suffix.lower() == ".jsonl":
            try:
                with Path(p).open("rb") as stream:
                    yield from _jsonl(_lines(stream), p)
            except OSError as exc:
                yield Item(p, error=_("{path}: no such file", path=p) if isinstance(exc, FileNotFoundError)
                           else f"{p}: {exc.strerror}")
            continue
        try:
            text, warning = _read_text(Path(p))
        except InputError as exc:
            yield Item(p, error=said(exc))
            continue
        yield from _parse(text, p, Path(p).suffix.lower() or ".txt", warning)


def _stdin(stream: IO[bytes]) -> Iterator[Item]:
    """Up to the limit, stdin is sniffed and read like a file; past it, JSON lines are streamed
    line by line and anything else is refused with a message."""
    head = stream.read(MAX_INPUT_BYTES + 1)
    if len(head) <= MAX_INPUT_BYTES:
        text, warning = _decode(head, "stdin")
        yield from _parse(text, "-", _sniff(text), warning)
    elif head.lstrip().startswith(b"{"):
        yield from _jsonl(_lines(io.BufferedReader(_Chained(head, stream))), "-")
    else:
        yield Item("-", error=_("stdin: more than {limit} bytes is too large for a draft (one JSON object per line is "
                                "read line by line, with no limit on lines)", limit=current().number(MAX_INPUT_BYTES)))


class _Chained(io.RawIOBase):
    """The bytes already read, then the rest of the stream."""

    def __init__(self, head: bytes, rest: IO[bytes]) -> None:
        self.head, self.rest = head, rest

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        data = self.head[:len(buffer)] if self.head else self.rest.read(len(buffer))
        self.head = self.head[len(data):] if self.head else b""
        buffer[:len(data)] = data
        return len(data)


def _lines(stream: IO[bytes]) -> Iterator[bytes | None]:
    """Each line's bytes, or None for a line over `MAX_INPUT_BYTES` (skipped without holding it)."""
    while True:
        line = stream.readline(MAX_INPUT_BYTES + 1)
        if not line:
            return
        if len(line) > MAX_INPUT_BYTES and not line.endswith(b"\n"):
            while (rest := stream.readline(CHUNK)) and not rest.endswith(b"\n"):
                pass
            yield None
            continue
        yield line


def _sniff(text: str) -> str:
    """stdin has no file name: a JSON object or JSON lines if it looks like one, else text."""
    stripped = text.lstrip()
    if not stripped.startswith("{"):
        return ".md" if stripped.startswith("---") else ".txt"
    try:
        json.loads(stripped)
        return ".json"
    except json.JSONDecodeError:
        return ".jsonl"


def _parse(text: str, source: str, kind: str, warning: str | None) -> Iterator[Item]:
    stem = Path(source).stem if source != "-" else None
    if kind == ".jsonl":
        yield from _jsonl((line.encode("utf-8") for line in text.splitlines(keepends=True)), source, warning)
        return
    try:
        if kind == ".json":
            try:
                data = json.loads(text)
            except json.JSONDecodeError as exc:
                raise InputError(N_("{path}: not valid JSON: {problem} at line {line} column {column}"), path=source,
                                 problem=_json_problem(exc), line=str(exc.lineno), column=str(exc.colno)) from None
            for n, obj in enumerate(data if isinstance(data, list) else [data], 1):
                where = source if not isinstance(data, list) else f"{source}[{n}]"
                if isinstance(obj, dict) and "steps" in obj:
                    sequence = DraftSequence.from_dict(obj, where=where)
                    yield Item(source, sequence=replace(sequence, id=sequence.id or stem), warning=warning)
                    continue
                draft = Draft.from_dict(obj, where=where)
                yield Item(source, replace(draft, id=draft.id or stem), warning=warning)
            return
        if kind == ".md":
            found = _markdown(text, source, stem)
            if isinstance(found, DraftSequence):
                yield Item(source, sequence=found, warning=warning)
            else:
                yield Item(source, found, warning=warning)
            return
        yield Item(source, Draft.from_text(text, id=stem), warning=warning)
    except RecursionError:
        yield Item(source, error=_("{path}: nested too deeply to be a draft", path=source), warning=warning)
    except UNREADABLE as exc:
        yield Item(source, error=said(exc) if isinstance(exc, InputError)
                   else _("{path}: cannot read: {reason}", path=source, reason=exc), warning=warning)


def _jsonl(lines: Iterable[bytes | None], source: str, warning: str | None = None) -> Iterator[Item]:
    """One draft per line; a bad line (not JSON, too long, too deep, invalid UTF-8) is that line's error."""
    warned = warning is not None
    for number, raw in enumerate(lines, 1):
        where = f"{source}:{number}"
        if raw is None:
            yield Item(where, error=_("{path}: over {limit} bytes is too large for a draft", path=where,
                                      limit=current().number(MAX_INPUT_BYTES)))
            continue
        line, bad = _decode(raw, where)
        if bad and not warned:
            warning, warned = bad, True
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            yield Item(where, error=_("{path}: not valid JSON: {problem} at column {column}", path=where,
                                      problem=_json_problem(exc), column=exc.colno), warning=warning)
            warning = None
            continue
        except RecursionError:
            yield Item(where, error=_("{path}: nested too deeply to be a draft", path=where), warning=warning)
            warning = None
            continue
        try:
            yield Item(where, Draft.from_dict(obj, where=where), warning=warning)
        except UNREADABLE as exc:
            item_id = obj.get("id") if isinstance(obj, dict) else None
            yield Item(where, id=None if item_id is None else str(item_id), error=said(exc))
        warning = None  # say it once per file


_STEP_BREAK = re.compile(r"^-{3,}\s*$", re.M)


def _markdown(text: str, source: str, stem: str | None) -> Draft | DraftSequence:
    """A draft, or a sequence when the body has `---` lines between steps (front matter
    `after_days: [3, 7]` gives the days before each follow-up; a step may start `Subject: …`)."""
    import frontmatter  # here, not at the top: it imports TOML's parser too (~10 ms of every start)

    try:
        post = frontmatter.loads(text)
    except yaml.YAMLError as exc:
        raise InputError(N_("{path}: front matter is not valid YAML: {problem}"), path=source,
                         problem=_first_line(exc)) from None
    meta: dict[str, Any] = dict(post.metadata)
    unknown = set(meta) - {"id", "subject", "lang", "category", "recipient", "bulk", "after_days"}
    if unknown:
        raise InputError(N_("{path}: unknown front matter key(s): {keys}"), path=source, keys=", ".join(sorted(unknown)))
    recipient = meta.get("recipient")
    if isinstance(recipient, str):  # a path to a profile file, relative to the draft
        meta["recipient"] = load_recipient(str(Path(source).parent / recipient)).to_dict()
    meta.setdefault("id", stem)
    parts = [part.strip("\n") for part in _STEP_BREAK.split(post.content)]
    after = meta.pop("after_days", None)
    if len(parts) == 1 and after is None:
        return Draft.from_dict(meta | {"body": post.content}, where=source)
    if after is not None and (not isinstance(after, list) or len(after) != len(parts) - 1):
        raise InputError(N_("{path}: 'after_days' must list the days before each of the {count} follow-ups"),
                         path=source, count=len(parts) - 1)
    steps = []
    for n, part in enumerate(parts):
        step = Draft.from_text(part)
        steps.append({"body": step.body, "subject": step.subject or (meta.get("subject") if n == 0 else None),
                      "after_days": after[n - 1] if after and n else None})
    shared = {k: v for k, v in meta.items() if k != "subject"}
    return DraftSequence.from_dict(shared | {"steps": steps}, where=source)
