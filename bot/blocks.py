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

from models.outreach import PeriodFigures, UserFigures
from models.team_settings import TeamSettings
from models.policy import NORMAL, WARNED, PolicyConfig, response_rate
from bot import dismiss, i18n
from bot.tips import title as rule_title
from models.records import CATEGORIES, FAMILIES, SEVERITIES, Finding, Review, SequenceReview
from models.wording import localized

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
_VERDICT = {"ready": ("✅", i18n.N_("Ready to send")), "revise": ("✏️", i18n.N_("Revise before sending")),
            "blocked": ("⛔", i18n.N_("Do not send"))}  # the words are translated where shown: `i18n._(label)`
# severity → (icon, group title, its findings counted, those not shown counted), in the reader's language
_SEVERITY = {
    "error": ("🔴", i18n.N_("Errors"), lambda n: i18n.ngettext("{count} error", "{count} errors", n),
              lambda n: i18n.ngettext("…and {count} more error", "…and {count} more errors", n)),
    "warning": ("🟠", i18n.N_("Warnings"), lambda n: i18n.ngettext("{count} warning", "{count} warnings", n),
                lambda n: i18n.ngettext("…and {count} more warning", "…and {count} more warnings", n)),
    "suggestion": ("🔵", i18n.N_("Suggestions"), lambda n: i18n.ngettext("{count} suggestion", "{count} suggestions", n),
                   lambda n: i18n.ngettext("…and {count} more suggestion", "…and {count} more suggestions", n)),
}


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


@lru_cache(maxsize=None)
def environment(lang: str = "en") -> Environment:
    """The templates for readers of `lang`: Jinja's i18n extension with that language's catalog
    (old-style callables, so what `_()` returns is escaped by `finalize` like any other value,
    and `{placeholders}` are filled the way the Python code fills them)."""
    env = Environment(loader=PackageLoader("bot", "templates"), autoescape=True, finalize=_finalize,
                      undefined=StrictUndefined, keep_trailing_newline=False, extensions=["jinja2.ext.i18n"])
    env.filters.update(clip=_clip, plain=_plain, json=_json, mention=_mention)
    words = i18n.translator(lang)
    env.install_gettext_callables(gettext=words.gettext, ngettext=words.ngettext, newstyle=False)  # type: ignore[attr-defined]
    return env


def render(template: str, **context: Any) -> dict[str, Any]:
    """Renders `template` for the current reader (`bot.i18n.reading`) and parses it: a template
    that produces invalid JSON fails here, loudly."""
    return json.loads(environment(i18n.current().lang).get_template(template).render(**context))


def category_label(category: str) -> str:
    """A category as LinkedIn names it in the reader's language ("career opportunity",
    "karrieremulighet"); one we do not know by its own words."""
    return i18n.current().category(category) if category in CATEGORIES else category.replace("_", " ")


# --- review messages -----------------------------------------------------------------------------
@dataclass(frozen=True)
class _Item:
    icon: str
    message: str  # the finding's texts in the reader's language
    quote: str  # the draft's words, as they are
    suggestion: str
    quoted: str = ""  # `quote` in the reader's quotation marks, cut to what the block shows


_QUOTE_MAX = 400


def _quoted(quote: str) -> str:
    cut = quote if len(quote) <= _QUOTE_MAX else quote[: _QUOTE_MAX - 1] + "…"
    # Translators: words quoted from the draft, in the language's quotation marks («…» in Norwegian and Italian).
    return i18n._("“{quote}”", quote=cut)


@dataclass(frozen=True)
class _Group:
    title: str
    items: list[_Item]
    more: str  # "…and 3 more warnings", or ""
    dismiss: list[tuple[str, str]]  # the "Not applicable here" menu: (label, token) per finding shown


DISMISS_ACTION = "dismiss_finding"  # bot/listeners/team_rules.py


def _dismiss_label(review: Review, finding: Finding) -> str:
    quote = dismiss.quote_of(review, finding)
    # Translators: an entry of the "Not applicable here…" menu: the words a finding quotes, then its rule's title.
    return i18n._("“{quote}” · {rule}", quote=quote, rule=rule_title(finding.rule)) if quote else rule_title(finding.rule)


def _groups(review: Review) -> list[_Group]:
    """Findings by severity, worst first, the first `TOP_PER_SEVERITY` of each in full; each
    group's menu names its findings shown that can be dismissed (one entry per rule and quote)."""
    groups, words = [], i18n.current()
    for severity in reversed(SEVERITIES):
        findings = [f for f in review.findings if f.severity == severity]
        if not findings:
            continue
        icon, title, _all, more_of = _SEVERITY[severity]
        shown = findings[:TOP_PER_SEVERITY]
        items = []
        for f in shown:
            message, suggestion = f.text(words.lang)
            quote = " ".join(review.quote(f).split())
            items.append(_Item(icon, message, quote, suggestion, _quoted(quote) if quote else ""))
        menu: dict[str, str] = {}
        for f in shown:
            if dismiss.dismissable(f):
                menu.setdefault(dismiss.token(review, f), _dismiss_label(review, f))
        more = len(findings) - len(items)
        groups.append(_Group(f"{i18n._(title)} ({words.number(len(findings))})", items, more_of(more) if more else "",
                             [(label, key) for key, label in menu.items()]))
    return groups


def _facts(review: Review) -> str:
    m, words = review.metrics, i18n.current()
    category = category_label(review.category) if review.category else words.category(None)
    reason = (f" ({localized(review.category_reason, words.lang)})"
              if review.category_reason and review.category else "")
    return i18n._("Language: {language} · Category: {category}{reason} · {characters}, {words} · "
                  "personalization {personalization}, genericness {genericness}",
                  language=review.language, category=category, reason=reason,
                  characters=i18n.ngettext("{count} character", "{count} characters", m.body_chars),
                  words=i18n.ngettext("{count} word", "{count} words", m.words),
                  personalization=words.number(m.personalization, 2), genericness=words.number(m.genericness, 2))


def review_message(review: Review, *, draft_key: str | None = None) -> dict[str, Any]:
    """`{"text": fallback, "blocks": [...]}` for a review; with `draft_key`, the three buttons too."""
    icon, verdict = _VERDICT[review.verdict]
    verdict, score, lang = i18n._(verdict), i18n._("score {score}/100", score=review.score), i18n.current().lang
    counts = review.counts()
    fallback = f"{verdict}: {score}, " + ", ".join(_SEVERITY[s][2](counts[s]) for s in reversed(SEVERITIES))
    notes = [localized(note, lang) for note in review.notes[:NOTES_MAX]]
    if len(review.notes) > NOTES_MAX:
        notes.append(i18n.ngettext("…and {count} more note", "…and {count} more notes", len(review.notes) - NOTES_MAX))
    return render("review_message.j2", fallback=fallback, headline=f"{icon} {verdict} · {score}",
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
    words = i18n.current()
    recorded = i18n.ngettext("{count} InMail sent with this draft; so far {accepted} accepted, {declined} declined, "
                             "{pending} waiting.",
                             "{count} InMails sent with this draft; so far {accepted} accepted, {declined} declined, "
                             "{pending} waiting.", send["sent"], accepted=words.number(send["accepted"]),
                             declined=words.number(send["declined"]), pending=words.number(send["pending"]))
    return render("replies_modal.j2", callback_id=REPLIES_CALLBACK_ID, private_metadata=draft_key, recorded=recorded,
                  max_count=BULK_MAX)


SETTINGS_CALLBACK_ID = "inmail_team_settings"
WEEKDAY_NAMES = (i18n.N_("Monday"), i18n.N_("Tuesday"), i18n.N_("Wednesday"), i18n.N_("Thursday"), i18n.N_("Friday"),
                 i18n.N_("Saturday"), i18n.N_("Sunday"))


def team_settings_modal(settings: TeamSettings) -> dict[str, Any]:
    """The admins' form in the reader's language; its `private_metadata` names that language, so
    the submission's ack (which asks nobody) answers in it too."""
    from bot.readers import named_in_itself

    languages = named_in_itself()
    team_language = settings.language if settings.language in dict(languages) else "en"
    return render("team_settings_modal.j2", callback_id=SETTINGS_CALLBACK_ID, s=settings,
                  weekdays=[i18n._(day) for day in WEEKDAY_NAMES], threshold_percent=f"{100 * settings.policy.threshold:g}",
                  languages=languages, team_language=team_language,
                  private_metadata=json.dumps({"lang": i18n.current().lang}))


def _channel_link(channel: str | None) -> str:
    return f"<#{channel}>" if channel and _SLACK_CHANNEL.fullmatch(channel) else "not set"


# Slack's refusals that no retry can get past: an admin has to invite the app or pick another channel.
NOT_POSTABLE = {"not_in_channel": i18n.N_("the app is not a member of {channel}: invite it there with `/invite @inmail-review`"),
                "channel_not_found": i18n.N_("{channel} cannot be found (deleted, or private and the app not in it): invite "
                                             "the app there, or choose another channel in App Home → Edit team settings"),
                "is_archived": i18n.N_("{channel} is archived: choose another channel in App Home → Edit team settings")}
# What could not be posted, as a whole sentence per purpose (so each language can make its words agree).
_PURPOSES = {"digest": i18n.N_("The weekly digest could not be posted: {why}. It is tried again with growing pauses and "
                               "posted once this is fixed."),
             "alerts": i18n.N_("Response-rate alerts could not be posted: {why}. It is tried again with growing pauses "
                               "and posted once this is fixed.")}


def channel_problem_text(problem: Mapping[str, Any]) -> str:
    """For admins (a DM, App Home): why posts in a channel fail and what fixes it (mrkdwn, our words),
    in the reader's language."""
    channel = problem["channel"]
    link = _channel_link(channel) if channel and _SLACK_CHANNEL.fullmatch(channel) else i18n._("not set")
    known = NOT_POSTABLE.get(problem["error"])
    why = (i18n._(known, channel=link) if known
           else i18n._("Slack refused the post ({error})", error=problem["error"]))
    sentence = _PURPOSES.get(problem["purpose"], i18n.N_("Posts could not be posted: {why}. It is tried again with "
                                                        "growing pauses and posted once this is fixed."))
    return "⚠️ " + i18n._(sentence, why=why)


def team_settings_text(settings: TeamSettings) -> str:
    """A one-paragraph summary for admins in App Home, in the reader's language."""
    p, words = settings.policy, i18n.current()

    def where(channel: str | None) -> str:
        return _channel_link(channel) if channel and _SLACK_CHANNEL.fullmatch(channel) else i18n._("not set")

    every = (i18n.N_("Mondays"), i18n.N_("Tuesdays"), i18n.N_("Wednesdays"), i18n.N_("Thursdays"), i18n.N_("Fridays"),
             i18n.N_("Saturdays"), i18n.N_("Sundays"))
    # Translators: the team settings in App Home; "d" is days.
    return i18n._("Alerts: {alerts} · digest: {digest}, {weekdays} at {hour}:00 {timezone} · policy: under "
                  "{threshold} with at least {min_sent} sent in {period_days} days → warned {warn_days} d, grace "
                  "{grace_days} d, one-to-one {restrict_days} d; responses within {window_days} d · draft text kept "
                  "{retention_days} d",
                  alerts=where(settings.alert_channel), digest=where(settings.digest_channel),
                  weekdays=i18n._(every[settings.digest_weekday]), hour=settings.digest_hour,
                  timezone=settings.timezone, threshold=words.percent(p.threshold), min_sent=p.min_sent,
                  period_days=p.period_days, warn_days=p.warn_days, grace_days=p.grace_days,
                  restrict_days=p.restrict_days, window_days=p.window_days, retention_days=settings.retention_days)


def help_message(command: str = "/inmail") -> dict[str, Any]:
    """The help; its lines are our words with intended mrkdwn, so the command's name is escaped here."""
    return render("help.j2", command=escape_mrkdwn(command))


# --- views ---------------------------------------------------------------------------------------
def draft_modal(private_metadata: Mapping[str, Any]) -> dict[str, Any]:
    """The `/inmail` form; `private_metadata` comes back with the submission (where to answer), with
    the form's language when it is not English, so the submission's ack can word its errors in it."""
    lang = i18n.current().lang
    metadata = {**private_metadata, "lang": lang} if lang != i18n.SOURCE_LANGUAGE else dict(private_metadata)
    return render("draft_modal.j2", callback_id=MODAL_CALLBACK_ID, private_metadata=json.dumps(metadata),
                  subject_max=SUBJECT_MAX, body_max=BODY_MAX, follow_ups=FOLLOW_UPS_MAX,
                  categories=[(c, category_label(c).capitalize()) for c in CATEGORIES])


FOLLOW_UPS_MAX = 3  # the form's follow-up fields; more than three is itself a finding (rules/sequence.py)


def sequence_message(sequence: SequenceReview) -> dict[str, Any]:
    """The follow-ups' reviews (their verdict, score and first findings) and the sequence's own findings."""
    lang = i18n.current().lang

    def label(n: int, days: int | None) -> str:
        if days is None:
            return i18n._("Follow-up {number}", number=n)
        return i18n.ngettext("Follow-up {number}, {count} day later", "Follow-up {number}, {count} days later", days,
                             number=n)

    steps = [{"label": label(n, days),
              "verdict": i18n._(_VERDICT[review.verdict][1]), "icon": _VERDICT[review.verdict][0], "score": review.score,
              "findings": [f"{_SEVERITY[f.severity][0]} {f.text(lang)[0]}" for f in review.findings[:NOTES_MAX]]}
             for n, (review, days) in enumerate(zip(sequence.steps[1:], sequence.after_days[1:]), 1)]
    findings = [(f"{_SEVERITY[f.severity][0]} {f.text(lang)[0]}", f.text(lang)[1]) for f in sequence.findings]
    count = len(sequence.steps)
    fallback = (i18n.ngettext("Sequence of {count} message: {findings}", "Sequence of {count} messages: {findings}", count,
                              findings=i18n.ngettext("{count} finding", "{count} findings", len(findings)))
                if findings else i18n.ngettext("Sequence of {count} message: no sequence findings",
                                               "Sequence of {count} messages: no sequence findings", count))
    return render("sequence_message.j2", fallback=fallback, steps=steps, findings=findings)


def _when(at: float) -> str:
    return datetime.fromtimestamp(at, tz=timezone.utc).strftime("%Y-%m-%d %H:%M UTC")


_STATES = {"normal": i18n.N_("normal"), "warned": i18n.N_("⚠️ warned"), "one_to_one": i18n.N_("⛔ one-to-one InMails only")}


def _percent(responses: int, sent: int) -> str:
    rate = response_rate(responses, sent)
    return i18n.current().percent(rate) if rate is not None else "—"


def _day(at: float, timezone: str) -> str:
    day = datetime.fromtimestamp(at, ZoneInfo(timezone)).date()
    # Translators: a date pattern, not words: EEE weekday, dd day (two digits), MMM month, y year; keep the letters.
    return i18n.current().date(day, i18n._("EEE dd MMM y"))


def if_under(state: str, policy: PolicyConfig) -> str:
    """What follows when the period being judged ends under the threshold (the team's numbers)."""
    def days(count: int) -> str:
        return i18n.ngettext("{count} day", "{count} days", count)

    if state == NORMAL:
        return i18n._("a warning for {warning}, then one-to-one InMails only for {restriction} if it is still under",
                      warning=days(policy.warn_days), restriction=days(policy.restrict_days))
    if state == WARNED:
        return i18n._("one-to-one InMails only for {restriction}", restriction=days(policy.restrict_days))
    return i18n.ngettext("another {count} day of one-to-one InMails only", "another {count} days of one-to-one InMails only",
                         policy.restrict_days)


def period_text(period: PeriodFigures, policy: PolicyConfig) -> str:
    """The current period as LinkedIn judges it, and what happens if it stays under. Periods are
    whole UTC days (aligned to the team's epoch), so their days are named in UTC."""
    _, ngettext = i18n._, i18n.ngettext
    limit = i18n.current().percent(policy.threshold)
    text = _("*Current period ({start} – {end}, judged {judged}):* {sent} · {accepted} · {declined} · {pending} · "
             "response rate {rate}", start=_day(period.start, "UTC"), end=_day(period.end - 1, "UTC"),
             judged=_day(period.judged_at, "UTC"), sent=ngettext("{count} InMail sent", "{count} InMails sent", period.sent),
             accepted=ngettext("{count} accepted", "{count} accepted", period.accepted),
             declined=ngettext("{count} declined", "{count} declined", period.declined),
             pending=ngettext("{count} pending", "{count} pending", period.pending),
             rate=_percent(period.responses, period.sent))
    if period.at_risk:
        return text + "\n" + _("⚠️ *At risk:* under {limit} with {sends}. If it stays under: {then}.", limit=limit,
                               sends=ngettext("{count} send", "{count} sends", period.sent),
                               then=if_under(period.state, policy))
    if period.sent < policy.min_sent:
        return text + "\n" + _("Judged only with {count}+ sends in the period.", count=i18n.current().number(policy.min_sent))
    return text + "\n" + _("If it is under {limit} when judged: {then}.", limit=limit, then=if_under(period.state, policy))


def figures_text(figures: UserFigures, timezone: str = "UTC") -> str:
    """The caller's and the team's figures as a few lines of mrkdwn (App Home, `/inmail stats`)."""
    _, ngettext, words = i18n._, i18n.ngettext, i18n.current()
    # Translators: follows "{count} drafts reviewed" in the line of your own figures.
    average = (_(", average score {score}/100", score=words.number(figures.average_score))
               if figures.average_score is not None else "")
    status = _(_STATES[figures.state]) if figures.state in _STATES else figures.state
    if figures.until:
        status = _("{status} until {day}", status=status, day=_day(figures.until, timezone))
    if figures.period.at_risk:
        status += " · " + _("⚠️ at risk")
    days = ngettext("{count} day", "{count} days", figures.days)
    mine = _("*Your last {days}:* {drafts}{average} · {sent} · {responses} · response rate {rate}",
             days=days, average=average,
             drafts=ngettext("{count} draft reviewed", "{count} drafts reviewed", figures.drafts),
             sent=ngettext("{count} InMail sent", "{count} InMails sent", figures.sent),
             responses=ngettext("{count} response", "{count} responses", figures.responses),
             rate=_percent(figures.responses, figures.sent))
    team = _("*Team, last {days}:* {sent} · {responses} · {rate} · {flagged}", days=days,
             sent=ngettext("{count} sent", "{count} sent", figures.team_sent),
             responses=ngettext("{count} response", "{count} responses", figures.team_responses),
             rate=_percent(figures.team_responses, figures.team_sent),
             flagged=ngettext("{count} recruiter warned or restricted", "{count} recruiters warned or restricted",
                              figures.team_flagged))
    return "\n".join((period_text(figures.period, figures.policy),
                      _("*Response-rate policy:* {status}", status=status), mine, team))


def stats_message(figures: UserFigures, timezone: str = "UTC") -> dict[str, Any]:
    text = figures_text(figures, timezone)
    return {"text": text.replace("*", ""), "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": text}}]}


_QUOTED_MAX = 80  # one example quote in App Home's list of dismissals


def _dismissed_text(row: Mapping[str, Any]) -> str:
    """One line of what the team dismisses (plain text: it quotes the team's drafts), in the reader's language."""
    def quoted(text: str) -> str:
        return i18n._("“{quote}”", quote=text)

    what = f"{row['title']} ({row['rule']})" + (f" · {quoted(row['phrase'])}" if row["phrase"] else "")
    what += f", {row['language']}" if row["language"] else ""
    text = i18n._("{what}: dismissed {times} on {drafts} by {people}", what=what,
                  times=i18n.ngettext("{count} time", "{count} times", row["dismissals"]),
                  drafts=i18n.ngettext("{count} draft", "{count} drafts", row["drafts"]),
                  people=i18n.ngettext("{count} person", "{count} people", row["people"]))
    examples = ", ".join(quoted(q if len(q) <= _QUOTED_MAX else q[:_QUOTED_MAX - 1] + "…") for q in row["examples"])
    return (text + (" · " + i18n._("e.g. {examples}", examples=examples) if examples else "")
            + (f"\n({row['said']})" if row["said"] else ""))


def _team_rules_home(section: Mapping[str, Any]) -> dict[str, Any]:
    """`bot.team_rules.home_section` as the template shows it. A change's line is made here: our
    words in the reader's language around a mention (`<@U…>`, which must stay markup) and the
    change's own words (escaped and clipped as the template would)."""
    def framed(msgid: str, **escaped: Any) -> Raw:
        return Raw(_json_inner(escape_mrkdwn(i18n._(msgid))).format(**escaped))

    ranked = [{"text": _dismissed_text(row),
               "offers": [(label, action_id, json.dumps(value, ensure_ascii=False)) for label, action_id, value in row["offers"]]}
              for row in section["ranked"]]
    # Translators: a change to the team's rules in App Home: who, then what they did ("switched off …").
    did = i18n.N_("{user} {what}")
    undone, not_in_effect = i18n.N_("undone by {user}, {when}"), i18n.N_("Not in effect: {reason}")
    changes = []
    for c in section["changes"]:
        undone_when = _when(c["undone_at"]) if c["undone_at"] else ""
        changes.append(c | {
            "did": framed(did, user=_mention(c["user"]), what=_clip(c["what"], 1500)),
            "when": _when(c["at"]), "undone_when": undone_when,
            "undone": framed(undone, user=_mention(c["undone_by"]), when=_finalize(undone_when)) if c["undone_by"] else "",
            "not_in_effect_text": framed(not_in_effect, reason=_clip(localized(c["not_in_effect"], i18n.current().lang), 800)) if c["not_in_effect"] else ""})
    return {"ranked": ranked, "changes": changes, "days": section["days"]}


PHRASE_CALLBACK_ID = "inmail_team_phrase"
PHRASE_FAMILIES = tuple(f for f in FAMILIES if f != "length")  # length rules are limits, not phrases
SUGGESTION_MAX = 300


def phrase_modal(values: Mapping[str, str] | None = None, *, status: str = "", previewed: str = "") -> dict[str, Any]:
    """The form a lead adds a phrase with, in the reader's language; `previewed` (the values' digest)
    once a preview was shown, so the next submission of the same values saves. Its
    `private_metadata` also names the language, for the submission's ack."""
    from bot.team_rules import language_name, languages
    from rules.packs import PHRASE_MAX

    words = i18n.current()

    def capitalized(name: str) -> str:
        return name[:1].upper() + name[1:]

    values = {"language": "en", "family": "generic-template", "level": "warning", "phrase": "", "suggestion": ""} | dict(values or {})
    metadata = {"lang": words.lang} | ({"previewed": previewed} if previewed else {})
    return render("team_phrase_modal.j2", callback_id=PHRASE_CALLBACK_ID, values=values, status=status,
                  private_metadata=json.dumps(metadata),
                  submit=i18n._("Save phrase") if previewed else i18n._("Preview"), phrase_max=PHRASE_MAX,
                  suggestion_max=SUGGESTION_MAX,
                  languages=[(code, capitalized(language_name(code))) for code in languages()],
                  families=[(f, f) for f in PHRASE_FAMILIES],
                  levels=[(level, capitalized(words.severity(level))) for level in reversed(SEVERITIES)])


def preview_text(phrase: str, language: str, preview: Any) -> str:
    """What a new phrase would have done, and on which drafts (plain text: it quotes the phrase),
    in the reader's language (`language`: the phrase's language, named in it)."""
    from bot.team_rules import PREVIEW_DRAFTS

    words = i18n.current()
    kept = i18n.ngettext("the team keeps draft text {count} day", "the team keeps draft text {count} days",
                         preview.retention_days)
    if not preview.drafts:
        return i18n._("No draft's text is kept right now ({kept}), so “{phrase}” could not be tried on any. "
                      "Save it anyway, or cancel.", kept=kept, phrase=phrase)
    last = (i18n.ngettext("the last {count} draft", "the last {count} drafts", preview.drafts)
            if preview.drafts >= PREVIEW_DRAFTS
            else i18n.ngettext("the {count} draft whose text is still kept", "the {count} drafts whose text is still kept",
                               preview.drafts))
    # Translators: "Save phrase" is the form's button.
    return i18n._("“{phrase}” would have flagged {flagged} of {last} ({in_language} of them in {language}). Only "
                  "drafts whose text is still stored can be tried ({kept}); older ones are not counted. Save phrase "
                  "to add it, or change it and preview again.", phrase=phrase, flagged=words.number(preview.flagged),
                  last=last, in_language=words.number(preview.in_language), language=language, kept=kept)


def home_view(rows: Iterable[Mapping[str, Any]], figures: UserFigures | None = None, timezone: str = "UTC",
              team_settings: TeamSettings | None = None, undelivered: int = 0,
              channel_problems: Iterable[Mapping[str, Any]] = (), costly: Iterable[str] = (),
              templates: Iterable[str] = (), team_rules: Mapping[str, Any] | None = None,
              notice: str = "", language: str | None = None) -> dict[str, Any]:
    """The App Home tab, in the reader's language: the user's figures and policy status, their
    recent reviews, the Language menu (`language`: the one they chose, None for automatic), and
    for admins (`team_settings` given) the team settings with a button to edit them, how many
    alerts and digests are still undelivered (`undelivered`), the channels the app cannot post in and
    the findings that clearly cost the team replies (`costly`, sentences of bot/outcomes.py) and
    its most sent templates (`templates`, of bot/template_outcomes.py); and the team's rules
    (`team_rules`, of `bot.team_rules.home_section`: what the team dismisses, the changes its
    leads made) with `notice`, the outcome of the admin's last click there."""
    from bot.readers import AUTOMATIC, LANGUAGE_ACTION, named_in_itself

    words = i18n.current()
    sources = {"command": i18n.N_("command"), "channel": i18n.N_("channel"), "shortcut": i18n.N_("shortcut"),
               "modal": i18n.N_("modal")}  # how a draft came (models/store.py: DRAFT_SOURCES)
    shown = [{
        "icon": _VERDICT[row["verdict"]][0],
        "title": row["subject"] or " ".join((row["excerpt"] or "").split()) or i18n._("(deleted draft)"),
        "score": row["score"], "verdict": words.verdict(row["verdict"]), "language": row["language"],
        "category": category_label(row["category"]) if row["category"] else "",
        "source": i18n._(sources[row["source"]]) if row["source"] in sources else row["source"],
        "when": _when(row["created_at"]),
    } for row in rows]
    languages = [(AUTOMATIC, i18n._("Automatic (Slack's language or the team's)"))] + named_in_itself()
    chosen = language if language in dict(languages) and language != AUTOMATIC else AUTOMATIC
    undelivered_text = i18n.ngettext(
        "{count} alert or digest post not delivered yet (Slack refused or was down), retried with growing pauses; "
        "`inmail-review outbox` lists what waits and `--retry` sends it now.",
        "{count} alert or digest posts not delivered yet (Slack refused or was down), retried with growing pauses; "
        "`inmail-review outbox` lists what waits and `--retry` sends it now.", undelivered)
    return render("home.j2", rows=shown, figures=figures_text(figures, timezone) if figures else "",
                  languages=languages, language=chosen, language_action=LANGUAGE_ACTION,
                  team_settings=team_settings_text(team_settings) if team_settings else "",
                  undelivered=undelivered_text if team_settings and undelivered else "",
                  problems=[channel_problem_text(p) for p in channel_problems] if team_settings else [],
                  costly=list(costly) if team_settings else [], templates=list(templates) if team_settings else [],
                  team_rules=_team_rules_home(team_rules) if team_settings and team_rules else None,
                  notice=notice)
