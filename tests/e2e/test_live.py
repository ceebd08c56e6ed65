#!/usr/bin/env python3
"""End-to-end tests of `claude-usage live` and `claude-usage statusline`.

Run by meson with CLAUDE_USAGE (the binary) and CU_TEST_DATA (tests/data) set. A hand-built
history around a fixed "now" (CLAUDE_USAGE_NOW_MS, 2025-07-15T12:00:00Z) gives known figures:

- the main root: a finished block on 2025-07-14 (3 entries) and an active block from
  10:00 (12 entries, 10:05 to 11:55, one every 10 minutes), one session "sess-live";
- vms/vm-a/projects: 2 entries today at 11:00 and 11:30;
- usage_tracking/session_blocks_main.json (valid) and vms/vm-a/.../session_blocks_bad.json
  (malformed).

The frame at 100x40 is compared with tests/data/live/frame-100x40.txt (a golden file; set
CU_UPDATE_GOLDEN=1 to rewrite it after a deliberate change). The tmux test runs the real screen
and appends lines while it runs. Stdlib only.
"""
import calendar
import concurrent.futures
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from runner import CLI, TEST_DATA, remove_tree, run_tests  # noqa: E402

NOW = calendar.timegm((2025, 7, 15, 12, 0, 0)) * 1000
GOLDEN = os.path.join(TEST_DATA, "live", "frame-100x40.txt")
MODEL = "claude-sonnet-4-20250514"
# USD per token of claude-sonnet-4-20250514 in the embedded table.
PRICE = {"input": 3e-06, "output": 1.5e-05, "cache_create": 3.75e-06, "cache_read": 3e-07}

_tmp = None


def iso(ms):
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(ms // 1000)) + ".%03dZ" % (ms % 1000)


def usage_line(ms, n, session, inp, out, cc, cr, sidechain=False):
    return json.dumps({
        "type": "assistant", "timestamp": iso(ms), "sessionId": session, "cwd": "/home/u/live",
        "isSidechain": sidechain, "requestId": "req_%s_%d" % (session, n),
        "message": {"id": "msg_%s_%d" % (session, n), "model": MODEL,
                    "usage": {"input_tokens": inp, "output_tokens": out,
                              "cache_creation_input_tokens": cc,
                              "cache_read_input_tokens": cr}}}) + "\n"


def cost(inp, out, cc, cr):
    return (inp * PRICE["input"] + out * PRICE["output"] + cc * PRICE["cache_create"]
            + cr * PRICE["cache_read"])


HOUR = 3600 * 1000
MINUTE = 60 * 1000
# The active block's entries: (ms, input, output, cache_create, cache_read)
ACTIVE = [(NOW - 2 * HOUR + 5 * MINUTE + i * 10 * MINUTE, 100 + i, 1000 + 10 * i, 500, 2000)
          for i in range(12)]
YESTERDAY = [(NOW - 24 * HOUR + i * 20 * MINUTE, 50, 400, 0, 100) for i in range(3)]
VM = [(NOW - HOUR, 10, 20, 0, 0), (NOW - 30 * MINUTE, 10, 20, 0, 0)]


def build_history(root):
    proj = os.path.join(root, "projects", "-home-u-live")
    os.makedirs(proj)
    with open(os.path.join(proj, "sess-live.jsonl"), "w") as f:
        for n, e in enumerate(YESTERDAY + ACTIVE):
            f.write(usage_line(e[0], n, "sess-live", *e[1:]))
    vm = os.path.join(root, "vms", "vm-a", "projects", "-home-u-vm")
    os.makedirs(vm)
    with open(os.path.join(vm, "sess-vm.jsonl"), "w") as f:
        for n, e in enumerate(VM):
            f.write(usage_line(e[0], n, "sess-vm", *e[1:]))
    ut = os.path.join(root, "usage_tracking")
    os.makedirs(ut)
    with open(os.path.join(ut, "session_blocks_main.json"), "w") as f:
        json.dump({"blocks": [{"startTime": "2025-07-15T09:30:00Z", "endTime": "2025-07-15T14:30:00Z"}]}, f)
    bad = os.path.join(root, "vms", "vm-a", "usage_tracking")
    os.makedirs(bad)
    with open(os.path.join(bad, "session_blocks_bad.json"), "w") as f:
        f.write("{\"blocks\": [{\"startTime\": 12}]")


def env(extra=None):
    e = {k: v for k, v in os.environ.items() if not k.startswith("CLAUDE")}
    e.update({"HOME": os.path.join(_tmp, "home"), "TZ": "UTC", "NO_COLOR": "1",
              "CLAUDE_USAGE_OFFLINE": "1", "CLAUDE_USAGE_NOW_MS": str(NOW),
              "XDG_CACHE_HOME": os.path.join(_tmp, "cache"),
              "XDG_RUNTIME_DIR": os.path.join(_tmp, "run"), "COLUMNS": "100", "LINES": "40"})
    e.update(extra or {})
    return e


def run(args, extra=None, stdin=None):
    return subprocess.run([CLI] + args, env=env(extra), input=stdin, capture_output=True,
                          text=True, timeout=120)


class Live(unittest.TestCase):
    root = None

    @classmethod
    def setUpClass(cls):
        cls.root = os.path.join(_tmp, "claude")
        build_history(cls.root)

    def snapshot_json(self, *flags):
        r = run(["live", "--snapshot", "--json", "-d", self.root] + list(flags))
        self.assertEqual(r.returncode, 0, r.stderr)
        return json.loads(r.stdout)

    def test_json_active_block(self):
        d = self.snapshot_json("-t", "max")
        b = d["activeBlock"]
        block = sorted(ACTIVE + VM)  # the block holds every source's entries
        self.assertEqual(d["now"], "2025-07-15T12:00:00.000Z")
        self.assertEqual(b["startTime"], "2025-07-15T10:00:00.000Z")
        self.assertEqual(b["endTime"], "2025-07-15T15:00:00.000Z")
        self.assertEqual(b["actualEndTime"], iso(ACTIVE[-1][0]))
        self.assertEqual(b["remainingMinutes"], 180)
        self.assertEqual(b["entries"], len(block))
        want = [sum(e[k] for e in block) for k in range(1, 5)]
        tc = b["tokenCounts"]
        self.assertEqual([tc["inputTokens"], tc["outputTokens"], tc["cacheCreationInputTokens"],
                          tc["cacheReadInputTokens"]], want)
        self.assertEqual(b["totalTokens"], sum(want))
        self.assertAlmostEqual(b["costUSD"], sum(cost(*e[1:]) for e in block), places=9)
        self.assertEqual(b["models"], [MODEL])
        # Burn rate from the first to the last entry of the block.
        minutes = (block[-1][0] - block[0][0]) / MINUTE
        self.assertAlmostEqual(b["burnRate"]["tokensPerMinute"], sum(want) / minutes, places=5)
        self.assertAlmostEqual(b["burnRate"]["tokensPerMinuteForIndicator"],
                               (want[0] + want[1]) / minutes, places=5)
        self.assertEqual(b["burnRate"]["indicator"], "NORMAL")
        self.assertEqual(b["projection"]["remainingMinutes"], 180)
        self.assertEqual(b["projection"]["totalTokens"],
                         round(sum(want) + sum(want) / minutes * 180))
        # max: the largest finished block, yesterday's.
        self.assertEqual(d["limits"]["tokenLimit"], sum(e[1] + e[2] + e[3] + e[4] for e in YESTERDAY))
        self.assertEqual(d["limits"]["status"], "exceeds")

    def test_json_today_sources_and_timings(self):
        d = self.snapshot_json()
        today = ACTIVE + VM
        self.assertEqual(d["today"]["totalTokens"], sum(e[1] + e[2] + e[3] + e[4] for e in today))
        self.assertEqual(d["today"]["entries"], len(today))
        self.assertEqual(sorted(s["source"] for s in d["today"]["sources"]), ["main", "vm-a"])
        vm = [s for s in d["today"]["sources"] if s["source"] == "vm-a"][0]
        self.assertEqual(vm["totalTokens"], 60)
        t = {x["file"]: x for x in d["sessionTimings"]}
        good = t["session_blocks_main.json"]
        self.assertEqual(good["startTime"], "2025-07-15T09:30:00.000Z")
        self.assertTrue(good["isActive"])
        self.assertIn("error", t["vm-a: session_blocks_bad.json"])

    def test_plan_and_budget(self):
        d = self.snapshot_json("--plan", "max5", "--budget", "0.5")
        self.assertEqual(d["limits"]["plan"], "max5")
        self.assertEqual(d["limits"]["budgetUSD"], 0.5)

    def test_no_active_block(self):
        r = run(["live", "--snapshot", "--json", "-d", self.root],
                {"CLAUDE_USAGE_NOW_MS": str(NOW + 10 * HOUR)})
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIsNone(json.loads(r.stdout)["activeBlock"])
        r = run(["live", "--snapshot", "-d", self.root], {"CLAUDE_USAGE_NOW_MS": str(NOW + 10 * HOUR)})
        self.assertIn("No active block: the last activity was 10h 05m ago (11:55)", r.stdout)

    def test_frame_golden(self):
        r = run(["live", "--snapshot", "-d", self.root, "-t", "100000", "--budget", "2"])
        self.assertEqual(r.returncode, 0, r.stderr)
        if os.environ.get("CU_UPDATE_GOLDEN"):
            os.makedirs(os.path.dirname(GOLDEN), exist_ok=True)
            with open(GOLDEN, "w") as f:
                f.write(r.stdout)
        with open(GOLDEN) as f:
            self.assertEqual(r.stdout, f.read())
        # The projection passes the limit: the warning is there.
        self.assertIn("limit is passed before the block resets", r.stdout)

    def test_frame_fits_the_screen(self):
        r = run(["live", "--snapshot", "-d", self.root], {"LINES": "6", "COLUMNS": "60"})
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(len(r.stdout.splitlines()), 6)

    def test_bad_flags_exit_2(self):
        for args in (["--refresh", "0"], ["--refresh", "61"], ["--plan", "gold"],
                     ["--budget", "-3"], ["--json"], ["--since", "20250101"], ["-t", "lots"]):
            r = run(["live"] + args + ["-d", self.root])
            self.assertEqual(r.returncode, 2, args)
            self.assertIn("Usage: claude-usage live", r.stderr)

    def test_needs_a_terminal(self):
        r = run(["live", "-d", self.root])
        self.assertEqual(r.returncode, 1)
        self.assertIn("--snapshot", r.stderr)

    @unittest.skipUnless(shutil.which("tmux"), "tmux is not installed")
    def test_tmux_screen_follows_appends(self):
        root = os.path.join(_tmp, "tmux-claude")
        shutil.copytree(self.root, root)
        transcript = os.path.join(root, "projects", "-home-u-live", "sess-live.jsonl")
        sock = os.path.join(_tmp, "tmux.sock")
        e = env()
        e.pop("COLUMNS")
        e.pop("LINES")
        e["TERM"] = "xterm-256color"

        def tmux(*a, check=True):
            return subprocess.run(["tmux", "-S", sock] + list(a), env=e, capture_output=True,
                                  text=True, check=check, timeout=30)

        def screen():
            return tmux("capture-pane", "-p", "-t", "live").stdout

        def wait_for(pattern, seconds=15):
            end = time.time() + seconds
            while time.time() < end:
                s = screen()
                if re.search(pattern, s):
                    return s
                time.sleep(0.2)
            self.fail("the screen never showed %r; it shows:\n%s" % (pattern, screen()))

        tmux("new-session", "-d", "-s", "live", "-x", "100", "-y", "30",
             "%s live --refresh 1 -d %s; echo LIVE-EXITED $?; sleep 30" % (CLI, root))
        try:
            s = wait_for(r"Active block")
            self.assertRegex(s, r"\(14 entries\)")
            with open(transcript, "a") as f:
                for n in range(3):
                    f.write(usage_line(NOW - MINUTE + n, 100 + n, "sess-live", 1, 2, 3, 4))
            wait_for(r"\(17 entries\)")
            tmux("resize-window", "-t", "live", "-x", "70", "-y", "20", check=False)
            wait_for(r"Active block")
            tmux("send-keys", "-t", "live", "q")
            s = wait_for(r"LIVE-EXITED 0")
            self.assertNotIn("Active block", s)  # the alternate screen is gone
        finally:
            tmux("kill-server", check=False)


class Statusline(unittest.TestCase):
    root = None

    @classmethod
    def setUpClass(cls):
        cls.root = os.path.join(_tmp, "claude-sl")
        build_history(cls.root)

    def hook(self, session="sess-live", **extra):
        d = {"session_id": session, "hook_event_name": "Status",
             "transcript_path": os.path.join(self.root, "projects", "-home-u-live", "sess-live.jsonl"),
             "model": {"id": MODEL, "display_name": "Sonnet 4"}, "cost": {"total_cost_usd": 1.0},
             "context_window": {"context_window_size": 200000}}
        d.update(extra)
        return json.dumps(d)

    def statusline(self, stdin, extra=None):
        return run(["statusline", "-d", self.root], extra, stdin)

    def test_line(self):
        r = self.statusline(self.hook(), {"CLAUDE_USAGE_STATUSLINE_TTL_MS": "0"})
        self.assertEqual(r.returncode, 0, r.stderr)
        session = sum(cost(*e[1:]) for e in YESTERDAY + ACTIVE)
        today = sum(cost(*e[1:]) for e in ACTIVE + VM)
        block = sum(cost(*e[1:]) for e in ACTIVE + VM)
        last = ACTIVE[-1]
        ctx = last[1] + last[3] + last[4]
        want = "Sonnet 4 | $%.2f session / $%.2f today / $%.2f block (3h 00m left) | $%.2f/h | ctx %dk (%d%%)\n" % (
            session, today, block,
            block / ((ACTIVE[-1][0] - ACTIVE[0][0]) / HOUR), round(ctx / 1000), ctx * 100 // 200000)
        self.assertEqual(r.stdout, want)

    def test_cache_reused_within_its_time_to_live(self):
        root = os.path.join(_tmp, "claude-ttl")
        shutil.copytree(self.root, root)
        transcript = os.path.join(root, "projects", "-home-u-live", "sess-live.jsonl")
        extra = {"XDG_RUNTIME_DIR": os.path.join(_tmp, "run-ttl")}
        os.makedirs(extra["XDG_RUNTIME_DIR"])
        hook = self.hook(transcript_path=transcript)

        def call(ttl):
            extra["CLAUDE_USAGE_STATUSLINE_TTL_MS"] = str(ttl)
            r = run(["statusline", "-d", root], extra, hook)
            self.assertEqual(r.returncode, 0, r.stderr)
            return r.stdout.split(" | ")[1]  # "$x session / $y today / $z block (...)"

        first = call(60000)
        self.assertTrue(any(n.startswith("statusline-")
                            for n in os.listdir(os.path.join(_tmp, "run-ttl", "claude-usage"))))
        with open(transcript, "a") as f:
            f.write(usage_line(NOW - MINUTE, 500, "sess-live", 0, 1000000, 0, 0))
        self.assertEqual(call(60000), first)   # within its time to live: the cached figures
        self.assertNotEqual(call(0), first)    # stale: computed again, with the new line

    def test_concurrent_calls_agree(self):
        extra = {"XDG_RUNTIME_DIR": os.path.join(_tmp, "run-many")}
        os.makedirs(extra["XDG_RUNTIME_DIR"])
        with concurrent.futures.ThreadPoolExecutor(8) as pool:
            results = list(pool.map(lambda _: self.statusline(self.hook(), extra), range(8)))
        self.assertEqual({r.returncode for r in results}, {0})
        self.assertEqual(len({r.stdout for r in results}), 1)

    def test_bad_input(self):
        for stdin in ("", "not json", "[1, 2]"):
            r = self.statusline(stdin)
            self.assertEqual(r.returncode, 1, stdin)
            self.assertEqual(r.stdout, "")
            self.assertEqual(len(r.stderr.strip().splitlines()), 1, r.stderr)


def setUpModule():
    global _tmp
    _tmp = tempfile.mkdtemp(prefix="cu-live-")
    for d in ("home", "run"):
        os.makedirs(os.path.join(_tmp, d))


def tearDownModule():
    if _tmp:
        remove_tree(_tmp)


if __name__ == "__main__":
    sys.exit(run_tests())
