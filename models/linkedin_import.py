"""Reading LinkedIn Recruiter's InMail report (CSV): columns found by header name, not position.

Exports differ by contract, language of the admin and year: "InMails Sent" or "Sent
InMails", "Seat Holder" or "Recruiter", one "Date Range" column or "Start Date"/"End Date",
a title line above the header, a BOM, blank lines, thousands separators, a totals row. Headers
are compared after lower-casing and dropping everything but letters and digits, and each
field is recognised by the words it must (and must not) contain. Rows that cannot be used are
returned with the reason, never silently dropped.
"""
from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from datetime import date, datetime
from typing import Iterable

DATE_FORMATS = ("%Y-%m-%d", "%m/%d/%Y", "%m/%d/%y", "%d.%m.%Y", "%b %d, %Y", "%B %d, %Y", "%d %b %Y", "%Y/%m/%d")
# field → (words one of which the header must contain, words it must not contain)
FIELDS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "email": (("email", "epost"), ()),
    "recruiter": (("seatholder", "recruiter", "name", "user", "member", "sender"), ("email", "rate", "company")),
    "sent": (("sent",), ("rate", "date", "by")),
    "accepted": (("accept",), ("rate",)),
    "declined": (("declin",), ("rate",)),
    "pending": (("pending", "noresponse"), ("rate",)),
    "start": (("startdate", "periodstart", "datefrom", "fromdate", "from", "start"), ()),
    "end": (("enddate", "periodend", "dateto", "todate", "end"), ("sent",)),
    "range": (("daterange", "timeperiod", "period", "dates", "date", "month", "week"), ("start", "end", "sent")),
}
RANGE_SEPARATOR = re.compile(r"\s+(?:-|–|—|to)\s+")


class ReportError(ValueError):
    """The file as a whole cannot be read (no header with the needed columns)."""


@dataclass(frozen=True)
class ReportRow:
    line: int
    recruiter: str
    email: str
    start: date
    end: date
    sent: int
    accepted: int
    declined: int
    pending: int


@dataclass(frozen=True)
class Skipped:
    line: int
    reason: str


def normalise(header: str) -> str:
    return re.sub(r"[^a-z0-9]", "", header.lower())


def map_columns(header: Iterable[str]) -> dict[str, int]:
    """Field → column index; the first matching column wins, each column is used once."""
    columns: dict[str, int] = {}
    names = [normalise(h) for h in header]
    for field, (wanted, unwanted) in FIELDS.items():
        for index, name in enumerate(names):
            if index in columns.values() or not name:
                continue
            if any(w in name for w in wanted) and not any(u in name for u in unwanted):
                columns[field] = index
                break
    return columns


def parse_date(text: str) -> date:
    value = text.strip()
    for fmt in DATE_FORMATS:
        try:
            return datetime.strptime(value, fmt).date()
        except ValueError:
            continue
    raise ValueError(f"unreadable date {value!r}")


def _count(text: str) -> int:
    value = text.strip().replace(",", "").replace("\u00a0", "").replace(" ", "")
    if not value or value == "-":
        return 0
    if not value.isdigit():
        raise ValueError(f"not a count: {text.strip()!r}")
    return int(value)


def _usable(columns: dict[str, int]) -> bool:
    has_dates = "range" in columns or "start" in columns
    return ("recruiter" in columns or "email" in columns) and has_dates and (
        "sent" in columns or {"accepted", "declined", "pending"} <= columns.keys())


def read_report(text: str) -> tuple[list[ReportRow], list[Skipped]]:
    """The report's usable rows and the skipped ones (with line numbers as in the file)."""
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    header_at = next((i for i, row in enumerate(rows) if _usable(map_columns(row))), None)
    if header_at is None:
        raise ReportError("no header with a recruiter, a date and InMail counts (sent, accepted, declined, pending)")
    columns = map_columns(rows[header_at])
    found: list[ReportRow] = []
    skipped: list[Skipped] = []
    for number, row in enumerate(rows[header_at + 1:], start=header_at + 2):
        if not any(cell.strip() for cell in row):
            continue  # blank line
        cell = {field: (row[index] if index < len(row) else "") for field, index in columns.items()}
        result = _row(number, cell)
        (skipped if isinstance(result, Skipped) else found).append(result)  # type: ignore[arg-type]
    return found, skipped


def _row(number: int, cell: dict[str, str]) -> ReportRow | Skipped:
    recruiter, email = cell.get("recruiter", "").strip(), cell.get("email", "").strip()
    if (recruiter or email).lower() in ("total", "totals", "grand total", "sum", "all"):
        return Skipped(number, "a totals row")
    if not recruiter and not email:
        return Skipped(number, "no recruiter")
    try:
        if "start" in cell and cell["start"].strip():
            start = parse_date(cell["start"])
            end = parse_date(cell["end"]) if cell.get("end", "").strip() else start
        else:
            parts = RANGE_SEPARATOR.split(cell.get("range", "").strip())
            if not parts or not parts[0]:
                return Skipped(number, "no date")
            start, end = parse_date(parts[0]), parse_date(parts[-1])
        accepted, declined, pending = (_count(cell.get(f, "")) for f in ("accepted", "declined", "pending"))
        sent = _count(cell["sent"]) if "sent" in cell else accepted + declined + pending
    except ValueError as error:
        return Skipped(number, str(error))
    if end < start:
        return Skipped(number, f"period ends ({end}) before it starts ({start})")
    if sent < 1:
        return Skipped(number, "no InMails sent")
    if accepted + declined > sent:
        return Skipped(number, f"{accepted + declined} responses for {sent} InMails sent")
    return ReportRow(number, recruiter, email, start, end, sent, accepted, declined,
                     pending if "pending" in cell else sent - accepted - declined)
