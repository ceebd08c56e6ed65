#!/usr/bin/env python3
"""Tests of claudeusage.py, the ctypes binding of libclaudeusage (plain unittest).

Environment (all optional; meson test sets them, see meson.build):
  CU_EXAMPLE_DATA  a Claude data directory (default: ../data next to this file)
  CU_LAYOUT        the build's tests/abi/layout program; "" or unset skips the layout check
  CLAUDE_USAGE     the claude-usage CLI, to compare with; unset skips that
  PKG_CONFIG_PATH, PKG_CONFIG_SYSROOT_DIR, CLAUDEUSAGE_LIBRARY: how the library is found
"""

import ctypes
import datetime
import gc
import json
import os
import subprocess
import sys
import tempfile
import unittest
from unittest import mock

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.dont_write_bytecode = True  # no __pycache__ in the source tree
import claudeusage as cu  # noqa: E402

DATA = os.environ.get("CU_EXAMPLE_DATA") or os.path.join(HERE, "..", "data")
TZ = "UTC"  # days and months independent of the machine's zone

# The JSON array and key names of each grouping (cu_report_to_json).
JSON_NAMES = {
    cu.Group.DAILY: ("daily", "date"),
    cu.Group.WEEKLY: ("weekly", "week"),
    cu.Group.MONTHLY: ("monthly", "month"),
    cu.Group.SESSION: ("sessions", "sessionId"),
    cu.Group.PROJECT: ("projects", "project"),
    cu.Group.SOURCE: ("sources", "source"),
}
TOKENS = ("input_tokens", "output_tokens", "cache_creation_tokens", "cache_read_tokens")
JSON_TOKENS = ("inputTokens", "outputTokens", "cacheCreationTokens", "cacheReadTokens")


def open_ctx(**kw):
    return cu.Context([DATA], timezone=TZ, **kw)


def run_tool(argv):
    """Run a program of the build (layout, the CLI) and return its stdout.

    Without LD_PRELOAD: under ASan, meson preloads the sanitizer runtime for
    Python's sake, and clang-built programs carry their own (static) one,
    which refuses a second.
    """
    env = {k: v for k, v in os.environ.items() if k != "LD_PRELOAD"}
    return subprocess.run(argv, env=env, stdout=subprocess.PIPE, universal_newlines=True,
                          check=True).stdout


def pkg_config_dirs():
    """pkg-config's -L directories for claudeusage, or None when it finds none."""
    tried = []
    return cu._pkg_config_dirs(tried) or None


class LoadedCase(unittest.TestCase):
    """A context on the example data, loaded once for the class."""

    @classmethod
    def setUpClass(cls):
        cls.ctx = open_ctx().load()
        cls.daily = cls.ctx.daily()

    @classmethod
    def tearDownClass(cls):
        cls.ctx.close()

    def assertCost(self, a, b, msg=None):
        # Sums of the same floats in another order: equal to ~1e-12 relative.
        self.assertAlmostEqual(a, b, delta=1e-9 * max(1.0, abs(b)), msg=msg)


class TestLibrary(unittest.TestCase):
    def test_version_and_abi(self):
        self.assertEqual(cu.abi_version(), cu.ABI_VERSION)
        self.assertEqual(cu.version(), "%d.%d.%d" % cu.version_info())
        print("\nlibrary: %s, version %s" % (cu.library_path(), cu.version()), file=sys.stderr)

    def test_version_matches_pkg_config(self):
        if pkg_config_dirs() is None:
            self.skipTest("pkg-config does not find claudeusage")
        out = subprocess.run(["pkg-config", "--modversion", "claudeusage"],
                             stdout=subprocess.PIPE, universal_newlines=True, check=True)
        self.assertEqual(out.stdout.strip(), cu.version())

    def test_found_through_pkg_config(self):
        # With pkg-config set up (the build tree's uninstalled .pc, or an
        # installed tree), the library is the one in its -L directory.
        dirs = pkg_config_dirs()
        if os.environ.get("CLAUDEUSAGE_LIBRARY") or dirs is None:
            self.skipTest("the library is not found through pkg-config here")
        found = os.path.realpath(os.path.dirname(cu.library_path()))
        self.assertIn(found, [os.path.realpath(d) for d in dirs])

    def test_explicit_library(self):
        path = cu.library_path()
        with mock.patch.dict(os.environ, {"CLAUDEUSAGE_LIBRARY": path}):
            _, where = cu._locate()
        self.assertEqual(where, path)
        with mock.patch.dict(os.environ, {"CLAUDEUSAGE_LIBRARY": "/nonexistent/libx.so"}):
            with self.assertRaises(cu.LibraryNotFound) as cm:
                cu._locate()
        self.assertIn("/nonexistent/libx.so", str(cm.exception))

    def test_not_found_names_what_was_tried(self):
        with tempfile.TemporaryDirectory() as empty:
            env = {"CLAUDEUSAGE_LIBRARY": "", "PKG_CONFIG_PATH": empty, "PKG_CONFIG_LIBDIR": empty}
            with mock.patch.dict(os.environ, env), \
                    mock.patch("ctypes.util.find_library", return_value=None):
                with self.assertRaises(cu.LibraryNotFound) as cm:
                    cu._locate()
        text = str(cm.exception)
        for what in ("CLAUDEUSAGE_LIBRARY", "pkg-config", "find_library"):
            self.assertIn(what, text)
        self.assertIsNone(cm.exception.status)

    def test_abi_mismatch_refused(self):
        class Fake:  # stands for a CDLL of a future, incompatible library
            def __init__(self, abi):
                self.cu_abi_version = lambda: abi
        cu._check_abi(Fake(cu.ABI_VERSION), "ok.so")
        with self.assertRaises(cu.AbiMismatch) as cm:
            cu._check_abi(Fake(cu.ABI_VERSION + 1), "future.so")
        self.assertIn("future.so", str(cm.exception))
        with self.assertRaises(cu.AbiMismatch):
            cu._check_abi(object(), "other.so")  # no cu_abi_version at all


class TestLayout(unittest.TestCase):
    def test_cu_entry_matches_c(self):
        layout = os.environ.get("CU_LAYOUT")
        if not layout:
            self.skipTest("CU_LAYOUT not set (tests not built, or an installed tree)")
        c = json.loads(run_tool([layout]))["cu_entry"]
        py = cu.CuEntry
        self.assertEqual(ctypes.sizeof(py), c["size"])
        self.assertEqual(ctypes.alignment(py), c["align"])
        self.assertEqual([name for name, _ in py._fields_], list(c["fields"]))
        for name, (offset, size) in c["fields"].items():
            f = getattr(py, name)
            self.assertEqual((f.offset, f.size), (offset, size), name)


class TestReports(LoadedCase):
    def check_sums(self, rep):
        """Rows add up to the totals; each row to its four token kinds and its breakdown."""
        self.assertTrue(rep.rows)
        for name in TOKENS + ("total_tokens", "entries"):
            self.assertEqual(sum(getattr(r, name) for r in rep), getattr(rep.totals, name), name)
        self.assertCost(sum(r.cost_usd for r in rep), rep.totals.cost_usd)
        self.assertEqual(rep.totals.key, "Total")
        for r in rep:
            self.assertEqual(r.total_tokens, sum(getattr(r, n) for n in TOKENS), r.key)
            self.assertEqual(r.cost_micro_usd, round(r.cost_usd * 1e6), r.key)
            self.assertEqual(r.models, sorted(r.models))
            self.assertEqual(sorted(b.key for b in r.breakdown), r.models)
            for name in TOKENS + ("entries",):
                self.assertEqual(sum(getattr(b, name) for b in r.breakdown), getattr(r, name))
            self.assertCost(sum(b.cost_usd for b in r.breakdown), r.cost_usd)
            self.assertLessEqual(r.first_time_ms, r.last_time_ms)

    def test_every_grouping_adds_up(self):
        for group in cu.Group:
            with self.subTest(group=group.name):
                rep = self.ctx.report(group)
                self.assertEqual(rep.group, group)
                self.check_sums(rep)
                # The same usage whichever way it is grouped.
                self.assertEqual(rep.totals.total_tokens, self.daily.totals.total_tokens)
                self.assertEqual(rep.totals.entries, self.daily.totals.entries)
                self.assertCost(rep.totals.cost_usd, self.daily.totals.cost_usd)

    def test_keys(self):
        days = [r.key for r in self.daily]
        self.assertEqual(days, sorted(days))
        for d in days:
            datetime.date.fromisoformat(d)
        self.assertEqual([r.key for r in self.ctx.monthly()], sorted({d[:7] for d in days}))
        self.assertEqual([r.key for r in self.ctx.daily(desc=True)], days[::-1])
        self.assertEqual([r.key for r in self.ctx.daily(limit=2)], days[-2:])
        for s in self.ctx.sessions():
            self.assertTrue(s.project)
        self.assertEqual(sorted(r.key for r in self.ctx.sources()), ["main", "vm-0"])

    def test_by_project(self):
        rep = self.ctx.daily(by_project=True)
        self.check_sums(rep)
        self.assertTrue(all(r.project for r in rep))
        data = json.loads(self.ctx.report_json("daily", by_project=True))
        self.assertEqual(sorted(data["projects"]), sorted({r.project for r in rep}))

    def test_matches_json_export(self):
        for group, (array, key) in JSON_NAMES.items():
            with self.subTest(group=group.name):
                rep = self.ctx.report(group)
                data = json.loads(self.ctx.report_json(group))
                self.assertEqual(len(data[array]), len(rep))
                for row, obj in zip(rep, data[array]):
                    self.assertEqual(obj[key], row.key)
                    self.assertEqual([obj[k] for k in JSON_TOKENS],
                                     [getattr(row, n) for n in TOKENS])
                    self.assertEqual(obj["totalTokens"], row.total_tokens)
                    self.assertEqual(obj["totalCost"], row.cost_usd)  # printed to round-trip
                    self.assertEqual(obj["modelsUsed"], row.models)
                    self.assertEqual([(m["modelName"], m["cost"]) for m in obj["modelBreakdowns"]],
                                     [(b.key, b.cost_usd) for b in row.breakdown])
                t = data["totals"]
                self.assertEqual([t[k] for k in JSON_TOKENS], [getattr(rep.totals, n) for n in TOKENS])
                self.assertEqual(t["totalCost"], rep.totals.cost_usd)
                self.assertEqual(data["unpricedModels"], rep.unpriced_models)
        compact = self.ctx.report_json("monthly", compact=True)
        self.assertNotIn("\n", compact.strip())

    def test_entries_add_up_to_daily(self):
        entries = self.ctx.entries()
        self.assertEqual(len(entries), self.daily.totals.entries)
        times = [e.time_ms for e in entries]
        self.assertEqual(times, sorted(times))
        per_day = {}
        for e in entries:
            day = e.time.date().isoformat()  # UTC, as the context's timezone
            acc = per_day.setdefault(day, [0, 0, 0, 0, 0.0, 0])
            for i, n in enumerate(TOKENS):
                acc[i] += getattr(e, n)
            acc[4] += e.cost_usd
            acc[5] += 1
            self.assertIsInstance(e.flags, cu.EntryFlag)
            self.assertTrue(e.model and e.session and e.project and e.source and e.path)
            self.assertGreater(e.line, 0)
        self.assertEqual(sorted(per_day), [r.key for r in self.daily])
        for r in self.daily:
            acc = per_day[r.key]
            self.assertEqual(acc[:4], [getattr(r, n) for n in TOKENS], r.key)
            self.assertCost(acc[4], r.cost_usd, r.key)
            self.assertEqual(acc[5], r.entries, r.key)
        self.assertEqual(sum(e.total_tokens for e in entries), self.daily.totals.total_tokens)
        self.assertCost(sum(e.cost_usd for e in entries), self.daily.totals.cost_usd)

    def test_blocks_json(self):
        data = json.loads(self.ctx.blocks_json(token_limit="max"))
        blocks = [b for b in data["blocks"] if not b["isGap"]]
        self.assertEqual(sum(b["totalTokens"] for b in blocks), self.daily.totals.total_tokens)
        self.assertCost(sum(b["costUSD"] for b in blocks), self.daily.totals.cost_usd)

    def test_stats(self):
        s = self.ctx.stats()
        self.assertEqual(set(s), {m.name.lower() for m in cu.Stat})
        self.assertEqual(s["entries"], self.ctx.stat(cu.Stat.ENTRIES))
        self.assertGreater(s["files"], 0)
        self.assertGreaterEqual(s["entries"], self.daily.totals.entries)
        self.assertEqual(self.ctx.stat(999), -1)  # unknown counter
        self.assertEqual(self.ctx.timezone, "UTC")
        self.assertEqual(self.ctx.roots, [DATA])
        self.assertIn(self.ctx.pricing_source, ("embedded", "cache"))  # offline

    def test_filters(self):
        first = self.daily[0]
        with open_ctx(since=first.key, until=first.key.replace("-", "")) as ctx:
            rep = ctx.load().daily()
        self.assertEqual([r.key for r in rep], [first.key])
        self.assertEqual(rep.totals.total_tokens, first.total_tokens)

        project = self.ctx.projects()[0]
        with open_ctx(project=project.key) as ctx:
            self.assertEqual(ctx.load().daily().totals.total_tokens, project.total_tokens)

        main = [r for r in self.ctx.sources() if r.key == "main"][0]
        with open_ctx(exclude_vms=True) as ctx:
            self.assertEqual(ctx.load().daily().totals.total_tokens, main.total_tokens)

        with open_ctx(cost_mode="calculate") as ctx:
            self.assertEqual(ctx.load().daily().totals.total_tokens, self.daily.totals.total_tokens)

    def test_index_and_reload_change_nothing(self):
        with tempfile.TemporaryDirectory() as cache:
            for _ in range(2):  # the second run reads the index the first wrote
                with open_ctx(index=True, cache_dir=cache, threads=2) as ctx:
                    self.assertEqual(ctx.load().daily(), self.daily)
                    self.assertEqual(ctx.load().daily(), self.daily)  # a reload
            self.assertTrue(os.listdir(cache))

    def test_convenience_functions(self):
        self.assertEqual(cu.daily(DATA, timezone=TZ), self.daily)
        self.assertEqual(cu.monthly([DATA], timezone=TZ).rows, self.ctx.monthly().rows)
        self.assertEqual(cu.sessions(DATA, timezone=TZ, desc=True, limit=1).rows,
                         self.ctx.sessions(desc=True, limit=1).rows)


class TestDiagnostics(unittest.TestCase):
    def test_skipped_lines_are_reported(self):
        src = os.path.join(DATA, "projects", "-home-dev-src-parse-1")
        good, ids = [], set()
        with open(os.path.join(src, os.listdir(src)[0]), encoding="utf-8") as f:
            for line in f:  # two usage lines of different messages (not deduplicated)
                msg = json.loads(line).get("message")
                if isinstance(msg, dict) and "usage" in msg and msg.get("id") not in ids:
                    ids.add(msg.get("id"))
                    good.append(line)
        good = good[:2]
        with tempfile.TemporaryDirectory() as root:
            project = os.path.join(root, "projects", "-tmp-diag")
            os.makedirs(project)
            path = os.path.join(project, "s.jsonl")
            with open(path, "w", encoding="utf-8") as f:
                f.write(good[0] + "this is not JSON\n" + good[1] + '{"torn":')
            with cu.Context(root, timezone=TZ) as ctx:
                rep = ctx.load().daily()
                kinds = {d.kind: d for d in ctx.diagnostics}
                self.assertEqual(ctx.stat("malformed_lines"), 1)
                self.assertEqual(ctx.stat("torn_lines"), 1)
        self.assertEqual(rep.totals.entries, 2)
        bad = kinds[cu.DiagKind.MALFORMED_LINE]
        self.assertEqual((bad.path, bad.line), (path, 2))
        self.assertTrue(bad.message)
        self.assertEqual(kinds[cu.DiagKind.TORN_LINE].line, 4)


class TestEntryCallback(LoadedCase):
    def test_stop_by_returning_true(self):
        seen = []

        def first_only(e):
            seen.append(e)
            return True
        self.assertFalse(self.ctx.foreach_entry(first_only))
        self.assertEqual(len(seen), 1)
        self.assertTrue(self.ctx.foreach_entry(lambda e: None))

    def test_exception_propagates(self):
        class Boom(Exception):
            pass
        calls = []

        def boom(e):
            calls.append(e)
            if len(calls) == 3:
                raise Boom("third")
        with self.assertRaises(Boom) as cm:
            self.ctx.foreach_entry(boom)
        self.assertEqual(str(cm.exception), "third")
        self.assertEqual(len(calls), 3)  # stopped right there
        # The context is intact: another iteration and a reload work.
        self.assertEqual(len(self.ctx.entries()), self.daily.totals.entries)
        self.assertEqual(self.ctx.load().daily(), self.daily)

    def test_keyboard_interrupt_propagates(self):
        def interrupt(e):
            raise KeyboardInterrupt
        with self.assertRaises(KeyboardInterrupt):
            self.ctx.foreach_entry(interrupt)

    def test_forbidden_calls_inside_the_callback(self):
        # cu_ctx_load refuses with CU_ESTATE; the StateError crosses the callback.
        with self.assertRaises(cu.StateError) as cm:
            self.ctx.foreach_entry(lambda e: self.ctx.load())
        self.assertEqual(cm.exception.status, cu.Status.ESTATE)
        self.assertEqual(cm.exception.function, "cu_ctx_load")
        with self.assertRaises(cu.StateError):
            self.ctx.foreach_entry(lambda e: self.ctx.close())
        self.assertFalse(self.ctx.closed)
        # Reading is allowed inside it.
        totals = []
        self.ctx.foreach_entry(lambda e: totals.append(self.ctx.daily().totals) or True)
        self.assertEqual(totals, [self.daily.totals])


class TestErrors(unittest.TestCase):
    def test_status_mapping(self):
        expected = {
            cu.Status.EINVALID: cu.InvalidArgument, cu.Status.ENOMEM: cu.OutOfMemory,
            cu.Status.ENOTFOUND: cu.NotFound, cu.Status.EIO: cu.InputOutputError,
            cu.Status.EPARSE: cu.ParseError, cu.Status.ENETWORK: cu.NetworkError,
            cu.Status.EUSER: cu.UserStop, cu.Status.ESTATE: cu.StateError,
        }
        for status, cls in expected.items():
            e = cu.error_for(status, "detail", "cu_fn")
            self.assertIs(type(e), cls)
            self.assertIsInstance(e, cu.ClaudeUsageError)
            self.assertEqual((e.status, e.message, e.function), (status, "detail", "cu_fn"))
            self.assertEqual(str(e), "cu_fn: %s: detail" % cu.status_str(status))
        unknown = cu.error_for(-99)
        self.assertIs(type(unknown), cu.ClaudeUsageError)
        self.assertEqual(unknown.status, -99)
        self.assertIsInstance(cu.error_for(cu.Status.EINVALID), ValueError)

    def test_bad_timezone(self):
        with self.assertRaises(cu.NotFound) as cm:
            cu.Context(timezone="Nowhere/Atlantis")
        self.assertEqual(cm.exception.status, cu.Status.ENOTFOUND)
        self.assertIn("Nowhere/Atlantis", cm.exception.message)

    def test_bad_date(self):
        for opt in ("since", "until"):
            with self.assertRaises(cu.InvalidArgument) as cm:
                cu.Context(**{opt: "2025-02-30"})
            self.assertEqual(cm.exception.status, cu.Status.EINVALID)
            self.assertIn("2025-02-30", cm.exception.message)

    def test_report_before_load(self):
        with cu.Context([DATA]) as ctx:
            for call in (ctx.daily, lambda: ctx.report_json("daily"), ctx.entries, ctx.blocks_json):
                with self.assertRaises(cu.StateError) as cm:
                    call()
                self.assertIn("load", cm.exception.message)

    def test_missing_data_dir(self):
        with tempfile.TemporaryDirectory() as tmp:
            with cu.Context([os.path.join(tmp, "missing")]) as ctx:
                with self.assertRaises(cu.NotFound) as cm:
                    ctx.load()
        self.assertIn("missing", cm.exception.message)

    def test_bad_pricing_file(self):
        with tempfile.TemporaryDirectory() as tmp:
            with cu.Context([DATA], pricing_file=os.path.join(tmp, "none.json")) as ctx:
                with self.assertRaises(cu.InputOutputError):
                    ctx.load()

    def test_bad_arguments(self):
        with self.assertRaises(cu.InvalidArgument):
            cu.Context(cost_mode="free")
        with self.assertRaises(cu.InvalidArgument):
            cu.Context(cost_mode=7)  # refused by the library
        with self.assertRaises(cu.InvalidArgument):
            cu.Context(threads=-1)
        with open_ctx() as ctx:
            ctx.load()
            for group in (0, 99, "fortnightly"):
                with self.assertRaises(cu.InvalidArgument):
                    ctx.report(group)
            with self.assertRaises(cu.InvalidArgument):
                ctx.daily(limit=-1)


class TestLifetime(unittest.TestCase):
    def test_context_manager_and_double_close(self):
        with open_ctx() as ctx:
            self.assertFalse(ctx.closed)
            ctx.load()
        self.assertTrue(ctx.closed)
        ctx.close()  # a second close does nothing
        with self.assertRaises(cu.StateError):
            ctx.daily()
        with self.assertRaises(cu.StateError):
            ctx.load()

    def test_finalizer_frees_a_forgotten_context(self):
        ctx = open_ctx().load()
        finalizer = ctx._finalizer
        self.assertTrue(finalizer.alive)
        del ctx
        gc.collect()
        self.assertFalse(finalizer.alive)

    def test_reports_outlive_the_context(self):
        with open_ctx() as ctx:
            rep = ctx.load().sessions()
            entries = ctx.entries()
        gc.collect()
        self.assertTrue(rep.rows[0].key and rep.rows[0].models and entries[-1].path)


class TestAgainstCli(LoadedCase):
    """The CLI's --json and the module agree (both use the library; a wiring check)."""

    def test_cli_json(self):
        cli = os.environ.get("CLAUDE_USAGE")
        if not cli:
            self.skipTest("CLAUDE_USAGE not set")
        for command, group in (("daily", cu.Group.DAILY), ("weekly", cu.Group.WEEKLY),
                               ("monthly", cu.Group.MONTHLY), ("session", cu.Group.SESSION)):
            with self.subTest(command=command):
                data = json.loads(run_tool([cli, command, "--json", "--all", "--offline",
                                            "--no-cache", "--timezone", TZ, "--data-dir", DATA]))
                array, key = JSON_NAMES[group]
                rep = self.ctx.report(group)
                self.assertEqual([o[key] for o in data[array]], [r.key for r in rep])
                for obj, row in zip(data[array], rep):
                    self.assertEqual([obj[k] for k in JSON_TOKENS], [getattr(row, n) for n in TOKENS])
                    self.assertCost(obj["totalCost"], row.cost_usd)
                t = data["totals"]
                self.assertEqual(t["totalTokens"], rep.totals.total_tokens)
                self.assertCost(t["totalCost"], rep.totals.cost_usd)


if __name__ == "__main__":
    if os.environ.get("CU_PYTHON_SKIP"):
        print("skipped: %s" % os.environ["CU_PYTHON_SKIP"])
        sys.exit(77)  # meson's "skipped"
    unittest.main(verbosity=2)
