"""`inmail-review import`: a realistic LinkedIn Recruiter export, run as a user runs it."""
from __future__ import annotations

import os
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from models.linkedin_import import ReportError, map_columns, read_report
from models.outreach import Outreach
from models.store import Store

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = Path(__file__).parent / "fixtures"
REPORT = FIXTURES / "linkedin_inmail_report.csv"
TEAM = "T0TEAM"


def cli(db: Path, *args: str) -> tuple[int, str, str]:
    env = {**os.environ, "INMAIL_DB": str(db)}
    proc = subprocess.run([sys.executable, "-m", "bot", "import", *args], capture_output=True, cwd=ROOT, env=env,
                          timeout=60, text=True)
    return proc.returncode, proc.stdout, proc.stderr


def test_columns_are_found_by_name_in_any_order_and_spelling() -> None:
    assert map_columns(["Response rate", "Sent InMails", "Recruiter", "Accepted", "Declined", "Pending",
                        "Start date", "End date"]) == {
        "recruiter": 2, "sent": 1, "accepted": 3, "declined": 4, "pending": 5, "start": 6, "end": 7}
    text = "Recruiter,Start date,End date,Accepted,Declined,Pending\nKari,2026-11-02,2026-11-15,3,1,96\n"
    [row], skipped = read_report(text)
    assert (row.sent, row.pending, row.start, row.end, skipped) == (100, 96, date(2026, 11, 2), date(2026, 11, 15), [])
    with pytest.raises(ReportError):
        read_report("Name,Comment\nKari,hello\n")


def test_rows_skipped_are_reported_with_their_line_and_reason() -> None:
    rows, skipped = read_report(REPORT.read_text(encoding="utf-8-sig"))
    assert [(r.email, r.sent, r.accepted, r.declined, r.pending) for r in rows] == [
        ("kari@acme.example", 1204, 101, 52, 1051), ("ola@acme.example", 48, 9, 3, 36),
        ("ingrid@acme.example", 60, 5, 2, 53), ("kari@acme.example", 130, 20, 4, 106)]
    assert [(s.line, s.reason) for s in skipped] == [
        (10, "no InMails sent"), (11, "unreadable date 'sometime'"), (12, "a totals row")]


def test_import_maps_recruiters_and_a_second_import_changes_nothing(tmp_path: Path) -> None:
    db = tmp_path / "inmail.db"
    code, out, err = cli(db, str(REPORT), "--team", TEAM, "--map", str(FIXTURES / "recruiters_map.csv"))
    assert code == 1 and err == ""  # some rows were skipped
    assert "3 rows imported for team T0TEAM: 3 added, 0 updated, 0 unchanged; 4 skipped" in out
    assert "line 8: unknown recruiter 'ingrid@acme.example'" in out and "line 12: a totals row" in out
    store = Store.open(db)
    try:
        before = store.rows("SELECT * FROM outreach ORDER BY id", ())
        assert [(r["user_id"], r["sent"], r["accepted"], r["declined"], r["replied"], r["pending"], r["source"])
                for r in before] == [("U1", 1204, 101, 52, 153, 1051, "import"), ("U2", 48, 9, 3, 12, 36, "import"),
                                     ("U1", 130, 20, 4, 24, 106, "import")]
        totals = Outreach(store).totals(TEAM, 0, 2e9, 2e9, 30)
        assert totals["U1"]["sent"] == 1334 and totals["U1"]["responses"] == 177
    finally:
        store.close()
    code, out, _ = cli(db, str(REPORT))  # the only team in the database; the aliases are remembered
    assert "3 rows imported for team T0TEAM: 0 added, 0 updated, 3 unchanged" in out
    store = Store.open(db)
    try:
        assert store.rows("SELECT * FROM outreach ORDER BY id", ()) == before
    finally:
        store.close()


def test_a_newer_export_of_the_same_period_updates_it(tmp_path: Path) -> None:
    db = tmp_path / "inmail.db"
    first = tmp_path / "first.csv"
    first.write_text("Email,Date range,InMails sent,InMails accepted,InMails declined,InMails pending\n"
                     "U1,11/02/2026 - 11/15/2026,100,5,5,90\n")
    later = tmp_path / "later.csv"
    later.write_text(first.read_text().replace("100,5,5,90", "100,15,5,80"))
    assert cli(db, str(first), "--team", TEAM)[0] == 0
    code, out, _ = cli(db, str(later), "--team", TEAM)
    assert code == 0 and "0 added, 1 updated, 0 unchanged; 0 skipped" in out
    store = Store.open(db)
    try:
        [row] = store.rows("SELECT accepted, replied, pending FROM outreach", ())
        assert row == {"accepted": 15, "replied": 20, "pending": 80}
    finally:
        store.close()


def test_unreadable_files_exit_2_with_one_line(tmp_path: Path) -> None:
    bad = tmp_path / "notes.csv"
    bad.write_text("hello,world\n")
    code, out, err = cli(tmp_path / "x.db", str(bad), "--team", TEAM)
    assert code == 2 and out == "" and err.count("\n") == 1 and "no header" in err
    code, _, err = cli(tmp_path / "x.db", str(tmp_path / "missing.csv"))
    assert code == 2 and "Traceback" not in err
