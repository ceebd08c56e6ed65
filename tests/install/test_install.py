#!/usr/bin/env python3
"""meson install into a temporary DESTDIR, then use the installed tree the way
a user would: only through `pkg-config --cflags --libs claudeusage`.

Checks the installed layout (headers, library and its SONAME, .pc, CLI),
compiles and runs two C examples against it and compares their output with
the same examples built in the tree, and runs the Python and Rust examples'
tests against it (each skipped, with its message, when its tool is absent).

argv: BUILD_DIR SOURCE_DIR CC SANITIZE SOVERSION
"""
import glob, os, shutil, subprocess, sys, tempfile

build, src, cc, sanitize, soversion = sys.argv[1:6]
data = os.path.join(src, "examples", "data")
failures = 0
SKIP = 77


def check(name, ok, detail=""):
    global failures
    print(("ok - " if ok else "not ok - ") + name + ("" if ok else f": {detail}"))
    failures += 0 if ok else 1


def run(args, env=None, code=0, **kw):
    p = subprocess.run(args, capture_output=True, text=True, env=env, **kw)
    if code is not None and p.returncode != code:
        sys.exit(f"{' '.join(args)}: exit {p.returncode}\n{p.stdout}\n{p.stderr}")
    return p


with tempfile.TemporaryDirectory(prefix="cu-install-") as dest:
    run(["meson", "install", "-C", build, "--destdir", dest, "--no-rebuild", "--quiet"])

    # The layout a packager expects.
    pcs = glob.glob(os.path.join(dest, "**", "pkgconfig", "claudeusage.pc"), recursive=True)
    check("one claudeusage.pc installed", len(pcs) == 1, pcs)
    pcdir = os.path.dirname(pcs[0])
    libdir = os.path.dirname(pcdir)
    headers = sorted(os.path.basename(h) for h in glob.glob(os.path.join(dest, "**", "include", "claudeusage", "*.h"), recursive=True))
    want = sorted(os.path.basename(h) for h in glob.glob(os.path.join(src, "include", "claudeusage", "*.h"))) + ["cu-version.h"]
    check("public headers under include/claudeusage/", headers == sorted(want), headers)
    lib = os.path.join(libdir, f"libclaudeusage.so.{soversion}")
    check("libclaudeusage.so.SOVERSION and the dev symlink", os.path.exists(lib) and
          os.path.islink(os.path.join(libdir, "libclaudeusage.so")), os.listdir(libdir))
    dyn = run(["readelf", "-d", lib]).stdout
    check("SONAME is libclaudeusage.so." + soversion, f"[libclaudeusage.so.{soversion}]" in dyn, dyn)
    check("the library is NODELETE", "NODELETE" in dyn, dyn)
    cli = glob.glob(os.path.join(dest, "**", "bin", "claude-usage"), recursive=True)
    check("the CLI in bin/", len(cli) == 1, cli)
    pc_text = open(pcs[0]).read()
    check(".pc: jansson is a private requirement, libcurl none (it is loaded when a download is wanted)",
          any(l.startswith("Requires.private:") and "jansson" in l and "libcurl" not in l
              for l in pc_text.splitlines()), pc_text)
    check("the library does not link libcurl", "[libjansson.so" in dyn and "libcurl" not in dyn, dyn)

    # A user's build: nothing but pkg-config. The sysroot prefixes its paths with DESTDIR.
    env = dict(os.environ, PKG_CONFIG_PATH=pcdir, PKG_CONFIG_SYSROOT_DIR=dest,
               LD_LIBRARY_PATH=libdir, TZ="UTC", CLAUDE_USAGE_OFFLINE="1")
    env.pop("CLAUDEUSAGE_LIBRARY", None)
    flags = run(["pkg-config", "--cflags", "--libs", "claudeusage"], env=env).stdout.split()
    check("pkg-config points into the installed tree", all(dest in f for f in flags if f[:2] in ("-I", "-L")), flags)
    san = [f"-fsanitize={sanitize}"] if sanitize not in ("", "none") else []
    with tempfile.TemporaryDirectory() as tmp:
        for name, args in (("daily-cost", [data]), ("entries-csv", [data]), ("json-export", ["monthly", data])):
            exe = os.path.join(tmp, name)
            run([cc, "-std=c11", "-Wall", "-Werror", *san, "-o", exe,
                 os.path.join(src, "examples", name + ".c"), *flags], env=env)
            mine = run([exe, *args], env=env).stdout
            tree = run([os.path.join(build, "examples", name), *args], env=dict(env, LD_LIBRARY_PATH="")).stdout
            check(f"{name} built against the installed tree prints what the in-tree one does",
                  mine == tree and mine != "", f"{mine[:200]!r} vs {tree[:200]!r}")
    out = run([cli[0], "daily", "--json", "--all", "--offline", "--no-cache", "-d", data], env=env).stdout
    check("the installed CLI runs", '"totals"' in out, out[:200])

    # The FFI examples against the installed tree.
    ffi = [("python", [sys.executable, os.path.join(src, "examples", "python", "test_claudeusage.py")]),
           ("rust", [sys.executable, os.path.join(src, "examples", "rust", "run-tests.py")])]
    for name, args in ffi:
        if not os.path.exists(args[1]):
            check(f"{name} example present", False, args[1])
            continue
        fenv = dict(env, CU_EXAMPLE_DATA=data, CU_LAYOUT="", CU_EXPECT_LIBDIR=libdir,
                    CARGO_TARGET_DIR=os.path.join(build, "tests", "install", "cargo-target"))
        if "address" in sanitize:
            # Uninstrumented hosts load an ASan-built library only with its runtime first.
            rt = run([cc, "-print-file-name=libasan.so"]).stdout.strip()
            if name == "python":
                fenv.update(LD_PRELOAD=rt, ASAN_OPTIONS="detect_leaks=0:abort_on_error=1")
            else:
                fenv.update(CU_RUST_SANITIZE=sanitize, CU_RUST_PRELOAD=rt)
        p = run(args, env=fenv, code=None)
        if p.returncode == SKIP:
            print(f"# skip {name}: {(p.stdout + p.stderr).strip().splitlines()[-1:]}")
            continue
        check(f"the {name} example's tests pass against the installed tree", p.returncode == 0,
              (p.stdout + p.stderr)[-2000:])

print(f"{failures} failed")
sys.exit(1 if failures else 0)
