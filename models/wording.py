"""The words a user reads: counted nouns ("1 reply", never "1 replies") and texts written in
several interface languages."""
from __future__ import annotations

from collections.abc import Mapping
from typing import Union

# A text a person reads: one string for every interface language, or one per language
# ({"en": …, "nb": …, "it": …}; a team's own rule may give only its own language).
Text = Union[str, Mapping[str, str]]
SOURCE_LANGUAGE = "en"


def N_(message: str) -> str:
    """Marks a message for extraction where it is translated later (a table of labels, an
    `InputError`'s message id): the one marker every package uses."""
    return message


def plural(count: int, one: str, many: str) -> str:
    """`count` with thousands separators and the noun that agrees with it."""
    return f"{count:,} {one if count == 1 else many}"


class Said(str):
    """A text the engine wrote in every interface language that is its English self wherever a
    plain string is expected (a note stored, compared in a test, put into a log line), and its
    other versions for a reader of another language (`localized`)."""

    texts: dict[str, str]

    def __new__(cls, texts: Mapping[str, str]) -> "Said":
        said = super().__new__(cls, texts.get(SOURCE_LANGUAGE) or next(iter(texts.values())))
        said.texts = dict(texts)
        return said

    def __reduce__(self) -> tuple[type, tuple[dict[str, str]]]:
        return Said, (self.texts,)


def _versions(text: object) -> Mapping[str, str] | None:
    if isinstance(text, Said):
        return text.texts
    return None if isinstance(text, str) or not isinstance(text, Mapping) else text


def localized(text: Text, lang: str | None = SOURCE_LANGUAGE) -> str:
    """`text` in interface language `lang`: its own version, else English, else the one it has."""
    versions = _versions(text)
    if versions is None:
        return text  # type: ignore[return-value]
    return versions.get(lang or SOURCE_LANGUAGE) or versions.get(SOURCE_LANGUAGE) or next(iter(versions.values()))


def is_worded(value: object) -> bool:
    """Whether `value` is a text with versions per interface language."""
    return _versions(value) is not None


def values_in(values: Mapping[str, object], lang: str | None) -> dict[str, object]:
    """Format values for a text in `lang`: those written per language given in it, the rest as they are."""
    return {k: localized(v, lang) if is_worded(v) else v for k, v in values.items()}  # type: ignore[arg-type]


def languages_of(*texts: object) -> tuple[str, ...]:
    """The interface languages other than English that any of `texts` (other values ignored) is
    written in."""
    found = {lang for t in texts if (versions := _versions(t)) for lang in versions}
    return tuple(sorted(found - {SOURCE_LANGUAGE}))
