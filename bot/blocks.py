"""Block Kit rendering: Jinja2 templates in `bot/templates/` rendered to JSON, then parsed.

Escaping is the environment's job, not each template's: every `{{ value }}` goes through
`finalize`, which escapes it for Slack mrkdwn (`&`, `<`, `>` become entities so
`<!channel>` or `<@U123>` in a draft cannot ping anyone, and a formatting marker at a word's
edge becomes a look-alike so a draft cannot bold or strike our answer) and then for JSON (so
a `"` cannot end the string). Filters that escape themselves return `Raw`: `plain(n)` for
plain_text fields (JSON only; Slack does not parse them), `clip(n)` for mrkdwn with a length
budget counted *after* escaping, `json` for whole JSON values.

Limits are kept by construction: each text is clipped to a budget that keeps its block under
Slack's limit, and a review shows at most `TOP_PER_SEVERITY` findings per severity, the rest
summarised as "…and K more", so any review fits in `MESSAGE_BLOCKS_MAX` blocks.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import datetime, timezone
from functools import lru_cache
from typing import Any, Iterable, Mapping
from zoneinfo import ZoneInfo

from jinja2 import Environment, PackageLoader, StrictUndefined
from markupsafe import Markup

from models.outreach import PeriodFigures, TeamSettings, UserFigures
from models.policy import NORMAL, WARNED, PolicyConfig, response_rate
from bot import dismiss
from bot.tips import title as rule_title
from models.records import CATEGORIES, FAMILIES, SEVERITIES, Finding, Review, SequenceReview
from models.wording import plural

MESSAGE_BLOCKS_MAX = 50
TOP_PER_SEVERITY = 8
NOTES_MAX = 5
SUBJECT_MAX = 200  # LinkedIn's InMail subject limit
BODY_MAX = 3000  # Slack's plain_text_input limit; LinkedIn's body limit (1,900) is a review finding
MODAL_CALLBACK_ID = "inmail_draft"

_ENTITIES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;"})
_LOOK_ALIKE = {"*": "\u2217", "_": "\u02cd", "~": "\u223c", "`": "\u02cb"}
# Slack formats with `*_~` only at a word's edge, so inside a word (`first_name`, `LANGUAGETOOL_URL`)
# they are left as they are, copyable and searchable; a backtick starts code anywhere.
_FORMATTING = re.compile(r"(?<![^\W_])[*_~]|[*_~](?![^\W_])|`")
_VERDICT = {"ready": ("✅", "Ready to send"), "revise": ("✏️", "Revise before sending"), "blocked": ("⛔", "Do not send")}
_SEVERITY = {"error": ("🔴", "Errors", "error"), "warning": ("🟠", "Warnings", "warning"),
             "suggestion": ("🔵", "Suggestions", "suggestion")}


class Raw(Markup):
    """Text a filter has already escaped; `finalize` passes it through unchanged.

    It is a `Markup` so that macro output (which Jinja returns as `Markup` under autoescape) is
    recognised as already escaped too, and Jinja's HTML autoescape leaves all of it alone.
    """


def escape_mrkdwn(text: str) -> str:
    """Text made inert for Slack mrkdwn: no mentions, links or formatting can come out of it.
    Entities show as the characters they stand for; only a marker that could format becomes a
    look-alike. Text quoted from drafts and rules goes in rich_text instead, shown as it is."""
    return _FORMATTING.sub(lambda marker: _LOOK_ALIKE[marker[0]], text).translate(_ENTITIES)


def _json_inner(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)[1:-1]


def _clip_escaped(escaped: str, limit: int) -> str:
    """Cuts already-escaped text to `limit` characters without splitting an `&amp;`-style entity."""
    if len(escaped) <= limit:
        return escaped
    cut = escaped[: limit - 1]
    amp = cut.rfind("&")
    if amp != -1 and ";" not in cut[amp:]:
        cut = cut[:amp]
    return cut + "…"


def _finalize(value: Any) -> Markup:
    if isinstance(value, Markup):
        return value
    if isinstance(value, bool) or value is None:
        raise TypeError(f"refusing to interpolate {value!r} into a template; use the json filter")
    return Raw(_json_inner(escape_mrkdwn(str(value))))


def _clip(value: Any, limit: int) -> Raw:
    return Raw(_json_inner(_clip_escaped(escape_mrkdwn(str(value)), limit)))


def _plain(value: Any, limit: int | None = None) -> Raw:
    text = str(value)
    if limit is not None and len(text) > limit:
        text = text[: limit - 1] + "…"
    return Raw(_json_inner(text))


def _json(value: Any) -> Raw:
    return Raw(json.dumps(value, ensure_ascii=False))


_SLACK_ID = re.compile(r"[UW][A-Z0-9]{1,20}")
_SLACK_CHANNEL = re.compile(r"[CGD][A-Z0-9]{1,20}")


def _mention(user_id: str) -> Raw:
    """`<@U123>` for a Slack user id; anything else is shown escaped, never as markup."""
    if _SLACK_ID.fullmatch(user_id):
        return Raw(f"<@{user_id}>")
    return Raw(_json_inner(escape_mrkdwn(user_id)))


@lru_cache(maxsize=1)
def environment() -> Environment:
    env = Environment(loader=PackageLoader("bot", "templates"), autoescape=True, finalize=_finalize,
                      undefined=StrictUndefined, keep_trailing_newline=False)
    env.filters.update(clip=_clip, plain=_plain, json=_json, mention=_mention)
    return env


def render(template: str, **context: Any) -> dict[str, Any]:
    """Renders `template` and parses it: a template that produces invalid JSON fails here, loudly."""
    return json.loads(environment().get_template(template).render(**context))


def category_label(category: str) -> str:
    return category.replace("_", " ")


# --- review messages -----------------------------------------------------------------------------
@dataclass(frozen=True)
class _Item:
    icon: str
    message: str
    quote: str
    suggestion: str


@dataclass(frozen=True)
class _Group:
    title: str
    items: list[_Item]
    more: str  # "…and 3 more warnings", or ""
    dismiss: list[tuple[str, str]]  # the "Not applicable here" menu: (label, token) per finding shown


DISMISS_ACTION = "dismiss_finding"  # bot/listeners/team_rules.py


def _dismiss_label(review: Review, finding: Finding) -> str:
    quote = dismiss.quote_of(review, finding)
    return f"“{quote}” · {rule_title(finding.rule)}" if quote else rule_title(finding.rule)


def _groups(review: Review) -> list[_Group]:
    """Findings by severity, worst first, the first `TOP_PER_SEVERITY` of each in full; each
    group's menu names its findings shown that can be dismissed (one entry per rule and quote)."""
    groups = []
    for severity in reversed(SEVERITIES):
        findings = [f for f in review.findings if f.severity == severity]
        if not findings:
            continue
        icon, title, noun = _SEVERITY[severity]
        shown = findings[:TOP_PER_SEVERITY]
        items = [_Item(icon, f.message, " ".join(review.quote(f).split()), f.suggestion) for f in shown]
        menu: dict[str, str] = {}
        for f in shown:
            if dismiss.dismissable(f):
                menu.setdefault(dismiss.token(review, f), _dismiss_label(review, f))
        more = len(findings) - len(items)
        groups.append(_Group(f"{title} ({len(findings)})", items,
                             f"…and {plural(more, 'more ' + noun, 'more ' + noun + 's')}" if more else "",
                             [(label, key) for key, label in menu.items()]))
    return groups


def _facts(review: Review) -> str:
    m = review.metrics
    category = category_label(review.category) if review.category else "no clear category"
    reason = f" ({review.category_reason})" if review.category_reason and review.category else ""
    return (f"Language: {review.language} · Category: {category}{reason} · "
            f"{plural(m.body_chars, 'character', 'characters')}, {plural(m.words, 'word', 'words')} · personalization {m.personalization:.2f}, genericness {m.genericness:.2f}")


def review_message(review: Review, *, draft_key: str | None = None) -> dict[str, Any]:
    """`{"text": fallback, "blocks": [...]}` for a review; with `draft_key`, the three buttons too."""
    icon, verdict = _VERDICT[review.verdict]
    counts = review.counts()
    fallback = f"{verdict}: score {review.score}/100, " + ", ".join(
        plural(counts[s], s, s + "s") for s in reversed(SEVERITIES))
    notes = list(review.notes[:NOTES_MAX])
    if len(review.notes) > NOTES_MAX:
        notes.append(f"…and {plural(len(review.notes) - NOTES_MAX, 'more note', 'more notes')}")
    return render("review_message.j2", fallback=fallback, headline=f"{icon} {verdict} · score {review.score}/100",
                  facts=_facts(review), groups=_groups(review), notes=notes, draft_key=draft_key,
                  dismiss_action=DISMISS_ACTION)


def text_message(text: str) -> dict[str, Any]:
    """A one-section message for short answers ("Recorded as sent", errors a person can act on)."""
    return {"text": text, "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": text}}]}


BULK_CALLBACK_ID = "inmail_bulk"
BULK_MAX = 100_000


def outcome_message(text: str, draft_key: str, buttons: Iterable[tuple[str, str]] = ()) -> dict[str, Any]:
    """A short answer to an outcome button, with follow-up buttons `(label, action_id)`."""
    return render("outcome.j2", text=text, draft_key=draft_key, buttons=list(buttons))


def bulk_modal(draft_key: str) -> dict[str, Any]:
    return render("bulk_modal.j2", callback_id=BULK_CALLBACK_ID, private_metadata=draft_key, max_count=BULK_MAX)


REPLIES_CALLBACK_ID = "inmail_replies"


def replies_modal(draft_key: str, send: Mapping[str, Any]) -> dict[str, Any]:
    """The replies to a bulk send, as counts added to what is recorded (`send`: its outreach row)."""
    recorded = (f"{plural(send['sent'], 'InMail', 'InMails')} sent with this draft; so far "
                f"{send['accepted']:,} accepted, {send['declined']:,} declined, {send['pending']:,} waiting.")
    return render("replies_modal.j2", callback_id=REPLIES_CALLBACK_ID, private_metadata=draft_key, recorded=recorded,
                  max_count=BULK_MAX)


SETTINGS_CALLBACK_ID = "inmail_team_settings"
WEEKDAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def team_settings_modal(settings: TeamSettings) -> dict[str, Any]:
    return render("team_settings_modal.j2", callback_id=SETTINGS_CALLBACK_ID, s=settings, weekdays=WEEKDAY_NAMES,
                  threshold_percent=f"{100 * settings.policy.threshold:g}")


def _channel_link(channel: str | None) -> str:
    return f"<#{channel}>" if channel and _SLACK_CHANNEL.fullmatch(channel) else "not set"


# Slack's refusals that no retry can get past: an admin has to invite the app or pick another channel.
NOT_POSTABLE = {"not_in_channel": "the app is not a member of {channel}: invite it there with `/invite @inmail-review`",
                "channel_not_found": "{channel} cannot be found (deleted, or private and the app not in it): invite "
                                     "the app there, or choose another channel in App Home → Edit team settings",
                "is_archived": "{channel} is archived: choose another channel in App Home → Edit team settings"}
_PURPOSES = {"digest": "The weekly digest", "alerts": "Response-rate alerts"}


def channel_problem_text(problem: Mapping[str, Any]) -> str:
    """For admins (a DM, App Home): why posts in a channel fail and what fixes it (mrkdwn, our words)."""
    what = _PURPOSES.get(problem["purpose"], "Posts")
    why = NOT_POSTABLE.get(problem["error"], "Slack refused the post ({error})").format(
        channel=_channel_link(problem["channel"]), error=problem["error"])
    return (f"⚠️ {what} could not be posted: {why}. It is tried again with growing pauses and posted once this is "
            "fixed.")


def team_settings_text(settings: TeamSettings) -> str:
    """A one-paragraph summary for admins in App Home."""
    p, where = settings.policy, _channel_link
    return (f"Alerts: {where(settings.alert_channel)} · digest: {where(settings.digest_channel)}, "
            f"{WEEKDAY_NAMES[settings.digest_weekday]}s at {settings.digest_hour}:00 {settings.timezone} · "
            f"policy: under {p.threshold:.0%} with at least {p.min_sent} sent in {p.period_days} days → warned "
            f"{p.warn_days} d, grace {p.grace_days} d, one-to-one {p.restrict_days} d; responses within "
            f"{p.window_days} d · draft text kept {settings.retention_days} d")


def help_message(command: str = "/inmail") -> dict[str, Any]:
    return render("help.j2", command=command)


# --- views ---------------------------------------------------------------------------------------
def draft_modal(private_metadata: Mapping[str, Any]) -> dict[str, Any]:
    """The `/inmail` form; `private_metadata` comes back with the submission (where to answer)."""
    return render("draft_modal.j2", callback_id=MODAL_CALLBACK_ID, private_metadata=json.dumps(private_metadata),
                  subject_max=SUBJECT_MAX, body_max=BODY_MAX, follow_ups=FOLLOW_UPS_MAX,
                  categories=[(c, category_label(c).capitalize()) for c in CATEGORIES])


FOLLOW_UPS_MAX = 3  # the form's follow-up fields; more than three is itself a finding (rules/sequence.py)


def sequence_message(sequence: SequenceReview) -> dict[str, Any]:
    """The follow-ups' reviews (their verdict, score and first findings) and the sequence's own findings."""
    steps = [{"label": f"Follow-up {n}" + (f", {plural(days, 'day', 'days')} later" if days is not None else ""),
              "verdict": _VERDICT[review.verdict][1], "icon": _VERDICT[review.verdict][0], "score": review.score,
              "findings": [f"{_SEVERITY[f.severity][0]} {f.message}" for f in review.findings[:NOTES_MAX]]}
             for n, (review, days) in enumerate(zip(sequence.steps[1:], sequence.after_days[1:]), 1)]
    findings = [(f"{_SEVERITY[f.severity][0]} {f.message}", f.suggestion) for f in sequence.findings]
    fallback = f"Sequence of {plural(len(sequence.steps), 'message', 'messages')}: " + (
        plural(len(findings), "finding", "findings") if findings else "no sequence findings")
    return render("sequence_message.j2", fallback=fallback, steps=steps, findings=findings)


def _when(at: float) -> str:
    return datetime.fromtimestamp(at, tz=timezone.utc).strftime("%Y-%m-%d %H:%M UTC")


_STATES = {"normal": "normal", "warned": "⚠️ warned", "one_to_one": "⛔ one-to-one InMails only"}


def _percent(responses: int, sent: int) -> str:
    rate = response_rate(responses, sent)
    return f"{rate:.0%}" if rate is not None else "—"


def _day(at: float, timezone: str) -> str:
    return datetime.fromtimestamp(at, ZoneInfo(timezone)).strftime("%a %d %b %Y")


def if_under(state: str, policy: PolicyConfig) -> str:
    """What follows when the period being judged ends under the threshold (the team's numbers)."""
    if state == NORMAL:
        return (f"a warning for {policy.warn_days} days, then one-to-one InMails only for {policy.restrict_days} "
                "days if it is still under")
    if state == WARNED:
        return f"one-to-one InMails only for {policy.restrict_days} days"
    return f"another {policy.restrict_days} days of one-to-one InMails only"


def period_text(period: PeriodFigures, policy: PolicyConfig) -> str:
    """The current period as LinkedIn judges it, and what happens if it stays under. Periods are
    whole UTC days (aligned to the team's epoch), so their days are named in UTC."""
    limit = f"{policy.threshold:.0%}"
    text = (f"*Current period ({_day(period.start, 'UTC')} – {_day(period.end - 1, 'UTC')}, judged "
            f"{_day(period.judged_at, 'UTC')}):* {plural(period.sent, 'InMail', 'InMails')} sent · "
            f"{period.accepted:,} accepted · {period.declined:,} declined · {period.pending:,} pending · "
            f"response rate {_percent(period.responses, period.sent)}")
    if period.at_risk:
        return (text + f"\n⚠️ *At risk:* under {limit} with {plural(period.sent, 'send', 'sends')}. If it stays under: "
                f"{if_under(period.state, policy)}.")
    if period.sent < policy.min_sent:
        return text + f"\nJudged only with {policy.min_sent:,}+ sends in the period."
    return text + f"\nIf it is under {limit} when judged: {if_under(period.state, policy)}."


def figures_text(figures: UserFigures, timezone: str = "UTC") -> str:
    """The caller's and the team's figures as a few lines of mrkdwn (App Home, `/inmail stats`)."""
    average = f", average score {figures.average_score:.0f}/100" if figures.average_score is not None else ""
    status = _STATES.get(figures.state, figures.state)
    if figures.until:
        status += " until " + _day(figures.until, timezone)
    if figures.period.at_risk:
        status += " · ⚠️ at risk"
    return (f"{period_text(figures.period, figures.policy)}\n"
            f"*Response-rate policy:* {status}\n"
            f"*Your last {plural(figures.days, 'day', 'days')}:* {plural(figures.drafts, 'draft', 'drafts')} reviewed{average} · "
            f"{plural(figures.sent, 'InMail', 'InMails')} sent · {plural(figures.responses, 'response', 'responses')} · "
            f"response rate {_percent(figures.responses, figures.sent)}\n"
            f"*Team, last {plural(figures.days, 'day', 'days')}:* {figures.team_sent:,} sent · "
            f"{plural(figures.team_responses, 'response', 'responses')} · "
            f"{_percent(figures.team_responses, figures.team_sent)} · "
            f"{plural(figures.team_flagged, 'recruiter', 'recruiters')} warned or restricted")


def stats_message(figures: UserFigures, timezone: str = "UTC") -> dict[str, Any]:
    text = figures_text(figures, timezone)
    return {"text": text.replace("*", ""), "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": text}}]}


_QUOTED_MAX = 80  # one example quote in App Home's list of dismissals


def _dismissed_text(row: Mapping[str, Any]) -> str:
    """One line of what the team dismisses (plain text: it quotes the team's drafts)."""
    what = f"{row['title']} ({row['rule']})" + (f" · “{row['phrase']}”" if row["phrase"] else "")
    what += f", {row['language']}" if row["language"] else ""
    text = (f"{what}: dismissed {plural(row['dismissals'], 'time', 'times')} on {plural(row['drafts'], 'draft', 'drafts')}"
            f" by {plural(row['people'], 'person', 'people')}")
    examples = ", ".join("“" + (q if len(q) <= _QUOTED_MAX else q[:_QUOTED_MAX - 1] + "…") + "”" for q in row["examples"])
    return text + (f" · e.g. {examples}" if examples else "") + (f"\n({row['said']})" if row["said"] else "")


def _team_rules_home(section: Mapping[str, Any]) -> dict[str, Any]:
    """`bot.team_rules.home_section` as the template shows it."""
    ranked = [{"text": _dismissed_text(row),
               "offers": [(label, action_id, json.dumps(value, ensure_ascii=False)) for label, action_id, value in row["offers"]]}
              for row in section["ranked"]]
    changes = [c | {"when": _when(c["at"]), "undone_when": _when(c["undone_at"]) if c["undone_at"] else ""}
               for c in section["changes"]]
    return {"ranked": ranked, "changes": changes, "days": section["days"]}


PHRASE_CALLBACK_ID = "inmail_team_phrase"
PHRASE_FAMILIES = tuple(f for f in FAMILIES if f != "length")  # length rules are limits, not phrases
SUGGESTION_MAX = 300


def phrase_modal(values: Mapping[str, str] | None = None, *, status: str = "", previewed: str = "") -> dict[str, Any]:
    """The form a lead adds a phrase with; `previewed` (the values' digest) once a preview was shown,
    so the next submission of the same values saves."""
    from bot.team_rules import language_name, languages
    from rules.packs import PHRASE_MAX

    values = {"language": "en", "family": "generic-template", "level": "warning", "phrase": "", "suggestion": ""} | dict(values or {})
    return render("team_phrase_modal.j2", callback_id=PHRASE_CALLBACK_ID, values=values, status=status,
                  private_metadata=json.dumps({"previewed": previewed}) if previewed else "",
                  submit="Save phrase" if previewed else "Preview", phrase_max=PHRASE_MAX, suggestion_max=SUGGESTION_MAX,
                  languages=[(code, language_name(code)) for code in languages()],
                  families=[(f, f) for f in PHRASE_FAMILIES],
                  levels=[(level, level.capitalize()) for level in reversed(SEVERITIES)])


def preview_text(phrase: str, language: str, preview: Any) -> str:
    """What a new phrase would have done, and on which drafts (plain text: it quotes the phrase)."""
    from bot.team_rules import PREVIEW_DRAFTS

    kept = f"the team keeps draft text {plural(preview.retention_days, 'day', 'days')}"
    if not preview.drafts:
        return (f"No draft's text is kept right now ({kept}), so “{phrase}” could not be tried on any. "
                "Save it anyway, or cancel.")
    last = (f"the last {plural(preview.drafts, 'draft', 'drafts')}" if preview.drafts >= PREVIEW_DRAFTS
            else f"the {plural(preview.drafts, 'draft', 'drafts')} whose text is still kept")
    return (f"“{phrase}” would have flagged {preview.flagged:,} of {last} ({preview.in_language:,} of them in "
            f"{language}). Only drafts whose text is still stored can be tried ({kept}); older ones are not counted. "
            "Save phrase to add it, or change it and preview again.")


def home_view(rows: Iterable[Mapping[str, Any]], figures: UserFigures | None = None, timezone: str = "UTC",
              team_settings: TeamSettings | None = None, undelivered: int = 0,
              channel_problems: Iterable[Mapping[str, Any]] = (), costly: Iterable[str] = (),
              templates: Iterable[str] = (), team_rules: Mapping[str, Any] | None = None,
              notice: str = "") -> dict[str, Any]:
    """The App Home tab: the user's figures and policy status, their recent reviews, and for
    admins (`team_settings` given) the team settings with a button to edit them, how many
    alerts and digests are still undelivered (`undelivered`), the channels the app cannot post in and
    the findings that clearly cost the team replies (`costly`, sentences of bot/outcomes.py) and
    its most sent templates (`templates`, of bot/template_outcomes.py); and the team's rules
    (`team_rules`, of `bot.team_rules.home_section`: what the team dismisses, the changes its
    leads made) with `notice`, the outcome of the admin's last click there."""
    shown = [{
        "icon": _VERDICT[row["verdict"]][0],
        "title": row["subject"] or " ".join((row["excerpt"] or "").split()) or "(deleted draft)",
        "score": row["score"], "verdict": row["verdict"], "language": row["language"],
        "category": category_label(row["category"]) if row["category"] else "",
        "source": row["source"], "when": _when(row["created_at"]),
    } for row in rows]
    return render("home.j2", rows=shown, figures=figures_text(figures, timezone) if figures else "",
                  team_settings=team_settings_text(team_settings) if team_settings else "",
                  undelivered=plural(undelivered, "alert or digest post", "alert or digest posts")
                  if team_settings and undelivered else "",
                  problems=[channel_problem_text(p) for p in channel_problems] if team_settings else [],
                  costly=list(costly) if team_settings else [], templates=list(templates) if team_settings else [],
                  team_rules=_team_rules_home(team_rules) if team_settings and team_rules else None,
                  notice=notice)
