"""claudeusage - libclaudeusage from Python, through ctypes.

Standard library only; Python 3.9 or later.

    import claudeusage
    with claudeusage.Context(["examples/data"], timezone="UTC") as ctx:
        ctx.load()
        for row in ctx.daily():
            print(row.key, row.total_tokens, round(row.cost_usd, 4))

Finding the library (the first that works wins; see README.md):
  1. $CLAUDEUSAGE_LIBRARY, the full path of the shared library;
  2. the -L directories of `pkg-config --libs-only-L claudeusage` (which
     honours PKG_CONFIG_PATH and PKG_CONFIG_SYSROOT_DIR, and prefers
     claudeusage-uninstalled.pc, i.e. a build tree), holding libclaudeusage.so.0;
  3. ctypes.util.find_library("claudeusage").
The library is loaded at first use, and refused unless cu_abi_version()
is ABI_VERSION.

Ownership: a Context owns its cu_ctx (freed by close(), by the `with`
block, or at the latest by a finalizer). Reports, blocks and the JSON
text the library allocates are copied into Python objects and freed
before the call returns; nothing returned to Python points into C memory.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import datetime
import enum
import os
import shlex
import subprocess
import threading
import weakref
from ctypes import (CFUNCTYPE, POINTER, Structure, byref, c_char_p, c_double, c_int,
                    c_int32, c_int64, c_size_t, c_uint32, c_void_p)
from dataclasses import dataclass, field
from typing import Callable, Dict, Iterator, List, Optional, Tuple, Union

__all__ = [
    "ABI_VERSION", "Status", "Group", "CostMode", "Stat", "EntryFlag", "DiagKind",
    "ClaudeUsageError", "InvalidArgument", "OutOfMemory", "NotFound", "InputOutputError",
    "ParseError", "NetworkError", "UserStop", "StateError", "LibraryNotFound", "AbiMismatch",
    "Row", "Report", "Entry", "Diagnostic", "Context",
    "load_library", "library_path", "version", "version_info", "abi_version",
    "daily", "weekly", "monthly", "sessions", "projects",
]

#: The ABI this module was written for (CU_ABI_VERSION in cu-version.h).
ABI_VERSION = 1
#: The file name (soname) of that ABI's library.
SONAME = "libclaudeusage.so.0"


# ---------------------------------------------------------------------------
# Constants: the enums of the headers.

class Status(enum.IntEnum):
    """enum cu_status (cu-status.h)."""
    OK = 0
    EINVALID = -1
    ENOMEM = -2
    ENOTFOUND = -3
    EIO = -4
    EPARSE = -5
    ENETWORK = -6
    EUSER = -7
    ESTATE = -8
    ITEROVER = -30


class Group(enum.IntEnum):
    """enum cu_group (cu-report.h)."""
    DAILY = 1
    WEEKLY = 2
    MONTHLY = 3
    SESSION = 4
    PROJECT = 5
    SOURCE = 6


class CostMode(enum.IntEnum):
    """enum cu_cost_mode (cu-context.h)."""
    AUTO = 0
    CALCULATE = 1
    DISPLAY = 2


class Stat(enum.IntEnum):
    """enum cu_stat (cu-context.h): counters of the last load."""
    FILES = 1
    FILES_READ = 2
    FILE_ERRORS = 3
    BYTES = 4
    LINES = 5
    MALFORMED_LINES = 6
    TORN_LINES = 7
    USAGE_LINES = 8
    ENTRIES = 9
    DUPLICATES = 10
    UNPRICED_MODELS = 11


class EntryFlag(enum.IntFlag):
    """enum cu_entry_flag (cu-entry.h)."""
    SIDECHAIN = 1 << 0
    API_ERROR = 1 << 1
    LINE_COST = 1 << 2
    UNPRICED = 1 << 3
    FAST = 1 << 4


class DiagKind(enum.IntEnum):
    """enum cu_diag_kind (cu-context.h)."""
    MALFORMED_LINE = 1
    TORN_LINE = 2
    FILE_ERROR = 3
    UNPRICED_MODEL = 4
    NOTE = 5


_REPORT_DESC = 1 << 0        # CU_REPORT_DESC
_REPORT_BY_PROJECT = 1 << 1  # CU_REPORT_BY_PROJECT
_JSON_COMPACT = 1 << 0       # CU_JSON_COMPACT
_BLOCKS_ACTIVE = 1 << 0      # CU_BLOCKS_ACTIVE
_BLOCKS_RECENT = 1 << 1      # CU_BLOCKS_RECENT
_BLOCKS_DESC = 1 << 2        # CU_BLOCKS_DESC
_TOKEN_LIMIT_MAX = -1        # CU_TOKEN_LIMIT_MAX


# ---------------------------------------------------------------------------
# Errors: one class per status code.

class ClaudeUsageError(Exception):
    """A libclaudeusage call failed.

    status:   the enum cu_status code (a Status, or None for errors of this
              module itself: library not found, ABI mismatch)
    message:  the library's detail (cu_ctx_last_error() or cu_last_error())
    function: the C function that failed, when there is one
    """

    def __init__(self, status: Optional[int], message: str = "",
                 function: Optional[str] = None):
        self.status = _status(status) if status is not None else None
        self.message = message
        self.function = function
        parts = [function] if function else []
        if status is not None:
            parts.append(_status_text(status))
        if message:
            parts.append(message)
        super().__init__(": ".join(parts))

    def __reduce__(self):  # pickle with the real arguments, not the formatted text
        return (type(self), (self.status, self.message, self.function))


class InvalidArgument(ClaudeUsageError, ValueError):
    """CU_EINVALID: an argument or value is invalid."""


class OutOfMemory(ClaudeUsageError, MemoryError):
    """CU_ENOMEM."""


class NotFound(ClaudeUsageError):
    """CU_ENOTFOUND: no data directory, timezone, model, ..."""


class InputOutputError(ClaudeUsageError):
    """CU_EIO: a read or write failed."""


class ParseError(ClaudeUsageError):
    """CU_EPARSE: input could not be parsed."""


class NetworkError(ClaudeUsageError):
    """CU_ENETWORK: a download failed."""


class UserStop(ClaudeUsageError):
    """CU_EUSER: a callback asked to stop (seen only if a C caller stops one)."""


class StateError(ClaudeUsageError):
    """CU_ESTATE: the call is not valid now (nothing loaded, closed, iterating)."""


class LibraryNotFound(ClaudeUsageError):
    """No usable libclaudeusage was found; the message lists what was tried."""


class AbiMismatch(ClaudeUsageError):
    """The library found has another ABI version than ABI_VERSION."""


_ERRORS = {
    Status.EINVALID: InvalidArgument,
    Status.ENOMEM: OutOfMemory,
    Status.ENOTFOUND: NotFound,
    Status.EIO: InputOutputError,
    Status.EPARSE: ParseError,
    Status.ENETWORK: NetworkError,
    Status.EUSER: UserStop,
    Status.ESTATE: StateError,
}


def _status(code: int) -> Union[Status, int]:
    try:
        return Status(code)
    except ValueError:
        return code  # a code newer than this module


def _status_text(code: int) -> str:
    if _lib is not None:  # the library's own words, once it is loaded
        return _str(_lib.cu_status_str(code)) or ""
    s = _status(code)
    return s.name if isinstance(s, Status) else "status %d" % code


def error_for(status: int, message: str = "", function: Optional[str] = None) -> ClaudeUsageError:
    """The exception for a status code (ClaudeUsageError for unknown codes)."""
    return _ERRORS.get(_status(status), ClaudeUsageError)(status, message, function)


# ---------------------------------------------------------------------------
# Strings: UTF-8 in C, str in Python. surrogateescape keeps odd bytes of
# file names round-tripping instead of failing.

def _str(b: Optional[bytes]) -> Optional[str]:
    return None if b is None else b.decode("utf-8", "surrogateescape")


def _bytes(s) -> Optional[bytes]:
    if s is None:
        return None
    if isinstance(s, bytes):
        return s
    return os.fspath(s).encode("utf-8", "surrogateescape")


# ---------------------------------------------------------------------------
# The C types.

class CuEntry(Structure):
    """struct cu_entry (cu-entry.h). Fields are only ever added at the end."""
    _fields_ = [
        ("size", c_uint32),
        ("flags", c_uint32),
        ("time_ms", c_int64),
        ("input_tokens", c_int64),
        ("output_tokens", c_int64),
        ("cache_creation_tokens", c_int64),
        ("cache_read_tokens", c_int64),
        ("cost_usd", c_double),
        ("model", c_char_p),
        ("session", c_char_p),
        ("project", c_char_p),
        ("source", c_char_p),
        ("path", c_char_p),
        ("line", c_int64),
    ]


# int32_t (*cu_entry_fn)(const cu_entry *entry, void *userdata)
ENTRY_FN = CFUNCTYPE(c_int32, POINTER(CuEntry), c_void_p)
# void (*cu_diag_fn)(int32_t kind, const char *path, int64_t line, const char *message, void *userdata)
DIAG_FN = CFUNCTYPE(None, c_int32, c_char_p, c_int64, c_char_p, c_void_p)

_P = c_void_p         # an opaque pointer: cu_ctx *, cu_report *, const cu_row *, ...
_PP = POINTER(c_void_p)  # cu_ctx **, cu_report **, char ** (owned text: not c_char_p, to free it)

# name: (restype, argtypes), exactly as in the headers.
_PROTOTYPES = {
    # cu-version.h, cu-status.h
    "cu_abi_version": (c_int, []),
    "cu_version": (None, [POINTER(c_int), POINTER(c_int), POINTER(c_int)]),
    "cu_version_string": (c_char_p, []),
    "cu_status_str": (c_char_p, [c_int]),
    "cu_last_error": (c_char_p, []),
    "cu_free": (None, [c_void_p]),
    # cu-context.h
    "cu_ctx_new": (c_int, [_PP]),
    "cu_ctx_free": (None, [_P]),
    "cu_ctx_last_error": (c_char_p, [_P]),
    "cu_ctx_add_root": (c_int, [_P, c_char_p]),
    "cu_ctx_root_count": (c_size_t, [_P]),
    "cu_ctx_root": (c_char_p, [_P, c_size_t]),
    "cu_ctx_set_exclude_vms": (c_int, [_P, c_int]),
    "cu_ctx_set_timezone": (c_int, [_P, c_char_p]),
    "cu_ctx_timezone": (c_char_p, [_P]),
    "cu_ctx_set_since": (c_int, [_P, c_char_p]),
    "cu_ctx_set_until": (c_int, [_P, c_char_p]),
    "cu_ctx_set_cost_mode": (c_int, [_P, c_int32]),
    "cu_ctx_set_week_start": (c_int, [_P, c_int32]),
    "cu_ctx_set_project": (c_int, [_P, c_char_p]),
    "cu_ctx_set_threads": (c_int, [_P, c_uint32]),
    "cu_ctx_set_index": (c_int, [_P, c_int]),
    "cu_ctx_set_offline": (c_int, [_P, c_int]),
    "cu_ctx_set_diag_fn": (c_int, [_P, DIAG_FN, c_void_p]),
    "cu_ctx_set_now": (c_int, [_P, c_int64]),
    "cu_ctx_load": (c_int, [_P]),
    "cu_ctx_stat": (c_int64, [_P, c_int32]),
    # cu-pricing.h
    "cu_ctx_set_pricing_file": (c_int, [_P, c_char_p]),
    "cu_ctx_set_cache_dir": (c_int, [_P, c_char_p]),
    "cu_ctx_pricing_source": (c_char_p, [_P]),
    # cu-report.h
    "cu_report_new": (c_int, [_P, c_int32, c_uint32, c_uint32, _PP]),
    "cu_report_free": (None, [_P]),
    "cu_report_group": (c_int32, [_P]),
    "cu_report_count": (c_size_t, [_P]),
    "cu_report_row": (_P, [_P, c_size_t]),
    "cu_report_totals": (_P, [_P]),
    "cu_report_unpriced_count": (c_size_t, [_P]),
    "cu_report_unpriced": (c_char_p, [_P, c_size_t]),
    "cu_report_to_json": (c_int, [_P, c_uint32, _PP]),
    "cu_row_key": (c_char_p, [_P]),
    "cu_row_project": (c_char_p, [_P]),
    "cu_row_project_path": (c_char_p, [_P]),
    "cu_row_input_tokens": (c_int64, [_P]),
    "cu_row_output_tokens": (c_int64, [_P]),
    "cu_row_cache_creation_tokens": (c_int64, [_P]),
    "cu_row_cache_read_tokens": (c_int64, [_P]),
    "cu_row_total_tokens": (c_int64, [_P]),
    "cu_row_cost_usd": (c_double, [_P]),
    "cu_row_cost_micro_usd": (c_int64, [_P]),
    "cu_row_entries": (c_int64, [_P]),
    "cu_row_first_time": (c_int64, [_P]),
    "cu_row_last_time": (c_int64, [_P]),
    "cu_row_model_count": (c_size_t, [_P]),
    "cu_row_model": (c_char_p, [_P, c_size_t]),
    "cu_row_breakdown_count": (c_size_t, [_P]),
    "cu_row_breakdown": (_P, [_P, c_size_t]),
    # cu-blocks.h
    "cu_blocks_new": (c_int, [_P, c_int64, c_uint32, _PP]),
    "cu_blocks_free": (None, [_P]),
    "cu_blocks_to_json": (c_int, [_P, c_uint32, c_int64, _PP]),
    # cu-entry.h
    "cu_ctx_foreach_entry": (c_int, [_P, ENTRY_FN, c_void_p]),
}


# ---------------------------------------------------------------------------
# Loading the library.

_lib: Optional[ctypes.CDLL] = None
_lib_path: Optional[str] = None
_lib_lock = threading.Lock()


def _pkg_config_dirs(tried: List[str]) -> List[str]:
    """The -L directories pkg-config gives for claudeusage (notes failures in tried)."""
    cmd = shlex.split(os.environ.get("PKG_CONFIG") or "pkg-config") + [
        "--libs-only-L", "claudeusage"]
    env = dict(os.environ)
    # pkg-config drops -L/usr/lib and the like; we want them (an install to /usr).
    env["PKG_CONFIG_ALLOW_SYSTEM_LIBS"] = "1"
    try:
        proc = subprocess.run(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              universal_newlines=True, timeout=60)
    except (OSError, subprocess.SubprocessError) as e:
        tried.append("`%s`: %s" % (" ".join(cmd), e))
        return []
    if proc.returncode != 0:
        detail = proc.stderr.strip().splitlines()
        tried.append("`%s`: exit status %d%s" % (" ".join(cmd), proc.returncode,
                                                  " (%s)" % detail[0] if detail else ""))
        return []
    dirs = [a[2:] for a in shlex.split(proc.stdout) if a.startswith("-L") and len(a) > 2]
    if not dirs:
        tried.append("`%s`: no -L directory" % " ".join(cmd))
    return dirs


def _locate() -> Tuple[ctypes.CDLL, str]:
    """Open the library per the lookup order; LibraryNotFound lists what was tried."""
    explicit = os.environ.get("CLAUDEUSAGE_LIBRARY")
    if explicit:
        # An explicit choice that fails is an error, not a reason to use another library.
        try:
            return ctypes.CDLL(explicit), explicit
        except OSError as e:
            raise LibraryNotFound(None, "CLAUDEUSAGE_LIBRARY=%s cannot be loaded: %s"
                                  % (explicit, e)) from None
    tried = ["CLAUDEUSAGE_LIBRARY: not set"]
    for d in _pkg_config_dirs(tried):
        path = os.path.join(d, SONAME)
        if not os.path.exists(path):
            tried.append("%s (from pkg-config): no such file" % path)
            continue
        try:
            return ctypes.CDLL(path), path
        except OSError as e:
            tried.append("%s (from pkg-config): %s" % (path, e))
    name = ctypes.util.find_library("claudeusage")
    if name:
        try:
            return ctypes.CDLL(name), name
        except OSError as e:
            tried.append('ctypes.util.find_library("claudeusage") = %s: %s' % (name, e))
    else:
        tried.append('ctypes.util.find_library("claudeusage"): nothing found')
    raise LibraryNotFound(None, "cannot find %s; tried:\n  %s\n(set CLAUDEUSAGE_LIBRARY to "
                          "the library's path, or PKG_CONFIG_PATH to the directory of "
                          "claudeusage.pc)" % (SONAME, "\n  ".join(tried)))


def _check_abi(lib, path: str) -> None:
    """Refuse a library built for another ABI: its structs and calls may differ."""
    try:
        fn = lib.cu_abi_version
    except AttributeError:
        raise AbiMismatch(None, "%s has no cu_abi_version(): not libclaudeusage" % path) from None
    fn.restype, fn.argtypes = c_int, []
    found = fn()
    if found != ABI_VERSION:
        raise AbiMismatch(None, "%s has ABI version %d; this module needs %d"
                          % (path, found, ABI_VERSION))


def _declare(lib) -> None:
    for name, (restype, argtypes) in _PROTOTYPES.items():
        fn = getattr(lib, name)
        fn.restype = restype
        fn.argtypes = argtypes


def load_library() -> ctypes.CDLL:
    """The library, found, checked and declared at the first call."""
    global _lib, _lib_path
    with _lib_lock:
        if _lib is None:
            lib, path = _locate()
            _check_abi(lib, path)
            _declare(lib)
            _lib, _lib_path = lib, path
        return _lib


def library_path() -> str:
    """Path (or name) the library was loaded from."""
    load_library()
    assert _lib_path is not None
    return _lib_path


def version() -> str:
    """Run-time library version, e.g. "0.1.0"."""
    return _str(load_library().cu_version_string()) or ""


def version_info() -> Tuple[int, int, int]:
    """Run-time library version as (major, minor, patch)."""
    v = [c_int(), c_int(), c_int()]
    load_library().cu_version(byref(v[0]), byref(v[1]), byref(v[2]))
    return (v[0].value, v[1].value, v[2].value)


def abi_version() -> int:
    """The library's ABI number (checked against ABI_VERSION at load)."""
    return load_library().cu_abi_version()


def status_str(status: int) -> str:
    """The library's text for a status code."""
    return _str(load_library().cu_status_str(status)) or ""


# ---------------------------------------------------------------------------
# Plain Python results.

def _utc(ms: int) -> Optional[datetime.datetime]:
    if not ms:
        return None
    return datetime.datetime.fromtimestamp(ms / 1000, tz=datetime.timezone.utc)


@dataclass
class Row:
    """A report row (or a per-model breakdown row, or the totals)."""
    key: str
    input_tokens: int
    output_tokens: int
    cache_creation_tokens: int
    cache_read_tokens: int
    total_tokens: int
    cost_usd: float
    cost_micro_usd: int
    entries: int
    first_time_ms: int = 0
    last_time_ms: int = 0
    project: Optional[str] = None       # session rows and by-project rows
    project_path: Optional[str] = None  # the working directory, when recorded
    models: List[str] = field(default_factory=list)
    breakdown: List["Row"] = field(default_factory=list)

    @property
    def first_time(self) -> Optional[datetime.datetime]:
        return _utc(self.first_time_ms)

    @property
    def last_time(self) -> Optional[datetime.datetime]:
        return _utc(self.last_time_ms)


@dataclass
class Report:
    """A report: iterate over it (or .rows) for the rows; .totals is the "Total" row."""
    group: Group
    rows: List[Row]
    totals: Row
    unpriced_models: List[str] = field(default_factory=list)

    def __iter__(self) -> Iterator[Row]:
        return iter(self.rows)

    def __len__(self) -> int:
        return len(self.rows)

    def __getitem__(self, i):
        return self.rows[i]


@dataclass
class Entry:
    """One deduplicated usage entry (cu_entry), copied out of the callback."""
    flags: EntryFlag
    time_ms: int
    input_tokens: int
    output_tokens: int
    cache_creation_tokens: int
    cache_read_tokens: int
    cost_usd: float
    model: Optional[str]
    session: Optional[str]
    project: Optional[str]
    source: Optional[str]
    path: Optional[str]
    line: int

    @property
    def total_tokens(self) -> int:
        return (self.input_tokens + self.output_tokens + self.cache_creation_tokens
                + self.cache_read_tokens)

    @property
    def time(self) -> Optional[datetime.datetime]:
        return _utc(self.time_ms)


@dataclass
class Diagnostic:
    """Something a load skipped or noticed (cu_diag_fn); not an error."""
    kind: Union[DiagKind, int]
    path: Optional[str]
    line: int
    message: str


def _row(lib, p: int, breakdown: bool = True) -> Row:
    """Copy a borrowed cu_row into a Row."""
    row = Row(
        key=_str(lib.cu_row_key(p)) or "",
        input_tokens=lib.cu_row_input_tokens(p),
        output_tokens=lib.cu_row_output_tokens(p),
        cache_creation_tokens=lib.cu_row_cache_creation_tokens(p),
        cache_read_tokens=lib.cu_row_cache_read_tokens(p),
        total_tokens=lib.cu_row_total_tokens(p),
        cost_usd=lib.cu_row_cost_usd(p),
        cost_micro_usd=lib.cu_row_cost_micro_usd(p),
        entries=lib.cu_row_entries(p),
        first_time_ms=lib.cu_row_first_time(p),
        last_time_ms=lib.cu_row_last_time(p),
        project=_str(lib.cu_row_project(p)),
        project_path=_str(lib.cu_row_project_path(p)),
        models=[_str(lib.cu_row_model(p, i)) or "" for i in range(lib.cu_row_model_count(p))],
    )
    if breakdown:  # breakdown rows have no breakdown of their own
        row.breakdown = [_row(lib, lib.cu_row_breakdown(p, i), False)
                         for i in range(lib.cu_row_breakdown_count(p))]
    return row


# Where each cu_entry field ends: an older library fills fewer (cu_entry.size).
_ENTRY_END = {name: getattr(CuEntry, name).offset + getattr(CuEntry, name).size
              for name, _ in CuEntry._fields_}


def _entry(e: CuEntry) -> Entry:
    """Copy a borrowed cu_entry; a field the library did not fill reads as empty."""
    def get(name, empty):
        return getattr(e, name) if _ENTRY_END[name] <= e.size else empty
    return Entry(
        flags=EntryFlag(get("flags", 0)),
        time_ms=get("time_ms", 0),
        input_tokens=get("input_tokens", 0),
        output_tokens=get("output_tokens", 0),
        cache_creation_tokens=get("cache_creation_tokens", 0),
        cache_read_tokens=get("cache_read_tokens", 0),
        cost_usd=get("cost_usd", 0.0),
        model=_str(get("model", None)),
        session=_str(get("session", None)),
        project=_str(get("project", None)),
        source=_str(get("source", None)),
        path=_str(get("path", None)),
        line=get("line", 0),
    )


def _take_text(lib, ptr: c_void_p) -> str:
    """Copy library-allocated text and release it with cu_free()."""
    try:
        return ctypes.string_at(ptr.value).decode("utf-8") if ptr.value else ""
    finally:
        lib.cu_free(ptr)


_GROUP_NAMES = {"day": Group.DAILY, "daily": Group.DAILY, "week": Group.WEEKLY,
                "weekly": Group.WEEKLY, "month": Group.MONTHLY, "monthly": Group.MONTHLY,
                "session": Group.SESSION, "sessions": Group.SESSION,
                "project": Group.PROJECT, "projects": Group.PROJECT,
                "source": Group.SOURCE, "sources": Group.SOURCE}


def _enum(kind, value, names: Optional[Dict[str, int]] = None) -> int:
    """An enum value from a member, an int, or a name ("daily", "calculate")."""
    if isinstance(value, str):
        key = value.lower()
        if names and key in names:
            return int(names[key])
        try:
            return int(kind[key.upper()])
        except KeyError:
            raise InvalidArgument(Status.EINVALID, "unknown %s %r" % (kind.__name__, value)) from None
    return int(value)


def _uint32(name: str, value: int) -> int:
    if not 0 <= value <= 0xFFFFFFFF:
        raise InvalidArgument(Status.EINVALID, "%s out of range: %r" % (name, value))
    return value


def _free_ctx(lib, ptr: int, _diag_fn) -> None:
    # _diag_fn: held here so the C callback outlives the context that may call it.
    lib.cu_ctx_free(ptr)


# ---------------------------------------------------------------------------
# The context.

class Context:
    """A cu_ctx: configuration, loaded entries, reports.

    Every option maps to a cu_ctx_set_* call (see cu-context.h); None keeps
    the library's default. offline defaults to True here (the library's and
    the CLI's default is to download LiteLLM's prices once a day): an example
    should not reach the network unasked; pass offline=False for current
    prices. index defaults to False (as in the library): no cache file is
    written unless asked for.

    Use it as a context manager, or call close(); a forgotten context is
    freed by a finalizer. Not thread-safe: one thread at a time.
    """

    def __init__(self, roots=None, *, timezone: Optional[str] = None,
                 since: Optional[str] = None, until: Optional[str] = None,
                 offline: bool = True, cost_mode: Union[CostMode, int, str] = CostMode.AUTO,
                 week_start: int = 0, exclude_vms: bool = False,
                 project: Optional[str] = None, index: bool = False, threads: int = 0,
                 pricing_file=None, cache_dir=None, now_ms: Optional[int] = None):
        lib = load_library()
        self._lib = lib
        self._iterating = False
        #: Diagnostics of the last load() (skipped lines, unreadable files, ...).
        self.diagnostics: List[Diagnostic] = []
        out = c_void_p()
        rc = lib.cu_ctx_new(byref(out))
        if rc != Status.OK:
            raise error_for(rc, _str(lib.cu_last_error()) or "", "cu_ctx_new")
        self._ptr: Optional[int] = out.value

        diags = self.diagnostics  # the callback holds the list, not self (no cycle)

        def on_diag(kind, path, line, message, _userdata):
            try:
                diags.append(Diagnostic(_diag_kind(kind), _str(path), line, _str(message) or ""))
            except BaseException:  # nothing may propagate into C
                pass
        self._diag_fn = DIAG_FN(on_diag)
        self._finalizer = weakref.finalize(self, _free_ctx, lib, self._ptr, self._diag_fn)
        try:
            self._call("cu_ctx_set_diag_fn", self._diag_fn, None)
            if isinstance(roots, (str, bytes, os.PathLike)):
                roots = [roots]
            for r in roots or ():
                self._call("cu_ctx_add_root", _bytes(r))
            if timezone is not None:
                self._call("cu_ctx_set_timezone", _bytes(timezone))
            if since is not None:
                self._call("cu_ctx_set_since", _bytes(since))
            if until is not None:
                self._call("cu_ctx_set_until", _bytes(until))
            self._call("cu_ctx_set_offline", 1 if offline else 0)
            self._call("cu_ctx_set_cost_mode", _enum(CostMode, cost_mode))
            self._call("cu_ctx_set_week_start", week_start)
            self._call("cu_ctx_set_exclude_vms", 1 if exclude_vms else 0)
            if project is not None:
                self._call("cu_ctx_set_project", _bytes(project))
            self._call("cu_ctx_set_index", 1 if index else 0)
            self._call("cu_ctx_set_threads", _uint32("threads", threads))
            if pricing_file is not None:
                self._call("cu_ctx_set_pricing_file", _bytes(pricing_file))
            if cache_dir is not None:
                self._call("cu_ctx_set_cache_dir", _bytes(cache_dir))
            if now_ms is not None:
                self._call("cu_ctx_set_now", now_ms)
        except BaseException:
            self.close()
            raise

    # -- life cycle -------------------------------------------------------

    def close(self) -> None:
        """Free the cu_ctx. Safe to call twice; other methods then raise StateError."""
        if self._iterating:
            raise StateError(Status.ESTATE, "cannot close the context inside its own "
                             "entry callback", "Context.close")
        self._ptr = None
        self._finalizer()  # runs cu_ctx_free at most once

    @property
    def closed(self) -> bool:
        return self._ptr is None

    def __enter__(self) -> "Context":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def _handle(self) -> int:
        if self._ptr is None:
            raise StateError(Status.ESTATE, "the context is closed")
        return self._ptr

    def _check(self, rc: int, function: str) -> int:
        if rc < 0:
            raise error_for(rc, _str(self._lib.cu_ctx_last_error(self._ptr)) or "", function)
        return rc

    def _call(self, function: str, *args) -> int:
        """Call cu_xxx(ctx, *args) and raise on a negative status."""
        return self._check(getattr(self._lib, function)(self._handle(), *args), function)

    # -- loading ----------------------------------------------------------

    def load(self) -> "Context":
        """Read the transcripts (again: only what changed). Returns self."""
        del self.diagnostics[:]
        self._call("cu_ctx_load")
        return self

    def stat(self, which: Union[Stat, int, str]) -> int:
        """A counter of the last load (cu_ctx_stat)."""
        return self._lib.cu_ctx_stat(self._handle(), _enum(Stat, which))

    def stats(self) -> Dict[str, int]:
        """Every counter of the last load, by lower-case name ("entries", "files", ...)."""
        return {s.name.lower(): self.stat(s) for s in Stat}

    @property
    def timezone(self) -> str:
        return _str(self._lib.cu_ctx_timezone(self._handle())) or ""

    @property
    def roots(self) -> List[str]:
        """The data roots the next load looks at."""
        h = self._handle()
        return [_str(self._lib.cu_ctx_root(h, i)) or ""
                for i in range(self._lib.cu_ctx_root_count(h))]

    @property
    def pricing_source(self) -> str:
        """Where the prices come from: "embedded", "cache", "download" or "file"."""
        return _str(self._lib.cu_ctx_pricing_source(self._handle())) or ""

    # -- reports ----------------------------------------------------------

    def _report_new(self, group, desc: bool, limit: int, by_project: bool) -> c_void_p:
        flags = (_REPORT_DESC if desc else 0) | (_REPORT_BY_PROJECT if by_project else 0)
        out = c_void_p()
        self._call("cu_report_new", _enum(Group, group, _GROUP_NAMES), flags,
                   _uint32("limit", limit), byref(out))
        return out

    def report(self, group: Union[Group, int, str], desc: bool = False, limit: int = 0,
               by_project: bool = False) -> Report:
        """Build a report, copy it into a Report, and free it."""
        lib = self._lib
        rep = self._report_new(group, desc, limit, by_project)
        try:
            return Report(
                group=Group(lib.cu_report_group(rep)),
                rows=[_row(lib, lib.cu_report_row(rep, i)) for i in range(lib.cu_report_count(rep))],
                totals=_row(lib, lib.cu_report_totals(rep)),
                unpriced_models=[_str(lib.cu_report_unpriced(rep, i)) or ""
                                 for i in range(lib.cu_report_unpriced_count(rep))],
            )
        finally:
            lib.cu_report_free(rep)

    def report_json(self, group: Union[Group, int, str], desc: bool = False, limit: int = 0,
                    by_project: bool = False, compact: bool = False) -> str:
        """The report as JSON text (ccusage's shape), from cu_report_to_json()."""
        lib = self._lib
        rep = self._report_new(group, desc, limit, by_project)
        try:
            out = c_void_p()
            rc = lib.cu_report_to_json(rep, _JSON_COMPACT if compact else 0, byref(out))
            text = _take_text(lib, out)
            if rc < 0:
                raise error_for(rc, "", "cu_report_to_json")
            return text
        finally:
            lib.cu_report_free(rep)

    def daily(self, **kw) -> Report:
        return self.report(Group.DAILY, **kw)

    def weekly(self, **kw) -> Report:
        return self.report(Group.WEEKLY, **kw)

    def monthly(self, **kw) -> Report:
        return self.report(Group.MONTHLY, **kw)

    def sessions(self, **kw) -> Report:
        return self.report(Group.SESSION, **kw)

    def projects(self, **kw) -> Report:
        return self.report(Group.PROJECT, **kw)

    def sources(self, **kw) -> Report:
        return self.report(Group.SOURCE, **kw)

    def blocks_json(self, block_ms: int = 0, active: bool = False, recent: bool = False,
                    desc: bool = False, token_limit: Union[int, str] = 0,
                    compact: bool = False) -> str:
        """5-hour billing blocks as JSON (cu_blocks_to_json); token_limit="max" for
        the largest finished block."""
        lib = self._lib
        flags = ((_BLOCKS_ACTIVE if active else 0) | (_BLOCKS_RECENT if recent else 0)
                 | (_BLOCKS_DESC if desc else 0))
        limit = _TOKEN_LIMIT_MAX if token_limit == "max" else int(token_limit)
        blocks = c_void_p()
        self._call("cu_blocks_new", block_ms, flags, byref(blocks))
        try:
            out = c_void_p()
            rc = lib.cu_blocks_to_json(blocks, _JSON_COMPACT if compact else 0, limit, byref(out))
            text = _take_text(lib, out)
            if rc < 0:
                raise error_for(rc, "", "cu_blocks_to_json")
            return text
        finally:
            lib.cu_blocks_free(blocks)

    # -- entries ----------------------------------------------------------

    def foreach_entry(self, fn: Callable[[Entry], object]) -> bool:
        """Call fn(entry) for every entry of the last load, oldest first.

        fn returns a false value (None) to go on, a true one to stop. An
        exception raised by fn stops the iteration and propagates from here
        (it never crosses into C). Returns True when every entry was seen.
        fn must not load, reconfigure or close this context.
        """
        caught: List[BaseException] = []
        stopped = [False]

        def thunk(p, _userdata):
            # Runs inside cu_ctx_foreach_entry: nothing may propagate into C
            # (ctypes would print and ignore it, and go on).
            try:
                if fn(_entry(p.contents)):
                    stopped[0] = True
                    return 1
                return 0
            except BaseException as e:  # re-raised below, after C returns
                caught.append(e)
                return 1

        callback = ENTRY_FN(thunk)  # referenced until the C call has returned
        handle = self._handle()
        self._iterating = True
        try:
            rc = self._lib.cu_ctx_foreach_entry(handle, callback, None)
        finally:
            self._iterating = False
        if caught:
            raise caught[0]
        if rc == Status.EUSER and stopped[0]:
            return False
        self._check(rc, "cu_ctx_foreach_entry")
        return True

    def entries(self) -> List[Entry]:
        """Every entry of the last load (those the reports count), oldest first."""
        out: List[Entry] = []
        self.foreach_entry(out.append)  # list.append returns None: go on
        return out


def _diag_kind(kind: int) -> Union[DiagKind, int]:
    try:
        return DiagKind(kind)
    except ValueError:
        return kind


# ---------------------------------------------------------------------------
# One-shot helpers: open a context on root(s), load, report, close.

def _oneshot(group: Group, roots, opts: Dict) -> Report:
    kw = {k: opts.pop(k) for k in ("desc", "limit", "by_project") if k in opts}
    with Context(roots, **opts) as ctx:
        return ctx.load().report(group, **kw)


def daily(roots=None, **opts) -> Report:
    """Daily report of roots (None: the default data directories); iterate it for the rows.
    opts: Context options, and desc/limit/by_project."""
    return _oneshot(Group.DAILY, roots, opts)


def weekly(roots=None, **opts) -> Report:
    return _oneshot(Group.WEEKLY, roots, opts)


def monthly(roots=None, **opts) -> Report:
    return _oneshot(Group.MONTHLY, roots, opts)


def sessions(roots=None, **opts) -> Report:
    return _oneshot(Group.SESSION, roots, opts)


def projects(roots=None, **opts) -> Report:
    return _oneshot(Group.PROJECT, roots, opts)


if __name__ == "__main__":  # python3 claudeusage.py [DATA_DIR...]: what each day cost
    import sys
    try:
        report = daily(sys.argv[1:] or None)
    except ClaudeUsageError as e:
        sys.exit("claudeusage: %s" % e)
    for row in report:
        print("%s  %12d tokens  $%10.4f" % (row.key, row.total_tokens, row.cost_usd))
    t = report.totals
    print("total       %12d tokens  $%10.4f  (%d entries)" % (t.total_tokens, t.cost_usd, t.entries))
