"""libhunspell through its C API, so that loading a dictionary lets other threads run.

chunspell (PyPI, imported as `hunspell`) ships libhunspell and a Cython wrapper of it, and the
wrapper holds the GIL for as long as Hunspell reads a dictionary: 0.45 s for nb_NO, during which
nothing else in the process moves. Called through `ctypes`, the same library releases the GIL
for each call, so a dictionary can load on one core while the process goes on with the rest
of its start on the other (`spelling.load_in_background`). Looking a word up costs ~0.3 µs
more than through the wrapper (1.1 µs against 0.9), a few milliseconds a batch.

When the shared library cannot be found beside chunspell's module (a platform whose wheel
names it otherwise) or opened, chunspell's own `Hunspell` is used: the same four methods, the
load holding the GIL.
"""
from __future__ import annotations

import ctypes
import logging
import os
import threading
from importlib.util import find_spec
from pathlib import Path
from typing import Callable, Protocol

log = logging.getLogger(__name__)


class Dictionary(Protocol):
    """What the spelling checker asks of a loaded dictionary (chunspell's `Hunspell` has it too)."""

    def spell(self, word: str) -> bool: ...
    def analyze(self, word: str) -> tuple[str, ...]: ...
    def suffix_suggest(self, word: str) -> tuple[str, ...]: ...
    def add(self, word: str) -> int: ...


def open_dictionary(folder: Path, stem: str) -> Dictionary:
    """`<folder>/<stem>.aff` and `.dic`, loaded; OSError when either is missing or unreadable."""
    for suffix in (".aff", ".dic"):
        path = folder / f"{stem}{suffix}"
        if not path.is_file() or not os.access(path, os.R_OK):
            raise OSError(f"File '{path}' not found or accessible")
    library = _library()
    if library is None:
        from hunspell import Hunspell

        return Hunspell(stem, hunspell_data_dir=str(folder))
    return _CDictionary(library, folder / f"{stem}.aff", folder / f"{stem}.dic")


class _CDictionary:
    """One Hunspell handle. Not safe to share between threads by itself: the caller locks."""

    def __init__(self, library: ctypes.CDLL, aff: Path, dic: Path) -> None:
        self._lib = library
        handle = library.Hunspell_create(os.fsencode(aff), os.fsencode(dic))  # the GIL is released
        if not handle:
            raise MemoryError(f"libhunspell could not load {dic}")
        self._handle = handle
        encoding = (library.Hunspell_get_dic_encoding(handle) or b"ISO8859-1").decode("ascii", "replace")
        try:
            "".encode(encoding)
        except LookupError:  # as chunspell does with a SET line Python has no codec for
            encoding = "ascii"
        self.encoding = encoding

    def __del__(self) -> None:
        handle, self._handle = getattr(self, "_handle", None), None
        if handle:
            self._lib.Hunspell_destroy(handle)

    def spell(self, word: str) -> bool:
        """UnicodeEncodeError for a word the dictionary's encoding cannot hold, as chunspell."""
        return self._lib.Hunspell_spell(self._handle, word.encode(self.encoding)) != 0

    def add(self, word: str) -> int:
        return self._lib.Hunspell_add(self._handle, word.encode(self.encoding))

    def analyze(self, word: str) -> tuple[str, ...]:
        return self._list(self._lib.Hunspell_analyze, word)

    def suffix_suggest(self, word: str) -> tuple[str, ...]:
        return self._list(self._lib.Hunspell_suffix_suggest, word)

    def _list(self, function: Callable[..., int], word: str) -> tuple[str, ...]:
        found = ctypes.POINTER(ctypes.c_char_p)()
        count = function(self._handle, ctypes.byref(found), word.encode(self.encoding))
        try:
            return tuple(found[i].decode(self.encoding, "replace") for i in range(count))
        finally:
            if count:
                self._lib.Hunspell_free_list(self._handle, ctypes.byref(found), count)


_loaded: list[ctypes.CDLL | None] = []
_lock = threading.Lock()


def _library() -> ctypes.CDLL | None:
    """chunspell's libhunspell, opened once; None when there is none to open."""
    with _lock:
        if not _loaded:
            _loaded.append(_open())
        return _loaded[0]


def _open() -> ctypes.CDLL | None:
    spec = find_spec("hunspell")
    folders = list(spec.submodule_search_locations or []) if spec else []
    candidates = sorted(p for folder in folders for p in Path(folder).glob("libhunspell*") if p.is_file())
    for path in candidates:
        try:
            library = ctypes.CDLL(str(path))
        except OSError as exc:
            log.debug("cannot open %s: %s", path, exc)
            continue
        _declare(library)
        return library
    return None


def _declare(library: ctypes.CDLL) -> None:
    handle, text, texts = ctypes.c_void_p, ctypes.c_char_p, ctypes.POINTER(ctypes.POINTER(ctypes.c_char_p))
    signatures = {
        "Hunspell_create": ([text, text], handle),
        "Hunspell_destroy": ([handle], None),
        "Hunspell_get_dic_encoding": ([handle], text),
        "Hunspell_spell": ([handle, text], ctypes.c_int),
        "Hunspell_add": ([handle, text], ctypes.c_int),
        "Hunspell_analyze": ([handle, texts, text], ctypes.c_int),
        "Hunspell_suffix_suggest": ([handle, texts, text], ctypes.c_int),
        "Hunspell_free_list": ([handle, texts, ctypes.c_int], None),
    }
    for name, (arguments, result) in signatures.items():
        function = getattr(library, name)
        function.argtypes, function.restype = arguments, result
