"""Operating the app: `/metrics` and `/healthz` on the real app over HTTP, the health port and JSON
logs of a real Socket Mode process, token redaction, and `inmail-review backup` while a writer writes."""
from __future__ import annotations

import io
import json
import logging
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import pytest
import requests
from prometheus_client.parser import text_string_to_metric_families

from bot.backup import pg_dump
from bot.cli import main
from bot.log_format import handler
from models.outbox import Outbox
from models.store import MIGRATIONS, Store
from tests.conftest import BOT_TOKEN, DRAFTS, TEAM, USER, SlackAppServer, message_event
from tests.postgres import Cluster, fresh_schema
from tests.serve_process import ROOT, ServeProcess, serve_env
from tests.slack_standin import SlackStandIn
from tests.socket_standin import SocketStandIn

DRAFT = "Hi Kari, about the OPS-SECRET-ROLE at Equinor: would you be open to a short call next week about it?"
APP_TOKEN = "xapp-1-A0APP-123-abcdef"


def samples(text: str) -> dict[tuple[str, frozenset[tuple[str, str]]], float]:
    """Every sample of a Prometheus exposition, keyed by name and labels (the parser is prometheus_client's)."""
    return {(s.name, frozenset(s.labels.items())): s.value
            for family in text_string_to_metric_families(text) for s in family.samples}


def value(found: dict[tuple[str, frozenset[tuple[str, str]]], float], name: str, **labels: str) -> float | None:
    return found.get((name, frozenset(labels.items())))


def test_metrics_count_a_review_and_an_ack_after_one_signed_event(app: SlackAppServer, slack: SlackStandIn) -> None:
    message = slack.add_message(DRAFTS, DRAFT, user=USER)
    assert app.event(message_event(DRAFT, ts=message["ts"])).status_code == 200
    app.drain()
    [review] = app.store.reviews(TEAM, app.store.draft_for_message(TEAM, DRAFTS, message["ts"])["id"])

    response = app.http.get(app.url + "/metrics", timeout=5)
    assert response.status_code == 200 and response.headers["Content-Type"].startswith("text/plain")
    found = samples(response.text)
    assert value(found, "inmail_reviews_total", verdict=review["verdict"], language=review["language"]) == 1
    assert value(found, "inmail_review_seconds_count") == 1
    assert value(found, "inmail_ack_seconds_count", status="200") == 1
    assert value(found, "inmail_work_queued") == 0 and value(found, "inmail_work_unfinished") == 0
    assert value(found, "inmail_outbox_undelivered") == 0 and value(found, "inmail_outbox_oldest_age_seconds") == 0
    # Bounded labels only: no team, user, draft text or token in any series.
    for secret in (TEAM, USER, "OPS-SECRET-ROLE", BOT_TOKEN):
        assert secret not in response.text


def test_metrics_count_slack_refusals_by_method_and_error(app: SlackAppServer, slack: SlackStandIn) -> None:
    slack.fail("chat.postMessage", error="channel_not_found")
    message = slack.add_message(DRAFTS, DRAFT, user=USER)
    assert app.event(message_event(DRAFT, ts=message["ts"])).status_code == 200
    app.drain()
    found = samples(app.http.get(app.url + "/metrics", timeout=5).text)
    assert value(found, "inmail_slack_errors_total", method="chat.postMessage", error="channel_not_found") == 1


def test_metrics_read_the_outbox_at_scrape_time(app: SlackAppServer) -> None:
    assert Outbox(app.store).enqueue(TEAM, "digest:T0TEAM:2025-01", "digest", {})
    app.store.execute("UPDATE deliveries SET created_at = ? WHERE team_id = ?", (time.time() - 120, TEAM))  # 2 min old
    found = samples(app.http.get(app.url + "/metrics", timeout=5).text)
    assert value(found, "inmail_outbox_undelivered") == 1
    assert 120 <= (value(found, "inmail_outbox_oldest_age_seconds") or 0) < 180


def test_a_refused_signature_is_no_ack(app: SlackAppServer) -> None:
    response = app.http.post(app.url + "/slack/events", data=b"{}", timeout=5,
                             headers={"Content-Type": "application/json", "X-Slack-Request-Timestamp": "1",
                                      "X-Slack-Signature": "v0=bad"})
    assert response.status_code == 401
    found = samples(app.http.get(app.url + "/metrics", timeout=5).text)
    assert not [key for key in found if key[0] == "inmail_ack_seconds_count"]


def test_two_apps_in_one_process_count_apart(make_app: Any, slack: SlackStandIn, tmp_path: Path) -> None:
    first, second = make_app(), make_app(db=tmp_path / "second.db")
    message = slack.add_message(DRAFTS, DRAFT, user=USER)
    assert first.event(message_event(DRAFT, ts=message["ts"])).status_code == 200
    first.drain()
    assert value(samples(first.http.get(first.url + "/metrics", timeout=5).text), "inmail_review_seconds_count") == 1
    assert value(samples(second.http.get(second.url + "/metrics", timeout=5).text), "inmail_review_seconds_count") == 0


def test_healthz_says_database_scheduler_and_queue(app: SlackAppServer) -> None:
    health = app.http.get(app.url + "/healthz", timeout=5)
    assert health.status_code == 200
    # No scheduler runs beside the tests' app (`serve` starts one).
    assert health.json() == {"ok": True, "database": "ok", "scheduler": "off", "queue": {"here": 0, "unfinished": 0}}


def _wait(condition: Any, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"no {what} within {timeout}s")
        time.sleep(0.05)


def test_socket_mode_health_port_and_json_logs(tmp_path: Path) -> None:
    with SocketStandIn() as socket, SlackStandIn(socket_url=socket.url) as slack:
        process = ServeProcess(serve_env(slack, tmp_path, SLACK_APP_TOKEN=APP_TOKEN, SLACK_SIGNING_SECRET=""),
                               "--host", "127.0.0.1", "--health-port", "0", "--log-format", "json")
        try:
            url = process.wait_line(r"health and metrics on (http://[\d.:]+)").group(1)
            process.wait_line("connected over Socket Mode")
            command = {"token": "legacy", "team_id": TEAM, "channel_id": "CGENERAL", "user_id": USER,
                       "command": "/inmail", "text": DRAFT, "api_app_id": "A0APP",
                       "response_url": slack.response_url("socket"), "trigger_id": "1.2.sock"}
            socket.wait_ack(socket.send_envelope("slash_commands", command), timeout=10)
            slack.wait_responses(1, timeout=15)
            with requests.Session() as http:
                http.trust_env = False
                health = http.get(url + "/healthz", timeout=5).json()
                _wait(lambda: samples(http.get(url + "/metrics", timeout=5).text).get(
                    ("inmail_review_seconds_count", frozenset())) == 1, 10, "review counted")
                found = samples(http.get(url + "/metrics", timeout=5).text)
                assert http.post(url + "/slack/events", data=b"{}", timeout=5).status_code == 404
        finally:
            assert process.stop() == 0
    assert health["ok"] is True and health["database"] == "ok" and health["queue"]["unfinished"] == 0
    assert health["scheduler"] == "leader"  # the only process: it holds the scheduler's lease
    assert value(found, "inmail_scheduler_leader") == 1
    assert value(found, "inmail_ack_seconds_count", status="200") == 1
    lines = [json.loads(line) for line in process.lines]
    assert lines and all({"time", "level", "logger", "message"} <= line.keys() for line in lines)
    assert any(line["message"] == "SIGTERM received, shutting down" for line in lines)
    for secret in ("OPS-SECRET-ROLE", APP_TOKEN, BOT_TOKEN):
        assert secret not in process.log


@pytest.mark.parametrize("log_format", ["json", "text"])
def test_token_shaped_strings_never_reach_the_log(log_format: str) -> None:
    out = io.StringIO()
    logger = logging.getLogger("tests.ops.redaction")
    logger.addHandler(handler(log_format, out))
    logger.propagate = False
    try:
        logger.warning("Slack said %s for %s", "invalid_auth", BOT_TOKEN, extra={"refresh": "xoxe-1-My0xRefresh"})
        try:
            raise ValueError(f"bad token {APP_TOKEN} and xoxe.xoxp-1-rotated")
        except ValueError:
            logger.exception("start-up failed")
    finally:
        logger.handlers.clear()
        logger.propagate = True
    text = out.getvalue()
    for secret in (BOT_TOKEN, APP_TOKEN, "xoxe-1-My0xRefresh", "xoxp-1-rotated"):
        assert secret not in text
    assert text.count("[redacted]") >= 3 and "invalid_auth" in text
    if log_format == "json":
        first, second = (json.loads(line) for line in text.splitlines())
        assert first["message"] == "Slack said invalid_auth for [redacted]" and first["refresh"] == "[redacted]"
        assert first["level"] == "WARNING" and first["logger"] == "tests.ops.redaction"
        assert "ValueError: bad token [redacted]" in second["exception"]


def test_debug_logging_never_shows_what_slack_was_sent(tmp_path: Path, slack: SlackStandIn) -> None:
    """`-vv` with a real Slack call (the import asks users.list): slack_sdk's debug lines would
    carry the request and its answer (with the bot token's workspace's people); they stay out."""
    report = tmp_path / "report.csv"
    report.write_text("Seat holder,Email,Date range,InMails sent,InMails accepted,InMails declined,InMails pending\n"
                      "kari,,2026-11-02 - 2026-11-15,100,10,5,3\n")
    env = {**serve_env(slack, tmp_path), "INMAIL_DB": str(tmp_path / "inmail.db")}
    done = subprocess.run([sys.executable, "-m", "bot", "-vv", "import", str(report), "--team", TEAM], env=env,
                          capture_output=True, text=True, timeout=60, cwd=ROOT)
    assert done.returncode == 0, done.stderr
    assert slack.calls_to("users.list")
    assert "Sending a request" not in done.stderr and "Received the following response" not in done.stderr
    assert BOT_TOKEN not in done.stderr


def _writer(store: Store, stop: threading.Event, written: list[str]) -> None:
    while not stop.is_set():
        written.append(store.add_draft(TEAM, USER, "command", f"draft {len(written)}") or "")


def test_backup_while_a_writer_writes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                      capsys: pytest.CaptureFixture[str]) -> None:
    db = tmp_path / "live.db"
    store = Store.open(db)
    monkeypatch.setenv("INMAIL_DB", str(db))
    stop, written = threading.Event(), []
    writer = threading.Thread(target=_writer, args=(store, stop, written))
    writer.start()
    try:
        _wait(lambda: len(written) >= 50, 10, "drafts written")
        assert main(["backup", str(tmp_path / "copy.db")]) == 0
        during = len(written)
        time.sleep(0.2)
    finally:
        stop.set()
        writer.join(10)
        store.close()
    assert len(written) > during  # the writer went on while the copy was made
    copy = sqlite3.connect(tmp_path / "copy.db")
    try:
        assert copy.execute("PRAGMA journal_mode").fetchone()[0] == "delete"  # one file, no -wal beside it
        assert copy.execute("SELECT MAX(version) FROM schema_migrations").fetchone()[0] == len(MIGRATIONS)
        assert 50 <= copy.execute("SELECT COUNT(*) FROM drafts WHERE team_id = ?", (TEAM,)).fetchone()[0] <= len(written)
    finally:
        copy.close()
    assert f"schema version {len(MIGRATIONS)}" in capsys.readouterr().err


def test_backup_into_a_folder_keeps_the_newest(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    Store.open(tmp_path / "live.db").close()
    monkeypatch.setenv("INMAIL_DB", str(tmp_path / "live.db"))
    folder = tmp_path / "backups"
    folder.mkdir()
    for old in ("inmail-review-20240101T000000Z.db", "inmail-review-20240102T000000Z.db"):
        (folder / old).write_bytes(b"")
    assert main(["backup", str(folder), "--keep", "2"]) == 0
    kept = sorted(p.name for p in folder.iterdir())
    assert len(kept) == 2 and kept[0] == "inmail-review-20240102T000000Z.db" and kept[1].endswith("Z.db")
    assert main(["backup", str(tmp_path / "one.db"), "--keep", "2"]) == 2  # --keep needs a folder


def test_backup_of_a_missing_database_is_one_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("INMAIL_DB", str(tmp_path / "nothing.db"))
    assert main(["backup", str(tmp_path / "copy.db")]) == 1
    assert "there is no database" in capsys.readouterr().err and not (tmp_path / "nothing.db").exists()


def test_backup_of_postgresql_is_a_pg_dump_that_restores(postgres_server: Cluster, tmp_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    import psycopg

    with fresh_schema(postgres_server.url) as url:
        store = Store.open(url)
        try:
            for n in range(3):
                store.add_draft(TEAM, USER, "command", f"draft {n}")
        finally:
            store.close()
        monkeypatch.setenv("INMAIL_DB", url)
        assert main(["backup", str(tmp_path / "inmail.dump")]) == 0
        schema = psycopg.conninfo.conninfo_to_dict(url)["options"].split("=")[-1]
    restored = "restored_" + schema
    with psycopg.connect(postgres_server.url, autocommit=True) as admin:
        admin.execute(f"CREATE DATABASE {restored}")
    try:
        target = postgres_server.url.rsplit("/", 1)[0] + "/" + restored
        with psycopg.connect(target, autocommit=True) as conn:
            conn.execute(f"CREATE SCHEMA {schema}")  # `--schema` restores what is in it, not the schema
        pg_restore = str(Path(pg_dump()).with_name("pg_restore"))
        subprocess.run([pg_restore, "--no-owner", f"--dbname={target}", "--schema", schema, str(tmp_path / "inmail.dump")],
                       check=True, capture_output=True, timeout=120)
        with psycopg.connect(target) as conn:
            assert conn.execute(f"SELECT MAX(version) FROM {schema}.schema_migrations").fetchone()[0] == len(MIGRATIONS)
            assert conn.execute(f"SELECT COUNT(*) FROM {schema}.drafts").fetchone()[0] == 3
    finally:
        with psycopg.connect(postgres_server.url, autocommit=True) as admin:
            admin.execute(f"DROP DATABASE {restored}")
