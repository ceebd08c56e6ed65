#!/usr/bin/env python3
"""End-to-end tests of the claude-usage command-line tool.

Run by meson as `python3 tests/e2e/test_cli.py` with these environment variables:

  CLAUDE_USAGE    path of the claude-usage binary
  CU_SHARED       the shared directory (reference outputs of ccusage 20.0.24 and the data
                  generator); tests that need it are skipped when it does not exist
  CU_TEST_DATA    the tests/data directory
  CU_SOURCE_ROOT  the project's source root (for examples/data)

Every run of the tool gets HOME set to an empty directory, no CLAUDE_CONFIG_DIR unless the test
sets one, TZ=UTC, NO_COLOR=1 and CLAUDE_USAGE_OFFLINE=1. Temporary files live under one
tempfile.mkdtemp() directory that is removed at the end.

Stdlib only. Prints unittest's usual report, then a line "N passed, M failed[, K skipped]", and
exits non-zero when anything failed.
"""
import calendar
import json
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from runner import CLI, SHARED, SOURCE_ROOT, TEST_DATA, remove_tree, run_tests  # noqa: E402

REF_VERSION = "ccusage-20.0.24"
REF_DIR = os.path.join(SHARED, "reference", REF_VERSION)
REF_TARBALL = os.path.join(REF_DIR, "claude-home.tar.gz")
GENERATOR = os.path.join(SHARED, "tools", "gen-claude-home.py")

TOKEN_KEYS = ("inputTokens", "outputTokens", "cacheCreationTokens", "cacheReadTokens")
TIMEOUT = 300

# 2025-07-15T12:00:00Z, the "now" of the date-filter tests.
NOW_2025_07_15 = calendar.timegm((2025, 7, 15, 12, 0, 0)) * 1000

_tmp_root = None   # the one mkdtemp() directory; everything else lives below it
_empty_home = None  # HOME of every run; stays empty
_ref_home = None    # the extracted reference claude-home/, once


# --------------------------------------------------------------------------- helpers


def setUpModule():
    global _tmp_root, _empty_home
    _tmp_root = tempfile.mkdtemp(prefix="cu-e2e-")
    _empty_home = os.path.join(_tmp_root, "home")
    os.mkdir(_empty_home)


def tearDownModule():
    if _tmp_root:
        remove_tree(_tmp_root)


def new_dir(name="d"):
    """A fresh directory under the module's temporary root."""
    return tempfile.mkdtemp(prefix=name + "-", dir=_tmp_root)


class Run:
    def __init__(self, args, rc, out, err):
        self.args, self.rc, self.out, self.err = args, rc, out, err

    def __str__(self):
        return "claude-usage %s -> exit %d\n--- stdout:\n%s\n--- stderr:\n%s" % (
            " ".join(self.args), self.rc, self.out[:3000], self.err[:3000])


def run_cli(args, env=None, preexec_fn=None):
    """Run the tool in the standard test environment; env entries set to None are removed."""
    e = {k: v for k, v in os.environ.items()
         if k not in ("CLAUDE_CONFIG_DIR", "CLAUDE_USAGE_NOW_MS", "FORCE_COLOR")}
    e.update(HOME=_empty_home, TZ="UTC", NO_COLOR="1", CLAUDE_USAGE_OFFLINE="1")
    for k, v in (env or {}).items():
        if v is None:
            e.pop(k, None)
        else:
            e[k] = v
    p = subprocess.run([CLI] + list(args), env=e, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       timeout=TIMEOUT, preexec_fn=preexec_fn)
    return Run(list(args), p.returncode, p.stdout.decode("utf-8", "replace"),
               p.stderr.decode("utf-8", "replace"))


def close(a, b, rel):
    """a and b equal within rel, relative to the larger (absolute below 1e-12)."""
    return abs(a - b) <= max(rel * max(abs(a), abs(b)), 1e-12)


def ref_json(name):
    with open(os.path.join(REF_DIR, name)) as f:
        return json.load(f)


def ref_home():
    """The reference data set, extracted once."""
    global _ref_home
    if _ref_home is None:
        dest = new_dir("ref")
        with tarfile.open(REF_TARBALL) as t:
            if hasattr(tarfile, "data_filter"):
                t.extractall(dest, filter="data")
            else:
                t.extractall(dest)
        _ref_home = os.path.join(dest, "claude-home")
    return _ref_home


def snapshot(tree):
    """(path, size, mtime) of every file and the set of directories under tree."""
    files, dirs = {}, set()
    for root, ds, fs in os.walk(tree):
        for d in ds:
            dirs.add(os.path.relpath(os.path.join(root, d), tree))
        for f in fs:
            p = os.path.join(root, f)
            st = os.lstat(p)
            files[os.path.relpath(p, tree)] = (st.st_size, st.st_mtime_ns)
    return files, dirs


def assistant(ts, session, req, msg, inp, out, cc, cr, cwd="/home/u/p",
              model="claude-sonnet-4-20250514"):
    """One assistant line as Claude Code writes it (without the newline)."""
    line = {"type": "assistant", "timestamp": ts, "sessionId": session, "cwd": cwd,
            "message": {"id": msg, "model": model,
                        "usage": {"input_tokens": inp, "output_tokens": out,
                                  "cache_creation_input_tokens": cc,
                                  "cache_read_input_tokens": cr}}}
    if req is not None:
        line["requestId"] = req
    return json.dumps(line, separators=(",", ":"))


def write_session(root, project, session, lines, final_newline=True):
    """Write projects/<project>/<session>.jsonl under root; returns its path."""
    d = os.path.join(root, "projects", project)
    os.makedirs(d, exist_ok=True)
    p = os.path.join(d, session + ".jsonl")
    with open(p, "w") as f:
        f.write("\n".join(lines) + ("\n" if final_newline else ""))
    return p


class CLITestCase(unittest.TestCase):
    maxDiff = 4000

    def cli_ok(self, args, **kw):
        r = run_cli(args, **kw)
        self.assertEqual(r.rc, 0, "expected exit 0\n%s" % r)
        return r

    def cli_json(self, args, **kw):
        r = self.cli_ok(list(args) + ["--json"] if "--json" not in args else args, **kw)
        try:
            return json.loads(r.out)
        except ValueError as e:
            self.fail("stdout is not JSON (%s)\n%s" % (e, r))

    def assertTokensEqual(self, got, want, what):
        for k in TOKEN_KEYS:
            self.assertIn(k, got, "%s: %s missing" % (what, k))
            self.assertEqual(got[k], want[k], "%s: %s" % (what, k))

    def assertRowMatches(self, got, want, what, cost_rel=1e-6, models=True):
        """A report row (or totals) against ccusage's: tokens exact, cost close, models."""
        self.assertTokensEqual(got, want, what)
        if "totalTokens" in want:
            self.assertEqual(got.get("totalTokens"), want["totalTokens"], what + ": totalTokens")
        self.assertIn("totalCost", got, what + ": totalCost missing")
        self.assertTrue(close(got["totalCost"], want["totalCost"], cost_rel),
                        "%s: totalCost %r, want %r" % (what, got["totalCost"], want["totalCost"]))
        if not models:
            return
        self.assertEqual(set(got.get("modelsUsed", [])), set(want["modelsUsed"]), what + ": modelsUsed")
        gb = {b["modelName"]: b for b in got.get("modelBreakdowns", [])}
        wb = {b["modelName"]: b for b in want["modelBreakdowns"]}
        self.assertEqual(sorted(gb), sorted(wb), what + ": modelBreakdowns models")
        for m, w in wb.items():
            self.assertTokensEqual(gb[m], w, "%s / %s" % (what, m))
            self.assertTrue(close(gb[m]["cost"], w["cost"], 1e-6),
                            "%s / %s: cost %r, want %r" % (what, m, gb[m]["cost"], w["cost"]))

    def assertSumOfRows(self, rows, totals, what, cost_rel=1e-9):
        for k in TOKEN_KEYS:
            self.assertEqual(sum(r[k] for r in rows), totals[k], "%s: sum of %s" % (what, k))
        self.assertTrue(close(sum(r["totalCost"] for r in rows), totals["totalCost"], cost_rel),
                        "%s: sum of totalCost" % what)


def needs_reference(test):
    if not os.path.isfile(REF_TARBALL):
        test.skipTest("reference data not found: %s does not exist (CU_SHARED=%s)" % (REF_TARBALL, SHARED))


# --------------------------------------------------------------------------- 1. the reference set


class ReferenceTest(CLITestCase):
    """ccusage 20.0.24's reports of the reference data set; ccusage does not read vms/."""

    def setUp(self):
        needs_reference(self)
        self.home = ref_home()

    def report(self, command, *extra):
        return self.cli_json([command, "--json", "--all", "--exclude-vms", "--timezone", "UTC",
                              "--data-dir", self.home] + list(extra))

    def check_periods(self, command, ref_file, array, key):
        got, want = self.report(command), ref_json(ref_file)
        self.assertIn(array, got)
        self.assertEqual([r[key] for r in got[array]], [r[key] for r in want[array]],
                         "%s: periods and their order" % command)
        for g, w in zip(got[array], want[array]):
            self.assertRowMatches(g, w, "%s %s" % (command, w[key]))
        self.assertRowMatches(got["totals"], want["totals"], command + " totals", models=False)

    def test_daily(self):
        self.check_periods("daily", "daily.json", "daily", "date")

    def test_weekly(self):
        self.check_periods("weekly", "weekly.json", "weekly", "week")

    def test_monthly(self):
        self.check_periods("monthly", "monthly.json", "monthly", "month")

    def test_session(self):
        got, want = self.report("session"), ref_json("session.json")
        g = {r["sessionId"]: r for r in got["sessions"]}
        w = {r["sessionId"]: r for r in want["sessions"]}
        self.assertEqual(len(g), len(got["sessions"]), "session ids are unique")
        self.assertEqual(sorted(g), sorted(w), "session ids")
        mismatches = []
        for sid, wr in w.items():
            gr = g[sid]
            self.assertRowMatches(gr, wr, "session " + sid)
            for field in ("projectPath", "firstActivity", "lastActivity"):
                if gr.get(field) != wr[field]:
                    mismatches.append("%s %s: got %r, want %r" % (sid, field, gr.get(field), wr[field]))
        self.assertEqual(mismatches, [], "session fields differ from ccusage:\n" + "\n".join(mismatches))
        self.assertRowMatches(got["totals"], want["totals"], "session totals", models=False)

    def test_daily_instances(self):
        got, want = self.report("daily", "--instances"), ref_json("daily-instances.json")
        self.assertIn("projects", got)
        self.assertIsInstance(got["projects"], dict)
        self.assertEqual(sorted(got["projects"]), sorted(want["projects"]), "project names")
        for name, wrows in want["projects"].items():
            grows = got["projects"][name]
            self.assertEqual([r["date"] for r in grows], [r["date"] for r in wrows], name + ": dates")
            for g, w in zip(grows, wrows):
                if "project" in w:
                    self.assertEqual(g.get("project"), w["project"], name + ": project field")
                self.assertRowMatches(g, w, "%s %s" % (name, w["date"]))
        self.assertRowMatches(got["totals"], want["totals"], "daily --instances totals", models=False)

    def test_reports_agree_on_totals(self):
        """Every grouping of the same entries has the same totals."""
        daily = self.report("daily")["totals"]
        for command in ("weekly", "monthly", "session"):
            t = self.report(command)["totals"]
            self.assertRowMatches(t, daily, command + " vs daily totals", cost_rel=1e-9, models=False)

    def test_never_writes_to_data_dir(self):
        before = snapshot(self.home)
        for args in (["daily", "--json", "--all"], ["weekly", "--all", "--breakdown"],
                     ["monthly", "--all", "--instances"], ["session", "--json"],
                     ["daily", "--all", "--instances", "--breakdown"]):
            self.cli_ok(args + ["--data-dir", self.home])
        self.assertEqual(snapshot(self.home), before, "files under the data dir changed")


# --------------------------------------------------------------------------- 5. date filters


class DateFilterTest(CLITestCase):
    """Date options on the reference set, against daily.json."""

    def setUp(self):
        needs_reference(self)
        self.home = ref_home()
        self.ref = ref_json("daily.json")["daily"]
        self.dates = [r["date"] for r in self.ref]

    def daily(self, *extra, env=None):
        return self.cli_json(["daily", "--json", "--exclude-vms", "--timezone", "UTC",
                              "--data-dir", self.home] + list(extra), env=env)

    def check(self, got, want_dates, what):
        self.assertTrue(want_dates, what + ": the reference has dates in the range")
        self.assertEqual([r["date"] for r in got["daily"]], want_dates, what + ": dates")
        byd = {r["date"]: r for r in self.ref}
        for r in got["daily"]:
            self.assertRowMatches(r, byd[r["date"]], "%s %s" % (what, r["date"]))
        self.assertSumOfRows(got["daily"], got["totals"], what + " totals")

    def test_since_until(self):
        got = self.daily("--since", "20250701", "--until", "2025-07-04")
        self.check(got, [d for d in self.dates if "2025-07-01" <= d <= "2025-07-04"], "since/until")

    def test_since_only_and_until_only(self):
        got = self.daily("--since", "2025-07-02")
        self.check(got, [d for d in self.dates if d >= "2025-07-02"], "since")
        got = self.daily("--until", "20250614")
        self.check(got, [d for d in self.dates if d <= "2025-06-14"], "until")

    def test_last(self):
        self.check(self.daily("--last", "2"), self.dates[-2:], "--last 2")

    def test_order_desc(self):
        self.check(self.daily("--all", "--order", "desc"), self.dates[::-1], "--order desc")
        self.check(self.daily("--all", "--order", "asc"), self.dates, "--order asc")

    def test_default_is_last_30_days(self):
        got = self.daily(env={"CLAUDE_USAGE_NOW_MS": str(NOW_2025_07_15)})
        self.check(got, [d for d in self.dates if "2025-06-16" <= d <= "2025-07-15"],
                   "default range with now = 2025-07-15")

    def test_month_flag(self):
        got = self.daily("--july", env={"CLAUDE_USAGE_NOW_MS": str(NOW_2025_07_15)})
        self.check(got, [d for d in self.dates if d.startswith("2025-07")], "--july")
        got = self.daily("--june", env={"CLAUDE_USAGE_NOW_MS": str(NOW_2025_07_15)})
        self.check(got, [d for d in self.dates if d.startswith("2025-06")], "--june")

    def test_project(self):
        name = "-home-dev-src-from-1"
        rows = ref_json("daily-instances.json")["projects"][name]
        want = {k: sum(r[k] for r in rows) for k in TOKEN_KEYS + ("totalTokens", "totalCost")}
        got = self.daily("--all", "--project", name)
        self.assertEqual([r["date"] for r in got["daily"]], [r["date"] for r in rows], "project dates")
        self.assertRowMatches(got["totals"], want, "--project " + name, models=False)
        # the working directory names the same project
        got = self.daily("--all", "--project", "/home/dev/src/from-1")
        self.assertRowMatches(got["totals"], want, "--project /home/dev/src/from-1", models=False)


# --------------------------------------------------------------------------- 2. generated data


class GroundTruthTest(CLITestCase):
    """Generated data sets whose exact deduplicated totals the generator prints."""

    sets = None  # [(name, dir, truth)]
    skip_reason = None

    @classmethod
    def setUpClass(cls):
        if not os.path.isfile(GENERATOR):
            cls.skip_reason = "data generator not found: %s (CU_SHARED=%s)" % (GENERATOR, SHARED)
            return
        cls.sets = []
        for name, extra in (("seed3", ["--seed", "3"]), ("legacy-seed9", ["--legacy", "0.3", "--seed", "9"])):
            out = os.path.join(new_dir("gen"), "claude-home")
            p = subprocess.run([sys.executable, GENERATOR, out, "--mb", "4", "--vms", "2"] + extra,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=TIMEOUT)
            if p.returncode != 0:
                raise RuntimeError("generator failed: %s" % p.stderr.decode(errors="replace"))
            cls.sets.append((name, out, json.loads(p.stdout)))

    def setUp(self):
        if self.skip_reason:
            self.skipTest(self.skip_reason)

    def totals(self, command, data, *extra, env=None):
        args = [command, "--json", "--all", "--timezone", "UTC"] + list(extra)
        if data is not None:
            args += ["--data-dir", data]
        return self.cli_json(args, env=env)["totals"]

    def test_totals_match_truth(self):
        for name, out, truth in self.sets:
            with self.subTest(data=name):
                t = self.totals("daily", out)
                self.assertTokensEqual(t, truth["totals"], name + " totals (with vms)")
                self.assertEqual(t["totalTokens"], sum(truth["totals"][k] for k in TOKEN_KEYS))
                self.assertGreater(t["totalCost"], 0)

    def test_exclude_vms_matches_main_only_truth(self):
        for name, out, truth in self.sets:
            with self.subTest(data=name):
                t = self.totals("daily", out, "--exclude-vms")
                self.assertTokensEqual(t, truth["mainOnlyTotals"], name + " --exclude-vms totals")

    def test_all_reports_agree(self):
        for name, out, truth in self.sets:
            daily = self.totals("daily", out)
            for command in ("weekly", "monthly", "session"):
                with self.subTest(data=name, command=command):
                    t = self.totals(command, out)
                    self.assertRowMatches(t, daily, "%s %s vs daily" % (name, command),
                                          cost_rel=1e-9, models=False)

    def test_thread_count_does_not_matter(self):
        for name, out, truth in self.sets:
            with self.subTest(data=name):
                t = self.totals("daily", out, "--threads", "1")
                self.assertTokensEqual(t, truth["totals"], name + " --threads 1")

    def test_config_dir_env(self):
        for name, out, truth in self.sets:
            with self.subTest(data=name):
                t = self.totals("daily", None, env={"CLAUDE_CONFIG_DIR": out})
                self.assertTokensEqual(t, truth["totals"], name + " CLAUDE_CONFIG_DIR")

    def test_two_copies_count_once(self):
        name, out, truth = self.sets[0]
        copy = os.path.join(new_dir("copy"), "claude-home")
        shutil.copytree(out, copy)
        one = self.totals("daily", None, env={"CLAUDE_CONFIG_DIR": out})
        two = self.totals("daily", None, env={"CLAUDE_CONFIG_DIR": out + "," + copy})
        self.assertTokensEqual(two, truth["totals"], "two copies via CLAUDE_CONFIG_DIR")
        self.assertRowMatches(two, one, "two copies vs one", cost_rel=1e-9, models=False)
        two = self.totals("daily", out, "--data-dir", copy)
        self.assertTokensEqual(two, truth["totals"], "two copies via --data-dir")


# --------------------------------------------------------------------------- 3. bundled examples


class ExampleDataTest(CLITestCase):
    def setUp(self):
        self.data = os.path.join(SOURCE_ROOT, "examples", "data")
        if not os.path.isdir(os.path.join(self.data, "projects")):
            self.skipTest("no example data at %s" % self.data)

    def test_json(self):
        got = self.cli_json(["daily", "--all", "--json", "--data-dir", self.data])
        self.assertTrue(got["daily"], "daily rows")
        for k in TOKEN_KEYS + ("totalTokens", "totalCost"):
            self.assertGreater(got["totals"][k], 0, "totals." + k)
        self.assertEqual(got["totals"]["totalTokens"], sum(got["totals"][k] for k in TOKEN_KEYS))
        self.assertSumOfRows(got["daily"], got["totals"], "example daily")

    def test_table(self):
        r = self.cli_ok(["daily", "--all", "--data-dir", self.data])
        self.assertIn("Total", r.out)
        self.assertIn("$", r.out)
        self.assertNotIn("\x1b[", r.out, "NO_COLOR=1 means no escape sequences")

    def test_breakdown_table(self):
        r = self.cli_ok(["daily", "--all", "--breakdown", "--data-dir", self.data])
        self.assertIn("└─", r.out)
        self.assertIn("Total", r.out)


# --------------------------------------------------------------------------- 4. errors


class ErrorTest(CLITestCase):
    def setUp(self):
        self.empty = new_dir("empty")
        os.mkdir(os.path.join(self.empty, "projects"))

    def usage_error(self, args):
        r = run_cli(args + ["--data-dir", self.empty])
        self.assertEqual(r.rc, 2, "expected exit 2\n%s" % r)
        self.assertEqual(r.out, "", "nothing on stdout for a usage error\n%s" % r)
        self.assertTrue(r.err.strip(), "a message on stderr\n%s" % r)
        return r

    def test_unknown_flag(self):
        r = self.usage_error(["daily", "--bogus"])
        self.assertIn("unknown option", r.err)
        self.assertIn("--bogus", r.err)
        self.assertIn("Usage", r.err)

    def test_bad_date(self):
        r = self.usage_error(["daily", "--since", "2025-13-45"])
        self.assertIn("2025-13-45", r.err)
        self.usage_error(["daily", "--until", "yesterday"])

    def test_bad_order(self):
        r = self.usage_error(["daily", "--order", "sideways"])
        self.assertIn("sideways", r.err)

    def test_bad_last(self):
        self.usage_error(["daily", "--last", "0"])
        self.usage_error(["daily", "--last", "-3"])

    def test_missing_value(self):
        r = run_cli(["daily", "--since"])
        self.assertEqual(r.rc, 2, str(r))

    def test_unknown_command(self):
        r = self.usage_error(["frobnicate"])
        self.assertIn("frobnicate", r.err)
        r = run_cli([])
        self.assertEqual(r.rc, 2, "no command at all\n%s" % r)

    def test_unknown_timezone(self):
        r = self.usage_error(["daily", "--timezone", "Mars/Olympus"])
        self.assertIn("Mars/Olympus", r.err)

    def test_help(self):
        for args in (["--help"], ["daily", "--help"], ["session", "-h"]):
            r = run_cli(args)
            self.assertEqual(r.rc, 0, str(r))
            self.assertIn("Usage", r.out, str(r))
        self.assertIn("--since", run_cli(["daily", "--help"]).out)

    def test_version(self):
        for flag in ("--version", "-V"):
            r = run_cli([flag])
            self.assertEqual(r.rc, 0, str(r))
            self.assertRegex(r.out, r"\d+\.\d+\.\d+")

    def test_no_data_dirs(self):
        r = run_cli(["daily", "--json"])
        self.assertEqual(r.rc, 1, str(r))
        self.assertIn("looked in", r.err)
        self.assertIn(os.path.join(_empty_home, ".claude"), r.err)
        self.assertIn(os.path.join(_empty_home, ".config", "claude"), r.err)
        missing = os.path.join(self.empty, "does-not-exist")
        r = run_cli(["daily"], env={"CLAUDE_CONFIG_DIR": missing})
        self.assertEqual(r.rc, 1, str(r))
        self.assertIn("looked in", r.err)
        self.assertIn(missing, r.err)

    def test_empty_projects(self):
        got = self.cli_json(["daily", "--json", "--all", "--data-dir", self.empty])
        self.assertEqual(got["daily"], [])
        for k in TOKEN_KEYS + ("totalTokens",):
            self.assertEqual(got["totals"][k], 0, k)
        self.assertEqual(got["totals"]["totalCost"], 0)
        r = self.cli_ok(["daily", "--all", "--data-dir", self.empty])
        self.assertIn("No Claude Code usage data found", r.out + r.err)
        # the empty data dir found through CLAUDE_CONFIG_DIR: data dir exists, so no error
        got = self.cli_json(["session", "--json"], env={"CLAUDE_CONFIG_DIR": self.empty})
        self.assertEqual(got["sessions"], [])


# --------------------------------------------------------------------------- 6. bad input


def _as_nobody():
    os.setgroups([])
    os.setgid(65534)
    os.setuid(65534)


class BadInputTest(CLITestCase):
    def test_garbage_and_torn_lines_are_skipped(self):
        root = new_dir("bad")
        good1 = assistant("2025-05-01T10:00:00.000Z", "s1", "req_a", "msg_a", 10, 20, 30, 40)
        good2 = assistant("2025-05-01T11:00:00.000Z", "s1", "req_b", "msg_b", 1, 2, 3, 4)
        torn = assistant("2025-05-01T12:00:00.000Z", "s1", "req_c", "msg_c", 1000, 2000, 3000, 4000)
        write_session(root, "-home-u-p", "s1",
                      [good1, "this is {not json at all", good2, torn[: len(torn) // 2]],
                      final_newline=False)
        before = snapshot(root)
        r = run_cli(["daily", "--json", "--all", "--data-dir", root])
        self.assertEqual(r.rc, 0, str(r))
        got = json.loads(r.out)
        self.assertTokensEqual(got["totals"], {"inputTokens": 11, "outputTokens": 22,
                                               "cacheCreationTokens": 33, "cacheReadTokens": 44},
                               "totals of the two good lines")
        self.assertEqual(got["totals"]["totalTokens"], 110)
        self.assertEqual([d["date"] for d in got["daily"]], ["2025-05-01"])
        self.assertIn("skipped", r.err)
        for args in (["session", "--json"], ["monthly", "--breakdown"], ["daily", "--all", "--instances"]):
            self.cli_ok(args + ["--data-dir", root])
        self.assertEqual(snapshot(root), before, "files under the data dir changed")

    def test_unreadable_file_is_reported(self):
        root = new_dir("unreadable")
        write_session(root, "-home-u-p", "ok", [
            assistant("2025-05-02T10:00:00.000Z", "ok", "req_ok", "msg_ok", 5, 6, 7, 8)])
        bad = write_session(root, "-home-u-q", "locked", [
            assistant("2025-05-02T11:00:00.000Z", "locked", "req_l", "msg_l", 500, 600, 700, 800)])
        preexec = None
        if os.geteuid() == 0:
            # root reads anything: run the tool as nobody, if that works here
            for dirpath, dirs, files in os.walk(root):
                os.chmod(dirpath, 0o755)
                for f in files:
                    os.chmod(os.path.join(dirpath, f), 0o644)
            for d in (_tmp_root, _empty_home):
                os.chmod(d, 0o755)
            preexec = _as_nobody
            try:
                probe = run_cli(["--version"], preexec_fn=preexec)
            except (OSError, subprocess.SubprocessError) as e:
                self.skipTest("running as root and cannot switch to nobody (%s)" % e)
            if probe.rc != 0:
                self.skipTest("running as root and the tool cannot run as nobody: %s" % probe)
        os.chmod(bad, 0)
        try:
            r = run_cli(["daily", "--json", "--all", "--data-dir", root], preexec_fn=preexec)
        finally:
            os.chmod(bad, 0o644)
        self.assertEqual(r.rc, 0, "an unreadable file is not fatal\n%s" % r)
        self.assertIn("locked.jsonl", r.err, "the unreadable file is named on stderr\n%s" % r)
        got = json.loads(r.out)
        self.assertTokensEqual(got["totals"], {"inputTokens": 5, "outputTokens": 6,
                                               "cacheCreationTokens": 7, "cacheReadTokens": 8},
                               "the readable file is counted")


# --------------------------------------------------------------------------- 7. streaming duplicates


class DuplicateTest(CLITestCase):
    def test_streaming_copies_count_once(self):
        root = new_dir("dup")
        copies = [assistant("2025-04-01T10:00:0%d.000Z" % i, "s1", "req_dup", "msg_dup", 100, out, 200, 300)
                  for i, out in enumerate((2, 5, 700))]
        write_session(root, "-home-u-p", "s1", copies)
        got = self.cli_json(["daily", "--json", "--all", "--data-dir", root])
        want = {"inputTokens": 100, "outputTokens": 700, "cacheCreationTokens": 200, "cacheReadTokens": 300}
        self.assertTokensEqual(got["totals"], want, "one file")

        # the same message in another session file (another project dir) still counts once
        again = [c.replace('"sessionId":"s1"', '"sessionId":"s2"') for c in copies]
        other = assistant("2025-04-01T11:00:00.000Z", "s2", "req_other", "msg_other", 1, 1, 1, 1, cwd="/home/u/q")
        write_session(root, "-home-u-q", "s2", again + [other])
        want_all = {k: v + 1 for k, v in want.items()}
        for command in ("daily", "weekly", "monthly", "session"):
            got = self.cli_json([command, "--json", "--all", "--data-dir", root])
            self.assertTokensEqual(got["totals"], want_all, command + ": two files")

    def test_largest_copy_wins_whatever_the_order(self):
        root = new_dir("dup2")
        lines = [assistant("2025-04-02T10:00:0%d.000Z" % i, "s1", "req_r", "msg_r", 3, out, 4, 5)
                 for i, out in enumerate((700, 5, 2))]
        write_session(root, "-home-u-p", "s1", lines)
        got = self.cli_json(["daily", "--json", "--all", "--data-dir", root])
        self.assertTokensEqual(got["totals"], {"inputTokens": 3, "outputTokens": 700,
                                               "cacheCreationTokens": 4, "cacheReadTokens": 5}, "700 first")

    def test_distinct_requests_are_not_merged(self):
        root = new_dir("dup3")
        write_session(root, "-home-u-p", "s1", [
            assistant("2025-04-03T10:00:00.000Z", "s1", "req_1", "msg_1", 1, 2, 3, 4),
            assistant("2025-04-03T10:00:01.000Z", "s1", "req_2", "msg_2", 1, 2, 3, 4)])
        got = self.cli_json(["daily", "--json", "--all", "--data-dir", root])
        self.assertTokensEqual(got["totals"], {"inputTokens": 2, "outputTokens": 4,
                                               "cacheCreationTokens": 6, "cacheReadTokens": 8}, "two requests")


# --------------------------------------------------------------------------- 8. timezones


class TimezoneTest(CLITestCase):
    def dates(self, root, *extra, env=None):
        got = self.cli_json(["daily", "--json", "--all", "--data-dir", root] + list(extra), env=env)
        return [d["date"] for d in got["daily"]]

    def test_day_boundaries(self):
        late = new_dir("tz1")
        write_session(late, "-home-u-p", "s1", [
            assistant("2025-03-01T23:30:00.000Z", "s1", "req_1", "msg_1", 10, 20, 30, 40)])
        self.assertEqual(self.dates(late, "--timezone", "UTC"), ["2025-03-01"])
        self.assertEqual(self.dates(late, "--timezone", "Asia/Tokyo"), ["2025-03-02"])
        # without --timezone the local zone ($TZ) is used
        self.assertEqual(self.dates(late, env={"TZ": "Asia/Tokyo"}), ["2025-03-02"])
        self.assertEqual(self.dates(late), ["2025-03-01"])

        early = new_dir("tz2")
        write_session(early, "-home-u-p", "s1", [
            assistant("2025-03-02T03:30:00.000Z", "s1", "req_2", "msg_2", 10, 20, 30, 40)])
        self.assertEqual(self.dates(early, "--timezone", "UTC"), ["2025-03-02"])
        self.assertEqual(self.dates(early, "--timezone", "America/New_York"), ["2025-03-01"])
        got = self.cli_json(["monthly", "--json", "--all", "--timezone", "America/New_York", "--data-dir", early])
        self.assertEqual([m["month"] for m in got["monthly"]], ["2025-03"])
        got = self.cli_json(["monthly", "--json", "--all", "--timezone", "Asia/Tokyo", "--data-dir", late])
        self.assertEqual([m["month"] for m in got["monthly"]], ["2025-03"])

    def test_session_table_dates_in_timezone(self):
        late = new_dir("tz3")
        write_session(late, "-home-u-p", "s1", [
            assistant("2025-03-01T23:30:00.000Z", "s1", "req_1", "msg_1", 10, 20, 30, 40)])
        self.assertIn("2025-03-01", self.cli_ok(["session", "--timezone", "UTC", "--data-dir", late]).out)
        r = self.cli_ok(["session", "--timezone", "Asia/Tokyo", "--data-dir", late])
        self.assertIn("2025-03-02", r.out)
        self.assertNotIn("2025-03-01", r.out)

    def test_narrow_terminal_compact_layout(self):
        late = new_dir("tz4")
        write_session(late, "-home-u-p", "s1", [
            assistant("2025-03-01T23:30:00.000Z", "s1", "req_1", "msg_1", 10, 20, 30, 40)])
        wide = self.cli_ok(["daily", "--all", "--data-dir", late], env={"COLUMNS": "200"})
        self.assertIn("Cache Read", wide.out)
        narrow = self.cli_ok(["daily", "--all", "--data-dir", late], env={"COLUMNS": "60"})
        self.assertNotIn("Cache Read", narrow.out)
        self.assertIn("compact view", narrow.out)


# --------------------------------------------------------------------------- 9. billing blocks

# 2025-07-10T01:00:00Z: an hour into the reference set's last block (23:00-04:00, last entry 00:18).
NOW_IN_LAST_BLOCK = calendar.timegm((2025, 7, 10, 1, 0, 0)) * 1000
BLOCK_FIELDS = ("id", "startTime", "endTime", "actualEndTime", "isActive", "isGap", "entries",
                "tokenCounts", "totalTokens")


class BlocksTest(CLITestCase):
    """`blocks` on the reference set, against ccusage 20.0.24's blocks.json and blocks.txt."""

    def setUp(self):
        needs_reference(self)
        self.home = ref_home()
        self.want = ref_json("blocks.json")["blocks"]

    def blocks(self, *extra, env=None):
        return self.cli_json(["blocks", "--json", "--offline", "--exclude-vms", "-z", "UTC",
                              "--data-dir", self.home] + list(extra), env=env)

    def assertBlocksMatch(self, got, want, what):
        self.assertEqual([b["id"] for b in got], [b["id"] for b in want], what + ": block ids")
        for g, w in zip(got, want):
            for k in BLOCK_FIELDS:
                self.assertEqual(g.get(k), w[k], "%s %s: %s" % (what, w["id"], k))
            self.assertTrue(close(g["costUSD"], w["costUSD"], 1e-6),
                            "%s %s: costUSD %r, want %r" % (what, w["id"], g["costUSD"], w["costUSD"]))
            # ccusage lists models in order of first use; we sort them by name
            self.assertEqual(g["models"], sorted(w["models"]), "%s %s: models" % (what, w["id"]))

    def test_equals_ccusage(self):
        got = self.blocks()
        self.assertEqual(len(self.want), 21, "the reference has 11 blocks and 10 gaps")
        self.assertBlocksMatch(got["blocks"], self.want, "blocks")
        for b in got["blocks"]:
            self.assertIsNone(b["burnRate"], b["id"])
            self.assertIsNone(b["projection"], b["id"])
            self.assertNotIn("tokenLimitStatus", b)
        # the blocks hold every token of the deduplicated history
        daily = self.cli_json(["daily", "--json", "--all", "--exclude-vms", "-z", "UTC",
                               "--data-dir", self.home])["totals"]
        self.assertEqual(sum(b["totalTokens"] for b in got["blocks"]), daily["totalTokens"])

    def test_table_like_ccusage(self):
        r = self.cli_ok(["blocks", "--offline", "--exclude-vms", "-z", "UTC", "--data-dir", self.home],
                        env={"COLUMNS": "160"})
        with open(os.path.join(REF_DIR, "blocks.txt")) as f:
            ref = f.read()
        self.assertIn("Session Blocks", r.out)
        for want in ("2025-06-03 12:00 (2h 29m)", "2025-06-03 19:29 - 2025-06-11 05:03 (177h gap)",
                     "(inactive)", "4,389,837", "$6.77", "- sonnet-4-5", "6,568,181 tokens"):
            self.assertIn(want, r.out)
        # ccusage's table also gives % of the largest finished block by default
        for pct in ("66.8%", "85.6%", "100.0%", "23.9%"):
            self.assertIn(pct, ref)
            self.assertIn(pct, r.out)
        self.assertNotIn("ACTIVE", r.out)

    def test_timezone_only_changes_display(self):
        utc = self.blocks()
        kolkata = self.cli_json(["blocks", "--json", "--offline", "--exclude-vms", "-z", "Asia/Kolkata",
                                 "--data-dir", self.home])
        self.assertEqual(kolkata, utc)
        r = self.cli_ok(["blocks", "--offline", "--exclude-vms", "-z", "Asia/Kolkata", "--data-dir", self.home],
                        env={"COLUMNS": "160"})
        self.assertIn("2025-06-03 17:30 (2h 29m)", r.out)
        self.assertNotIn("2025-06-03 12:00", r.out)

    def test_since_keeps_later_blocks(self):
        got = self.blocks("--since", "2025-07-01")["blocks"]
        first = [w["id"] for w in self.want].index("2025-07-01T07:00:00.000Z")
        self.assertBlocksMatch(got, self.want[first:], "--since 2025-07-01")
        got = self.blocks("--since", "20250701", "--until", "2025-07-02")["blocks"]
        self.assertBlocksMatch(got, self.want[first:first + 3], "--since/--until")
        got = self.blocks("--order", "desc")["blocks"]
        self.assertBlocksMatch(got, self.want[::-1], "--order desc")

    def test_active_block_with_fixed_now(self):
        env = {"CLAUDE_USAGE_NOW_MS": str(NOW_IN_LAST_BLOCK)}
        last = self.want[-1]
        got = self.blocks("--active", "-t", "max", env=env)["blocks"]
        self.assertEqual(len(got), 1, got)
        b = got[0]
        self.assertEqual(b["id"], last["id"])
        self.assertTrue(b["isActive"])
        self.assertEqual(b["totalTokens"], last["totalTokens"])
        # 180 minutes to 04:00; the rate is over the 18m15.751s from the first to the last entry
        self.assertEqual(b["projection"]["remainingMinutes"], 180)
        self.assertGreater(b["burnRate"]["tokensPerMinute"], b["burnRate"]["tokensPerMinuteForIndicator"])
        self.assertEqual(b["projection"]["totalTokens"],
                         round(b["totalTokens"] + b["burnRate"]["tokensPerMinute"] * 180))
        # `max` is taken before --active: the largest finished block of the whole history
        limit = max(w["totalTokens"] for w in self.want if not w["isGap"] and w is not last)
        status = b["tokenLimitStatus"]
        self.assertEqual(status["limit"], limit)
        self.assertEqual(status["projectedUsage"], b["projection"]["totalTokens"])
        self.assertEqual(status["status"], "exceeds" if status["projectedUsage"] > limit else
                         "warning" if status["projectedUsage"] > 0.8 * limit else "ok")
        # the same block in the full list, and --recent keeps it alone (the gap before began 07-04)
        full = self.blocks(env=env)["blocks"]
        self.assertEqual([x["isActive"] for x in full].count(True), 1)
        self.assertEqual(full[-1], dict((k, v) for k, v in b.items() if k != "tokenLimitStatus"))
        self.assertEqual([x["id"] for x in self.blocks("--recent", env=env)["blocks"]], [last["id"]])
        r = self.cli_ok(["blocks", "--active", "--offline", "--exclude-vms", "-z", "UTC", "--data-dir",
                         self.home], env=env)
        for want in ("Current Session Block Status", "Time Remaining:  3h 0m", "Burn Rate:",
                     "Projected Usage", "Token Limit Status:", "Limit:            %s tokens" % format(limit, ",")):
            self.assertIn(want, r.out)
        r = self.cli_ok(["blocks", "--offline", "--exclude-vms", "-z", "UTC", "--data-dir", self.home],
                        env=dict(env, COLUMNS="160"))
        for want in ("ACTIVE", "2h 0m elapsed, 3h 0m remaining", "REMAINING", "BURN RATE", "PROJECTED"):
            self.assertIn(want, r.out)

    def test_no_active_block(self):
        got = self.blocks("--active")
        self.assertEqual(got["blocks"], [])
        r = self.cli_ok(["blocks", "--active", "--offline", "--exclude-vms", "--data-dir", self.home])
        self.assertIn("No active session block found", r.out)

    def test_session_length(self):
        got = self.blocks("--session-length", "2.5")["blocks"]
        hours = 2.5 * 3600 * 1000
        normal = [b for b in got if not b["isGap"]]
        self.assertGreater(len(normal), 11, "shorter blocks split some of the 5-hour ones")
        for b in normal:
            start = calendar.timegm(time.strptime(b["startTime"][:19], "%Y-%m-%dT%H:%M:%S")) * 1000
            end = calendar.timegm(time.strptime(b["endTime"][:19], "%Y-%m-%dT%H:%M:%S")) * 1000
            self.assertEqual(end - start, hours, b["id"])
            self.assertTrue(b["startTime"].endswith(":00:00.000Z"), b["id"])
        self.assertEqual(sum(b["totalTokens"] for b in got), sum(w["totalTokens"] for w in self.want))

    def test_bad_flags(self):
        empty = new_dir("blocks-empty")
        os.mkdir(os.path.join(empty, "projects"))
        for args, needle in ((["--token-limit", "abc"], "abc"), (["-t", "0"], "token-limit"),
                             (["-t", "-5"], "-5"), (["--token-limit"], "token-limit"),
                             (["--session-length", "0"], "session-length"),
                             (["--session-length", "x"], "'x'"), (["--session-length", "-1"], "-1"),
                             (["--session-length", "9000"], "9000"),
                             (["--last", "3"], "not options of blocks"), (["--breakdown"], "not options"),
                             (["--bogus"], "unknown option"), (["--since", "2025-13-45"], "2025-13-45")):
            with self.subTest(args=args):
                r = run_cli(["blocks"] + args + ["--data-dir", empty])
                self.assertEqual(r.rc, 2, str(r))
                self.assertEqual(r.out, "", str(r))
                self.assertIn(needle, r.err)
                self.assertIn("Usage: claude-usage blocks", r.err)
        r = run_cli(["blocks", "--data-dir", empty, "--token-limit"])
        self.assertEqual(r.rc, 2, str(r))
        self.assertIn("--token-limit needs a value", r.err)
        # the blocks flags belong to blocks alone
        for args in (["daily", "--active"], ["daily", "--token-limit", "5"], ["session", "--recent"]):
            r = run_cli(args + ["--data-dir", empty])
            self.assertEqual(r.rc, 2, str(r))
            self.assertIn("unknown option", r.err)
        help_ = run_cli(["blocks", "--help"])
        self.assertEqual(help_.rc, 0)
        for flag in ("--active", "--recent", "--token-limit", "--session-length", "--timezone"):
            self.assertIn(flag, help_.out)
        self.assertIn("blocks", run_cli(["--help"]).out)
        got = self.cli_json(["blocks", "--json", "--data-dir", empty])
        self.assertEqual(got["blocks"], [])
        self.assertIn("No Claude Code usage data found", self.cli_ok(["blocks", "--data-dir", empty]).out)


class BlocksFixtureTest(CLITestCase):
    """`blocks` on small hand-written histories."""

    def test_usage_limit_reset(self):
        root = new_dir("limit")
        reset = calendar.timegm((2025, 5, 1, 15, 0, 0))
        error = {"type": "assistant", "timestamp": "2025-05-01T11:30:00.000Z", "sessionId": "s1",
                 "requestId": "req_e", "isApiErrorMessage": True, "cwd": "/home/u/p",
                 "message": {"id": "msg_e", "model": "<synthetic>",
                             "content": [{"type": "text", "text": "Claude AI usage limit reached|%d" % reset}],
                             "usage": {"input_tokens": 0, "output_tokens": 0}}}
        write_session(root, "-home-u-p", "s1", [
            assistant("2025-05-01T10:10:00.000Z", "s1", "req_1", "msg_1", 10, 20, 30, 40),
            json.dumps(error),
            assistant("2025-05-02T10:10:00.000Z", "s1", "req_2", "msg_2", 1, 2, 3, 4)])
        args = ["blocks", "--json", "-z", "UTC", "--data-dir", root]
        first = self.cli_json(args)
        again = self.cli_json(args)  # from the history index this time
        nocache = self.cli_json(args + ["--no-cache"])
        self.assertEqual(first, again)
        self.assertEqual(first, nocache)
        b = first["blocks"]
        self.assertEqual([x["id"] for x in b], ["2025-05-01T10:00:00.000Z", "gap-2025-05-01T16:30:00.000Z",
                                               "2025-05-02T10:00:00.000Z"])
        self.assertEqual(b[0]["usageLimitResetTime"], "2025-05-01T15:00:00.000Z")
        self.assertEqual(b[0]["actualEndTime"], "2025-05-01T11:30:00.000Z")
        self.assertEqual(b[0]["entries"], 2)
        self.assertEqual(b[0]["models"], ["claude-sonnet-4-20250514"])
        self.assertNotIn("usageLimitResetTime", b[2])
        r = self.cli_ok(["blocks", "-z", "Asia/Tokyo", "--data-dir", root], env={"COLUMNS": "160"})
        self.assertIn("LIMIT HIT", r.out)
        self.assertIn("resets 2025-05-02 00:00", r.out)
        # a narrow terminal drops the models column
        r = self.cli_ok(["blocks", "--data-dir", root], env={"COLUMNS": "60"})
        self.assertIn("compact view", r.out)
        self.assertNotIn("- sonnet-4", r.out)


# --------------------------------------------------------------------------- runner


def main():
    if not os.access(CLI, os.X_OK):
        print("test_cli.py: the claude-usage binary is missing: %s (set CLAUDE_USAGE)" % CLI, file=sys.stderr)
        print("0 passed, 1 failed")
        return 1
    if not os.path.isdir(SHARED):
        print("test_cli.py: CU_SHARED=%s does not exist: the reference and ground-truth tests are skipped"
              % SHARED, file=sys.stderr)
    return run_tests()

if __name__ == "__main__":
    sys.exit(main())
