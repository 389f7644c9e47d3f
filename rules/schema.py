"""JSON-Schema fragments shared by the pack loader and the checks that declare their keys."""
from __future__ import annotations

from typing import Any

from models.records import SEVERITIES

STR: dict[str, Any] = {"type": "string", "minLength": 1}
# A text a person reads (a rule's message, why, suggestion): one string for every interface
# language, or one per language ({en: …, nb: …, it: …}; a team may write only its own).
TEXT: dict[str, Any] = {
    "oneOf": [STR, {"type": "object", "minProperties": 1, "propertyNames": {"pattern": "^[a-z]{2,3}$"},
                    "additionalProperties": STR}]
}
STRS: dict[str, Any] = {"type": "array", "items": STR}
LEVEL: dict[str, Any] = {"enum": list(SEVERITIES)}
NUMBER: dict[str, Any] = {"type": "number"}
SHARE: dict[str, Any] = {"type": "number", "minimum": 0, "maximum": 1}
PHRASE: dict[str, Any] = {
    "oneOf": [
        STR,
        {
            "type": "object",
            "properties": {"phrase": STR, "except": STRS},
            "required": ["phrase"],
            "additionalProperties": False,
        },
    ]
}
# The options every phrase-matching check takes.
MATCH_KEYS: dict[str, Any] = {
    "exceptions": STRS,
    "inflections": {"type": "boolean"},
    "ignorecase": {"type": "boolean"},
    "max_findings": {"type": "integer", "minimum": 1},
}


class PackError(ValueError):
    """A pack or team setting that cannot be used; the message names file and line. Defined
    here, in a light module, so that `rules.language` can raise it for a broken `language.yml`
    without loading the pack loader (`rules.packs` re-exports it)."""
