"""`/inmail log …` read as a recruiter types it: parts in any order (`sent 40`, `40 sent`,
`replied 6`, `accepted 4 declined 2`, `bulk`), numbers with thousands separators ("1,000",
"1 000", "1.000"). Without `sent` the replies answer sends recorded earlier.

Pure: the listener checks the text in its ack and queues what this returns; what it tells the
user is in the current reader's language.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from bot.i18n import _, current, ngettext
from rules.i18n import N_

LOG_MAX = 1_000_000
# Translators: keep the command and its keywords (sent, replied, accepted, declined, bulk) as they are.
USAGE = N_("Usage: `/inmail log sent N [replied M | accepted A declined D] [bulk]`, e.g. "
           "`/inmail log sent 40 replied 6 bulk`; replies to earlier sends: `/inmail log replied 30` or "
           "`/inmail log accepted 20 declined 10`.")
# A group of three digits after a comma, dot, space or narrow no-break space is a thousands group.
_NUMBER = r"\d{1,3}(?:[,. \u00a0\u202f]\d{3})+(?!\d)|\d+"
_WORD = r"sent|replied|replies|accepted|declined"
_PART = re.compile(rf"\s*(?:(?P<w1>{_WORD})\s+(?P<n1>{_NUMBER})|(?P<n2>{_NUMBER})\s+(?P<w2>{_WORD})|(?P<bulk>bulk))"
                   r"(?=\s|$)", re.IGNORECASE)


@dataclass(frozen=True)
class LogFigures:
    """What one `/inmail log` records: a send with its replies (`sent` ≥ 1), or replies only (`sent` 0)."""

    sent: int
    replied: int
    accepted: int
    declined: int
    bulk: bool


def _number(text: str) -> int:
    return int(re.sub(r"\D", "", text))


def parse_log(text: str) -> LogFigures | str:
    """The figures of `log …` (the text after the word "log"), or what to tell the user."""
    parts: dict[str, int] = {}
    bulk, pos, rest = False, 0, text.rstrip()
    while pos < len(rest):
        match = _PART.match(rest, pos)
        if match is None:
            return _(USAGE)
        pos = match.end()
        if match["bulk"]:
            if bulk:
                return _(USAGE)
            bulk = True
            continue
        word = (match["w1"] or match["w2"]).lower().replace("replies", "replied")
        if word in parts:
            return _(USAGE)
        parts[word] = _number(match["n1"] or match["n2"])
    if not parts or (bulk and "sent" not in parts) or any(n > LOG_MAX for n in parts.values()):
        return _(USAGE)
    sent, accepted, declined = parts.get("sent", 0), parts.get("accepted", 0), parts.get("declined", 0)
    replied = parts.get("replied", accepted + declined)
    if "sent" in parts and sent < 1:
        return _(USAGE)
    if accepted + declined > replied:
        return ngettext("{accepted} accepted and {declined} declined are more than {count} reply.",
                        "{accepted} accepted and {declined} declined are more than {count} replies.", replied,
                        accepted=current().number(accepted), declined=current().number(declined))
    if sent and replied > sent:
        return _("{replies} to {sends}? Replies cannot exceed sends.",
                 replies=ngettext("{count} reply", "{count} replies", replied),
                 sends=ngettext("{count} InMail", "{count} InMails", sent))
    if not sent and replied < 1:
        return _(USAGE)
    return LogFigures(sent, replied, accepted, declined, bulk)
