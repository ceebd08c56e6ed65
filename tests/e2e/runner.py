"""Shared runner of the end-to-end suites: unittest's report, then one closing line
"N passed, M failed[, K skipped]" counting each test method once (subtests fold into it)."""
import os
import shutil
import sys
import unittest

# Where things are; meson sets the variables, the defaults suit a run from the source tree.
HERE = os.path.dirname(os.path.abspath(__file__))
SOURCE_ROOT = os.environ.get("CU_SOURCE_ROOT") or os.path.dirname(os.path.dirname(HERE))
TEST_DATA = os.environ.get("CU_TEST_DATA") or os.path.join(SOURCE_ROOT, "tests", "data")
SHARED = os.environ.get("CU_SHARED") or os.path.join(SOURCE_ROOT, "..", "shared")
CLI = os.environ.get("CLAUDE_USAGE") or os.path.join(SOURCE_ROOT, "build", "cli", "claude-usage")


def remove_tree(top):
    """Remove a test's temporary tree, after giving back the permissions a test took away."""
    for root, dirs, files in os.walk(top):
        for name in dirs + files:
            p = os.path.join(root, name)
            if not os.path.islink(p):
                try:
                    os.chmod(p, 0o755 if os.path.isdir(p) else 0o644)
                except OSError:
                    pass
    shutil.rmtree(top, ignore_errors=True)


class CountingResult(unittest.TextTestResult):
    """Remembers one outcome per test method (subtests fold into their test)."""

    def __init__(self, *a, **kw):
        super().__init__(*a, **kw)
        self.outcomes = {}

    @staticmethod
    def _key(test):
        return getattr(test, "test_case", test).id()

    def _set(self, test, outcome):
        k = self._key(test)
        if self.outcomes.get(k) != "fail":
            self.outcomes[k] = outcome

    def startTest(self, test):
        super().startTest(test)
        self.outcomes.setdefault(self._key(test), "pass")

    def addFailure(self, test, err):
        super().addFailure(test, err)
        self._set(test, "fail")

    def addError(self, test, err):
        super().addError(test, err)
        self._set(test, "fail")

    def addUnexpectedSuccess(self, test):
        super().addUnexpectedSuccess(test)
        self._set(test, "fail")

    def addSkip(self, test, reason):
        super().addSkip(test, reason)
        if self.outcomes.get(self._key(test)) in (None, "pass"):
            self._set(test, "skip")

    def addSubTest(self, test, subtest, err):
        super().addSubTest(test, subtest, err)
        if err is not None:
            self._set(test, "fail")


def run_tests():
    """Run the tests of __main__; return the process exit status."""
    runner = unittest.TextTestRunner(verbosity=2, resultclass=CountingResult)
    prog = unittest.main(module="__main__", testRunner=runner, exit=False)
    res = prog.result
    counts = {"pass": 0, "fail": 0, "skip": 0}
    for outcome in res.outcomes.values():
        counts[outcome] += 1
    line = "%d passed, %d failed" % (counts["pass"], counts["fail"])
    if counts["skip"]:
        line += ", %d skipped" % counts["skip"]
    sys.stderr.flush()
    print(line)
    sys.stdout.flush()
    return 0 if res.wasSuccessful() and counts["fail"] == 0 else 1

