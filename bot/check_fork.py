"""A large `check` batch reviewed on several cores: its drafts shared among forked processes.

Python reviews on one core at a time, so a batch of hundreds of drafts on a machine with more
cores shares what is left, once the process is loaded, among itself and processes forked from
it. A fork copies the loaded process as it stands (packs, pipelines, dictionaries, caches: no
second start-up) and shares its memory until either writes to it (docs/decisions.md, "Speed").

Drafts with the same body go to the same process (by a checksum of the body), so each text's
first review, the costly one, is made once in the batch, as in one process. Every process
walks the whole batch in order: it reviews its own drafts and records the others in its copy
of the batch's index from their fingerprints alone (`Reviewer.history_entry`), so every draft
is still checked against exactly the drafts before it. The outputs are what one process gives,
in the same order (a test compares them byte for byte); they are printed once all processes
are done. A process that dies, hangs or returns nothing readable loses nothing: this one
reviews its drafts itself, and all of them when it cannot fork at all.

The fork waits until no other thread runs (the dictionaries load on threads of their own, and
a thread inside libhunspell would be copied mid-load), so this process reviews drafts until
then, printing them as it goes; a batch that is done first is never split.
"""
from __future__ import annotations

import gc
import logging
import os
import pickle
import signal
import sys
import tempfile
import threading
import time
import zlib
from typing import IO, TYPE_CHECKING, Iterator, Protocol

if TYPE_CHECKING:
    from bot.inputs import Item
    from models.records import Review

log = logging.getLogger(__name__)

MIN_PART = 50  # drafts a process: fewer cost more to fork and record than they save
# Linux only: on macOS a forked process may hang in system libraries that were in use (numpy's
# Accelerate), and Windows has no fork.
FORKS = sys.platform.startswith("linux") and hasattr(os, "fork")
# How long a forked process may take beyond this one's own part, at least, and as a multiple of
# it: past that it is taken to hang (a library's thread it needed was not copied) and stopped.
PATIENCE_S, PATIENCE_TIMES = 10.0, 3.0

Result = tuple["Item", "Review | None", "str | None"]


class Reviewing(Protocol):
    """What `check` does with one draft of a batch (`bot.check._Reviewing`)."""

    def one(self, n: int, item: Item) -> Result: ...
    def prepared(self, item: Item) -> Item: ...
    def prime(self, n: int, item: Item) -> None: ...
    def forget(self) -> None: ...


def reviews(items: list[Item], reviewing: Reviewing, jobs: int) -> Iterator[Result]:
    """Every item's (item, review, error), in order, reviewed by this process and up to
    `jobs` - 1 forked ones."""
    n = 0
    while n < len(items) and (threading.active_count() > 1 or not FORKS):
        yield reviewing.one(n, items[n])
        n += 1
    rest = range(n, len(items))
    parts = min(jobs, len(rest) // MIN_PART)
    owner = {i: _owner(items[i], parts) for i in rest} if parts > 1 else {}
    children = _forked(items, reviewing, rest, owner, parts) if parts > 1 else None
    if children is None:
        yield from (reviewing.one(i, items[i]) for i in rest)
        return
    try:
        started = time.monotonic()
        results = walk(items, reviewing, rest, owner, {0})
        deadline = time.monotonic() + max(PATIENCE_S, PATIENCE_TIMES * (time.monotonic() - started))
        failed = set()
        for child in children:
            returned = child.results(deadline)
            if returned is None:
                failed.add(child.part)
                continue
            for i, (review, error) in returned.items():
                item = items[i] if items[i].error or items[i].draft is None else reviewing.prepared(items[i])
                results[i] = (item, review, error)
        if failed:
            log.warning("%d review process(es) ended without their results; reviewing their drafts here", len(failed))
            reviewing.forget()
            for i in range(n):
                reviewing.prime(i, items[i])
            results.update(walk(items, reviewing, rest, owner, failed))
        yield from (results[i] for i in rest)
    finally:
        for child in children:
            child.stop()


def _forked(items: list[Item], reviewing: Reviewing, rest: range, owner: dict[int, int],
            parts: int) -> list[_Process] | None:
    """The forked processes for parts 1 to `parts` - 1, or None when they cannot all be had (no
    temporary file, or no process: a limit, memory), the batch then reviewed in this one."""
    log.info("reviewing the batch's other %d drafts in %d processes", len(rest), parts)
    sys.stdout.flush()
    sys.stderr.flush()
    gc.freeze()  # the copied objects stay out of the collector's reach: it would touch (copy) them all
    children: list[_Process] = []
    try:
        for part in range(1, parts):
            children.append(_Process.fork(items, reviewing, rest, owner, part))
    except OSError as exc:
        log.warning("cannot fork to review the batch (%s); reviewing it in this process", exc)
        for child in children:
            child.stop()
        return None
    return children


def walk(items: list[Item], reviewing: Reviewing, rest: range, owner: dict[int, int],
         parts: set[int]) -> dict[int, Result]:
    """The results of the drafts of `parts` among `rest`, the others recorded in passing."""
    results = {}
    for i in rest:
        if owner[i] in parts:
            results[i] = reviewing.one(i, items[i])
        else:
            reviewing.prime(i, items[i])
    return results


def _owner(item: Item, parts: int) -> int:
    """Which process reviews `item`: the same for every draft with the same body."""
    if item.error or item.draft is None:
        return 0
    return zlib.crc32(item.draft.body.encode("utf-8", "surrogatepass")) % parts


class _Process:
    """One forked process and the drafts it reviews (those `owner` gives its `part`)."""

    def __init__(self, pid: int, out: IO[bytes], part: int, drafts: set[int]) -> None:
        self.pid, self.out, self.part, self.drafts = pid, out, part, drafts
        self.done = False

    @classmethod
    def fork(cls, items: list[Item], reviewing: Reviewing, rest: range, owner: dict[int, int],
             part: int) -> _Process:
        out = tempfile.TemporaryFile()
        pid = os.fork()
        if pid == 0:  # the forked process: review, write, and leave without clean-up
            status = 1
            try:
                results = walk(items, reviewing, rest, owner, {part})
                pickle.dump({i: result[1:] for i, result in results.items()}, out, protocol=pickle.HIGHEST_PROTOCOL)
                out.flush()
                status = 0
            except BaseException:  # whatever it is, the parent reviews these drafts again
                log.debug("a forked review process failed", exc_info=True)
            finally:
                os._exit(status)
        return cls(pid, out, part, {i for i in rest if owner[i] == part})

    def results(self, deadline: float) -> dict[int, tuple[Review | None, str | None]] | None:
        """What the process returned (by draft), or None when it failed or was not done by
        `deadline` (`time.monotonic()`)."""
        while True:
            pid, status = os.waitpid(self.pid, os.WNOHANG)
            if pid or time.monotonic() > deadline:
                break
            time.sleep(0.005)
        if not pid:
            log.warning("a review process took too long; stopping it")
            self.stop()
            return None
        self.done = True
        try:
            if status != 0:
                return None
            self.out.seek(0)
            returned = pickle.load(self.out)
            return returned if isinstance(returned, dict) and set(returned) == self.drafts else None
        except (pickle.UnpicklingError, EOFError, OSError, ValueError, TypeError):
            return None
        finally:
            self.out.close()

    def stop(self) -> None:
        """Ends the forked process when its results are no longer wanted (an error, Ctrl-C)."""
        if not self.done:
            try:
                os.kill(self.pid, signal.SIGKILL)
                os.waitpid(self.pid, 0)
            except OSError:
                pass
            self.done = True
            self.out.close()
