"""Many workspaces through OAuth: 200 installed through the install flow, each sending drafts, then
per-workspace isolation checked.

The real app in OAuth mode (`tests.conftest.SlackAppServer`: create_app + waitress, the real
reviewer, a SQLite file) against the Slack stand-in, which plays Slack's side of OAuth and
accepts only the tokens it issued. Each workspace is installed as a person does it (the install
page, Slack's "Allow", the redirect back); its recruiter posts drafts in its drafts channel — two
copies of a template every workspace uses, names swapped, then drafts of its own — and logs its
sends with `/inmail log sent N`; then the scheduler posts every workspace's weekly digest.

Isolation, checked from what the app did: every call about a workspace's channel or people went
out with that workspace's token; a template's copies are counted within their workspace only
(its second copy is "a near-copy of drafts for 1 other" person's, whatever 199 other workspaces
sent); `/inmail stats` and the digest show the workspace's own sends; each digest is in its own
channel. Prints the install rate, the review throughput and the isolation result; no assertions.

    .venv/bin/python bench/bench_oauth_teams.py [--teams 200] [--drafts 3]
"""
from __future__ import annotations

import argparse
import json
import re
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from loopback import loopback_only  # noqa: E402  (bench/, the script's own folder)

loopback_only()

from bot.oauth import team_clients  # noqa: E402
from bot.scheduler import Scheduler  # noqa: E402
from bot.slack_client import make_client  # noqa: E402
from models.digest import week_of  # noqa: E402
from models.outreach import Outreach  # noqa: E402
from models.team_settings import TeamSettings  # noqa: E402
from rules import Reviewer  # noqa: E402
from tests.conftest import SlackAppServer, message_event  # noqa: E402
from tests.oauth_flow import distributed_settings, install, send_command, send_event  # noqa: E402
from tests.slack_standin import SlackStandIn  # noqa: E402

TEMPLATE = ("Hi {name},\n\nI came across your profile and was impressed by your background in backend development. "
            "Our client is building a new logistics platform and we are looking for senior engineers who enjoy "
            "owning services end to end. The team works with Kotlin, PostgreSQL and Kafka and ships several times "
            "a day.\n\nWould you be open to a 20-minute call next week?")
OWN = ("Hi {name}, your talk on idempotent consumers (number {n}) answered a question workspace {team} had argued "
       "about for a month; its checkout team needs someone to own exactly that. Open to a short call on Thursday?")
NAMES = ("Kari", "Ola", "Nora", "Jonas", "Emma", "Lars", "Ingrid", "Tor")


def team_of(n: int) -> str:
    return f"T{n:04d}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--teams", type=int, default=200, help="workspaces installed (default 200)")
    parser.add_argument("--drafts", type=int, default=3, help="drafts per workspace, 2 or more (default 3)")
    args = parser.parse_args()
    teams = [team_of(n) for n in range(args.teams)]
    drafts_channel = {team: f"C{team[1:]}DRAFTS" for team in teams}
    digest_channel = {team: f"C{team[1:]}DIGEST" for team in teams}
    recruiter = {team: f"U{team[1:]}" for team in teams}
    sent = {team: 100 + n for n, team in enumerate(teams)}

    reviewer = Reviewer.load()
    reviewer.warm()
    with tempfile.TemporaryDirectory() as tmp, SlackStandIn() as slack:
        for team in teams:
            slack.add_user(recruiter[team])
        settings = distributed_settings(slack, Path(tmp) / "bench.db", drafts_channels=tuple(drafts_channel.values()),
                                        workers=8)
        app = SlackAppServer(settings, reviewer)
        try:
            started = time.perf_counter()
            for team in teams:
                install(app, slack, team, team_name=f"Workspace {team}")
            install_s = time.perf_counter() - started
            outreach = Outreach(app.store)
            for team in teams:
                outreach.settings.save(team, TeamSettings(digest_channel=digest_channel[team]))

            started = time.perf_counter()
            posted: dict[str, list[str]] = {team: [] for team in teams}
            for k in range(args.drafts):  # round by round: every workspace's first copy before any second one
                for n, team in enumerate(teams):
                    name = NAMES[(n + k) % len(NAMES)]
                    text = TEMPLATE.format(name=name) if k < 2 else OWN.format(name=name, n=k, team=team)
                    message = slack.add_message(drafts_channel[team], text, user=recruiter[team])
                    send_event(app, team, message_event(text, ts=message["ts"], channel=drafts_channel[team],
                                                        user=recruiter[team], team=team))
                    posted[team].append(message["ts"])
            for team in teams:
                send_command(app, slack, team, recruiter[team], f"log sent {sent[team]} replied 3")
            app.work.wait_idle(1800)
            review_s = time.perf_counter() - started
            reviews = args.teams * args.drafts

            stats_names = {team: send_command(app, slack, team, recruiter[team], "stats") for team in teams}
            app.work.wait_idle(600)
            started = time.perf_counter()
            scheduler = Scheduler(app.store, team_clients(settings, app.store, make_client(settings)), settings)
            scheduler.tick(week_of(time.time(), "UTC").start + 7 * 86400 + 10 * 3600)  # next Monday 10:00
            digest_s = time.perf_counter() - started

            problems = isolation(app, slack, teams, posted, drafts_channel, digest_channel, recruiter, sent, stats_names)
        finally:
            app.close()

        print(f"workspaces: {args.teams} installed through the OAuth flow in {install_s:.1f} s "
              f"({args.teams / install_s:.1f} installs/s, one browser at a time)")
        print(f"drafts: {reviews} reviewed and answered in {review_s:.1f} s ({reviews / review_s:.1f} reviews/s, "
              f"{settings.workers} workers), with {args.teams} sends logged")
        print(f"digests: {len(slack.calls_to('files.completeUploadExternal'))} charts, "
              f"{sum(1 for c in slack.calls_to('chat.postMessage') if c.args['channel'] in set(digest_channel.values()))} "
              f"digests posted in {digest_s:.1f} s")
        for check, found in problems.items():
            print(f"isolation, {check}: {'ok' if not found else f'{len(found)} problems, e.g. {found[:3]}'}")
        print(f"token refreshes: {sum(1 for c in slack.calls_to('oauth.v2.access') if c.args.get('grant_type'))}, "
              f"refused calls: {sum(1 for c in slack.calls if c.response and not c.response.get('ok'))}, "
              f"stand-in violations: {len(slack.violations)}")
    return 0


def isolation(app: SlackAppServer, slack: SlackStandIn, teams: list[str], posted: dict[str, list[str]],
              drafts_channel: dict[str, str], digest_channel: dict[str, str], recruiter: dict[str, str],
              sent: dict[str, int], stats_names: dict[str, str]) -> dict[str, list[str]]:
    """What each check found wrong (empty lists: isolated)."""
    whose = {channel: team for team, channel in drafts_channel.items()}
    whose |= {channel: team for team, channel in digest_channel.items()}
    whose |= {f"D{user[1:]}": team for team, user in recruiter.items()} | {user: team for team, user in recruiter.items()}
    tokens = [f"{c.method} {c.args.get('channel')} with {slack.team_of(c.token)}'s token" for c in slack.calls
              if c.token and (team := whose.get(str(c.args.get("channel") or c.args.get("user_id") or c.args.get("user")
                                                    or c.args.get("users") or ""))) and slack.team_of(c.token) != team]

    history = []
    for team in teams:
        copies = []
        for ts in posted[team][:2]:
            draft = app.store.draft_for_message(team, drafts_channel[team], ts)
            findings = app.store.reviews(team, draft["id"])[-1]["findings"] if draft else []
            copies.append([f["message"] for f in findings if f["rule"] == "generic-template/near-duplicate"])
        if copies[0] or len(copies[1]) != 1 or "for 1 other" not in copies[1][0]:
            history.append(f"{team}: {copies}")

    answers = dict(zip(slack.response_names(), slack.responses))
    figures = [team for team in teams if not re.search(rf"\b{sent[team]}\b", json.dumps(answers.get(stats_names[team])))]
    digests = {c.args["channel"]: c for c in slack.calls_to("chat.postMessage")
               if c.args["channel"] in set(digest_channel.values())}
    digest_problems = [team for team in teams if digest_channel[team] not in digests
                       or not re.search(rf"\b{sent[team]}\b", json.dumps(digests[digest_channel[team]].args))]
    return {"tokens": tokens, "template history": history, "figures (/inmail stats)": figures,
            "digests": digest_problems}


if __name__ == "__main__":
    raise SystemExit(main())
