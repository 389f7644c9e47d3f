"""Templates against outcomes: the team's drafts grouped by the near-duplicate fingerprints the
engine already keeps ("the same text to 340 people"), each group with its first line (masked as
in the fingerprint), how many recipients, by whom, its response rate and its usual findings.

Two drafts are one template when `rules.similarity` finds one a near-copy of the other for
another recipient; groups are the connected parts of that relation, so a template edited a
little at a time stays one. A group's response rate counts its settled sends only (the response
window closed), as `models/effects.py` does. The first line comes from the earliest draft whose
text is still kept; past retention the group is shown without one.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bot.i18n import _, current, ngettext
from bot.tips import title
from models.store import Store

FIRST_LINE_MAX = 80
MIN_COPIES = 2
USUAL = 0.5  # a finding in at least half of a template's drafts is the template's


@dataclass(frozen=True)
class Template:
    first_line: str | None
    drafts: int
    recipients: int
    recruiters: tuple[str, ...]
    sent: int
    responses: int
    findings: tuple[str, ...]  # rule ids in at least half of its drafts

    @property
    def rate(self) -> float | None:
        return self.responses / self.sent if self.sent else None

    def to_dict(self) -> dict[str, Any]:
        return {"first_line": self.first_line, "drafts": self.drafts, "recipients": self.recipients,
                "recruiters": list(self.recruiters), "sent": self.sent, "responses": self.responses,
                "rate": self.rate, "findings": list(self.findings)}


def _root(parent: dict[str, str], key: str) -> str:
    while parent[key] != key:
        parent[key] = parent[parent[key]]
        key = parent[key]
    return key


def _first_line(text: str | None) -> str | None:
    from rules.similarity import mask_personal

    line = next((line for line in (text or "").splitlines() if line.strip()), None)
    if line is None:
        return None
    masked = mask_personal(line)
    return masked if len(masked) <= FIRST_LINE_MAX else masked[: FIRST_LINE_MAX - 1] + "…"


def templates(store: Store, team_id: str, since: float, settled_before: float, limit: int = 20) -> list[Template]:
    """The team's templates used for two or more recipients, the most sent first."""
    from rules.similarity import Fingerprint, TemplateIndex  # numpy and the review's masking: only when asked

    rows = store.template_drafts(team_id, since)
    index = TemplateIndex()
    parent: dict[str, str] = {}
    for row in rows:
        try:
            fingerprint = Fingerprint.from_bytes(row["fingerprint"])
        except ValueError:
            continue
        parent[row["id"]] = row["id"]
        for match in index.query(fingerprint, recipient=row["recipient_key"], author=row["user_id"],
                                 now=row["created_at"]):  # the author revising one draft is no copy
            parent[_root(parent, match.key)] = _root(parent, row["id"])
        index.add(row["id"], fingerprint, recipient=row["recipient_key"], at=row["created_at"], author=row["user_id"])
    groups: dict[str, list[dict[str, Any]]] = {}
    for row in rows:
        if row["id"] in parent:
            groups.setdefault(_root(parent, row["id"]), []).append(row)
    found = [_template(members, settled_before) for members in groups.values() if len(members) >= MIN_COPIES]
    return sorted(found, key=lambda t: (-t.sent, -t.drafts, t.first_line or ""))[:limit]


def _template(members: list[dict[str, Any]], settled_before: float) -> Template:
    settled = [m for m in members if m["sent"] and m["at"] < settled_before]
    counts: dict[str, int] = {}
    for member in members:
        for trait in (member["traits"] or "").split("\n"):
            if trait.startswith("rule:"):
                counts[trait[5:]] = counts.get(trait[5:], 0) + 1
    return Template(
        first_line=next((line for m in members if (line := _first_line(m["text"]))), None),
        drafts=len(members),
        recipients=len({m["recipient_key"] or m["id"] for m in members}),  # an unknown recipient is a new one
        recruiters=tuple(sorted({m["user_id"] for m in members})),
        sent=sum(m["sent"] for m in settled), responses=sum(m["replied"] for m in settled),
        findings=tuple(sorted(rule for rule, n in counts.items() if n >= USUAL * len(members))))


def sentence(template: Template) -> str:
    """ "'spennende mulighet…' went to 340 people from 3 recruiters; 3% replied (340 sends)…", in the
    current reader's language (the first line is the draft's own words, as it was written)."""
    opening = (_("“{line}”", line=template.first_line) if template.first_line
               else _("A template whose text is past retention"))
    rate = (ngettext("{rate} replied ({count} settled send)", "{rate} replied ({count} settled sends)", template.sent,
                     rate=current().percent(template.rate))
            if template.rate is not None else _("no settled sends yet"))
    text = _("{template} went to {people} from {recruiters}; {outcome}", template=opening,
             people=ngettext("{count} person", "{count} people", template.recipients),
             recruiters=ngettext("{count} recruiter", "{count} recruiters", len(template.recruiters)), outcome=rate)
    if not template.findings:
        return text
    return _("{sentence}; usually: {findings}", sentence=text,
             findings=", ".join(title(rule) for rule in template.findings))
