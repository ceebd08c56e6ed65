#!/usr/bin/env python3
"""Benchmark claude-usage (and ccusage, when found) on generated data sets.

Run through bench/run.sh; see bench/README.md. Standard library only.
"""

import argparse
import datetime
import json
import os
import platform
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
GENERATOR = REPO.parent / "shared" / "tools" / "gen-claude-home.py"
SEED = 7
TOKEN_KEYS = ["inputTokens", "outputTokens", "cacheCreationTokens", "cacheReadTokens"]


def die(msg):
    sys.stdout.flush()
    print(f"bench: {msg}", file=sys.stderr)
    sys.exit(1)


def run_text(cmd, env=None):
    """Run a command and return its stripped stdout, or None if it fails."""
    try:
        p = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=120)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return p.stdout.strip() if p.returncode == 0 else None


# ---- data sets ----------------------------------------------------------

def ensure_set(data_dir, size):
    """Return (set_dir, truth) for size MB, generating the set if missing."""
    set_dir = data_dir / f"gen{size}"
    truth_path = data_dir / f"gen{size}.truth.json"
    if set_dir.is_dir() and truth_path.is_file():
        return set_dir, json.loads(truth_path.read_text())
    if set_dir.exists() or truth_path.exists():
        die(f"{set_dir} or {truth_path} exists without the other; remove it to regenerate")
    if not GENERATOR.is_file():
        die(f"generator not found: {GENERATOR}")
    print(f"generating {set_dir} ({size} MB, seed {SEED}) ...", flush=True)
    data_dir.mkdir(parents=True, exist_ok=True)
    tmp_dir = data_dir / f"gen{size}.tmp"
    tmp_truth = data_dir / f"gen{size}.truth.json.tmp"
    shutil.rmtree(tmp_dir, ignore_errors=True)
    with open(tmp_truth, "w") as out:
        subprocess.run([sys.executable, str(GENERATOR), str(tmp_dir), "--mb", str(size),
                        "--seed", str(SEED)], stdout=out, check=True)
    tmp_dir.rename(set_dir)
    tmp_truth.rename(truth_path)
    return set_dir, json.loads(truth_path.read_text())


def tree_bytes(path):
    total = 0
    for root, _dirs, files in os.walk(path):
        for name in files:
            total += os.lstat(os.path.join(root, name)).st_size
    return total


# ---- building -----------------------------------------------------------

def build_default_binary():
    build = REPO / "build-bench"
    if not (build / "build.ninja").is_file():
        subprocess.run(["meson", "setup", str(build), "--buildtype=release",
                        "-Db_ndebug=true"], cwd=REPO, check=True)
    subprocess.run(["ninja", "-C", str(build)], check=True)
    return build / "cli" / "claude-usage"


def build_refresh(build):
    """Compile bench/refresh.c against the library in build dir `build`."""
    lib_dir = build / "lib"
    version_h = next(build.rglob("cu-version.h"), None)
    if not (lib_dir / "libclaudeusage.so").exists() or version_h is None:
        die(f"{build} does not look like a build directory (no lib/libclaudeusage.so "
            "or cu-version.h); pass --binary from a meson build")
    out = build / "bench-refresh"
    cmd = ["cc", "-O2", "-std=c11", "-Wall", "-Wextra", str(REPO / "bench" / "refresh.c"),
           f"-I{REPO / 'include'}", f"-I{REPO / 'include' / 'claudeusage'}",
           f"-I{version_h.parent}", f"-L{lib_dir}", "-lclaudeusage",
           f"-Wl,-rpath,{lib_dir}", "-o", str(out)]
    subprocess.run(cmd, check=True)
    return out


# ---- running and measuring ----------------------------------------------

def measure(cmd, env, out_path):
    """Run cmd with stdout to out_path; return (wall s, cpu s, peak RSS MiB, rc, stderr)."""
    with open(out_path, "wb") as out, tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=out, stderr=err, env=env)
        _pid, status, ru = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        err.seek(0)
        stderr = err.read().decode(errors="replace")
    cpu = ru.ru_utime + ru.ru_stime
    rss_mib = ru.ru_maxrss / 1024  # ru_maxrss is in KiB on Linux
    return wall, cpu, rss_mib, proc.returncode, stderr


def read_totals(out_path):
    data = json.loads(Path(out_path).read_text())
    return {k: int(data["totals"][k]) for k in TOKEN_KEYS}


def bench_command(name, cmd, env, runs, tmp, check=None):
    """One untimed warm-up run, then `runs` timed ones. Returns medians and totals.

    check(totals, label) is called on the output of every run.
    """
    out_path = tmp / "out.json"
    walls, cpus, rsss = [], [], []
    totals = None
    for i in range(runs + 1):
        wall, cpu, rss, rc, stderr = measure(cmd, env, out_path)
        if rc != 0:
            print(stderr, file=sys.stderr)
            die(f"{name}: exit status {rc}: {shlex.join(cmd)}")
        totals = read_totals(out_path)
        if check:
            check(totals, f"{name} run {i}" if i else f"{name} warm-up")
        if i > 0:
            walls.append(wall)
            cpus.append(cpu)
            rsss.append(rss)
    return {"wall": statistics.median(walls), "cpu": statistics.median(cpus),
            "rss": statistics.median(rsss), "totals": totals}


def make_checker(expected):
    def check(totals, label):
        if totals != expected:
            sys.stdout.flush()
            print("", file=sys.stderr)
            print("!" * 70, file=sys.stderr)
            print(f"MISMATCH in {label}", file=sys.stderr)
            for k in TOKEN_KEYS:
                mark = "" if totals[k] == expected[k] else "   <-- differs"
                print(f"  {k:20} got {totals[k]:>15,}  truth {expected[k]:>15,}{mark}",
                      file=sys.stderr)
            print("!" * 70, file=sys.stderr)
            sys.exit(1)
    return check


# ---- ccusage ------------------------------------------------------------

def find_ccusage():
    """Return the ccusage command as a list, or None."""
    if os.environ.get("CCUSAGE"):
        return shlex.split(os.environ["CCUSAGE"])
    local = Path("/tmp/ccu/node_modules/.bin/ccusage")
    if os.access(local, os.X_OK):
        return [str(local)]
    if shutil.which("ccusage"):
        return ["ccusage"]
    if shutil.which("npx") and run_text(["npx", "--no-install", "ccusage", "--version"]):
        return ["npx", "--no-install", "ccusage"]
    return None


# ---- machine facts and output -------------------------------------------

def machine_facts(binary, ccusage, ccusage_version):
    cpu = "unknown"
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    ram = "unknown"
    try:
        for line in open("/proc/meminfo"):
            if line.startswith("MemTotal:"):
                ram = f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
                break
    except OSError:
        pass
    commit = run_text(["git", "-C", str(REPO), "describe", "--always", "--dirty"])
    facts = [
        ("cpu", cpu),
        ("cores", str(os.cpu_count())),
        ("ram", ram),
        ("kernel", f"{platform.system()} {platform.release()}"),
        ("date", datetime.datetime.now().astimezone().isoformat(timespec="seconds")),
        ("claude-usage", f"{run_text([str(binary), '--version']) or '?'} ({binary})"),
        ("commit", commit or "?"),
        ("ccusage", f"{ccusage_version} ({shlex.join(ccusage)})" if ccusage else "not run"),
    ]
    return facts


COLUMNS = ["size", "variant", "tool", "MB/s", "wall (s)", "cpu (s)", "peak RSS (MiB)", "ratio"]


def format_row(r):
    return [f"{r['size']} MB", r["variant"], r["tool"], f"{r['mbps']:.1f}",
            f"{r['wall']:.3f}", f"{r['cpu']:.3f}", f"{r['rss']:.1f}",
            f"{r['ratio']:.2f}x" if r["ratio"] is not None else "-"]


def print_table(rows):
    cells = [COLUMNS] + [format_row(r) for r in rows]
    widths = [max(len(c[i]) for c in cells) for i in range(len(COLUMNS))]
    for n, c in enumerate(cells):
        # Left-align the text columns, right-align the numbers.
        print("  ".join(v.ljust(w) if i < 3 else v.rjust(w)
                        for i, (v, w) in enumerate(zip(c, widths))))
        if n == 0:
            print("  ".join("-" * w for w in widths))


def print_markdown(facts, rows):
    print()
    for k, v in facts:
        print(f"- {k}: {v}")
    print()
    print("| " + " | ".join(COLUMNS) + " |")
    print("|" + "|".join(["---"] * 3 + ["---:"] * (len(COLUMNS) - 3)) + "|")
    for r in rows:
        print("| " + " | ".join(format_row(r)) + " |")


# ---- main ---------------------------------------------------------------

def main():
    ap = argparse.ArgumentParser(prog="bench/run.sh", description="Benchmark claude-usage against generated data.")
    ap.add_argument("--sizes", default="100,1000", help="data set sizes in MB (default 100,1000)")
    ap.add_argument("--runs", type=int, default=5, help="timed runs per command (median reported)")
    ap.add_argument("--data-dir", default=os.environ.get("BENCH_DATA", "/tmp/claude-usage-bench"),
                    help="where the sets genS and genS.truth.json live")
    ap.add_argument("--binary", help="claude-usage to test (default: build build-bench/)")
    ap.add_argument("--no-ccusage", action="store_true", help="do not run ccusage")
    ap.add_argument("--threads", type=int, help="pass --threads N to claude-usage")
    ap.add_argument("--markdown", action="store_true", help="also print a Markdown table")
    ap.add_argument("--refresh", action="store_true",
                    help="also run bench/refresh.c on the largest set")
    args = ap.parse_args()

    sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    if not sizes or args.runs < 1:
        die("need at least one size and one run")
    data_dir = Path(args.data_dir)

    binary = Path(args.binary).resolve() if args.binary else build_default_binary()
    if not os.access(binary, os.X_OK):
        die(f"not an executable: {binary}")

    # Which flags does this claude-usage have?
    help_text = run_text([str(binary), "daily", "--help"]) or ""
    has_cache = "--no-cache" in help_text
    # daily shows only the last 30 days unless --all; the truth covers everything.
    base_args = ["daily", "--json", "--offline", "--exclude-vms"]
    if "--all" in help_text:
        base_args.append("--all")
    if args.threads:
        base_args += ["--threads", str(args.threads)]
    variants = [("cold", ["--no-cache"]), ("indexed", [])] if has_cache else [("scan", [])]

    ccusage = None if args.no_ccusage else find_ccusage()
    ccusage_version = run_text(ccusage + ["--version"]) if ccusage else None
    if ccusage and ccusage_version is None:
        print(f"note: {shlex.join(ccusage)} --version failed; skipping ccusage")
        ccusage = None
    elif not ccusage and not args.no_ccusage:
        print("note: ccusage not found (set CCUSAGE, or install it in /tmp/ccu); skipping it")

    sets = [(size, *ensure_set(data_dir, size)) for size in sizes]

    facts = machine_facts(binary, ccusage, ccusage_version)
    for k, v in facts:
        print(f"{k + ':':14}{v}")
    print(f"{'runs:':14}{args.runs} timed (median), 1 untimed warm-up each")
    print(f"{'command:':14}claude-usage {' '.join(base_args)} [variant flags] -d SET")
    print()

    rows = []
    notes = []
    with tempfile.TemporaryDirectory(prefix="cu-bench-") as tmp_name:
        tmp = Path(tmp_name)
        for size, set_dir, truth in sets:
            mb = tree_bytes(set_dir / "projects") / 1e6
            expected = {k: int(truth["mainOnlyTotals"][k]) for k in TOKEN_KEYS}
            check = make_checker(expected)
            print(f"{set_dir}: {mb:.1f} MB under projects/", flush=True)

            ours = []
            for variant, flags in variants:
                # A fresh cache directory per variant, so the real caches are
                # never touched and "indexed" starts without an index.
                cache = tmp / f"cache-{size}-{variant}"
                cache.mkdir()
                env = dict(os.environ, CLAUDE_USAGE_OFFLINE="1", XDG_CACHE_HOME=str(cache))
                cmd = [str(binary)] + base_args + flags + ["-d", str(set_dir)]
                res = bench_command(f"claude-usage {variant} ({size} MB)", cmd, env,
                                    args.runs, tmp, check)
                ours.append((variant, res))

            cc = None
            if ccusage:
                env = dict(os.environ, CLAUDE_CONFIG_DIR=str(set_dir))
                cmd = ccusage + ["daily", "--json", "--offline"]
                cc = bench_command(f"ccusage ({size} MB)", cmd, env, args.runs, tmp)
                ours_totals = ours[0][1]["totals"]
                diffs = ", ".join(
                    f"{k} {100 * (cc['totals'][k] - ours_totals[k]) / ours_totals[k]:+.2f}%"
                    for k in TOKEN_KEYS if ours_totals[k])
                notes.append(f"{size} MB: ccusage totals vs ours: {diffs}")

            for variant, res in ours:
                rows.append({"size": size, "variant": variant, "tool": "claude-usage",
                             "mbps": mb / res["wall"], "wall": res["wall"], "cpu": res["cpu"],
                             "rss": res["rss"],
                             "ratio": cc["wall"] / res["wall"] if cc else None})
            if cc:
                rows.append({"size": size, "variant": "-", "tool": "ccusage",
                             "mbps": mb / cc["wall"], "wall": cc["wall"], "cpu": cc["cpu"],
                             "rss": cc["rss"], "ratio": None})

    print()
    print_table(rows)
    if notes:
        print()
        print("ratio = ccusage wall / claude-usage wall. Token totals differ because "
              "ccusage overcounts lines without a requestId (reported, not checked):")
        for n in notes:
            print("  " + n)
    if args.markdown:
        print_markdown(facts, rows)

    if args.refresh:
        size, set_dir, _truth = max(sets, key=lambda s: s[0])
        refresh = build_refresh(binary.parent.parent)
        print()
        print(f"refresh on {set_dir} (1 MB appended):", flush=True)
        rc = subprocess.run([str(refresh), str(set_dir)]).returncode
        if rc != 0:
            die(f"refresh failed (exit status {rc})")


if __name__ == "__main__":
    main()
