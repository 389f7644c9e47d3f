"""The generic checks, one registry of check kinds (see `base.check`). Each kind takes
(rule, analysis) and yields findings; the rule's YAML data says what to look for."""
from __future__ import annotations

from rules.checks import asks, history, language, limits, phrases, recipient, template, wording  # noqa: F401
from rules.checks.base import REGISTRY as CHECKS, CheckKind

__all__ = ["CHECKS", "CheckKind"]
