"""Reading drafts for `inmail-review check`: files, folders and stdin, in every documented format.

Each input yields an `Item`: a Draft, or the reason it could not be read. A bad file or a bad
line never stops the batch (PRODUCT.md §2): the caller reports it and goes on.
"""
from __future__ import annotations

import json
import sys
from dataclasses import dataclass, replace
from pathlib import Path
from typing import IO, Any, Iterator

import frontmatter
import yaml

from models.records import Draft, InputError, Recipient

EXTENSIONS = (".txt", ".md", ".json", ".jsonl")
# Slack allows 40,000 characters; a file far beyond that is not a draft (a log, a binary).
MAX_INPUT_BYTES = 1_000_000


@dataclass(frozen=True)
class Item:
    source: str  # "path", "path:line" or "-"
    draft: Draft | None = None
    id: str | None = None  # the draft's id even when the draft itself could not be read
    error: str | None = None
    warning: str | None = None


def load_recipient(path: str) -> Recipient:
    """A recipient profile from a JSON or YAML file."""
    text, _ = _read_text(Path(path))
    try:
        data = yaml.safe_load(text) if not path.endswith(".json") else json.loads(text)
    except (yaml.YAMLError, json.JSONDecodeError) as exc:
        raise InputError(f"{path}: not valid {'JSON' if path.endswith('.json') else 'YAML'}: {_first_line(exc)}") from None
    return Recipient.from_dict(data, where=path)


def _first_line(exc: Exception) -> str:
    return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__


def _read_text(path: Path) -> tuple[str, str | None]:
    """The file's text and a warning when it was not valid UTF-8 (bad bytes become U+FFFD)."""
    try:
        size = path.stat().st_size
        if size > MAX_INPUT_BYTES:
            raise InputError(f"{path}: {size:,} bytes is too large for a draft (limit {MAX_INPUT_BYTES:,})")
        raw = path.read_bytes()
    except FileNotFoundError:
        raise InputError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise InputError(f"{path}: is a folder") from None
    except OSError as exc:
        raise InputError(f"{path}: cannot read: {exc.strerror}") from None
    return _decode(raw, str(path))


def _decode(raw: bytes, name: str) -> tuple[str, str | None]:
    try:
        return raw.decode("utf-8-sig"), None
    except UnicodeDecodeError as exc:
        text = raw.decode("utf-8", errors="replace")
        return text, f"{name}: not valid UTF-8 (first bad byte at offset {exc.start}); unreadable bytes shown as �"


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
            stream = stdin if stdin is not None else sys.stdin.buffer
            text, warning = _decode(stream.read(MAX_INPUT_BYTES + 1)[:MAX_INPUT_BYTES], "stdin")
            yield from _parse(text, "-", _sniff(text), warning)
            continue
        try:
            text, warning = _read_text(Path(p))
        except InputError as exc:
            yield Item(p, error=str(exc))
            continue
        yield from _parse(text, p, Path(p).suffix.lower() or ".txt", warning)


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
    try:
        if kind == ".jsonl":
            yield from _jsonl(text, source, warning)
            return
        if kind == ".json":
            try:
                data = json.loads(text)
            except json.JSONDecodeError as exc:
                raise InputError(f"{source}: not valid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}") from None
            for n, obj in enumerate(data if isinstance(data, list) else [data], 1):
                draft = Draft.from_dict(obj, where=source if not isinstance(data, list) else f"{source}[{n}]")
                yield Item(source, replace(draft, id=draft.id or stem), warning=warning)
            return
        if kind == ".md":
            yield Item(source, _markdown(text, source, stem), warning=warning)
            return
        yield Item(source, Draft.from_text(text, id=stem), warning=warning)
    except InputError as exc:
        yield Item(source, error=str(exc), warning=warning)


def _jsonl(text: str, source: str, warning: str | None) -> Iterator[Item]:
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        where = f"{source}:{number}"
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            yield Item(where, error=f"{where}: not valid JSON: {exc.msg} at column {exc.colno}", warning=warning)
            continue
        try:
            yield Item(where, Draft.from_dict(obj, where=where), warning=warning)
        except InputError as exc:
            item_id = obj.get("id") if isinstance(obj, dict) else None
            yield Item(where, id=None if item_id is None else str(item_id), error=str(exc))
        warning = None  # say it once per file


def _markdown(text: str, source: str, stem: str | None) -> Draft:
    try:
        post = frontmatter.loads(text)
    except yaml.YAMLError as exc:
        raise InputError(f"{source}: front matter is not valid YAML: {_first_line(exc)}") from None
    meta: dict[str, Any] = dict(post.metadata)
    unknown = set(meta) - {"id", "subject", "lang", "category", "recipient", "bulk"}
    if unknown:
        raise InputError(f"{source}: unknown front matter key(s): {', '.join(sorted(unknown))}")
    recipient = meta.get("recipient")
    if isinstance(recipient, str):  # a path to a profile file, relative to the draft
        meta["recipient"] = load_recipient(str(Path(source).parent / recipient)).to_dict()
    meta["body"] = post.content
    meta.setdefault("id", stem)
    return Draft.from_dict(meta, where=source)
