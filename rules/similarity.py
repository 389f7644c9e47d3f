"""Near-duplicate drafts: "the same template to 100 people" (PRODUCT.md §3, generic-template).

A recruiter's mass template differs between copies only in what is swapped per recipient:
the name, sometimes the company or a skill. `mask_personal` replaces exactly those parts
(and greetings, links, addresses and numbers) with placeholders, so the copies of one
template become the same text. `fingerprint` turns that text into a MinHash of its word
shingles; `TemplateIndex` finds, among a team's earlier drafts, the ones whose shingle sets
overlap a new draft's by at least the threshold (Jaccard), for recipients other than this
draft's.

Why these numbers. Measured on the en/nb/it corpora of tests/test_similarity.py (copies of a
~190-word template per language, edited in the ways below; 5 × 30 drafts per language written
from sentence banks for the same recruiter, role and company). J is the exact Jaccard of the
shingle sets; "caught" goes through `fingerprint` and `TemplateIndex` (MinHash estimate + LSH):

| shingle words                                 |      2      |      3      |      4      |      5      |
|-----------------------------------------------|-------------|-------------|-------------|-------------|
| template, 10 scattered words changed: median J|    0.81     |    0.74     |    0.67     |    0.61     |
| template, 1 of ~12 sentences replaced: min J  |    0.75     |    0.73     |    0.73     |    0.72     |
| template, 2 sentences replaced: median J      |    0.70     |    0.68     |    0.67     |    0.65     |
| different drafts, 6,525 pairs: median / max J | 0.11 / 0.43 | 0.08 / 0.40 | 0.06 / 0.40 | 0.05 / 0.40 |

| threshold (3-word shingles)      | 0.5  | 0.6  | 0.7  |
|----------------------------------|------|------|------|
| 1 sentence replaced: caught      | 100% | 100% | 100% |
| 2 sentences replaced: caught     |  99% |  93% |  49% |
| 3 sentences replaced: caught     |  90% |  42% |   2% |
| 10 words changed: caught         | 100% | 100% |  90% |
| different drafts: pairs flagged  |   0  |   0  |   0  |

- Shingles of 3 words: different drafts are no closer than with 4 or 5 (the worst pairs
  share whole stock sentences, which every length counts), while a template touched up
  word by word keeps more of its similarity; 2-word shingles are largely function-word pairs
  ("in the", "i am") that lift every pair of drafts in a language.
- Threshold 0.6: the worst pair of different drafts (J 0.40) sits 4.6 standard errors of
  the estimate (0.043 at 128 permutations) below it, so flagging a personal draft in front
  of its author stays a few-in-a-million event; at 0.5 it would be one in a hundred for
  such pairs. The price: a copy with a quarter of its sentences rewritten is caught less
  than half the time, and 0.7 would already miss half the copies with two new sentences.
  `MIN_THRESHOLD` keeps callers off the range where different drafts start to match.
- LSH with 12 bands of 3 values: a pair becomes a candidate with probability 0.95 at J 0.6,
  0.99 at 0.7, 0.28 at 0.3 and 0.006 at 0.08. datasketch's optimiser picks 18 × 7 for 0.6
  (0.40 at J 0.6: most borderline copies lost before the Jaccard check) or, weighted for
  recall, 23 × 5, which doubles the memory (a set entry per draft per band). A candidate
  costs one vectorised comparison of 128 values, a miss costs the finding, memory grows
  with the bands: so few, short bands.
- A draft with fewer than `MIN_SHINGLES` shingles (a dozen words) is never matched and
  never matches: on a handful of words one edit swings the Jaccard across any threshold,
  and every empty draft would otherwise equal every other.

Fingerprints are stable across processes and machines (SHA-1 of each shingle, fixed seed), so
a store can persist `Fingerprint.to_bytes()` and rebuild a `TemplateIndex` from them without
the draft text — or, shared by several processes, keep each draft's band keys (`band_buckets`)
in an indexed table and judge the drafts sharing one with `near_copies`, which applies
`TemplateIndex.query`'s rules to the candidates it is given (bot/history.py). `FORMAT`
changes whenever masking, shingling or hashing changes, and `Fingerprint.from_bytes` refuses other formats instead of comparing incomparable sketches.
"""
from __future__ import annotations

import hashlib
import re
import struct
import threading
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Protocol

import numpy as np

from rules import caseless
from rules.language import languages, packs_root

NUM_PERM = 128
SHINGLE_WORDS = 3
MIN_SHINGLES = 10
DEFAULT_THRESHOLD = 0.6
MIN_THRESHOLD = 0.5  # the LSH bands below are tuned for thresholds from here up
FORMAT = 1

# The sketch is datasketch's "affine32" MinHash (seed 1), bit for bit, and so are its stored bytes
# (its LeanMinHash format): the fingerprints in a database stay valid. It is ours, in numpy, so
# that reviewing needs neither datasketch nor the SciPy it imports (145 MB installed, 40 MB in memory).
_SEED = 1
_SCHEME_CODE = 1  # datasketch's code for "affine32" in its byte format
_EMPTY_VALUE = np.uint32(0xFFFFFFFF)
_LEAN = struct.Struct(f"<qiB{NUM_PERM}I")  # seed, -number of values, scheme code, the values
# LSH: 12 bands of 3 hash values. See the module docstring for why, and _bucket for memory.
_BANDS, _ROWS = 12, 3
_BUCKETS = tuple(range(1 << 12))
# Header before the sketch's bytes: format version, number of shingles.
_HEADER = struct.Struct("<BI")
VALUES_OFFSET = _HEADER.size + _LEAN.size - 4 * NUM_PERM  # where the hash values start in the stored bytes
_SIZE = _HEADER.size + _LEAN.size
_LEAN_PREFIX = struct.pack("<qiB", _SEED, -NUM_PERM, _SCHEME_CODE)
_BYTE_ORDER = "<"  # little-endian, no padding: the same bytes on every machine

_URL = re.compile(r"<(?:https?|mailto|tel):[^>\s]*>|(?:https?://|www\.)\S+", re.I)
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_MENTION = re.compile(r"<@[^>\s]+>|@\w[\w.-]*")
# A greeting word at the start of a line, then one to three words and a comma (or other
# stop): "Hi Kari,", "Hei Kari Nordmann!", "Gentile Dott.ssa Rossi,", "Ciao Marco:". The
# greetings and the honorifics are every language's (`greetings`, `titles` in its language.yml),
# whatever the draft's language: a template's copies are masked alike.
_GREETING = r"""
    ^(?P<greeting>[ \t]*(?:{greetings}))[ \t]+
    {titles}
    [^\W\d_][\w'’.-]*(?:[ \t]+[^\W\d_][\w'’-]*){{0,2}}
    (?=[ \t]*(?:[,!.:;]|$)|[ \t]+[-–—])
    """


def _greeting() -> re.Pattern[str]:
    return _greeting_pattern(packs_root())


@lru_cache(maxsize=8)
def _greeting_pattern(root: Path) -> re.Pattern[str]:
    """The greeting pattern for the languages under `root`, longest words first."""
    data = languages(root).values()

    def alternatives(words: Iterable[str]) -> str:
        unique = sorted({w.lower() for w in words}, key=lambda w: (-len(w), w))
        return "|".join(r"[ \t]+".join(map(re.escape, w.split())) for w in unique)

    greetings = alternatives(g for d in data for g in d.greetings) or r"(?!)"
    titles = alternatives(t for d in data for t in d.titles)
    return re.compile(_GREETING.format(greetings=greetings, titles=f"(?:(?:{titles})\\.?[ \\t]+)?" if titles else ""),
                      re.I | re.M | re.X)


_NUMBER = re.compile(r"\d+(?:[.,:/]\d+)*")
_TOKEN = re.compile(r"<\w+>|\w+(?:['’]\w+)*")
# Placeholders are "<word>"; personal strings never match inside one.
_PERSONAL_EDGE_BEFORE, _PERSONAL_EDGE_AFTER = r"(?<![\w<])", r"(?![\w>])"


def mask_personal(text: str, personal: Iterable[str] = ()) -> str:
    """The text with what varies between copies of one template replaced by placeholders.

    `personal` holds the recipient's name parts, company, title, skills: each is masked as a
    whole phrase (case-insensitive, on word boundaries, so "Ann" never masks "Anna"), longest
    first. Pass name *parts* ("Kari", "Nordmann"), not only the full name, to catch a first
    name used alone. Greeting names ("Hi Kari," → "hi <name>,"), links, e-mail addresses,
    @mentions and numbers are masked without being told. The result is case-folded with
    whitespace folded to single spaces.
    """
    # Each pattern only where a match could be (":" or "www." for a link, "@" for the others):
    # tried at every position of a draft, the link and e-mail patterns took most of the masking.
    if ":" in text or "www." in text.lower():
        text = _URL.sub("<url>", text)
    if "@" in text:
        text = _MENTION.sub("<mention>", _EMAIL.sub("<email>", text))
    text = _greeting().sub(lambda m: f"{m['greeting']} <name>", text)
    phrases = sorted({p.strip() for p in personal if p and p.strip()}, key=len, reverse=True)
    if phrases:
        text = _masked(text, tuple(phrases))
    text = _NUMBER.sub("<num>", text)
    return " ".join(text.casefold().split())


def _masked(text: str, phrases: tuple[str, ...]) -> str:
    """`text` with each of `phrases` (longest first) as "<personal>": by comparing lowered text
    where that is what `re.IGNORECASE` does (rules/caseless.py), else with one pattern."""
    low = caseless.lowered(text)
    words = [caseless.lowered(p) for p in phrases]
    if low is None or None in words:
        return _personal_pattern(phrases).sub("<personal>", text)
    out, pos = [], 0
    for start, end in caseless.phrase_spans(text, low, [w.split() for w in words if w], before="<", after=">"):
        out += [text[pos:start], "<personal>"]
        pos = end
    return "".join(out) + text[pos:]


@lru_cache(maxsize=1024)
def _personal_pattern(phrases: tuple[str, ...]) -> re.Pattern[str]:
    """One recipient's phrases as one pattern, compiled once: compiling took longer than the
    rest of the fingerprint, and `re`'s own cache is too small for a batch's recipients."""
    alternatives = "|".join(r"\s+".join(map(re.escape, p.split())) for p in phrases)
    return re.compile(f"{_PERSONAL_EDGE_BEFORE}(?:{alternatives}){_PERSONAL_EDGE_AFTER}", re.I)


def shingles(masked: str) -> set[str]:
    """The set of `SHINGLE_WORDS`-word shingles of masked text (punctuation dropped)."""
    words = _TOKEN.findall(masked)
    return set(map(" ".join, zip(*(words[k:] for k in range(SHINGLE_WORDS)))))


@dataclass(frozen=True, eq=False)
class Fingerprint:
    """The MinHash of a draft's masked shingles and how many shingles it had."""

    hashvalues: np.ndarray  # NUM_PERM uint32 minima
    shingles: int

    def __eq__(self, other: object) -> bool:  # an array field: equal when every value is
        return (isinstance(other, Fingerprint) and self.shingles == other.shingles
                and bool(np.array_equal(self.hashvalues, other.hashvalues)))

    def __hash__(self) -> int:
        return hash((self.shingles, self.hashvalues.tobytes()))

    @property
    def too_short(self) -> bool:
        """Too few shingles for a Jaccard to mean anything: never matched, never matches."""
        return self.shingles < MIN_SHINGLES

    def similarity(self, other: Fingerprint) -> float:
        """Estimated Jaccard similarity of the two drafts' shingle sets."""
        return float(np.count_nonzero(self.hashvalues == other.hashvalues)) / NUM_PERM

    def to_bytes(self) -> bytes:
        """Compact, machine-independent bytes for storage: 530 at num_perm 128, 512 of them hash values."""
        return _HEADER.pack(FORMAT, self.shingles) + _LEAN.pack(_SEED, -NUM_PERM, _SCHEME_CODE, *self.hashvalues.tolist())

    @classmethod
    def from_bytes(cls, data: bytes) -> Fingerprint:
        """The fingerprint `to_bytes` wrote; ValueError for any other format or parameters."""
        view = memoryview(data)
        # What this version writes, checked in one comparison: a history query reads hundreds.
        if len(view) == _SIZE and view[0] == FORMAT and view[_HEADER.size:VALUES_OFFSET] == _LEAN_PREFIX:
            count = int.from_bytes(view[1:_HEADER.size], "little")
            return cls(np.frombuffer(view, dtype="<u4", count=NUM_PERM, offset=VALUES_OFFSET).astype(np.uint32), count)
        try:
            version, count = _HEADER.unpack_from(view)
            if version != FORMAT:
                raise ValueError(f"fingerprint format {version}, expected {FORMAT}: recompute it")
            seed, size, scheme = struct.unpack_from("<qiB", view, _HEADER.size)
        except struct.error as exc:
            raise ValueError(f"not a fingerprint: {exc}") from exc
        if (seed, size, scheme) != (_SEED, -NUM_PERM, _SCHEME_CODE):
            raise ValueError("fingerprint made with other MinHash parameters: recompute it")
        raise ValueError(f"fingerprint of {len(view)} bytes, expected {_SIZE}")


def _permutations() -> tuple[np.ndarray, np.ndarray]:
    """datasketch's affine permutations h → a·h + b (mod 2³², a odd), drawn from seed 1 as it draws them."""
    gen = np.random.RandomState(_SEED)
    a = gen.randint(0, 1 << 31, NUM_PERM, dtype=np.uint32) * np.uint32(2) + np.uint32(1)
    b = gen.randint(0, 1 << 32, NUM_PERM, dtype=np.uint32)
    return a, b


_A, _B = _permutations()


def _fmix32(hv: np.ndarray) -> np.ndarray:
    """MurmurHash3's finalizer: spreads the input hashes before the affine permutations."""
    hv = hv ^ (hv >> np.uint32(16))
    hv = hv * np.uint32(0x85EBCA6B)
    hv = hv ^ (hv >> np.uint32(13))
    hv = hv * np.uint32(0xC2B2AE35)
    return hv ^ (hv >> np.uint32(16))


@lru_cache(maxsize=65536)
def _shingle_hash(gram: str) -> int:
    """A shingle's first 4 bytes of SHA-1, little-endian, as datasketch hashes it: kept per
    process, as copies of one template share most of their shingles (~1 µs each to hash)."""
    return int.from_bytes(hashlib.sha1(gram.encode("utf-8")).digest()[:4], "little")


def fingerprint(text: str, personal: Iterable[str] = ()) -> Fingerprint:
    """The fingerprint of a draft: MinHash of the word shingles of `mask_personal(text)`."""
    grams = shingles(mask_personal(text, personal))
    values = np.full(NUM_PERM, _EMPTY_VALUE, dtype=np.uint32)
    if grams:
        hv = np.fromiter(map(_shingle_hash, grams), dtype=np.uint32, count=len(grams)).reshape(-1, 1)
        with np.errstate(over="ignore"):  # uint32 arithmetic wraps around: that is the modulo 2³²
            values = np.minimum(values, (_fmix32(hv) * _A + _B).min(axis=0))
    return Fingerprint(values, len(grams))


@dataclass(frozen=True)
class Match:
    """An earlier draft the new one is a near-copy of."""

    key: str  # the earlier draft's key
    recipient: str | None
    author: str | None
    at: float  # unix time the earlier draft was added
    similarity: float  # estimated Jaccard


class TemplateHistory(Protocol):
    """What the engine asks a team's history (`ReviewContext.history`): the earlier drafts `fp`
    is a near-copy of. `TemplateIndex` answers from memory (a batch on the command line); the
    app's database history (bot/history.py) also records the draft it is asked about before it
    looks, so two copies reviewed at once on two workers see each other. The engine itself
    never writes to a history."""

    def query(self, fp: Fingerprint, *, recipient: str | None, since: float | None = None,
              exclude_key: str | None = None, author: str | None = None,
              now: float | None = None) -> list[Match]: ...


def band_buckets(fp: Fingerprint) -> list[bytes]:
    """The draft's LSH band keys: each band's `_ROWS` hash values as their little-endian bytes.

    Two drafts are candidates when they have one band's key in common. The keys are the
    sketch's own bytes, so they are the same in every process and on every machine and a
    database can index them (models/template_bands.py). Band `b` is the 12 bytes at
    `VALUES_OFFSET + 12 b` of `Fingerprint.to_bytes()`: the migration that filled the bands of
    drafts stored before the table existed cuts them out of the stored bytes in SQL.
    """
    return _band_keys(fp.hashvalues)


def _band_keys(hashvalues: np.ndarray) -> list[bytes]:
    values = hashvalues.astype("<u4", copy=False).tobytes()
    width = 4 * _ROWS
    return [values[i * width:(i + 1) * width] for i in range(_BANDS)]


def _band_buckets(hashvalues: np.ndarray) -> list[int]:
    """Each band key folded into one of 4,096 buckets shared by the in-memory index.

    One Python set per distinct band key would cost about 340 bytes per draft and band, 400 MB
    for 100,000 different drafts at 12 bands. With 4,096 buckets per band the sets are shared
    and hold 75 MB (measured at 100,000 drafts), and each query gets about 12 * n / 4,096 chance
    candidates (300 at n = 100,000) that the vectorised Jaccard check drops in a fraction of a
    millisecond. The bucket ints come from one shared tuple, so no int object is created per
    draft. Python's `hash` is salted per process, which is fine: the index lives in memory and
    is rebuilt from fingerprints on start.
    """
    return [_BUCKETS[hash(key) & (len(_BUCKETS) - 1)] for key in _band_keys(hashvalues)]


# One record per indexed draft, in one growable array: 128 hash values, when, for whom, by whom.
# A query gathers its candidates' records by row and compares them in one vectorised step,
# with no Python loop over candidates (thousands when drafts share much wording); 100,000
# drafts take 53 MB.
_RECORD = np.dtype([("hashvalues", np.uint32, (NUM_PERM,)), ("at", np.float64), ("recipient", np.int64),
                    ("author", np.int64)])
_UNKNOWN = -1  # no recipient or author given
# Within this many seconds, the same author's draft with no named recipient (on either side) is
# taken as a revision of the same message, not a copy for someone else.
REVISION_WINDOW = 2 * 3600
_TOO_SHORT = -1  # the row of a draft too short to index


class TemplateIndex:
    """One team's drafts, searchable for near-copies. Thread-safe.

    MinHash LSH proposes candidates; the estimated Jaccard against each confirms them, so
    the cost of a query grows with the number of near-copies, not with the history.
    The index lives in memory: rebuild it from stored fingerprints on start.
    """

    def __init__(self, threshold: float = DEFAULT_THRESHOLD) -> None:
        if not MIN_THRESHOLD <= threshold <= 1.0:
            raise ValueError(f"threshold must be in [{MIN_THRESHOLD}, 1], got {threshold}")
        self.threshold = threshold
        self._lock = threading.Lock()
        # The LSH indexes row numbers: its buckets then hold small ints, not key strings.
        self._bands: list[dict[int, set[int]]] = [{} for _ in range(_BANDS)]
        self._records = np.zeros(0, dtype=_RECORD)
        self._row_of: dict[str, int] = {}  # key -> row; _TOO_SHORT for drafts kept out of the LSH
        self._key_of: list[str | None] = []  # row -> key; None for a free row
        self._free_rows: list[int] = []
        self._recipients = _Names()
        self._authors = _Names()

    def add(self, key: str, fp: Fingerprint, *, recipient: str | None, at: float, author: str | None = None) -> None:
        """Adds an earlier draft; the same key again replaces it (a re-reviewed draft)."""
        with self._lock:
            self._discard(key)
            if fp.too_short:
                self._row_of[key] = _TOO_SHORT
                return
            row = self._free_rows.pop() if self._free_rows else self._new_row()
            self._records[row] = (fp.hashvalues, at, self._recipients.id(recipient), self._authors.id(author))
            self._key_of[row] = key
            self._row_of[key] = row
            for band, bucket in zip(self._bands, _band_buckets(fp.hashvalues)):
                band.setdefault(bucket, set()).add(row)

    def query(
        self,
        fp: Fingerprint,
        *,
        recipient: str | None,
        since: float | None = None,
        exclude_key: str | None = None,
        author: str | None = None,
        now: float | None = None,
    ) -> list[Match]:
        """Earlier drafts that are near-copies of `fp`, written for other recipients, newest first.

        A `None` recipient (on either side) is unknown and counts as different, except for the
        same `author` within `REVISION_WINDOW` of `now`: that is the author revising and
        re-checking. `since` keeps drafts added at or after that time; `exclude_key` leaves out
        the draft itself when it is already in the index.
        """
        if fp.too_short:
            return []
        with self._lock:
            candidates: set[int] = set()
            for band, bucket in zip(self._bands, _band_buckets(fp.hashvalues)):
                candidates |= band.get(bucket, set())
            rows = np.fromiter(candidates, dtype=np.int64, count=len(candidates))
            keep = rows != self._row_of.get(exclude_key, _TOO_SHORT) if exclude_key is not None else None
            return _judged(fp, lambda i: self._key_of[rows[i]], self._records[rows], self._recipients,
                           self._authors, keep, threshold=self.threshold, recipient=recipient, since=since,
                           author=author, now=now)

    def remove(self, key: str) -> None:
        """Forgets a draft (deleted, or its text expired); unknown keys are ignored."""
        with self._lock:
            self._discard(key)

    def __len__(self) -> int:
        with self._lock:
            return len(self._row_of)

    def __contains__(self, key: object) -> bool:
        with self._lock:
            return key in self._row_of

    def _discard(self, key: str) -> None:
        row = self._row_of.pop(key, None)
        if row is None or row == _TOO_SHORT:
            return
        for band, bucket in zip(self._bands, _band_buckets(self._records[row]["hashvalues"])):
            band[bucket].discard(row)
        self._key_of[row] = None
        self._free_rows.append(row)

    def _new_row(self) -> int:
        row = len(self._key_of)
        if row == len(self._records):  # full: grow by half, amortised O(1) per add
            grown = np.zeros(max(1024, row + row // 2), dtype=_RECORD)
            grown[:row] = self._records
            self._records = grown
        self._key_of.append(None)
        return row


@dataclass(frozen=True)
class EarlierDraft:
    """A candidate read from elsewhere (a database's band keys) for `near_copies`."""

    key: str
    fingerprint: Fingerprint
    recipient: str | None
    author: str | None
    at: float


def near_copies(
    fp: Fingerprint,
    earlier: Sequence[EarlierDraft],
    *,
    recipient: str | None,
    since: float | None = None,
    exclude_key: str | None = None,
    author: str | None = None,
    now: float | None = None,
    threshold: float = DEFAULT_THRESHOLD,
) -> list[Match]:
    """`TemplateIndex.query`'s answer over the given candidates instead of an index's: the same
    threshold, recipient, author and window rules, newest first. The candidates are typically
    the drafts that share a band key (`band_buckets`) with `fp`; any others are judged the same
    way, so a superset is fine."""
    if fp.too_short:
        return []
    earlier = [e for e in earlier if e.key != exclude_key and not e.fingerprint.too_short]
    recipients, authors = _Names(), _Names()
    records = np.zeros(len(earlier), dtype=_RECORD)
    if earlier:  # column by column: a hot template has hundreds of candidates
        records["hashvalues"] = np.stack([e.fingerprint.hashvalues for e in earlier])
        records["at"] = [e.at for e in earlier]
        records["recipient"] = [recipients.id(e.recipient) for e in earlier]
        records["author"] = [authors.id(e.author) for e in earlier]
    return _judged(fp, lambda i: earlier[i].key, records, recipients, authors, None, threshold=threshold,
                   recipient=recipient, since=since, author=author, now=now)


def _judged(fp: Fingerprint, key_of: Callable[[int], str], records: np.ndarray, recipients: _Names,
            authors: _Names, keep: np.ndarray | None, *, threshold: float, recipient: str | None,
            since: float | None, author: str | None, now: float | None) -> list[Match]:
    """The candidates' `records` that are near-copies of `fp` for other recipients, as matches
    newest first: the one judgement behind `TemplateIndex.query` and `near_copies`. `keep`
    leaves candidates out beforehand; `key_of(i)` is the key of the i-th candidate."""
    # The estimated Jaccard, as `Fingerprint.similarity` computes it, for all candidates at once.
    similarity = np.count_nonzero(records["hashvalues"] == fp.hashvalues, axis=1) / NUM_PERM
    keep = similarity >= threshold if keep is None else keep & (similarity >= threshold)
    if since is not None:
        keep &= records["at"] >= since
    if recipient in recipients:  # never None; a new recipient has no drafts here
        keep &= records["recipient"] != recipients.id(recipient)
    if author in authors:
        revision = records["author"] == authors.id(author)
        if recipient is not None:
            revision &= records["recipient"] == _UNKNOWN
        if now is not None:
            revision &= records["at"] >= now - REVISION_WINDOW
        keep &= ~revision
    kept = np.flatnonzero(keep)
    kept_records = records[kept]  # as Python values, column by column: numpy scalars are slow one by one
    matches = [
        Match(key=key_of(i), recipient=recipients.name(r), author=authors.name(a), at=at, similarity=sim)
        for i, r, a, at, sim in zip(kept.tolist(), kept_records["recipient"].tolist(), kept_records["author"].tolist(),
                                    kept_records["at"].tolist(), similarity[kept].tolist())
    ]
    return sorted(matches, key=lambda m: (-m.at, m.key))


class _Names:
    """Interned names (recipients, authors) as small ints for the record array."""

    def __init__(self) -> None:
        self._ids: dict[str, int] = {}
        self._names: list[str] = []

    def __contains__(self, name: object) -> bool:
        return name in self._ids

    def id(self, name: str | None) -> int:
        if name is None:
            return _UNKNOWN
        if name not in self._ids:
            self._ids[name] = len(self._names)
            self._names.append(name)
        return self._ids[name]

    def name(self, name_id: int) -> str | None:
        return None if name_id == _UNKNOWN else self._names[name_id]


def distinct_recipients(matches: list[Match]) -> int:
    """How many people the earlier copies went to: each unnamed recipient counts once per draft."""
    named = {m.recipient for m in matches if m.recipient is not None}
    return len(named) + sum(1 for m in matches if m.recipient is None)
