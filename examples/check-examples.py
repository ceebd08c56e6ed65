#!/usr/bin/env python3
"""Run the C examples on the bundled data and check what they print against
the CLI's JSON: the same history must give the same numbers, to the token."""
import csv, io, json, os, subprocess, sys

bindir, cli, data = sys.argv[1:4]
env = dict(os.environ, TZ="UTC", CLAUDE_USAGE_OFFLINE="1")
failures = 0


def run(*args, code=0):
    p = subprocess.run(args, capture_output=True, text=True, env=env)
    if p.returncode != code:
        sys.exit(f"{args}: exit {p.returncode}, wanted {code}\n{p.stderr}")
    return p.stdout


def cli_json(command):
    return json.loads(run(cli, command, "--json", "--all", "--offline", "--no-cache",
                          "--timezone", "UTC", "-d", data))


def check(name, got, want):
    global failures
    if got != want:
        failures += 1
        print(f"not ok - {name}: {got!r} != {want!r}")
    else:
        print(f"ok - {name}")


TOKENS = ("inputTokens", "outputTokens", "cacheCreationTokens", "cacheReadTokens")
daily = cli_json("daily")
totals = daily["totals"]

# daily-cost: one line per day, then the total.
lines = run(f"{bindir}/daily-cost", data).splitlines()
check("daily-cost days", [l.split()[0] for l in lines[:-1]], [d["date"] for d in daily["daily"]])
check("daily-cost total tokens", int(lines[-1].split()[1]), totals["totalTokens"])
check("daily-cost total cost", lines[-1].split("$")[1].split()[0], f"{totals['totalCost']:.4f}")

# today-cost: one day's totals; today (no usage in the bundled data) gives zeros.
for day in daily["daily"][:2]:
    out = run(f"{bindir}/today-cost", data, day["date"]).split()
    check(f"today-cost {day['date']}", (out[1], out[3].strip("$,")),
          (str(day["totalTokens"]), f"{day['totalCost']:.4f}"))
out = run(f"{bindir}/today-cost", data)
today = out.split(":")[0]
check("today-cost today", (len(today), " 0 tokens" in out or today in [d["date"] for d in daily["daily"]]),
      (10, True))
run(f"{bindir}/today-cost", data, "2025-02-30", code=1)

# month-models: the latest month's models, most costly first.
month = cli_json("monthly")["monthly"][-1]
lines = run(f"{bindir}/month-models", data).splitlines()
check("month-models month", lines[0], month["month"])
models = sorted(month["modelBreakdowns"], key=lambda b: -b["cost"])
check("month-models models", [l.split()[0] for l in lines[1:-1]], [b["modelName"] for b in models])
check("month-models tokens", [int(l.split()[1]) for l in lines[1:-1]],
      [sum(b[k] for k in TOKENS) for b in models])
check("month-models total", int(lines[-1].split()[2]), month["totalTokens"])
run(f"{bindir}/month-models", data, "1999-01", code=1)

# entries-csv: the entries add up to the daily totals; a limit stops early.
rows = list(csv.DictReader(io.StringIO(run(f"{bindir}/entries-csv", data))))
for field, key in (("input", "inputTokens"), ("output", "outputTokens"),
                   ("cache_creation", "cacheCreationTokens"), ("cache_read", "cacheReadTokens")):
    check(f"entries-csv {field}", sum(int(r[field]) for r in rows), totals[key])
check("entries-csv cost", round(sum(float(r["cost_usd"]) for r in rows), 6), round(totals["totalCost"], 6))
check("entries-csv time order", [int(r["time_ms"]) for r in rows], sorted(int(r["time_ms"]) for r in rows))
check("entries-csv sources", sorted({r["source"] for r in rows}), ["main", "vm-0"])
check("entries-csv stops", len(run(f"{bindir}/entries-csv", data, "3").splitlines()), 1 + 3)

# json-export: the library's JSON is the CLI's.
for command, group in (("daily", "daily"), ("monthly", "monthly"), ("session", "session")):
    exported = json.loads(run(f"{bindir}/json-export", group, data))
    want = cli_json(command)
    check(f"json-export {group} totals", exported["totals"], want["totals"])
    key = next(k for k in want if isinstance(want[k], list))
    check(f"json-export {group} rows", exported[key], want[key])
run(f"{bindir}/json-export", "hourly", data, code=2)

print(f"{failures} failed")
sys.exit(1 if failures else 0)
