#!/usr/bin/env python3
"""The README's library snippets, copied out and run as a user would: every C
block compiled with pkg-config's flags and run, the Python block run with the
example module on PYTHONPATH, and the Rust blocks built as a new crate that
depends on examples/rust (skipped when cargo is absent). Each runs on the
bundled example data and must print what examples/daily-cost prints, or at
least succeed.

argv: SOURCE_DIR BUILD_DIR CC SANITIZE
"""
import os, re, shutil, subprocess, sys, tempfile

src, build, cc, sanitize = sys.argv[1:5]
if sanitize not in ("", "none"):
    print("SKIP: the README snippets are checked in the plain build; suite 'examples' runs the "
          "same bindings under the sanitizers")
    sys.exit(77)

readme = open(os.path.join(src, "README.md")).read()
data = os.path.join(src, "examples", "data")
env = dict(os.environ, PKG_CONFIG_PATH=os.path.join(build, "meson-uninstalled"),
           LD_LIBRARY_PATH=os.path.join(build, "lib"), CLAUDE_CONFIG_DIR=data, TZ="UTC",
           CLAUDE_USAGE_OFFLINE="1", CLAUDEUSAGE_LIBRARY="")
failures = 0


def section(title):
    """The fenced blocks under '### title', as (language, text)."""
    m = re.search(r"^### " + re.escape(title) + r"\n(.*?)(?=^#{2,3} )", readme, re.S | re.M)
    if not m:
        sys.exit(f"README.md has no section '### {title}'")
    return re.findall(r"^```(\w+)\n(.*?)^```", m.group(1), re.S | re.M)


def check(name, ok, detail=""):
    global failures
    print(("ok - " if ok else "not ok - ") + name + ("" if ok else f"\n{detail}"))
    failures += 0 if ok else 1


def run(args, **kw):
    kw.setdefault("env", env)
    return subprocess.run(args, capture_output=True, text=True, **kw)


daily_cost = run([os.path.join(build, "examples", "daily-cost"), data]).stdout
days = [l.split()[0] for l in daily_cost.splitlines()[:-1]]

with tempfile.TemporaryDirectory() as tmp:
    flags = run(["pkg-config", "--cflags", "--libs", "claudeusage"]).stdout.split()
    blocks = [text for lang, text in section("Use it from C") if lang == "c"]
    check("C: two programs", len(blocks) == 2, blocks)
    for n, text in enumerate(blocks):
        path = os.path.join(tmp, f"snippet{n}.c")
        open(path, "w").write(text)
        p = run([cc, "-std=c11", "-Wall", "-Wextra", "-Werror", "-o", path[:-2], path, *flags])
        check(f"C snippet {n} compiles with pkg-config's flags alone", p.returncode == 0, p.stderr)
        if p.returncode == 0:
            p = run([path[:-2]])
            check(f"C snippet {n} runs on the example data", p.returncode == 0 and p.stdout, p.stderr)
            if n == 0:
                check("C snippet 0 lists the days daily-cost lists",
                      [l.split()[0] for l in p.stdout.splitlines()] == days, p.stdout)

    (lang, code), = [b for b in section("Use it from Python") if b[0] == "python"]
    path = os.path.join(tmp, "daily.py")
    open(path, "w").write(code)
    p = run([sys.executable, path], cwd=src,
            env=dict(env, PYTHONPATH=os.path.join(src, "examples", "python")))
    got = [l.split()[0] for l in p.stdout.splitlines()]
    check("Python snippet prints the days and the total daily-cost prints",
          p.returncode == 0 and got == days + ["total"] and
          p.stdout.splitlines()[-1].split()[1] == daily_cost.splitlines()[-1].split()[1],
          p.stdout + p.stderr)

    rust = dict(section("Use it from Rust"))
    cargo = shutil.which("cargo") or next((c for c in (os.path.expanduser("~/.cargo/bin/cargo"),)
                                           if os.path.exists(c)), None)
    if not cargo:
        print("# skip Rust snippet: cargo not found")
    else:
        crate = os.path.join(tmp, "crate")
        os.makedirs(os.path.join(crate, "src"))
        deps = rust["toml"].replace("/path/to/libclaudeusage", src)
        open(os.path.join(crate, "Cargo.toml"), "w").write(
            '[package]\nname = "snippet"\nversion = "0.1.0"\nedition = "2021"\n\n' + deps)
        open(os.path.join(crate, "src", "main.rs"), "w").write(rust["rust"])
        renv = dict(env, CARGO_TARGET_DIR=os.path.join(build, "tests", "readme-cargo"),
                    PATH=os.path.dirname(cargo) + os.pathsep + env.get("PATH", ""))
        p = subprocess.run([cargo, "run", "--quiet", "--offline", "--", data], cwd=crate,
                           capture_output=True, text=True, env=renv)
        check("Rust snippet prints what daily-cost prints", p.returncode == 0 and p.stdout == daily_cost,
              p.stdout + p.stderr)

print(f"{failures} failed")
sys.exit(1 if failures else 0)
