#!/usr/bin/env python3
"""The bad-input catalogue, end to end through the CLI: every case must give a correct report of
the rest of the data, exit 0 (1 with a one-line reason only when there is nothing to read), and
count and explain what it skipped, on stderr and in the JSON's "diagnostics" object.

- Line-level cases: tests/data/hostile/<case>.jsonl with tests/data/hostile/expected.json (written
  by tests/data/hostile/make-cases.py), one test each.
- Cases that need the file system: built here (unreadable files and directories, symbolic link
  loops and links out of the tree, a directory named x.jsonl, a root that is a file, a 100 MB line
  and one past the 128 MiB cap, a 5 GB sparse file, 100,000 tiny files).
- The tool never writes under the Claude data directories: every command is run on a generated
  history and nothing there may change (contents, sizes, modes, mtimes, ctimes, no new entries).

Files changed or replaced while being read are tested in tests/unit/test-scan.c, which can act
between two reads.

Environment: runner.py's (CLAUDE_USAGE, CU_TEST_DATA, CU_SHARED).
"""
import hashlib
import json
import os
import shutil
import stat
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from runner import CLI, SHARED, TEST_DATA, remove_tree, run_tests  # noqa: E402

HOSTILE = os.path.join(TEST_DATA, "hostile")
sys.path.insert(0, HOSTILE)
import importlib.util  # noqa: E402

_spec = importlib.util.spec_from_file_location("make_cases", os.path.join(HOSTILE, "make-cases.py"))
cases = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(cases)

KINDS = ("input_tokens", "output_tokens", "cache_creation_input_tokens", "cache_read_input_tokens")
JSON_KEYS = ("inputTokens", "outputTokens", "cacheCreationTokens", "cacheReadTokens")
IS_ROOT = hasattr(os, "geteuid") and os.geteuid() == 0

_tmp = None


def setUpModule():
    global _tmp
    _tmp = tempfile.mkdtemp(prefix="cu-hostile-")
    os.chmod(_tmp, 0o755)  # the runs as nobody must reach the trees below


def tearDownModule():
    if _tmp:
        for top, dirs, _ in os.walk(_tmp):
            for d in dirs:
                try:
                    os.chmod(os.path.join(top, d), 0o755)
                except OSError:
                    pass
        remove_tree(_tmp)


def new_dir(name):
    d = tempfile.mkdtemp(prefix=name + "-", dir=_tmp)
    os.chmod(d, 0o755)
    return d


def expected_tokens(counted):
    """Token totals of the good lines listed (numbers, or {"n": n, kind: override})."""
    tot = dict.fromkeys(KINDS, 0)
    for c in counted:
        n, over = (c, {}) if isinstance(c, int) else (c["n"], c)
        usage = cases.record(n)["message"]["usage"]
        for k in KINDS:
            tot[k] += over.get(k, usage[k])
    return tot


def as_nobody():
    os.setgroups([])
    os.setgid(65534)
    os.setuid(65534)


class Result:
    def __init__(self, args, p):
        self.args, self.rc = args, p.returncode
        self.out, self.err = p.stdout.decode("utf-8", "replace"), p.stderr.decode("utf-8", "replace")
        self.json = None
        if self.rc == 0 and "--json" in args:
            self.json = json.loads(self.out)

    def __str__(self):
        return "claude-usage %s -> %d\n--- stderr:\n%s\n--- stdout:\n%s" % (
            " ".join(self.args), self.rc, self.err[-2000:], self.out[-2000:])


def run(args, cache=None, nobody=False, timeout=600, stdin=None):
    env = dict(os.environ, TZ="UTC", CLAUDE_USAGE_OFFLINE="1", NO_COLOR="1",
               XDG_CACHE_HOME=cache or new_dir("cache"))
    p = subprocess.run([CLI] + list(args), env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       input=stdin, timeout=timeout, preexec_fn=as_nobody if nobody else None)
    return Result(list(args), p)


def home_with(files):
    """A Claude dir: files maps a path under projects/ to bytes."""
    root = new_dir("home")
    for rel, data in files.items():
        p = os.path.join(root, "projects", rel)
        os.makedirs(os.path.dirname(p), exist_ok=True)
        with open(p, "wb") as f:
            f.write(data)
    for top, dirs, _ in os.walk(root):
        for d in dirs:
            os.chmod(os.path.join(top, d), 0o755)
    return root


def daily(root, *extra, **kw):
    return run(["daily", "--json", "--all", "--offline", "-z", "UTC", "-d", root] + list(extra), **kw)


class Checks(unittest.TestCase):
    maxDiff = 3000

    def assertReport(self, r, counted, malformed=0, torn=0, unreadable=0, reason=None):
        self.assertEqual(r.rc, 0, str(r))
        want = expected_tokens(counted)
        got = r.json["totals"]
        self.assertEqual([got[k] for k in JSON_KEYS], [want[k] for k in KINDS], "token totals\n%s" % r)
        d = r.json["diagnostics"]
        self.assertEqual(d["entries"], len(counted), "entries\n%s" % r)
        self.assertEqual((d["malformedLines"], d["incompleteLastLines"], d["unreadable"]),
                         (malformed, torn, unreadable), "skips counted\n%s" % r)
        problems = malformed + torn + unreadable
        self.assertEqual(len(d["problems"]) + d["problemsNotListed"], problems, "problems\n%s" % r)
        if problems:
            # said on stderr too, with the path; and a summary line for skipped lines
            self.assertTrue(r.err.strip(), "skips are reported on stderr\n%s" % r)
        else:
            self.assertEqual(r.err.strip(), "", "nothing on stderr when nothing was skipped\n%s" % r)
        if reason:
            msgs = " | ".join(p["message"] for p in d["problems"])
            self.assertIn(reason, msgs, "the reason is given\n%s" % r)
            self.assertIn(reason, r.err, "the reason is on stderr\n%s" % r)
        return d


# --------------------------------------------------------------------------- line-level cases


class LineCases(Checks):
    """One test per file of tests/data/hostile/ (added below)."""

    def check_case(self, name):
        with open(os.path.join(HOSTILE, "expected.json")) as f:
            exp = json.load(f)[name]
        with open(os.path.join(HOSTILE, name + ".jsonl"), "rb") as f:
            data = f.read()
        root = home_with({"-home-u-hostile/%s.jsonl" % name: data})
        for parser in ("fast", "index"):
            with self.subTest(run=parser):
                # the second run reads the history index the first wrote: same report
                r = daily(root, cache=os.path.join(root, "..", os.path.basename(root) + "-cache"))
                d = self.assertReport(r, exp["counted"], exp["malformed"], exp["torn"],
                                      reason=exp["reason"])
                for p in d["problems"]:
                    self.assertTrue(p["path"].endswith(name + ".jsonl"), p)
                    self.assertGreater(p["line"], 0, p)

    def test_catalogue_is_current(self):
        """The committed files are what make-cases.py writes."""
        for name, c in cases.CASES.items():
            with open(os.path.join(HOSTILE, name + ".jsonl"), "rb") as f:
                self.assertEqual(f.read(), c["data"], "%s.jsonl: run make-cases.py" % name)
        with open(os.path.join(HOSTILE, "expected.json")) as f:
            self.assertEqual(json.load(f), {n: c["expect"] for n, c in cases.CASES.items()})


def _add_line_case(name):
    setattr(LineCases, "test_" + name.replace("-", "_"), lambda self: self.check_case(name))


for _name in cases.CASES:
    _add_line_case(_name)


# --------------------------------------------------------------------------- the file system


G = cases.good


class FileSystemCases(Checks):

    def test_directory_named_jsonl(self):
        root = home_with({"p/a.jsonl": G(1) + b"\n"})
        os.makedirs(os.path.join(root, "projects", "p", "x.jsonl", "inner"))
        self.assertReport(daily(root), [1])

    def test_root_is_a_file(self):
        root = home_with({"p/a.jsonl": G(1) + b"\n"})
        r = daily(os.path.join(root, "projects", "p", "a.jsonl"))
        self.assertEqual(r.rc, 1, str(r))
        self.assertIn("not a directory", r.err, str(r))
        self.assertIn("no Claude data directory found", r.err, str(r))
        self.assertEqual(r.out, "", "nothing on stdout on failure")

    def test_root_is_a_file_next_to_a_good_root(self):
        root = home_with({"p/a.jsonl": G(1) + b"\n"})
        other = home_with({"p/b.jsonl": G(2) + b"\n"})
        r = daily(root, "-d", os.path.join(other, "projects", "p", "b.jsonl"))
        self.assertEqual(r.rc, 0, str(r))
        self.assertReport(r, [1], unreadable=1, reason="not a directory")

    @unittest.skipUnless(IS_ROOT, "needs root to run the tool as another user")
    def test_unreadable_file(self):
        root = home_with({"p/a.jsonl": G(1) + b"\n", "p/b.jsonl": G(2) + b"\n", "q/c.jsonl": G(3) + b"\n"})
        os.chmod(os.path.join(root, "projects", "p", "b.jsonl"), 0)
        self.assertReport(daily(root, nobody=True), [1, 3], unreadable=1, reason="Permission denied")

    @unittest.skipUnless(IS_ROOT, "needs root to run the tool as another user")
    def test_unreadable_directory(self):
        root = home_with({"p/a.jsonl": G(1) + b"\n", "q/b.jsonl": G(2) + b"\n"})
        os.chmod(os.path.join(root, "projects", "q"), 0)
        self.assertReport(daily(root, nobody=True), [1], unreadable=1, reason="Permission denied")

    def test_symlink_loops(self):
        root = home_with({"p/a.jsonl": G(1) + b"\n"})
        proj = os.path.join(root, "projects")
        os.symlink("..", os.path.join(proj, "p", "up"))          # a loop back to an ancestor
        os.symlink("loop2", os.path.join(proj, "loop1"))          # a cycle of links
        os.symlink("loop1", os.path.join(proj, "loop2"))
        os.symlink("loop1", os.path.join(proj, "p", "s.jsonl"))  # a transcript name on the cycle
        r = daily(root, timeout=60)
        d = self.assertReport(r, [1], unreadable=4, reason="link")
        self.assertTrue(all(p["kind"] == "unreadable" for p in d["problems"]), d)

    def test_symlinks_out_of_the_tree(self):
        """Links are followed (people link projects in); a file reached by two paths is one file."""
        outside = new_dir("outside")
        with open(os.path.join(outside, "o.jsonl"), "wb") as f:
            f.write(G(3) + b"\n")
        root = home_with({"p/a.jsonl": G(1) + b"\n"})
        os.symlink(os.path.join(outside, "o.jsonl"), os.path.join(root, "projects", "p", "o.jsonl"))
        os.symlink(outside, os.path.join(root, "projects", "linked"))
        r = daily(root)
        d = self.assertReport(r, [1, 3])
        self.assertEqual((d["files"], d["duplicates"]), (2, 0), d)

    def test_line_of_100_mb_is_read(self):
        rec = cases.record(5)
        rec["message"]["content"][0]["text"] = "x" * (100 << 20)
        root = home_with({"p/a.jsonl": G(1) + b"\n" + cases.dump(rec) + b"\n" + G(2) + b"\n"})
        self.assertReport(daily(root), [1, 5, 2])

    def test_line_past_the_cap_is_skipped(self):
        rec = cases.record(5)
        rec["message"]["content"][0]["text"] = "x" * (129 << 20)
        root = home_with({"p/a.jsonl": G(1) + b"\n" + cases.dump(rec) + b"\n" + G(2) + b"\n"})
        d = self.assertReport(daily(root), [1, 2], malformed=1, reason="longer than the 128 MiB limit")
        self.assertEqual(d["problems"][0]["line"], 2, d)

    def test_sparse_5gb_file(self):
        """5 GB of NUL bytes between two good lines: one line past the cap, skipped; the file is
        read once, in bounded memory."""
        root = home_with({"p/a.jsonl": G(1) + b"\n"})
        path = os.path.join(root, "projects", "p", "a.jsonl")
        with open(path, "r+b") as f:
            f.truncate(5 << 30)
            f.seek(5 << 30)
            f.write(b"\n" + G(2) + b"\n")
        r = run(["daily", "--json", "--all", "-z", "UTC", "-d", root, "--no-cache"], timeout=900)
        d = self.assertReport(r, [1, 2], malformed=1, reason="longer than the 128 MiB limit")
        self.assertEqual(d["problems"][0]["line"], 2, d)

    def test_100000_tiny_files(self):
        root = new_dir("many")
        n = 100000
        for i in range(n):
            d = os.path.join(root, "projects", "p%03d" % (i % 500))
            if i < 500:
                os.makedirs(d)
            with open(os.path.join(d, "s%06d.jsonl" % i), "wb") as f:
                f.write(G(i) + b"\n")
        r = run(["daily", "--json", "--all", "-z", "UTC", "-d", root, "--no-cache"], timeout=900)
        d = self.assertReport(r, list(range(n)))
        self.assertEqual(d["files"], n)


# --------------------------------------------------------------------------- nothing written


def tree_state(top):
    """Everything observable about a tree: per path its type, mode, size, mtime, ctime, owner,
    link target or content hash. atimes are left out (reading may change them)."""
    state = {}
    for dirpath, dirnames, filenames in os.walk(top, followlinks=False):
        for name in [""] + dirnames + filenames:
            p = os.path.join(dirpath, name) if name else dirpath
            st = os.lstat(p)
            rec = (stat.S_IFMT(st.st_mode), st.st_mode, st.st_size, st.st_mtime_ns, st.st_ctime_ns,
                   st.st_uid, st.st_gid, st.st_nlink, st.st_ino)
            if stat.S_ISLNK(st.st_mode):
                rec += (os.readlink(p),)
            elif stat.S_ISREG(st.st_mode):
                with open(p, "rb") as f:
                    rec += (hashlib.sha256(f.read()).hexdigest(),)
            state[os.path.relpath(p, top)] = rec
    return state


class NothingWritten(unittest.TestCase):
    GEN = os.path.join(SHARED, "tools", "gen-claude-home.py")

    @unittest.skipUnless(os.path.exists(os.path.join(SHARED, "tools", "gen-claude-home.py")),
                         "no ../shared/tools/gen-claude-home.py")
    def test_every_command_leaves_the_data_alone(self):
        home = new_dir("readonly")
        subprocess.run([sys.executable, self.GEN, home, "--mb", "2", "--seed", "3"], check=True,
                       stdout=subprocess.DEVNULL, timeout=300)
        # a torn last line and an unreadable-looking mode, so the error paths run too
        some = next(os.path.join(t, f) for t, _, fs in os.walk(home) for f in fs if f.endswith(".jsonl"))
        with open(some, "ab") as f:
            f.write(b'{"type":"assistant","timest')
        for t, ds, fs in os.walk(home):
            for x in ds + fs:
                p = os.path.join(t, x)
                if not os.path.islink(p):
                    os.chmod(p, os.stat(p).st_mode & ~0o222)  # read-only, as a mounted backup
        before = tree_state(home)
        self.assertTrue(os.path.isdir(os.path.join(home, "projects")), os.listdir(home))
        cache = new_dir("ro-cache")
        status = json.dumps({"session_id": "x", "model": {"id": "claude-sonnet-4-20250514"},
                             "workspace": {"current_dir": "/tmp"}}).encode()
        commands = [["daily"], ["daily", "--json"], ["weekly", "--json"], ["monthly", "--json"],
                    ["session", "--json"], ["daily", "--instances", "--json"], ["blocks", "--json"],
                    ["blocks", "--active"], ["blocks", "--recent", "--json"],
                    ["live", "--snapshot"], ["daily", "--json", "--no-cache"],
                    ["daily", "--breakdown"]]
        env_roots = ["-d", home]
        for cmd in commands:
            for attempt in ("cold", "indexed"):
                res = run(cmd + env_roots + ["--all"] * (cmd[0] in ("daily", "weekly", "monthly", "session")),
                          cache=cache)
                self.assertEqual(res.rc, 0, "%s (%s)\n%s" % (cmd, attempt, res))
        res = run(["statusline"] + env_roots, cache=cache, stdin=status)
        self.assertEqual(res.rc, 0, str(res))
        res = run(["pricing", "--json"], cache=cache)
        self.assertEqual(res.rc, 0, str(res))
        after = tree_state(home)
        changed = sorted(k for k in set(before) | set(after) if before.get(k) != after.get(k))
        self.assertEqual(changed, [], "the tool changed the Claude data directories")
        # what it did write: its own index, in the cache dir, and no temp files
        written = os.listdir(os.path.join(cache, "claude-usage"))
        self.assertTrue(any(n.startswith("index-") for n in written), written)
        self.assertFalse([n for n in written if ".tmp" in n or n.startswith(".")], written)


def main():
    return run_tests()


if __name__ == "__main__":
    sys.exit(main())
