#!/usr/bin/env python3
"""Differential tests on generated data: every way of reading gives the same result.

A history is generated with ../shared's generator (VMs, legacy lines without
requestId, torn lines). Then:
  - the reload suite (test-reload) runs on it: fast scanner vs jansson,
    1 vs N threads, reloads of a history grown in steps cut mid-line, and the
    persistent index (cold, warm, corrupted) against full loads;
  - the CLI prints every report identically with --no-cache, with a cold index
    and with a warm one, and its totals equal the generator's truth.
Environment: CU_RELOAD_TEST (the test-reload program), plus runner.py's.
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from runner import CLI, SHARED, run_tests  # noqa: E402

GENERATOR = os.path.join(SHARED, "tools", "gen-claude-home.py")
RELOAD_TEST = os.environ.get("CU_RELOAD_TEST", "")
TOKENS = ("inputTokens", "outputTokens", "cacheCreationTokens", "cacheReadTokens")
REPORTS = (["daily"], ["daily", "--breakdown", "--instances"], ["weekly"], ["monthly", "--breakdown"],
           ["session"], ["daily", "--exclude-vms"], ["session", "--since", "2026-10-01"], ["monthly", "--until", "2026-09-15"])


class GeneratedHistory(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        if not os.path.exists(GENERATOR):
            raise unittest.SkipTest("data generator not found: %s (CU_SHARED=%s)" % (GENERATOR, SHARED))
        cls.tmp = tempfile.mkdtemp(prefix="cu-diff-")
        cls.home = os.path.join(cls.tmp, "home")
        out = subprocess.run([sys.executable, GENERATOR, cls.home, "--mb", "12", "--seed", "21",
                              "--vms", "2", "--legacy", "0.3", "--corrupt", "0.01",
                              "--start", "2026-08-01", "--days", "90"],
                             capture_output=True, text=True, check=True)
        cls.truth = json.loads(out.stdout)

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def cli(self, args, cache):
        env = dict(os.environ, XDG_CACHE_HOME=cache, CLAUDE_USAGE_OFFLINE="1", TZ="UTC")
        dates = [] if "--since" in args or "--until" in args else ["--all"]
        p = subprocess.run([CLI] + args + dates + ["--json", "-d", self.home, "-z", "UTC"],
                           capture_output=True, text=True, env=env)
        self.assertEqual(p.returncode, 0, "%s: %s" % (args, p.stderr))
        return p.stdout, p.stderr

    def test_reload_suite_on_generated_data(self):
        if not RELOAD_TEST or not os.path.exists(RELOAD_TEST):
            self.skipTest("CU_RELOAD_TEST not set: run through meson test")
        env = dict(os.environ, CU_DIFF_ROOT=self.home)
        p = subprocess.run([RELOAD_TEST], capture_output=True, text=True, env=env)
        self.assertEqual(p.returncode, 0, p.stdout[-3000:] + p.stderr[-3000:])

    def test_index_never_changes_output(self):
        cache = os.path.join(self.tmp, "cache")
        for args in REPORTS:
            with self.subTest(args=args):
                plain = self.cli(args + ["--no-cache"], cache)
                cold = self.cli(args, cache)
                warm = self.cli(args, cache)
                self.assertEqual(cold, plain, "cold index")
                self.assertEqual(warm, plain, "warm index")
        self.assertTrue(any(n.startswith("index-") for n in os.listdir(os.path.join(cache, "claude-usage"))))
        before = set(os.listdir(os.path.join(cache, "claude-usage")))
        self.cli(["daily", "--no-cache"], os.path.join(self.tmp, "cache2"))
        self.assertFalse(os.path.exists(os.path.join(self.tmp, "cache2", "claude-usage")),
                         "--no-cache wrote an index")
        self.assertEqual(before, set(os.listdir(os.path.join(cache, "claude-usage"))))

    def test_totals_equal_truth_with_and_without_index(self):
        cache = os.path.join(self.tmp, "cache3")
        for extra in (["--no-cache"], [], [], ["--threads", "1"]):
            out, _ = self.cli(["daily"] + extra, cache)
            totals = json.loads(out)["totals"]
            for k in TOKENS:
                self.assertEqual(totals[k], self.truth["totals"][k], "%s %s" % (k, extra))


if __name__ == "__main__":
    sys.exit(run_tests())
