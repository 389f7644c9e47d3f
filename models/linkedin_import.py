"""Reading LinkedIn Recruiter's InMail report (CSV): columns found by header name, not position.

Exports differ by contract, language of the admin, spreadsheet program and year, and an admin
should not have to clean one up before importing it:

- bytes: UTF-8 with or without a BOM, UTF-16 with a BOM (what Excel's "Unicode text" writes)
  or without one (recognised by its NUL bytes); anything else is refused with a clear error.
- delimiter: `,`, `;` (spreadsheets set to a decimal comma), tab or `|`, sniffed by
  `csv.Sniffer`; when the sniffed one finds no header, the others are tried in turn.
- header: compared after lower-casing and dropping everything but letters and digits; each
  field is recognised by the words it must (and must not) contain ("Seat holder", "Owner",
  "Recruiter" and "Sender" all name the recruiter). A title line above the header is passed over.
- counts: thousands separators (`1,204`, `1.204`, `1 204`) are read; a decimal comma in a
  column we do not read (the response rate) does not matter.
- dates: ISO (`2026-11-02`) and month-name dates (`Nov 2, 2026`, `2 Nov 2026`) read one way
  only. Numeric dates with `/`, `.` or `-` (`01/10/2026`) are read day first or month first
  *for the whole file*, from the evidence in its values: a first part over 12 proves day first,
  a second part over 12 month first, and — only when no value proves either — a period that
  would end before it starts under one reading proves the other. Evidence both ways is an error
  naming the lines; no evidence while some date could be read both ways is an error asking for
  `--dayfirst` or `--monthfirst` (the caller's `date_order`, which is then taken as given).
  Period lengths are not used as evidence: a report may cover any span.
- a totals row ("Total", "Totals:", "Grand total", "Sum", "All", "Totalt", "Totale") is
  skipped by name and marked as such: it is expected, not a problem with the file.

Rows that cannot be used are returned with the reason, never silently dropped. `spread` splits a
row's period into days for storing (see its docstring).
"""
from __future__ import annotations

import codecs
import csv
import io
import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Iterable, Literal

DateOrder = Literal["day", "month"]
TEXT_DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%b %d, %Y", "%B %d, %Y", "%d %b %Y", "%d %B %Y")
NUMERIC_DATE = re.compile(r"(\d{1,2})[./-](\d{1,2})[./-](\d{4}|\d{2})")
DELIMITERS = ",;\t|"
SNIFF_CHARS = 16_384
# field → (words one of which the header must contain, words it must not contain)
FIELDS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "email": (("email", "epost"), ()),
    "recruiter": (("seatholder", "recruiter", "owner", "sender", "name", "user", "member"), ("email", "rate", "company")),
    "sent": (("sent",), ("rate", "date", "by")),
    "accepted": (("accept",), ("rate",)),
    "declined": (("declin",), ("rate",)),
    "pending": (("pending", "noresponse"), ("rate",)),
    "start": (("startdate", "periodstart", "datefrom", "fromdate", "from", "start"), ()),
    "end": (("enddate", "periodend", "dateto", "todate", "end"), ("sent",)),
    "range": (("daterange", "timeperiod", "period", "dates", "date", "month", "week"), ("start", "end", "sent")),
}
TOTALS_NAMES = frozenset({"total", "totals", "grand total", "sum", "all", "totalt", "totale"})
RANGE_SEPARATOR = re.compile(r"\s+(?:-|–|—|to)\s+")
THOUSANDS = re.compile(r"\d{1,3}(?:[,.]\d{3})+")


class ReportError(ValueError):
    """The file as a whole cannot be read (not text, no header with the needed columns, dates
    that cannot be read one way)."""


class AmbiguousDates(ReportError):
    """Nothing in the file says whether its dates are day first or month first: the caller says
    how to choose (a command-line flag, a field in the Slack form)."""


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
    """A row not imported; `totals` rows are expected in exports and are no problem to look at."""

    line: int
    reason: str
    totals: bool = False


@dataclass(frozen=True)
class DayFigures:
    day: date
    sent: int
    accepted: int
    declined: int
    pending: int


# --- bytes, delimiter, header ------------------------------------------------------------------
def decode_report(data: bytes) -> str:
    """The report's text: UTF-8 (BOM or not) or UTF-16 (BOM or not)."""
    try:
        if data.startswith(codecs.BOM_UTF8):
            return data[len(codecs.BOM_UTF8):].decode("utf-8")
        if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            return data.decode("utf-16")
        sample = data[:4096]
        if b"\x00" in sample:  # UTF-16 without a BOM: a NUL beside every ASCII character
            return data.decode("utf-16-le" if sample[1::2].count(0) > sample[0::2].count(0) else "utf-16-be")
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise ReportError(f"not UTF-8 or UTF-16 text (byte {error.start}): export the report again as CSV") from None


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


def _usable(columns: dict[str, int]) -> bool:
    has_dates = "range" in columns or "start" in columns
    return ("recruiter" in columns or "email" in columns) and has_dates and (
        "sent" in columns or {"accepted", "declined", "pending"} <= columns.keys())


def _sniffed(text: str) -> str:
    try:
        return csv.Sniffer().sniff(text[:SNIFF_CHARS], delimiters=DELIMITERS).delimiter
    except csv.Error:
        return ","


def _table(text: str) -> tuple[list[list[str]], int]:
    """The rows and the header's index, with the sniffed delimiter or else the first that finds a
    header (a title line above the header can mislead the sniffer)."""
    first = _sniffed(text)
    for delimiter in dict.fromkeys(first + DELIMITERS):
        rows = list(csv.reader(io.StringIO(text), delimiter=delimiter))
        header_at = next((i for i, row in enumerate(rows) if _usable(map_columns(row))), None)
        if header_at is not None:
            return rows, header_at
    raise ReportError("no header with a recruiter, a date and InMail counts (sent, accepted, declined, pending)")


# --- dates -------------------------------------------------------------------------------------
def _numeric(text: str) -> tuple[int, int, int] | None:
    match = NUMERIC_DATE.fullmatch(text.strip())
    if not match:
        return None
    first, second, year = (int(part) for part in match.groups())
    return first, second, year + 2000 if year < 100 else year


def parse_date(text: str, order: DateOrder = "month") -> date:
    """A date as the export writes it; numeric ones (`01/10/2026`) in the file's `order`."""
    value = text.strip()
    numeric = _numeric(value)
    if numeric:
        first, second, year = numeric
        day, month = (first, second) if order == "day" else (second, first)
        try:
            return date(year, month, day)
        except ValueError:
            raise ValueError(f"unreadable date {value!r}") from None
    for fmt in TEXT_DATE_FORMATS:
        try:
            return datetime.strptime(value, fmt).date()
        except ValueError:
            continue
    raise ValueError(f"unreadable date {value!r}")


def _reading(text: str, order: DateOrder) -> date | None:
    try:
        return parse_date(text, order)
    except ValueError:
        return None


def _range_evidence(periods: list[tuple[int, str, str]]) -> dict[DateOrder, list[int]]:
    """Lines whose period ends before it starts under one reading only: evidence for the other."""
    found: dict[DateOrder, list[int]] = {"day": [], "month": []}
    for line, start, end in periods:
        if not (_numeric(start) and _numeric(end)):
            continue
        backwards: dict[DateOrder, bool] = {}
        for order in ("day", "month"):
            first, last = _reading(start, order), _reading(end, order)
            backwards[order] = first is None or last is None or last < first
        if backwards["day"] != backwards["month"]:
            found["month" if backwards["day"] else "day"].append(line)
    return found


def infer_order(periods: list[tuple[int, str, str]]) -> DateOrder:
    """The file's numeric date order from its values (see the module docstring).

    `periods` are (line, start text, end text); a single date is both."""
    proof: dict[DateOrder, list[tuple[int, str]]] = {"day": [], "month": []}
    ambiguous: list[tuple[int, str]] = []
    for line, start, end in periods:
        for text in dict.fromkeys((start, end)):
            numeric = _numeric(text)
            if numeric is None:
                continue
            first, second, _ = numeric
            if first > 12:
                proof["day"].append((line, text.strip()))
            elif second > 12:
                proof["month"].append((line, text.strip()))
            elif first != second:
                ambiguous.append((line, text.strip()))
    if proof["day"] and proof["month"]:
        (day_line, day_text), (month_line, month_text) = proof["day"][0], proof["month"][0]
        raise ReportError(f"dates are written both ways: line {day_line} has {day_text} (day first), line "
                          f"{month_line} has {month_text} (month first)")
    if proof["day"] or proof["month"]:
        return "day" if proof["day"] else "month"
    if not ambiguous:
        return "month"  # every numeric date reads the same both ways
    ranges = _range_evidence(periods)
    if bool(ranges["day"]) != bool(ranges["month"]):
        return "day" if ranges["day"] else "month"
    line, text = ambiguous[0]
    raise AmbiguousDates(f"dates such as {text} (line {line}) read as day first or month first, and no date in the "
                         "file says which")


# --- rows --------------------------------------------------------------------------------------
def _count(text: str) -> int:
    value = re.sub(r"[\s\u00a0\u202f]", "", text)
    if not value or value == "-":
        return 0
    if THOUSANDS.fullmatch(value):
        value = re.sub(r"[,.]", "", value)
    if not value.isdigit():
        raise ValueError(f"not a count: {text.strip()!r}")
    return int(value)


def is_totals(name: str) -> bool:
    return name.strip().rstrip(":").strip().lower() in TOTALS_NAMES


def _period_texts(cell: dict[str, str]) -> tuple[str, str] | None:
    """The start and end as written (one date: both the same), or None when there is none."""
    if cell.get("start", "").strip():
        return cell["start"], cell.get("end", "").strip() or cell["start"]
    parts = RANGE_SEPARATOR.split(cell.get("range", "").strip())
    return (parts[0], parts[-1]) if parts and parts[0] else None


def read_report(data: str | bytes, date_order: DateOrder | None = None) -> tuple[list[ReportRow], list[Skipped]]:
    """The report's usable rows and the skipped ones (with line numbers as in the file).
    `date_order` None: numeric dates are read the way the file's own values show."""
    text = decode_report(data) if isinstance(data, bytes) else data.lstrip("\ufeff")
    rows, header_at = _table(text)
    columns = map_columns(rows[header_at])
    cells: list[tuple[int, dict[str, str]]] = []
    for number, row in enumerate(rows[header_at + 1:], start=header_at + 2):
        if any(cell.strip() for cell in row):  # blank lines are no rows
            cells.append((number, {field: (row[index] if index < len(row) else "") for field, index in columns.items()}))
    periods = [(number, *texts) for number, cell in cells if (texts := _period_texts(cell))]
    order = date_order or infer_order(periods)
    found: list[ReportRow] = []
    skipped: list[Skipped] = []
    for number, cell in cells:
        result = _row(number, cell, order)
        (skipped if isinstance(result, Skipped) else found).append(result)  # type: ignore[arg-type]
    return found, skipped


def _row(number: int, cell: dict[str, str], order: DateOrder) -> ReportRow | Skipped:
    recruiter, email = cell.get("recruiter", "").strip(), cell.get("email", "").strip()
    if is_totals(recruiter or email):
        return Skipped(number, "totals row", totals=True)
    if not recruiter and not email:
        return Skipped(number, "no recruiter")
    texts = _period_texts(cell)
    if texts is None:
        return Skipped(number, "no date")
    try:
        start, end = parse_date(texts[0], order), parse_date(texts[1], order)
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


# --- spreading a period over its days -----------------------------------------------------------
def split(total: int, weights: list[int]) -> list[int]:
    """`total` in whole parts proportional to `weights`, summing exactly to `total` (largest
    remainder; ties go to the earlier part, so the result is the same every time). A part never
    exceeds its weight while `total` ≤ the weights' sum."""
    whole = sum(weights)
    if whole == 0:
        return [0] * len(weights)
    parts = [total * w // whole for w in weights]
    by_remainder = sorted(range(len(weights)), key=lambda i: (-(total * weights[i] % whole), i))
    for i in by_remainder[:total - sum(parts)]:
        parts[i] += 1
    return parts


def spread(row: ReportRow) -> list[DayFigures]:
    """The row's figures over each day of its period, evenly: the export says how many InMails a
    period had, not on which days, and booking them all on the start date puts a two-week report
    into one week. Sends are split evenly; responses in proportion to each day's sends (so no day
    has more responses than sends), accepted in proportion to each day's responses, pending to
    each day's sends without a response. Days left with no sends are left out."""
    days = [row.start + timedelta(days=n) for n in range((row.end - row.start).days + 1)]
    sent = split(row.sent, [1] * len(days))
    responses = split(row.accepted + row.declined, sent)
    accepted = split(row.accepted, responses)
    unanswered = [s - r for s, r in zip(sent, responses)]
    pending = split(row.pending, unanswered if any(unanswered) else sent)
    return [DayFigures(day, s, a, r - a, p) for day, s, r, a, p in zip(days, sent, responses, accepted, pending) if s]
