#!/usr/bin/env python3
"""Run the Rust example's tests: `cargo test --offline` on this crate.

meson's test 'rust' calls it with PKG_CONFIG_PATH (where claudeusage.pc is),
CARGO_TARGET_DIR (the build output, never the source tree) and the data and
program paths the tests read (CU_EXAMPLE_DATA, CLAUDE_USAGE, ...). The
environment is passed on to cargo as it is.

cargo is looked for on PATH, then in ~/.cargo/bin, then in $CARGO_HOME/bin;
without it the test is skipped (exit 77, meson's skip code).

Under AddressSanitizer (CU_RUST_SANITIZE holds "address") the library needs
the ASan runtime loaded before anything else: CU_RUST_PRELOAD names it, and
it is put in LD_PRELOAD for the test programs only (through cargo's target
runner, which is this script with --exec), not for cargo and rustc. Without
a runtime to preload the test is skipped.

For an installed tree, set PKG_CONFIG_PATH to its pkgconfig directory,
PKG_CONFIG_SYSROOT_DIR to the DESTDIR, a CARGO_TARGET_DIR of its own, and
CU_EXPECT_LIBDIR to the directory the library must be loaded from (the
tests check it; LD_LIBRARY_PATH is then dropped).

    run-tests.py [CARGO TEST ARGS...]
    run-tests.py --exec PROGRAM [ARGS...]    (the runner; internal)
"""

import json
import os
import shutil
import subprocess
import sys

SKIP = 77
HERE = os.path.dirname(os.path.abspath(__file__))


def find_cargo():
    found = shutil.which("cargo")
    if found:
        return found
    dirs = [os.path.join(os.path.expanduser("~"), ".cargo", "bin")]
    if os.environ.get("CARGO_HOME"):
        dirs.append(os.path.join(os.environ["CARGO_HOME"], "bin"))
    for d in dirs:
        cargo = os.path.join(d, "cargo")
        if os.path.isfile(cargo) and os.access(cargo, os.X_OK):
            return cargo
    return None


def exec_test_program(argv):
    """The target runner: run a test program with the ASan runtime preloaded."""
    env = dict(os.environ)
    preload = env.get("CU_RUST_PRELOAD", "")
    if preload:
        env["LD_PRELOAD"] = " ".join(p for p in (preload, env.get("LD_PRELOAD", "")) if p)
        # Rust's own allocations are not instrumented but go through ASan's
        # malloc, and its test harness keeps some on purpose until exit.
        # CU_RUST_ASAN_OPTIONS (when set) is appended, so a caller can tune it.
        extra = env.get("CU_RUST_ASAN_OPTIONS", "")
        if extra:
            env["ASAN_OPTIONS"] = ":".join(o for o in (env.get("ASAN_OPTIONS", ""), extra) if o)
    os.execvpe(argv[0], argv, env)


def main(argv):
    if argv[:1] == ["--exec"]:
        exec_test_program(argv[1:])  # does not return

    cargo = find_cargo()
    if cargo is None:
        print("SKIP: cargo not found (looked on PATH, in ~/.cargo/bin and $CARGO_HOME/bin)")
        return SKIP

    env = dict(os.environ)
    # rustup's proxies and cargo look for rustc next to cargo.
    env["PATH"] = os.pathsep.join(p for p in (os.path.dirname(cargo), env.get("PATH", "")) if p)
    if env.get("CU_EXPECT_LIBDIR"):
        # The tests check that the library comes from there (an installed
        # tree): let the RUNPATH from pkg-config's -L decide, not a build
        # tree's LD_LIBRARY_PATH (meson sets one for tests of its targets).
        env.pop("LD_LIBRARY_PATH", None)
    if not env.get("CARGO_TARGET_DIR"):
        print("note: CARGO_TARGET_DIR not set; cargo builds into " + os.path.join(HERE, "target"))

    cmd = [cargo, "test", "--offline", "--manifest-path", os.path.join(HERE, "Cargo.toml")]
    sanitize = env.get("CU_RUST_SANITIZE", "")
    if "address" in sanitize:
        preload = env.get("CU_RUST_PRELOAD", "")
        if not os.path.isabs(preload) or not os.path.isfile(preload):
            print("SKIP: the library is built with AddressSanitizer (b_sanitize=%s) and no ASan "
                  "runtime was found to preload into the Rust test programs (CU_RUST_PRELOAD=%r)"
                  % (sanitize, preload))
            return SKIP
        runner = json.dumps([sys.executable, os.path.abspath(__file__), "--exec"])
        cmd += ["--config", "target.'cfg(all())'.runner = " + runner]
        print("ASan: test programs run with LD_PRELOAD=" + preload, flush=True)
    cmd += argv

    print("+ " + " ".join(cmd), flush=True)
    try:
        return subprocess.run(cmd, env=env).returncode
    except OSError as e:
        print("cannot run %s: %s" % (cargo, e))
        return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
