"""`inmail-review import`: realistic LinkedIn Recruiter exports, run as an admin runs them (issue 11
item 6: reports booked on one day, day-first dates misread, normal files refused)."""
from __future__ import annotations

import codecs
import os
import subprocess
import sys
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Any, Iterator

import pytest

from bot.importer import ImportResult, summary
from models.linkedin_import import (AmbiguousDates, ReportError, ReportRow, Skipped, decode_report, map_columns, read_report, split,
                                    spread)
from models.outreach import Outreach
from models.store import Store
from tests.slack_standin import SlackStandIn

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = Path(__file__).parent / "fixtures"
REPORT = FIXTURES / "linkedin_inmail_report.csv"
NORDIC = FIXTURES / "linkedin_owner_semicolon.csv"  # `;`, "Owner", day-first dotted dates, 1.400, "Totalt:"
TEAM = "T0TEAM"
HEADER = "Seat holder,Email,Date range,InMails sent,InMails accepted,InMails declined,InMails pending\n"


def cli(db: Path | str, *args: str, env: dict[str, str] | None = None) -> tuple[int, str, str]:
    full_env = {k: v for k, v in os.environ.items() if k not in ("SLACK_BOT_TOKEN", "SLACK_API_URL")}
    full_env |= {"INMAIL_DB": str(db)} | (env or {})
    proc = subprocess.run([sys.executable, "-m", "bot", "import", *args], capture_output=True, cwd=ROOT,
                          env=full_env, timeout=60, text=True)
    return proc.returncode, proc.stdout, proc.stderr


def stored(db: Path | str, sql: str, params: tuple[Any, ...] = ()) -> list[dict[str, Any]]:
    store = Store.open(db)
    try:
        return store.rows(sql, params)
    finally:
        store.close()


def week_sent(db: Path | str, user: str, first_day: date) -> int:
    """Sends stored for `user` in the 7 days from `first_day` (what a week's digest counts)."""
    start = datetime(first_day.year, first_day.month, first_day.day, tzinfo=timezone.utc).timestamp()
    store = Store.open(db)
    try:
        return Outreach(store).sends.totals(TEAM, start, start + 7 * 86_400, 2e9, 30).get(user, {}).get("sent") or 0
    finally:
        store.close()


# --- the parser ---------------------------------------------------------------------------------
def test_columns_are_found_by_name_in_any_order_and_spelling() -> None:
    assert map_columns(["Response rate", "Sent InMails", "Recruiter", "Accepted", "Declined", "Pending",
                        "Start date", "End date"]) == {
        "recruiter": 2, "sent": 1, "accepted": 3, "declined": 4, "pending": 5, "start": 6, "end": 7}
    text = "Recruiter,Start date,End date,Accepted,Declined,Pending\nKari,2026-11-02,2026-11-15,3,1,96\n"
    [row], skipped = read_report(text)
    assert (row.sent, row.pending, row.start, row.end, skipped) == (100, 96, date(2026, 11, 2), date(2026, 11, 15), [])
    with pytest.raises(ReportError):
        read_report("Name,Comment\nKari,hello\n")


@pytest.mark.parametrize("word", ["Owner", "Seat holder", "Recruiter", "Sender"])
def test_the_recruiter_column_has_several_names(word: str) -> None:
    [row], _ = read_report(f"{word},Owner email,Date,InMails sent\nKari,kari@acme.example,2026-11-02,10\n")
    assert (row.recruiter, row.email) == ("Kari", "kari@acme.example")


def test_rows_skipped_are_reported_with_their_line_and_reason() -> None:
    rows, skipped = read_report(REPORT.read_bytes())
    assert [(r.email, r.sent, r.accepted, r.declined, r.pending) for r in rows] == [
        ("kari@acme.example", 1204, 101, 52, 1051), ("ola@acme.example", 48, 9, 3, 36),
        ("ingrid@acme.example", 60, 5, 2, 53), ("kari@acme.example", 130, 20, 4, 106)]
    assert [(s.line, s.reason, s.totals) for s in skipped] == [
        (10, "no InMails sent", False), (11, "unreadable date 'sometime'", False), (12, "totals row", True)]


@pytest.mark.parametrize("encode", [
    lambda t: t.encode("utf-8"), lambda t: codecs.BOM_UTF8 + t.encode("utf-8"), lambda t: t.encode("utf-16"),
    lambda t: codecs.BOM_UTF16_BE + t.encode("utf-16-be"), lambda t: t.encode("utf-16-le")],
    ids=["utf-8", "utf-8-bom", "utf-16-bom", "utf-16-be-bom", "utf-16-le-no-bom"])
def test_utf8_and_utf16_files_are_read(encode: Any) -> None:
    text = HEADER + "Kåre Ødegård,kare@acme.example,2026-11-02 - 2026-11-15,10,1,1,8\n"
    [row], skipped = read_report(encode(text))
    assert (row.recruiter, row.sent, skipped) == ("Kåre Ødegård", 10, [])


def test_other_encodings_are_refused_clearly() -> None:
    with pytest.raises(ReportError, match="not UTF-8 or UTF-16"):
        decode_report((HEADER + "Kåre,kare@acme.example,2026-11-02,10,1,1,8\n").encode("cp1252"))


def test_semicolon_files_with_decimal_commas_and_dotted_thousands() -> None:
    rows, skipped = read_report(NORDIC.read_bytes())
    assert [(r.recruiter, r.email, r.start, r.end, r.sent, r.pending) for r in rows] == [
        ("Kari Nordmann", "kari@acme.example", date(2026, 11, 16), date(2026, 11, 29), 1400, 1260),
        ("Ola Hansen", "ola@acme.example", date(2026, 11, 16), date(2026, 11, 29), 56, 42)]
    assert [(s.line, s.totals) for s in skipped] == [(5, True)]
    tabbed = HEADER.replace(",", "\t") + "Kari\tkari@acme.example\t2026-11-02\t1 204\t1\t1\t1202\n"
    assert read_report(tabbed)[0][0].sent == 1204


@pytest.mark.parametrize("name", ["Total", "Totals:", "Grand total", "Sum", "All", "TOTALT", "Totale:"])
def test_totals_rows_are_skipped_by_name(name: str) -> None:
    rows, [skip] = read_report(HEADER + f"Kari,kari@acme.example,2026-11-02,10,1,1,8\n{name},,2026-11-02,10,1,1,8\n")
    assert len(rows) == 1 and skip.totals and skip.line == 3


def test_day_first_or_month_first_is_read_from_the_files_own_dates() -> None:
    day_first = HEADER + "Kari,k@a.example,01/10/2026 - 14/10/2026,10,1,1,8\nOla,o@a.example,01/10/2026,5,0,0,5\n"
    rows, _ = read_report(day_first)
    assert [(r.start, r.end) for r in rows] == [(date(2026, 10, 1), date(2026, 10, 14)), (date(2026, 10, 1),) * 2]
    month_first = HEADER + "Kari,k@a.example,10/01/2026 - 10/14/2026,10,1,1,8\n"
    assert read_report(month_first)[0][0].start == date(2026, 10, 1)
    # no part over 12, but read month first the period would end before it starts
    backwards = HEADER + "Kari,k@a.example,05/11/2026 - 04/12/2026,10,1,1,8\n"
    assert read_report(backwards)[0][0].end == date(2026, 12, 4)
    # ISO and month-name dates read one way only, whatever else the file holds
    iso = HEADER + 'Kari,k@a.example,2026-01-10 - 2026-01-23,10,1,1,8\nOla,o@a.example,"Jan 10, 2026 - 10 Feb 2026",5,0,0,5\n'
    assert [(r.start, r.end) for r in read_report(iso)[0]] == [(date(2026, 1, 10), date(2026, 1, 23)),
                                                              (date(2026, 1, 10), date(2026, 2, 10))]


def test_a_truly_ambiguous_or_contradictory_file_is_refused() -> None:
    ambiguous = HEADER + "Kari,k@a.example,01/10/2026 - 12/10/2026,10,1,1,8\n"
    with pytest.raises(AmbiguousDates) as refused:
        read_report(ambiguous)
    assert "day first or month first" in str(refused.value) and "line 2" in str(refused.value)
    assert read_report(ambiguous, "day")[0][0].end == date(2026, 10, 12)
    assert read_report(ambiguous, "month")[0][0].end == date(2026, 12, 10)
    both = HEADER + "Kari,k@a.example,16/11/2026,10,1,1,8\nOla,o@a.example,11/16/2026,10,1,1,8\n"
    with pytest.raises(ReportError, match="line 2 has 16/11/2026 .day first., line 3 has 11/16/2026"):
        read_report(both)


def test_a_period_is_spread_over_its_days_and_adds_up() -> None:
    assert split(10, [1, 1, 1]) == [4, 3, 3] and split(5, [0, 3, 2]) == [0, 3, 2] and split(3, [0, 0]) == [0, 0]
    row = ReportRow(2, "Kari", "", date(2026, 11, 16), date(2026, 11, 29), 1204, 101, 52, 1051)
    days = spread(row)
    assert [d.day for d in days] == [date(2026, 11, n) for n in range(16, 30)]
    assert (sum(d.sent for d in days), sum(d.accepted for d in days), sum(d.declined for d in days),
            sum(d.pending for d in days)) == (1204, 101, 52, 1051)
    assert all(d.accepted + d.declined + d.pending == d.sent for d in days)
    assert max(d.sent for d in days) - min(d.sent for d in days) <= 1 and spread(row) == days
    few = spread(ReportRow(2, "Kari", "", date(2026, 11, 16), date(2026, 11, 29), 3, 2, 1, 0))
    assert len(few) == 3 and all(d.accepted + d.declined <= d.sent for d in few)


def test_the_summary_lists_skipped_rows_up_to_a_limit() -> None:
    result = ImportResult(TEAM, added=1, skipped=[Skipped(n, "no date") for n in range(2, 32)])
    lines = summary(result, limit=20).splitlines()
    assert lines[0] == "1 row imported for team T0TEAM: 1 added, 0 updated, 0 unchanged; 30 skipped"
    assert lines[1] == "  each period's figures were spread evenly over its days"
    assert lines[2:4] == ["  line 2: no date", "  line 3: no date"] and lines[-1] == "  … and 10 more" and len(lines) == 23
    assert (result.exit_code, ImportResult(TEAM, added=1, skipped=[Skipped(9, "totals row", totals=True)]).exit_code) == (1, 0)


# --- the command --------------------------------------------------------------------------------
def test_import_maps_recruiters_and_a_second_import_changes_nothing(tmp_path: Path, db_url: str) -> None:
    db = db_url
    code, out, err = cli(db, str(REPORT), "--team", TEAM, "--map", str(FIXTURES / "recruiters_map.csv"))
    assert code == 1 and err == ""  # some rows were skipped
    assert "3 rows imported for team T0TEAM: 3 added, 0 updated, 0 unchanged; 3 skipped" in out
    assert "line 8: unknown recruiter 'ingrid@acme.example'" in out and "line 12: skipped (totals row)" in out
    assert "spread evenly over its days" in out
    before = stored(db, "SELECT * FROM outreach ORDER BY id")
    sums = stored(db, "SELECT user_id, COUNT(*) AS days, SUM(sent) AS sent, SUM(accepted) AS accepted, SUM(declined) "
                      "AS declined, SUM(pending) AS pending, MIN(source) AS source FROM outreach GROUP BY user_id")
    assert sums == [{"user_id": "U1", "days": 28, "sent": 1334, "accepted": 121, "declined": 56, "pending": 1157,
                     "source": "import"},
                    {"user_id": "U2", "days": 14, "sent": 48, "accepted": 9, "declined": 3, "pending": 36,
                     "source": "import"}]
    code, out, _ = cli(db, str(REPORT))  # the only team in the database; the aliases are remembered
    assert "3 rows imported for team T0TEAM: 0 added, 0 updated, 3 unchanged" in out
    assert stored(db, "SELECT * FROM outreach ORDER BY id") == before


def test_a_two_week_report_fills_both_weeks(tmp_path: Path, db_url: str) -> None:
    """16–29 Nov: half in the week of the 16th, half in the week of the 23rd (was: all in the first)."""
    db = db_url
    code, out, _ = cli(db, str(NORDIC), "--team", TEAM, "--map", str(FIXTURES / "recruiters_map.csv"))
    assert code == 0, out
    assert (week_sent(db, "U1", date(2026, 11, 16)), week_sent(db, "U1", date(2026, 11, 23))) == (700, 700)
    assert (week_sent(db, "U2", date(2026, 11, 16)), week_sent(db, "U2", date(2026, 11, 23))) == (28, 28)


def test_a_newer_export_of_the_same_period_updates_it(tmp_path: Path, db_url: str) -> None:
    db = db_url
    first = tmp_path / "first.csv"
    first.write_text("Email,Date range,InMails sent,InMails accepted,InMails declined,InMails pending\n"
                     "U1,11/02/2026 - 11/15/2026,100,5,5,90\n")
    later = tmp_path / "later.csv"
    later.write_text(first.read_text().replace("100,5,5,90", "100,15,5,80"))
    assert cli(db, str(first), "--team", TEAM)[0] == 0
    code, out, _ = cli(db, str(later), "--team", TEAM)
    assert code == 0 and "0 added, 1 updated, 0 unchanged; 0 skipped" in out
    [row] = stored(db, "SELECT COUNT(*) AS days, SUM(accepted) AS accepted, SUM(replied) AS replied, "
                       "SUM(pending) AS pending FROM outreach")
    assert row == {"days": 14, "accepted": 15, "replied": 20, "pending": 80}


def test_a_row_stored_the_old_way_is_replaced_not_counted_twice(tmp_path: Path, db_url: str) -> None:
    db = db_url
    store = Store.open(db)
    try:  # as the import stored it before: the whole period on its first day
        Outreach(store).sends.record(TEAM, "U1", "import:U1:2026-11-02:2026-11-15", "import", sent=100,
                                     at=datetime(2026, 11, 2, tzinfo=timezone.utc).timestamp(), accepted=5, declined=5)
    finally:
        store.close()
    report = tmp_path / "report.csv"
    report.write_text("Email,Date range,InMails sent,InMails accepted,InMails declined\nU1,2026-11-02 - 2026-11-15,100,5,5\n")
    code, out, _ = cli(db, str(report), "--team", TEAM)
    assert code == 0 and "0 added, 1 updated, 0 unchanged" in out
    [row] = stored(db, "SELECT COUNT(*) AS days, SUM(sent) AS sent FROM outreach")
    assert row == {"days": 14, "sent": 100}


def test_normal_files_import_with_exit_0(tmp_path: Path) -> None:
    """UTF-16 with `;`, "Owner", day-first dates and a totals row: all read, the totals row named, exit 0."""
    report = tmp_path / "report.csv"
    report.write_bytes(NORDIC.read_text(encoding="utf-8").encode("utf-16"))
    code, out, err = cli(tmp_path / "inmail.db", str(report), "--team", TEAM, "--map",
                         str(FIXTURES / "recruiters_map.csv"))
    assert (code, err) == (0, "")
    assert "2 rows imported for team T0TEAM: 2 added, 0 updated, 0 unchanged; 0 skipped" in out
    assert "line 5: skipped (totals row)" in out


def test_ambiguous_dates_are_refused_naming_the_flags(tmp_path: Path, db_url: str) -> None:
    db = db_url
    report = tmp_path / "report.csv"
    report.write_text(HEADER + "Kari,U1,01/10/2026 - 12/10/2026,24,2,2,20\n")
    code, out, err = cli(db, str(report), "--team", TEAM)
    assert code == 2 and out == "" and "--dayfirst or --monthfirst" in err and err.count("\n") == 1
    code, out, _ = cli(db, str(report), "--team", TEAM, "--dayfirst")
    assert code == 0 and "1 added" in out
    [row] = stored(db, "SELECT MIN(key) AS first, MAX(key) AS last FROM outreach")
    assert row == {"first": "import:U1:2026-10-01:2026-10-12:2026-10-01", "last": "import:U1:2026-10-01:2026-10-12:2026-10-12"}
    code, _, err = cli(db, str(report), "--dayfirst", "--monthfirst")
    assert code == 2 and "not allowed with" in err


def test_unreadable_files_exit_2_with_one_line(tmp_path: Path) -> None:
    bad = tmp_path / "notes.csv"
    bad.write_text("hello,world\n")
    code, out, err = cli(tmp_path / "x.db", str(bad), "--team", TEAM)
    assert code == 2 and out == "" and err.count("\n") == 1 and "no header" in err
    code, _, err = cli(tmp_path / "x.db", str(tmp_path / "missing.csv"))
    assert code == 2 and "Traceback" not in err
    bad.write_bytes((HEADER + "Kåre,kare@acme.example,2026-11-02,10,1,1,8\n").encode("cp1252"))
    code, _, err = cli(tmp_path / "x.db", str(bad), "--team", TEAM)
    assert code == 2 and "not UTF-8 or UTF-16" in err


# --- recruiters found in Slack ------------------------------------------------------------------
@pytest.fixture
def slack() -> Iterator[SlackStandIn]:
    with SlackStandIn(users=[{"id": "U1", "name": "kari", "email": "kari@acme.example"},
                             {"id": "U2", "name": "ola.h", "real_name": "Ola Hansen"},
                             {"id": "U3", "name": "ingrid"}, {"id": "U4", "name": "ingrid.b"}]) as standin:
        standin.users["U3"]["profile"]["display_name"] = standin.users["U4"]["profile"]["display_name"] = "Ingrid Berg"
        yield standin


def slack_env(slack: SlackStandIn) -> dict[str, str]:
    return {"SLACK_BOT_TOKEN": "xoxb-test-token", "SLACK_API_URL": slack.api_url}


def test_recruiters_are_found_in_slack_by_email_or_name_and_remembered(tmp_path: Path, slack: SlackStandIn, db_url: str) -> None:
    db = db_url
    code, out, _ = cli(db, str(REPORT), "--team", TEAM, env=slack_env(slack))
    assert "3 rows imported" in out and "'kari@acme.example' is U1 (found in Slack)" in out
    assert "'Ola Hansen' is U2 (found in Slack)" in out  # no Slack user has ola@ as e-mail: by real name
    # two people are "Ingrid Berg": no guess, the admin is asked
    assert code == 1 and "line 8: unknown recruiter 'ingrid@acme.example' (name their Slack user id with --map)" in out
    assert [c.args["email"] for c in slack.calls_to("users.lookupByEmail")] == [
        "kari@acme.example", "ola@acme.example", "ingrid@acme.example"]
    assert len(slack.calls_to("users.list")) == 1  # one list for the whole import
    assert {r["user_id"] for r in stored(db, "SELECT DISTINCT user_id FROM outreach")} == {"U1", "U2"}
    slack.reset()
    code, out, _ = cli(db, str(REPORT), "--team", TEAM, env=slack_env(slack))
    assert "0 added, 0 updated, 3 unchanged" in out and "found in Slack" not in out
    assert [c.method for c in slack.calls] == ["users.lookupByEmail", "users.list"]  # only Ingrid is asked about
    assert slack.violations == []


def test_users_list_is_read_page_by_page(tmp_path: Path, slack: SlackStandIn) -> None:
    for n in range(250):
        slack.add_user(f"UX{n:03d}", name=f"person{n}")
    slack.add_user("UOLA", name="ola", real_name="Ola Nordlys")
    slack.users["UOLA"]["profile"]["display_name"] = "Ola Hansen"
    del slack.users["U2"]
    _, out, _ = cli(tmp_path / "inmail.db", str(REPORT), "--team", TEAM, env=slack_env(slack))
    assert "'Ola Hansen' is UOLA (found in Slack)" in out
    pages = slack.calls_to("users.list")
    assert len(pages) == 2 and "cursor" not in pages[0].args and pages[1].args["cursor"]
    assert slack.violations == []


def test_slack_failing_never_fails_the_import(tmp_path: Path, slack: SlackStandIn) -> None:
    slack.fail("users.lookupByEmail", status=429, times=10)
    slack.fail("users.list", error="ratelimited")
    code, out, err = cli(tmp_path / "inmail.db", str(REPORT), "--team", TEAM, env=slack_env(slack))
    assert code == 1 and "Traceback" not in err
    assert "0 rows imported" in out and "Slack could not be asked about every recruiter (ratelimited)" in out
    assert "line 5: unknown recruiter 'kari@acme.example' (name their Slack user id with --map)" in out


def test_without_a_token_the_import_says_once_that_slack_was_not_asked(tmp_path: Path) -> None:
    code, out, _ = cli(tmp_path / "inmail.db", str(REPORT), "--team", TEAM)
    assert code == 1 and out.count("SLACK_BOT_TOKEN is not set") == 1 and out.count("unknown recruiter") == 4
