#!/usr/bin/env python3
"""End-to-end tests of claude-usage's price tables: download, cache, fallbacks, `pricing`.

Run by meson as `python3 tests/e2e/test_pricing.py` with these environment variables:

  CLAUDE_USAGE    path of the claude-usage binary
  CU_SHARED       the shared directory; its data/claude_prices_measured.json (a LiteLLM-shaped
                  table of Claude models only) is served in the full-table test when present,
                  otherwise tests/data/pricing/fixture-prices.json is
  CU_TEST_DATA    the tests/data directory (tests/data/pricing/ holds the fixture table)
  CU_SOURCE_ROOT  the project's source root (lib/data/claude-prices.json, the embedded table, gives
                  the expected cost of the fallback runs)

Nothing here reaches the internet: every test that may go online serves its tables from a loopback
HTTP server it starts itself (http.server.ThreadingHTTPServer on 127.0.0.1, port 0) and points
CLAUDE_USAGE_PRICING_URL at it; as an extra guard every run has http_proxy/https_proxy/all_proxy
set to http://127.0.0.1:9 (nothing listens there) with no_proxy=127.0.0.1,localhost, so a stray
request to any other host fails at once.

Every run of the tool gets HOME and XDG_CACHE_HOME set to fresh directories, TZ=UTC, NO_COLOR=1,
and no CLAUDE_USAGE_* variable except those the test sets (CLAUDE_USAGE_OFFLINE only where offline
is the point). Temporary files live under one tempfile.mkdtemp() directory removed at the end.

Stdlib only. Prints unittest's usual report, then a line "N passed, M failed[, K skipped]", and
exits non-zero when anything failed.
"""
import email.utils
import gzip
import http.server
import json
import os
import re
import shutil
import socket
import ssl
import subprocess
import sys
import tempfile
import threading
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from runner import CLI, SHARED, SOURCE_ROOT, TEST_DATA, remove_tree, run_tests  # noqa: E402

FIXTURE = os.path.join(TEST_DATA, "pricing", "fixture-prices.json")
MEASURED = os.path.join(SHARED, "data", "claude_prices_measured.json")
EMBEDDED = os.path.join(SOURCE_ROOT, "lib", "data", "claude-prices.json")

TIMEOUT = 120
DAY = 86400
THRESHOLD = 200000
CACHE_NAME = re.compile(r"^prices-[0-9a-f]{16}\.json$")
DEAD_PROXY = "http://127.0.0.1:9"
# Generous for loopback; the slow-server tests set their own 1500 ms.
DEFAULT_HTTP_TIMEOUT_MS = "5000"
SONNET4 = "claude-sonnet-4-20250514"
OPUS41 = "claude-opus-4-1-20250805"

_tmp_root = None


# --------------------------------------------------------------------------- helpers


def setUpModule():
    global _tmp_root
    _tmp_root = tempfile.mkdtemp(prefix="cu-e2e-pricing-")


def tearDownModule():
    if _tmp_root:
        remove_tree(_tmp_root)


def new_dir(name="d"):
    """A fresh directory under the module's temporary root."""
    return tempfile.mkdtemp(prefix=name + "-", dir=_tmp_root)


def load_json(path):
    with open(path, "rb") as f:
        return json.loads(f.read())


def fixture_bytes():
    with open(FIXTURE, "rb") as f:
        return f.read()


def fixture_table():
    return json.loads(fixture_bytes())


def claude_keys(table):
    return {k for k in table if k.startswith("claude-")}


def close(a, b, rel=1e-9):
    """a and b equal within rel, relative to the larger (absolute below 1e-12)."""
    return abs(a - b) <= max(rel * max(abs(a), abs(b)), 1e-12)


def _kind(n, base, above):
    if n <= 0:
        return 0.0
    if above is None or n <= THRESHOLD:
        return n * base
    return THRESHOLD * base + (n - THRESHOLD) * above


def table_cost(entry, inp, out, cc, cr):
    """ccusage's rule: each kind's tokens above 200,000 at its *_above_200k_tokens price."""
    i = entry["input_cost_per_token"]
    return (_kind(inp, i, entry.get("input_cost_per_token_above_200k_tokens"))
            + _kind(out, entry["output_cost_per_token"], entry.get("output_cost_per_token_above_200k_tokens"))
            + _kind(cc, entry.get("cache_creation_input_token_cost", 1.25 * i),
                    entry.get("cache_creation_input_token_cost_above_200k_tokens"))
            + _kind(cr, entry.get("cache_read_input_token_cost", 0.1 * i),
                    entry.get("cache_read_input_token_cost_above_200k_tokens")))


# The standard data set of most tests: two lines on one day.
STD_LINES = [  # (model, input, output, cache write, cache read)
    (SONNET4, 1000, 2000, 3000, 4000),
    (OPUS41, 100, 200, 300, 400),
]
# Its cost under fixture-prices.json:
#   sonnet-4: 1000*1e-6 + 2000*2e-6 + 3000*3e-6   + 4000*4e-7 = 0.001 + 0.004 + 0.009   + 0.0016 = 0.0156
#   opus-4-1:  100*1e-5 +  200*5e-5 +  300*1.25e-5 + 400*1e-6  = 0.001 + 0.01  + 0.00375 + 0.0004 = 0.01515
FIXTURE_COST = 0.0156 + 0.01515  # = 0.03075


def std_cost(table):
    """Cost of STD_LINES under a LiteLLM-shaped table (ccusage's rule)."""
    return sum(table_cost(table[m], i, o, w, r) for m, i, o, w, r in STD_LINES)


def embedded_cost():
    """Cost of STD_LINES under the table compiled into the library."""
    return std_cost(load_json(EMBEDDED))


def assistant(ts, session, req, msg, inp, out, cc, cr, model=SONNET4, cwd="/home/u/p"):
    """One assistant line as Claude Code writes it (without the newline)."""
    return json.dumps({"type": "assistant", "timestamp": ts, "sessionId": session, "cwd": cwd,
                       "requestId": req,
                       "message": {"id": msg, "model": model,
                                   "usage": {"input_tokens": inp, "output_tokens": out,
                                             "cache_creation_input_tokens": cc,
                                             "cache_read_input_tokens": cr}}},
                      separators=(",", ":"))


def write_session(root, project, session, lines):
    d = os.path.join(root, "projects", project)
    os.makedirs(d, exist_ok=True)
    p = os.path.join(d, session + ".jsonl")
    with open(p, "w") as f:
        f.write("\n".join(lines) + "\n")
    return p


def std_data():
    """A data dir holding STD_LINES on 2025-05-01."""
    root = new_dir("data")
    write_session(root, "-home-u-p", "s1", [
        assistant("2025-05-01T10:00:%02d.000Z" % n, "s1", "req_%d" % n, "msg_%d" % n, i, o, w, r, model=m)
        for n, (m, i, o, w, r) in enumerate(STD_LINES)])
    return root


def free_port():
    """A loopback port nobody listens on (bound, then released)."""
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


# ---- the cache


def cache_dir(cache_home):
    return os.path.join(cache_home, "claude-usage")


def cache_files(cache_home):
    """Paths of the prices-<16 hex>.json files in the cache dir."""
    d = cache_dir(cache_home)
    if not os.path.isdir(d):
        return []
    return sorted(os.path.join(d, n) for n in os.listdir(d) if CACHE_NAME.match(n))


INDEX_NAME = re.compile(r"^index-[0-9a-f]{16}\.bin$")


def stray_files(cache_home):
    """Anything in the cache dir that is not a price cache or the history index (temp files)."""
    d = cache_dir(cache_home)
    if not os.path.isdir(d):
        return []
    return sorted(n for n in os.listdir(d)
                  if not CACHE_NAME.match(n) and not INDEX_NAME.match(n) and not n.endswith(".lock"))


def read_bytes(path):
    with open(path, "rb") as f:
        return f.read()


def parse_cache(data):
    """(metadata, table) of a cache file's bytes; raises ValueError when malformed."""
    text = data.decode("utf-8")
    lines = text.split("\n")
    if len(lines) < 2 or any(l.strip() for l in lines[2:]):
        raise ValueError("a cache file is two lines, got %d" % len(lines))
    meta, table = json.loads(lines[0]), json.loads(lines[1])
    if not isinstance(meta, dict) or not isinstance(table, dict):
        raise ValueError("both lines of a cache file are JSON objects")
    return meta, table


def set_fetched(path, fetched):
    """Rewrite the metadata line of a cache file with another fetched time; line 2 stays as is."""
    data = read_bytes(path)
    nl = data.index(b"\n")
    meta = json.loads(data[:nl])
    meta["fetched"] = fetched
    with open(path, "wb") as f:
        f.write(json.dumps(meta, separators=(",", ":")).encode() + data[nl:])


def make_stale(path):
    set_fetched(path, int(time.time()) - 2 * DAY)


# ---- the loopback server


class Loopback:
    """HTTP server on 127.0.0.1 in a thread. routes: path -> fn(handler, server) that answers.
    Every request is recorded as {"path", "headers" (lower-case names), "time"}."""

    def __init__(self, tls=None):
        """tls: (certfile, keyfile) to serve https instead of http."""
        self.scheme = "https" if tls else "http"
        self.routes = {}
        self.requests = []
        self.lock = threading.Lock()
        self.stop = threading.Event()
        self.closed = False
        srv = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self):
                srv._handle(self)

            def log_message(self, *args):
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        if tls:
            ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            ctx.load_cert_chain(*tls)
            self.httpd.socket = ctx.wrap_socket(self.httpd.socket, server_side=True)
        self.port = self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05},
                                       daemon=True)
        self.thread.start()

    def url(self, path):
        return "%s://127.0.0.1:%d%s" % (self.scheme, self.port, path)

    def _handle(self, h):
        path = h.path.split("?", 1)[0]
        with self.lock:
            self.requests.append({"path": path, "time": time.time(),
                                  "headers": {k.lower(): v for k, v in h.headers.items()}})
            route = self.routes.get(path)
        h.close_connection = True
        try:
            if route is None:
                send(h, 404, b"no such route\n", ctype="text/plain")
            else:
                route(h, self)
        except (BrokenPipeError, ConnectionResetError, ConnectionAbortedError, socket.timeout):
            pass  # the client gave up (size cap, timeout): expected in some tests

    def hits(self, path=None):
        with self.lock:
            return [r for r in self.requests if path is None or r["path"] == path]

    def close(self):
        if not self.closed:
            self.closed = True
            self.stop.set()
            self.httpd.shutdown()
            self.httpd.server_close()


def send_head(h, status, length=None, ctype="application/json", headers=()):
    """The status line and headers; Content-Length only when length is not None."""
    h.send_response(status)
    h.send_header("Content-Type", ctype)
    for k, v in headers:
        h.send_header(k, v)
    if length is not None:
        h.send_header("Content-Length", str(length))
    h.send_header("Connection", "close")
    h.end_headers()


def send(h, status, body, ctype="application/json", headers=(), length=True):
    send_head(h, status, len(body) if length else None, ctype, headers)
    h.wfile.write(body)
    h.wfile.flush()


def serve(body, etag=None, last_modified=None, delay=0.0, gzip_if_accepted=False):
    """200 with body; 304 when the request's validators match etag / last_modified."""
    def route(h, srv):
        if delay:
            srv.stop.wait(delay)
        hdrs = []
        if etag:
            hdrs.append(("ETag", etag))
        if last_modified:
            hdrs.append(("Last-Modified", last_modified))
        inm, ims = h.headers.get("If-None-Match"), h.headers.get("If-Modified-Since")
        if etag and inm is not None:
            if etag in [t.strip() for t in inm.split(",")]:
                return send(h, 304, b"", headers=hdrs, length=False)
        elif last_modified and ims is not None:
            try:
                if email.utils.parsedate_to_datetime(ims) >= email.utils.parsedate_to_datetime(last_modified):
                    return send(h, 304, b"", headers=hdrs, length=False)
            except (TypeError, ValueError):
                pass
        data = body
        if gzip_if_accepted and "gzip" in (h.headers.get("Accept-Encoding") or ""):
            data = gzip.compress(body)
            hdrs.append(("Content-Encoding", "gzip"))
        send(h, 200, data, headers=hdrs)
    return route


def status_route(code, body):
    return lambda h, srv: send(h, code, body)


def short_body_route(body):
    """Content-Length of the whole body, then half of it and the connection closes."""
    def route(h, srv):
        send_head(h, 200, len(body))
        h.wfile.write(body[: len(body) // 2])
        h.wfile.flush()
    return route


def oversized_route(body, pad, declare_length):
    """A valid table with pad bytes of spaces before its closing brace, streamed in 1 MiB chunks."""
    head, tail = body[: body.rindex(b"}")], b"}\n"
    chunk = b" " * (1 << 20)

    def route(h, srv):
        send_head(h, 200, len(head) + pad + len(tail) if declare_length else None)
        h.wfile.write(head)
        left = pad
        while left > 0 and not srv.stop.is_set():
            n = min(left, len(chunk))
            h.wfile.write(chunk[:n])
            left -= n
        h.wfile.write(tail)
        h.wfile.flush()
    return route


def slow_headers_route(seconds, body):
    def route(h, srv):
        if srv.stop.wait(seconds):
            return
        send(h, 200, body)
    return route


def drip_route(seconds, body):
    """Headers at once, then the body a few bytes at a time over `seconds`."""
    def route(h, srv):
        send_head(h, 200, len(body))
        h.wfile.flush()
        steps = 50
        step = max(1, len(body) // steps)
        for i in range(0, len(body), step):
            h.wfile.write(body[i:i + step])
            h.wfile.flush()
            if srv.stop.wait(seconds / steps):
                return
    return route


# ---- running the tool


class Run:
    def __init__(self, args, rc, out, err, seconds):
        self.args, self.rc, self.out, self.err, self.seconds = args, rc, out, err, seconds

    def __str__(self):
        return "claude-usage %s -> exit %d in %.2f s\n--- stdout:\n%s\n--- stderr:\n%s" % (
            " ".join(self.args), self.rc, self.seconds, self.out[:3000], self.err[:3000])

    def err_lines(self):
        return [l for l in self.err.splitlines() if l.strip()]


_DROP = ("CLAUDE_CONFIG_DIR", "CLAUDE_USAGE_NOW_MS", "FORCE_COLOR", "XDG_CACHE_HOME",
         "CLAUDE_USAGE_OFFLINE", "CLAUDE_USAGE_PRICING_URL", "CLAUDE_USAGE_HTTP_TIMEOUT_MS",
         "HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "NO_PROXY", "http_proxy", "https_proxy",
         "all_proxy", "no_proxy", "CURL_CA_BUNDLE", "SSL_CERT_FILE")


def tool_env(home, cache_home, env=None):
    """The standard environment; entries of env set to None are removed."""
    e = {k: v for k, v in os.environ.items() if k not in _DROP}
    e.update(HOME=home, XDG_CACHE_HOME=cache_home, TZ="UTC", NO_COLOR="1",
             CLAUDE_USAGE_HTTP_TIMEOUT_MS=DEFAULT_HTTP_TIMEOUT_MS,
             http_proxy=DEAD_PROXY, https_proxy=DEAD_PROXY, HTTPS_PROXY=DEAD_PROXY,
             all_proxy=DEAD_PROXY, ALL_PROXY=DEAD_PROXY,
             no_proxy="127.0.0.1,localhost", NO_PROXY="127.0.0.1,localhost")
    for k, v in (env or {}).items():
        if v is None:
            e.pop(k, None)
        else:
            e[k] = v
    return e


def run_cli(args, home, cache_home, env=None, preexec_fn=None):
    e = tool_env(home, cache_home, env)
    t0 = time.monotonic()
    p = subprocess.run([CLI] + list(args), env=e, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       timeout=TIMEOUT, preexec_fn=preexec_fn)
    return Run(list(args), p.returncode, p.stdout.decode("utf-8", "replace"),
               p.stderr.decode("utf-8", "replace"), time.monotonic() - t0)


def _as_nobody():
    os.setgroups([])
    os.setgid(65534)
    os.setuid(65534)


class PricingTestCase(unittest.TestCase):
    """Each test gets a loopback server, a HOME, an XDG_CACHE_HOME and the standard data dir."""
    maxDiff = 4000

    def setUp(self):
        self.srv = Loopback()
        self.addCleanup(self.srv.close)
        self.home = new_dir("home")
        self.cache = new_dir("xdg-cache")
        self.data = std_data()

    # ---- runs

    def run_tool(self, args, url=None, env=None, cache=None, home=None, preexec_fn=None):
        e = dict(env or {})
        if url is not None:
            e.setdefault("CLAUDE_USAGE_PRICING_URL", url)
        return run_cli(args, home or self.home, self.cache if cache is None else cache, e,
                       preexec_fn=preexec_fn)

    def daily(self, url=None, extra=(), **kw):
        """daily --json --all on the standard data; returns (Run, parsed JSON)."""
        r = self.run_tool(["daily", "--json", "--all", "--data-dir", self.data] + list(extra), url=url, **kw)
        self.assertEqual(r.rc, 0, "expected exit 0\n%s" % r)
        try:
            return r, json.loads(r.out)
        except ValueError as e:
            self.fail("stdout is not JSON (%s)\n%s" % (e, r))

    def pricing_json(self, url=None, extra=(), **kw):
        r = self.run_tool(["pricing", "--json"] + list(extra), url=url, **kw)
        self.assertEqual(r.rc, 0, "expected exit 0\n%s" % r)
        try:
            return r, json.loads(r.out)
        except ValueError as e:
            self.fail("stdout is not JSON (%s)\n%s" % (e, r))

    # ---- checks

    def assertCost(self, got, want, what, r=None):
        cost = got["totals"]["totalCost"]
        self.assertTrue(close(cost, want), "%s: totalCost %r, want %r\n%s" % (what, cost, want, r or ""))

    def assertSource(self, got, source, what, r=None):
        self.assertIsInstance(got.get("pricing"), dict, "%s: report has a \"pricing\" object\n%s" % (what, r or ""))
        self.assertEqual(got["pricing"].get("source"), source, "%s: pricing.source\n%s" % (what, r or ""))

    def assertQuiet(self, r, what):
        self.assertEqual(r.err, "", "%s: nothing on stderr\n%s" % (what, r))

    def assertOnePriceWarning(self, r, table, what):
        """Exactly one stderr line; it is about prices and names the table used (cached/embedded)."""
        lines = r.err_lines()
        self.assertEqual(len(lines), 1, "%s: exactly one line on stderr\n%s" % (what, r))
        self.assertIn("price", lines[0].lower(), "%s: the stderr line is about prices\n%s" % (what, r))
        self.assertIn(table, lines[0].lower(), "%s: the stderr line says the %s table is used\n%s"
                      % (what, table, r))

    def only_cache_file(self, cache=None):
        files = cache_files(cache or self.cache)
        self.assertEqual(len(files), 1, "exactly one cache file in %s: %s"
                         % (cache_dir(cache or self.cache), os.listdir(cache_dir(cache or self.cache))
                            if os.path.isdir(cache_dir(cache or self.cache)) else "no dir"))
        self.assertEqual(stray_files(cache or self.cache), [], "no temp files left in the cache dir")
        return files[0]

    def assertNoCache(self, cache, what):
        self.assertEqual(cache_files(cache), [], "%s: no cache file" % what)
        self.assertEqual(stray_files(cache), [], "%s: no temp files left in the cache dir" % what)

    def assertCacheHolds(self, path, url, served, etag=None, t0=None, t1=None):
        """Line 1 metadata, line 2 the Claude entries of served (same prices), nothing else."""
        try:
            meta, table = parse_cache(read_bytes(path))
        except ValueError as e:
            self.fail("cache file %s is malformed: %s\n%r" % (path, e, read_bytes(path)[:500]))
        self.assertEqual(meta.get("format"), "claude-usage-prices", "metadata format")
        self.assertEqual(meta.get("version"), 1, "metadata version")
        self.assertEqual(meta.get("url"), url, "metadata url")
        self.assertIsInstance(meta.get("fetched"), int, "metadata fetched is unix seconds")
        if t0 is not None:
            self.assertTrue(t0 - 2 <= meta["fetched"] <= t1 + 2,
                            "fetched %r is the time of the download (%d..%d)" % (meta["fetched"], t0, t1))
        if etag is not None:
            self.assertEqual(meta.get("etag"), etag, "metadata etag is the server's ETag")
        self.assertIn("lastModified", meta, "metadata has lastModified")
        for k in claude_keys(served):
            self.assertIn(k, table, "cached table keeps the Claude model " + k)
            for field in ("input_cost_per_token", "output_cost_per_token", "cache_creation_input_token_cost",
                          "cache_read_input_token_cost", "input_cost_per_token_above_200k_tokens",
                          "output_cost_per_token_above_200k_tokens"):
                if field in served[k]:
                    self.assertTrue(close(table[k].get(field, -1), served[k][field]),
                                    "cached %s.%s: %r, served %r" % (k, field, table[k].get(field), served[k][field]))
        for k in served:
            if not k.startswith("claude") and k != "sample_spec":
                self.assertNotIn(k, table, "the cached table holds Claude models only, not " + k)
        return meta, table


def full_table():
    """(name, bytes) of the table served in the full-table test."""
    if os.path.isfile(MEASURED):
        return "claude_prices_measured.json", read_bytes(MEASURED)
    return "fixture-prices.json", fixture_bytes()


# --------------------------------------------------------------------------- 1. download and cache


class ReferenceCostTest(PricingTestCase):
    """The reference data set costs what ccusage 20.0.24 says, offline and with the table from loopback."""

    def setUp(self):
        super().setUp()
        ref = os.path.join(SHARED, "reference", "ccusage-20.0.24")
        if not os.path.isfile(os.path.join(ref, "claude-home.tar.gz")) or not os.path.isfile(MEASURED):
            self.skipTest("no reference data set under %s" % SHARED)
        self.expected = json.load(open(os.path.join(ref, "daily.json")))
        self.home_dir = new_dir("ref")
        subprocess.run(["tar", "-xzf", os.path.join(ref, "claude-home.tar.gz"), "-C", self.home_dir], check=True)

    def check(self, r, got, what):
        self.assertEqual(r.rc, 0, "%s\n%s" % (what, r))
        want = {d["date"]: d["totalCost"] for d in self.expected["daily"]}
        have = {d["date"]: d["totalCost"] for d in got["daily"]}
        self.assertEqual(sorted(have), sorted(want), what)
        for day, cost in want.items():
            self.assertTrue(abs(have[day] - cost) <= 1e-6 * max(1.0, abs(cost)),
                            "%s: %s costs %r, ccusage %r" % (what, day, have[day], cost))

    def run_ref(self, extra, url=None):
        args = ["daily", "--json", "--all", "--exclude-vms", "--timezone", "UTC",
                "--data-dir", os.path.join(self.home_dir, "claude-home")] + extra
        r = self.run_tool(args, url=url)
        return r, json.loads(r.out) if r.rc == 0 else None

    def test_offline(self):
        r, got = self.run_ref(["--offline"], url=self.srv.url("/unused.json"))
        self.check(r, got, "offline (embedded table)")
        self.assertSource(got, "embedded", "offline", r)
        self.assertEqual(self.srv.hits(), [], "offline makes no request")

    def test_served_from_loopback(self):
        with open(MEASURED, "rb") as f:
            self.srv.routes["/measured.json"] = serve(f.read(), etag='"m1"')
        r, got = self.run_ref([], url=self.srv.url("/measured.json"))
        self.check(r, got, "table served from loopback")
        self.assertSource(got, "download", "loopback", r)


class DownloadTest(PricingTestCase):
    def test_full_table_then_cache(self):
        name, body = full_table()
        served = json.loads(body)
        etag = '"full-1"'
        self.srv.routes["/full.json"] = serve(body, etag=etag)
        url = self.srv.url("/full.json")

        t0 = int(time.time())
        r, got = self.daily(url)
        t1 = int(time.time()) + 1
        self.assertEqual(len(self.srv.hits()), 1, "one request (%s)" % name)
        self.assertCost(got, std_cost(served), "cost under the downloaded %s" % name, r)
        self.assertSource(got, "download", "first run", r)
        self.assertQuiet(r, "a successful download")
        path = self.only_cache_file()
        self.assertCacheHolds(path, url, served, etag=etag, t0=t0, t1=t1)
        before = read_bytes(path)

        # within 24 h: the cache, no request at all
        r, got = self.daily(url)
        self.assertEqual(len(self.srv.hits()), 1, "no request with a fresh cache")
        self.assertCost(got, std_cost(served), "cost from the cache", r)
        self.assertSource(got, "cache", "second run", r)
        self.assertQuiet(r, "a run from the cache")
        r, p = self.pricing_json(url)
        self.assertEqual(p.get("source"), "cache", "pricing --json source\n%s" % r)
        self.assertEqual(sorted(m["model"] for m in p["models"]), sorted(claude_keys(served)),
                         "pricing --json lists the cached table's models\n%s" % r)
        self.assertIn("location", p)
        self.assertIsInstance(p.get("fetched"), (int, float), "fetched of a cached table\n%s" % r)
        self.assertTrue(t0 - 2 <= p["fetched"] <= t1 + 2, "fetched %r is the download's unix time" % p["fetched"])
        r = self.run_tool(["pricing"], url=url)
        self.assertEqual(r.rc, 0, str(r))
        self.assertRegex(r.out, r"\bcache\b", "pricing says cache\n%s" % r)
        for k in claude_keys(served):
            self.assertIn(k, r.out, "pricing lists " + k)
        self.assertEqual(len(self.srv.hits()), 1, "pricing made no request either")
        self.assertEqual(read_bytes(path), before, "a fresh cache is left alone")

    def test_pricing_says_download(self):
        body = fixture_bytes()
        self.srv.routes["/t.json"] = serve(body)
        url = self.srv.url("/t.json")
        r, p = self.pricing_json(url)
        self.assertEqual(p.get("source"), "download", "pricing --json right after a download\n%s" % r)
        self.assertEqual(len(self.srv.hits()), 1)
        self.assertEqual(sorted(m["model"] for m in p["models"]), sorted(claude_keys(fixture_table())),
                         "the downloaded table's Claude models\n%s" % r)
        by = {m["model"]: m for m in p["models"]}
        s = by[SONNET4]
        # fixture, per million: 1e-6 -> 1, 2e-6 -> 2, 3e-6 -> 3, 5e-6 -> 5 (1 h), 4e-7 -> 0.4; above 200k 2
        for field, want in (("input", 1.0), ("output", 2.0), ("cacheWrite", 3.0), ("cacheWrite1h", 5.0),
                            ("cacheRead", 0.4), ("inputAbove200k", 2.0)):
            self.assertTrue(isinstance(s.get(field), (int, float)) and close(s[field], want, 1e-9),
                            "%s.%s = %r, want %r" % (SONNET4, field, s.get(field), want))
        self.assertIn("inputAbove200k", by[OPUS41])
        self.assertIsNone(by[OPUS41]["inputAbove200k"], "no long-context tier -> null")
        self.assertTrue(close(by[OPUS41]["input"], 10.0) and close(by[OPUS41]["cacheRead"], 1.0),
                        "opus-4-1 per million: %r" % by[OPUS41])

        # the text form, from a fresh cache dir so that it is a download again
        r = self.run_tool(["pricing"], url=url, cache=new_dir("xdg-cache"))
        self.assertEqual(r.rc, 0, str(r))
        self.assertRegex(r.out, r"\bdownload\b", "pricing says download\n%s" % r)
        rows = [l for l in r.out.splitlines() if SONNET4 in l]
        self.assertEqual(len(rows), 1, "one row for %s\n%s" % (SONNET4, r))
        nums = [float(x) for x in re.findall(r"\d+(?:\.\d+)?", rows[0].replace(SONNET4, " "))]
        want, it = [1.0, 2.0, 3.0, 0.4], iter(nums)
        self.assertTrue(all(any(close(w, n) for n in it) for w in want),
                        "the %s row shows input 1, output 2, cache write 3, cache read 0.4 per million "
                        "in that order: %r" % (SONNET4, rows[0]))

    def test_one_cache_file_per_url(self):
        body = fixture_bytes()
        self.srv.routes["/a.json"] = serve(body)
        self.srv.routes["/b.json"] = serve(body)
        self.daily(self.srv.url("/a.json"))
        self.daily(self.srv.url("/b.json"))
        files = cache_files(self.cache)
        self.assertEqual(len(files), 2, "one cache file per URL: %s" % files)
        urls = sorted(parse_cache(read_bytes(p))[0]["url"] for p in files)
        self.assertEqual(urls, [self.srv.url("/a.json"), self.srv.url("/b.json")])
        # each URL finds its own fresh cache again
        self.daily(self.srv.url("/a.json"))
        self.daily(self.srv.url("/b.json"))
        self.assertEqual(len(self.srv.hits()), 2, "no further request")

    def test_default_cache_dir_is_home_cache(self):
        self.srv.routes["/t.json"] = serve(fixture_bytes())
        r, got = self.daily(self.srv.url("/t.json"), env={"XDG_CACHE_HOME": None})
        self.assertCost(got, FIXTURE_COST, "downloaded fixture", r)
        files = cache_files(os.path.join(self.home, ".cache"))
        self.assertEqual(len(files), 1, "without XDG_CACHE_HOME the cache is ~/.cache/claude-usage/")
        self.assertNoCache(self.cache, "XDG_CACHE_HOME unset: its directory is not used")

    def test_pricing_url_flag(self):
        self.srv.routes["/flag.json"] = serve(fixture_bytes())
        dead = "http://127.0.0.1:%d/never.json" % free_port()
        r, got = self.daily(env={"CLAUDE_USAGE_PRICING_URL": dead},
                            extra=["--pricing-url", self.srv.url("/flag.json")])
        self.assertCost(got, FIXTURE_COST, "--pricing-url (wins over the environment)", r)
        self.assertSource(got, "download", "--pricing-url", r)
        self.assertQuiet(r, "--pricing-url")
        self.assertEqual(len(self.srv.hits("/flag.json")), 1)

    def test_user_agent(self):
        self.srv.routes["/t.json"] = serve(fixture_bytes())
        self.daily(self.srv.url("/t.json"))
        ua = self.srv.hits("/t.json")[0]["headers"].get("user-agent", "")
        self.assertTrue(ua.startswith("claude-usage/"), "User-Agent %r starts with claude-usage/" % ua)

    def test_gzip(self):
        body = fixture_bytes()
        self.srv.routes["/gz.json"] = serve(body, etag='"gz-1"', gzip_if_accepted=True)
        url = self.srv.url("/gz.json")
        r, got = self.daily(url)
        ae = self.srv.hits("/gz.json")[0]["headers"].get("accept-encoding", "")
        self.assertIn("gzip", ae.lower(), "Accept-Encoding %r includes gzip" % ae)
        self.assertCost(got, FIXTURE_COST, "a gzip-compressed table", r)
        self.assertSource(got, "download", "gzip", r)
        self.assertQuiet(r, "gzip")
        self.assertCacheHolds(self.only_cache_file(), url, fixture_table(), etag='"gz-1"')


# --------------------------------------------------------------------------- 2. conditional GET


class ConditionalTest(PricingTestCase):
    def test_stale_cache_etag_304(self):
        etag = '"v1-abc"'
        self.srv.routes["/t.json"] = serve(fixture_bytes(), etag=etag)
        url = self.srv.url("/t.json")
        self.daily(url)
        path = self.only_cache_file()
        make_stale(path)
        line2 = read_bytes(path).split(b"\n", 1)[1]

        t0 = int(time.time())
        r, got = self.daily(url)
        t1 = int(time.time()) + 1
        hits = self.srv.hits("/t.json")
        self.assertEqual(len(hits), 2, "a stale cache is revalidated")
        self.assertEqual(hits[1]["headers"].get("if-none-match"), etag, "If-None-Match carries the ETag")
        self.assertCost(got, FIXTURE_COST, "after a 304", r)
        self.assertQuiet(r, "a 304")
        self.assertEqual(self.only_cache_file(), path)
        meta, _ = self.assertCacheHolds(path, url, fixture_table(), etag=etag)
        self.assertTrue(t0 - 2 <= meta["fetched"] <= t1 + 2, "a 304 refreshes fetched: %r" % meta["fetched"])
        self.assertEqual(read_bytes(path).split(b"\n", 1)[1], line2, "a 304 keeps the cached table")

        # fresh again: no request
        r, got = self.daily(url)
        self.assertEqual(len(self.srv.hits("/t.json")), 2, "no request after the refresh")
        self.assertSource(got, "cache", "after the refresh", r)

    def test_stale_cache_last_modified_304(self):
        lm = "Wed, 21 Oct 2015 07:28:00 GMT"
        self.srv.routes["/t.json"] = serve(fixture_bytes(), last_modified=lm)
        url = self.srv.url("/t.json")
        self.daily(url)
        path = self.only_cache_file()
        meta, _ = parse_cache(read_bytes(path))
        self.assertFalse(meta.get("etag"), "no ETag was served: %r" % meta.get("etag"))
        make_stale(path)

        r, got = self.daily(url)
        hits = self.srv.hits("/t.json")
        self.assertEqual(len(hits), 2, "a stale cache is revalidated")
        h = hits[1]["headers"]
        self.assertNotIn("if-none-match", h, "no If-None-Match without an ETag")
        self.assertIn("if-modified-since", h, "If-Modified-Since when the server gave Last-Modified")
        ims = email.utils.parsedate_to_datetime(h["if-modified-since"])
        self.assertGreaterEqual(ims, email.utils.parsedate_to_datetime(lm), "If-Modified-Since %r" % h["if-modified-since"])
        self.assertCost(got, FIXTURE_COST, "after a 304", r)
        self.assertQuiet(r, "a 304")
        meta, _ = parse_cache(read_bytes(self.only_cache_file()))
        self.assertGreater(meta["fetched"], time.time() - 120, "a 304 refreshes fetched")

    def test_stale_cache_new_table(self):
        """The server's table changed: a 200 replaces the cache, new prices apply."""
        self.srv.routes["/t.json"] = serve(fixture_bytes(), etag='"v1"')
        url = self.srv.url("/t.json")
        self.daily(url)
        path = self.only_cache_file()
        make_stale(path)
        doubled = fixture_table()
        for k in claude_keys(doubled):
            for f, v in list(doubled[k].items()):
                if f.endswith("_cost") or "cost_per_token" in f or "token_cost" in f:
                    doubled[k][f] = v * 2
        self.srv.routes["/t.json"] = serve(json.dumps(doubled).encode(), etag='"v2"')
        r, got = self.daily(url)
        self.assertEqual(self.srv.hits("/t.json")[1]["headers"].get("if-none-match"), '"v1"')
        self.assertCost(got, 2 * FIXTURE_COST, "the new table (all prices doubled)", r)
        self.assertSource(got, "download", "a replaced cache", r)
        self.assertQuiet(r, "a replaced cache")
        self.assertCacheHolds(self.only_cache_file(), url, doubled, etag='"v2"')

    def test_corrupt_cache_is_not_used(self):
        """A damaged cache file is no table, even with a fresh fetched time: download again."""
        self.srv.routes["/t.json"] = serve(fixture_bytes(), etag='"k"')
        url = self.srv.url("/t.json")
        self.daily(url)
        path = self.only_cache_file()
        good = read_bytes(path)
        meta_line, table_line = good.split(b"\n")[:2]
        meta = json.loads(meta_line)

        def with_meta(**kw):
            m = dict(meta, **kw)
            return json.dumps(m, separators=(",", ":")).encode() + b"\n" + table_line + b"\n"
        corrupt = {
            "garbage": b"\x00\xff\xfe garbage\n",
            "empty": b"",
            "metadata only": meta_line + b"\n",
            "table line truncated": meta_line + b"\n" + table_line[: len(table_line) // 2],
            "table line not an object": meta_line + b"\n[1,2,3]\n",
            "table without Claude models": meta_line + b"\n" + json.dumps(
                {"gpt-4o": fixture_table()["gpt-4o"]}).encode() + b"\n",
            "another format": with_meta(format="something-else"),
            "a future version": with_meta(version=2),
        }
        for name, content in corrupt.items():
            with self.subTest(cache=name):
                with open(path, "wb") as f:
                    f.write(content)
                n = len(self.srv.hits())
                r, got = self.daily(url, extra=["--offline"])
                self.assertCost(got, embedded_cost(), "offline, damaged cache: the embedded table", r)
                self.assertSource(got, "embedded", "offline, damaged cache", r)
                self.assertEqual(len(self.srv.hits()), n, "offline: no request")
                r, got = self.daily(url)
                self.assertEqual(len(self.srv.hits()), n + 1, "a damaged cache is downloaded again")
                self.assertNotIn("if-none-match", self.srv.hits()[-1]["headers"],
                                 "no conditional request for a damaged cache (a 304 could not be used)")
                self.assertCost(got, FIXTURE_COST, "damaged cache replaced by the download", r)
                self.assertSource(got, "download", "damaged cache", r)
                self.assertCacheHolds(self.only_cache_file(), url, fixture_table(), etag='"k"')


# --------------------------------------------------------------------------- 3. failed downloads


class FailureTest(PricingTestCase):
    """Each failure: (a) with no cache -> embedded table, no cache file written; (b) with a stale
    cache of the fixture for the same URL -> the cached table, cache file byte-identical. Both: exit
    0, valid JSON, exactly one stderr line about prices."""

    def check_failure(self, route=None, env=None, max_seconds=None, stop_server=False, reason=None):
        path = "/t.json"
        url = self.srv.url(path)
        # (b) first: needs the good table downloaded once from this very URL
        self.srv.routes[path] = serve(fixture_bytes(), etag='"good"')
        cache_b = new_dir("xdg-cache-b")
        self.daily(url, cache=cache_b)
        cached = self.only_cache_file(cache_b)
        make_stale(cached)
        before = read_bytes(cached)
        if stop_server:
            self.srv.close()
        else:
            self.srv.routes[path] = route
        n = len(self.srv.hits(path))

        r, got = self.daily(url, cache=cache_b, env=env)
        if not stop_server:
            self.assertEqual(len(self.srv.hits(path)), n + 1, "(b) the stale cache made a request")
        self.assertCost(got, FIXTURE_COST, "(b) stale cache + failed download: the cached table", r)
        self.assertSource(got, "cache", "(b)", r)
        self.assertOnePriceWarning(r, "cached", "(b)")
        if reason:
            self.assertIn(reason, r.err, "(b) the warning gives the reason\n%s" % r)
        if max_seconds:
            self.assertLess(r.seconds, max_seconds, "(b) the download gives up in time\n%s" % r)
        self.assertEqual(cache_files(cache_b), [cached], "(b) the same one cache file")
        self.assertEqual(read_bytes(cached), before, "(b) the old cache file is byte-identical")
        self.assertEqual(stray_files(cache_b), [], "(b) no temp files left")

        # (a) no cache at all
        r, got = self.daily(url, env=env)
        self.assertCost(got, embedded_cost(), "(a) failed download, no cache: the embedded table", r)
        self.assertSource(got, "embedded", "(a)", r)
        self.assertOnePriceWarning(r, "embedded", "(a)")
        if reason:
            self.assertIn(reason, r.err, "(a) the warning gives the reason\n%s" % r)
        if max_seconds:
            self.assertLess(r.seconds, max_seconds, "(a) the download gives up in time\n%s" % r)
        self.assertNoCache(self.cache, "(a) nothing cached from a failed download")

        # pricing says so too
        r, p = self.pricing_json(url, env=env)
        self.assertEqual(p.get("source"), "embedded", "pricing --json after a failed download\n%s" % r)
        self.assertIsNone(p.get("fetched", 0), "the embedded table was never fetched\n%s" % r)

    def test_connection_refused(self):
        self.check_failure(stop_server=True)

    def test_truncated_json(self):
        body = fixture_bytes()
        self.check_failure(status_route(200, body[: len(body) // 2]))

    def test_short_body(self):
        """Content-Length of the whole table, half of it sent, connection closed."""
        self.check_failure(short_body_route(fixture_bytes()))

    def test_empty_body(self):
        self.check_failure(status_route(200, b""))

    def test_garbage(self):
        self.check_failure(status_route(200, b"\x00\xff\xfe<html>this is not { json \x01\x02\n" * 50))

    def test_http_404(self):
        # a good table as the body: the status alone must reject it
        self.check_failure(status_route(404, fixture_bytes()))

    def test_http_500(self):
        self.check_failure(status_route(500, fixture_bytes()))

    def test_json_array(self):
        self.check_failure(status_route(200, json.dumps([fixture_table()]).encode()))

    def test_no_claude_models(self):
        t = {k: v for k, v in fixture_table().items() if not k.startswith("claude")}
        self.assertTrue(t and not claude_keys(t))
        self.check_failure(status_route(200, json.dumps(t).encode()))

    def test_bad_gzip(self):
        def route(h, srv):
            send(h, 200, b"\x1f\x8b\x08\x00garbage-not-deflate" * 10, headers=[("Content-Encoding", "gzip")])
        self.check_failure(route)

    def test_oversized_streamed(self):
        """A valid table padded past 32 MiB with spaces, no Content-Length: only its size is wrong."""
        self.check_failure(oversized_route(fixture_bytes(), 33 << 20, declare_length=False),
                           env={"CLAUDE_USAGE_HTTP_TIMEOUT_MS": "20000"})

    def test_oversized_declared(self):
        self.check_failure(oversized_route(fixture_bytes(), 33 << 20, declare_length=True),
                           env={"CLAUDE_USAGE_HTTP_TIMEOUT_MS": "20000"})

    # ---- hostile tables: refused whole, the run goes on with the previous table

    def hostile(self, mutate):
        """The fixture table with mutate(table) applied, as JSON bytes."""
        t = fixture_table()
        mutate(t)
        return json.dumps(t).encode()

    def test_negative_price(self):
        body = self.hostile(lambda t: t[SONNET4].update(input_cost_per_token=-3e-06))
        self.check_failure(status_route(200, body),
                           reason="model %s has an invalid input_cost_per_token" % SONNET4)

    def test_absurd_price(self):
        body = self.hostile(lambda t: t[OPUS41].update(cache_read_input_token_cost=5.0))
        self.check_failure(status_route(200, body),
                           reason="model %s has an invalid cache_read_input_token_cost" % OPUS41)

    def test_absurd_fast_multiplier(self):
        body = self.hostile(lambda t: t[OPUS41].update(provider_specific_entry={"fast": 1e6}))
        self.check_failure(status_route(200, body), reason="has an invalid fast multiplier")

    def test_nan_price(self):
        """NaN and Infinity are not JSON: the table does not parse."""
        for word in (b"NaN", b"Infinity", b"-Infinity"):
            with self.subTest(word=word):
                body = self.hostile(lambda t: t[SONNET4].update(input_cost_per_token="@@"))
                self.check_failure(status_route(200, body.replace(b'"@@"', word)), reason="not JSON")

    def test_overflowing_price(self):
        body = self.hostile(lambda t: t[SONNET4].update(input_cost_per_token="@@"))
        self.check_failure(status_route(200, body.replace(b'"@@"', b"1e999")), reason="not JSON")

    def test_deep_nesting(self):
        """100,000 nested arrays in a model entry: jansson's depth limit refuses it, no crash."""
        body = self.hostile(lambda t: t[SONNET4].update(extra="@@"))
        deep = b"[" * 100000 + b"]" * 100000
        self.check_failure(status_route(200, body.replace(b'"@@"', deep)), reason="not JSON")

    def test_million_models(self):
        """The fixture's models plus 1,000,000 others (12 MB, under the size cap): refused whole."""
        body = fixture_bytes().rstrip()
        assert body.endswith(b"}")
        filler = b"".join(b',"m%d":0' % i for i in range(1000000))
        self.check_failure(status_route(200, body[:-1] + filler + b"}"),
                           env={"CLAUDE_USAGE_HTTP_TIMEOUT_MS": "20000"}, reason="entries (at most 100000")

    def test_unasked_304(self):
        """A 304 to a request that had no validators (no cache): nothing to keep, embedded table."""
        self.srv.routes["/t.json"] = lambda h, srv: send(h, 304, b"", length=False)
        r, got = self.daily(self.srv.url("/t.json"))
        self.assertCost(got, embedded_cost(), "304 with no cache", r)
        self.assertSource(got, "embedded", "304 with no cache", r)
        self.assertOnePriceWarning(r, "embedded", "304 with no cache")
        self.assertNoCache(self.cache, "304 with no cache")

    def test_slow_server(self):
        """No answer for 5 s; CLAUDE_USAGE_HTTP_TIMEOUT_MS=1500 -> the run takes under 4 s."""
        self.check_failure(slow_headers_route(5, fixture_bytes()),
                           env={"CLAUDE_USAGE_HTTP_TIMEOUT_MS": "1500"}, max_seconds=4)

    def test_slow_body(self):
        """Headers at once, the body trickling over 6 s: the timeout covers the whole transfer."""
        self.check_failure(drip_route(6, fixture_bytes()),
                           env={"CLAUDE_USAGE_HTTP_TIMEOUT_MS": "1500"}, max_seconds=4)


# --------------------------------------------------------------------------- 5. local tables


class TlsTest(PricingTestCase):
    """An https table from a server whose certificate nobody trusts (self-signed on loopback) is
    refused, however the environment asks for verification to be skipped."""

    INSECURE_ENV = {"CURL_INSECURE": "1", "CURLOPT_SSL_VERIFYPEER": "0", "CURLOPT_SSL_VERIFYHOST": "0",
                    "CURL_SSL_NO_VERIFY": "1", "SSL_NO_VERIFY": "1", "GIT_SSL_NO_VERIFY": "1",
                    "NODE_TLS_REJECT_UNAUTHORIZED": "0", "PYTHONHTTPSVERIFY": "0",
                    "CLAUDE_USAGE_INSECURE": "1", "CLAUDE_USAGE_TLS_VERIFY": "0"}

    def setUp(self):
        super().setUp()
        if not shutil.which("openssl"):
            self.skipTest("no openssl command to make a certificate")
        d = new_dir("tls")
        self.cert, key = os.path.join(d, "cert.pem"), os.path.join(d, "key.pem")
        p = subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
                            "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
                            "-keyout", key, "-out", self.cert],
                           stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, timeout=60)
        if p.returncode != 0:
            self.skipTest("openssl could not make a certificate: %s" % p.stderr.decode()[-300:])
        self.tls = Loopback(tls=(self.cert, key))
        self.addCleanup(self.tls.close)
        self.tls.routes["/t.json"] = serve(fixture_bytes())

    def test_server_works_for_a_client_that_trusts_it(self):
        """The control: the server does serve the table over TLS to a client given its cert."""
        import urllib.request
        ctx = ssl.create_default_context(cafile=self.cert)
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}),
                                             urllib.request.HTTPSHandler(context=ctx))
        with opener.open(self.tls.url("/t.json"), timeout=30) as f:
            self.assertEqual(json.loads(f.read()), fixture_table())

    def test_untrusted_certificate_is_refused(self):
        url = self.tls.url("/t.json")
        for env in ({}, self.INSECURE_ENV):
            with self.subTest(insecure_env=bool(env)):
                r, got = self.daily(url, env=env)
                self.assertSource(got, "embedded", "untrusted certificate", r)
                self.assertCost(got, embedded_cost(), "untrusted certificate: the embedded table", r)
                self.assertOnePriceWarning(r, "embedded", "untrusted certificate")
                self.assertIn("certificate", r.err.lower(), "the warning says why\n%s" % r)
                self.assertNoCache(self.cache, "nothing cached from an untrusted server")


class LocalTableTest(PricingTestCase):
    def test_file_url(self):
        url = "file://" + os.path.abspath(FIXTURE)
        r, got = self.daily(url)
        self.assertCost(got, FIXTURE_COST, "a file:// URL", r)
        self.assertQuiet(r, "file:// URL")
        self.assertNotEqual(got.get("pricing", {}).get("source"), "embedded", "file:// table in use\n%s" % r)
        self.assertEqual(self.srv.hits(), [])

    def test_pricing_file(self):
        url = self.srv.url("/t.json")
        self.srv.routes["/t.json"] = serve(fixture_bytes())
        r, got = self.daily(url, extra=["--pricing-file", FIXTURE])
        self.assertCost(got, FIXTURE_COST, "--pricing-file", r)
        self.assertSource(got, "file", "--pricing-file", r)
        self.assertQuiet(r, "--pricing-file")
        r, p = self.pricing_json(url, extra=["--pricing-file", FIXTURE])
        self.assertEqual(p.get("source"), "file", str(r))
        self.assertEqual(sorted(m["model"] for m in p["models"]), sorted(claude_keys(fixture_table())))
        r = self.run_tool(["pricing", "--pricing-file", FIXTURE], url=url)
        self.assertEqual(r.rc, 0, str(r))
        self.assertRegex(r.out, r"\bfile\b", "pricing says file\n%s" % r)
        self.assertEqual(self.srv.hits(), [], "--pricing-file never goes online")
        self.assertNoCache(self.cache, "--pricing-file never writes the cache")

    def test_pricing_file_ignores_cache(self):
        """A fresh cache of another table does not win over --pricing-file."""
        other = fixture_table()
        other[SONNET4]["input_cost_per_token"] = 9e-6
        self.srv.routes["/other.json"] = serve(json.dumps(other).encode())
        url = self.srv.url("/other.json")
        self.daily(url)
        before = read_bytes(self.only_cache_file())
        r, got = self.daily(url, extra=["--pricing-file", FIXTURE])
        self.assertCost(got, FIXTURE_COST, "--pricing-file over a fresh cache", r)
        self.assertEqual(read_bytes(self.only_cache_file()), before)

    def test_pricing_file_missing(self):
        missing = os.path.join(new_dir("nofile"), "nonexistent.json")
        for args in (["daily", "--json", "--all", "--data-dir", self.data, "--pricing-file", missing],
                     ["pricing", "--pricing-file", missing]):
            r = self.run_tool(args, url=self.srv.url("/t.json"))
            self.assertEqual(r.rc, 1, "a missing --pricing-file is an error\n%s" % r)
            self.assertTrue(r.err.strip(), "with a message\n%s" % r)
            self.assertIn("nonexistent.json", r.err, "the message names the file\n%s" % r)
        r = self.run_tool(["daily", "--json", "--all", "--data-dir", self.data, "--pricing-file", "/nonexistent"],
                          url=self.srv.url("/t.json"))
        self.assertEqual(r.rc, 1, str(r))
        self.assertEqual(self.srv.hits(), [], "no download instead")

    def test_pricing_file_invalid(self):
        d = new_dir("badfile")
        bad = {"garbage.json": b"\x00\xffnot json",
               "truncated.json": fixture_bytes()[:500],
               "array.json": b"[1, 2, 3]",
               "no-claude.json": json.dumps({"gpt-4o": fixture_table()["gpt-4o"]}).encode()}
        for name, content in bad.items():
            p = os.path.join(d, name)
            with open(p, "wb") as f:
                f.write(content)
            with self.subTest(file=name):
                r = self.run_tool(["daily", "--json", "--all", "--data-dir", self.data, "--pricing-file", p])
                self.assertEqual(r.rc, 1, "an invalid --pricing-file is an error\n%s" % r)
                self.assertTrue(r.err.strip(), "with a message\n%s" % r)


# --------------------------------------------------------------------------- 6. offline


class OfflineTest(PricingTestCase):
    def test_offline_with_cache(self):
        self.srv.routes["/t.json"] = serve(fixture_bytes(), etag='"e"')
        url = self.srv.url("/t.json")
        self.daily(url)
        path = self.only_cache_file()
        make_stale(path)  # even a stale cache is used offline, without a request
        before = read_bytes(path)
        for how, extra, env in (("--offline", ["--offline"], None), ("-O", ["-O"], None),
                                ("CLAUDE_USAGE_OFFLINE=1", [], {"CLAUDE_USAGE_OFFLINE": "1"})):
            with self.subTest(how=how):
                r, got = self.daily(url, extra=extra, env=env)
                self.assertCost(got, FIXTURE_COST, how + ": the cached table", r)
                self.assertSource(got, "cache", how, r)
                self.assertQuiet(r, how)
                r, p = self.pricing_json(url, extra=extra, env=env)
                self.assertEqual(p.get("source"), "cache", "%s: pricing\n%s" % (how, r))
        self.assertEqual(len(self.srv.hits()), 1, "offline runs make no request")
        self.assertEqual(read_bytes(path), before, "offline runs leave the cache alone")

    def test_offline_without_cache(self):
        url = self.srv.url("/t.json")
        self.srv.routes["/t.json"] = serve(fixture_bytes())
        for how, extra, env in (("--offline", ["--offline"], None), ("-O", ["-O"], None),
                                ("CLAUDE_USAGE_OFFLINE=1", [], {"CLAUDE_USAGE_OFFLINE": "1"})):
            with self.subTest(how=how):
                r, got = self.daily(url, extra=extra, env=env)
                self.assertCost(got, embedded_cost(), how + ": the embedded table", r)
                self.assertSource(got, "embedded", how, r)
                self.assertQuiet(r, how + " with no cache: no noise")
                r, p = self.pricing_json(url, extra=extra, env=env)
                self.assertEqual(p.get("source"), "embedded", "%s: pricing\n%s" % (how, r))
                self.assertIn(SONNET4, [m["model"] for m in p["models"]])
                r = self.run_tool(["pricing"] + extra, url=url, env=env)
                self.assertEqual(r.rc, 0, str(r))
                self.assertRegex(r.out, r"\bembedded\b", "pricing says embedded\n%s" % r)
        self.assertEqual(self.srv.hits(), [], "offline runs make no request")
        self.assertNoCache(self.cache, "offline runs write no cache")


# --------------------------------------------------------------------------- 7, 8. the cache directory


class CacheDirTest(PricingTestCase):
    def check_unwritable(self, preexec_fn=None):
        self.srv.routes["/t.json"] = serve(fixture_bytes())
        url = self.srv.url("/t.json")
        r, got = self.daily(url, preexec_fn=preexec_fn)
        self.assertCost(got, FIXTURE_COST, "an unwritable cache: the downloaded prices all the same", r)
        self.assertSource(got, "download", "unwritable cache", r)
        self.assertEqual(len(self.srv.hits()), 1)
        return r

    def test_cache_dir_is_a_file(self):
        """(What stops a root process from writing.) The cache dir path is a regular file."""
        with open(cache_dir(self.cache), "w") as f:
            f.write("not a directory\n")
        self.check_unwritable()
        self.assertTrue(os.path.isfile(cache_dir(self.cache)), "the file is left alone")
        with open(cache_dir(self.cache)) as f:
            self.assertEqual(f.read(), "not a directory\n")

    def test_read_only_cache_dir(self):
        d = cache_dir(self.cache)
        os.mkdir(d)
        preexec = None
        if os.geteuid() == 0:
            # root writes anywhere: run the tool as nobody, if that works here
            for p in (_tmp_root, self.home, self.cache, self.data):
                for root, dirs, files in os.walk(p):
                    os.chmod(root, 0o755)
                    for f in files:
                        os.chmod(os.path.join(root, f), 0o644)
            preexec = _as_nobody
            try:
                probe = run_cli(["--version"], self.home, self.cache, preexec_fn=preexec)
            except (OSError, subprocess.SubprocessError) as e:
                self.skipTest("running as root and cannot switch to nobody (%s); "
                              "test_cache_dir_is_a_file covers root" % e)
            if probe.rc != 0:
                self.skipTest("running as root and the tool cannot run as nobody: %s" % probe)
        os.chmod(d, 0o555)
        try:
            self.check_unwritable(preexec)
        finally:
            os.chmod(d, 0o755)
        self.assertEqual(os.listdir(d), [], "nothing written in the read-only dir")

    def test_concurrent_runs(self):
        self.srv.routes["/t.json"] = serve(fixture_bytes(), etag='"c"', delay=0.3)
        url = self.srv.url("/t.json")
        e = tool_env(self.home, self.cache, {"CLAUDE_USAGE_PRICING_URL": url})
        args = [CLI, "daily", "--json", "--all", "--data-dir", self.data]
        procs = [subprocess.Popen(args, env=e, stdout=subprocess.PIPE, stderr=subprocess.PIPE) for _ in range(2)]
        for n, p in enumerate(procs):
            out, err = p.communicate(timeout=TIMEOUT)
            r = Run(args[1:], p.returncode, out.decode("utf-8", "replace"), err.decode("utf-8", "replace"), 0)
            self.assertEqual(r.rc, 0, "run %d\n%s" % (n, r))
            self.assertCost(json.loads(r.out), FIXTURE_COST, "concurrent run %d" % n, r)
        self.assertIn(len(self.srv.hits()), (1, 2))
        self.assertCacheHolds(self.only_cache_file(), url, fixture_table(), etag='"c"')
        r, got = self.daily(url)
        self.assertSource(got, "cache", "after the concurrent runs", r)


# --------------------------------------------------------------------------- 10. long context


class LongContextTest(PricingTestCase):
    """fixture-prices.json, claude-sonnet-4-20250514: base 1e-6 / 2e-6 / 3e-6 / 4e-7 (input, output,
    cache write, cache read), above 200k 2e-6 / 4e-6 / 6e-6 / 8e-7. One line per day."""

    LINES = {  # date: (input, output, cache write, cache read)
        # 150k input + 60k read = 210k > 200k; no single kind above 200k
        "2025-05-01": (150000, 1000, 0, 60000),
        # 250k input alone
        "2025-05-02": (250000, 0, 0, 0),
        # exactly 200k (100k input + 100k write): not above the threshold
        "2025-05-03": (100000, 500, 100000, 0),
        # one more token: 200,001 > 200k
        "2025-05-04": (100000, 500, 100001, 0),
    }
    CCUSAGE = {
        # 150000*1e-6 + 1000*2e-6 + 60000*4e-7 = 0.15 + 0.002 + 0.024 = 0.176
        "2025-05-01": 0.176,
        # 200000*1e-6 + 50000*2e-6 = 0.2 + 0.1 = 0.3
        "2025-05-02": 0.3,
        # 100000*1e-6 + 500*2e-6 + 100000*3e-6 = 0.1 + 0.001 + 0.3 = 0.401
        "2025-05-03": 0.401,
        # 100000*1e-6 + 500*2e-6 + 100001*3e-6 = 0.1 + 0.001 + 0.300003 = 0.401003
        "2025-05-04": 0.401003,
    }
    ANTHROPIC = {
        # everything at the above prices: 150000*2e-6 + 1000*4e-6 + 60000*8e-7 = 0.3 + 0.004 + 0.048 = 0.352
        "2025-05-01": 0.352,
        # 250000*2e-6 = 0.5
        "2025-05-02": 0.5,
        # 200,000 is not above 200,000: base prices, as under ccusage
        "2025-05-03": 0.401,
        # 100000*2e-6 + 500*4e-6 + 100001*6e-6 = 0.2 + 0.002 + 0.600006 = 0.802006
        "2025-05-04": 0.802006,
    }

    def setUp(self):
        super().setUp()
        self.lc = new_dir("long")
        write_session(self.lc, "-home-u-p", "s1", [
            assistant(day + "T10:00:00.000Z", "s1", "req_" + day, "msg_" + day, *t)
            for day, t in sorted(self.LINES.items())])

    def costs(self, *extra):
        r = self.run_tool(["daily", "--json", "--all", "--data-dir", self.lc, "--pricing-file", FIXTURE]
                          + list(extra), url=self.srv.url("/t.json"))
        self.assertEqual(r.rc, 0, str(r))
        got = json.loads(r.out)
        return r, got, {d["date"]: d["totalCost"] for d in got["daily"]}

    def check(self, rule, want, *extra):
        r, got, costs = self.costs(*extra)
        self.assertEqual(sorted(costs), sorted(want), str(r))
        for day, w in sorted(want.items()):
            self.assertTrue(close(costs[day], w), "%s %s: cost %r, want %r\n%s" % (rule, day, costs[day], w, r))
        self.assertTrue(close(got["totals"]["totalCost"], sum(want.values())), "%s: total" % rule)
        self.assertEqual(got.get("pricing"), {"source": "file", "longContext": rule},
                         "the report's pricing object\n%s" % r)

    def test_ccusage_is_default(self):
        self.check("ccusage", self.CCUSAGE)

    def test_ccusage(self):
        self.check("ccusage", self.CCUSAGE, "--long-context", "ccusage")

    def test_anthropic(self):
        self.check("anthropic", self.ANTHROPIC, "--long-context", "anthropic")

    def test_bad_value(self):
        r = self.run_tool(["daily", "--json", "--all", "--data-dir", self.lc, "--long-context", "bogus"],
                          env={"CLAUDE_USAGE_OFFLINE": "1"})
        self.assertEqual(r.rc, 2, "a bad --long-context is a usage error\n%s" % r)
        self.assertEqual(r.out, "", str(r))
        self.assertIn("bogus", r.err, str(r))


# --------------------------------------------------------------------------- 11. pricing MODEL


class PricingModelTest(PricingTestCase):
    def resolve(self, model, url=None, extra=()):
        r = self.run_tool(["pricing", model, "--json"] + list(extra), url=url)
        self.assertEqual(r.rc, 0, "pricing %s\n%s" % (model, r))
        got = json.loads(r.out)
        self.assertEqual(got.get("model"), model, str(r))
        return r, got

    def check_resolution(self, url=None, extra=()):
        r, got = self.resolve("claude-sonnet-4.5", url, extra)
        self.assertTrue(str(got.get("key")).startswith("claude-sonnet-4-5"), "claude-sonnet-4.5 -> %r" % got.get("key"))
        r, got = self.resolve("us.anthropic.claude-opus-4-1-20250805-v1:0", url, extra)
        self.assertEqual(got.get("key"), OPUS41, str(r))
        r = self.run_tool(["pricing", "claude-opus-4-9"] + list(extra), url=url)
        self.assertEqual(r.rc, 1, "an unknown model\n%s" % r)
        self.assertIn("no price", (r.out + r.err).lower(), str(r))
        return got

    def test_fixture_table(self):
        self.srv.routes["/t.json"] = serve(fixture_bytes())
        url = self.srv.url("/t.json")
        got = self.check_resolution(url)
        # fixture opus-4-1 per million: 10 / 50 / 12.5 / 1
        for field, want in (("input", 10.0), ("output", 50.0), ("cacheWrite", 12.5), ("cacheRead", 1.0)):
            self.assertTrue(close(got.get(field, -1), want), "%s.%s = %r, want %r" % (OPUS41, field, got.get(field), want))
        r, got = self.resolve("claude-sonnet-4.5", url)
        self.assertEqual(got["key"], "claude-sonnet-4-5-20250929")
        self.assertTrue(close(got.get("input", -1), 4.0) and close(got.get("output", -1), 20.0), str(r))
        r = self.run_tool(["pricing", "us.anthropic.claude-opus-4-1-20250805-v1:0"], url=url)
        self.assertEqual(r.rc, 0, str(r))
        self.assertIn(OPUS41, r.out, "the text form names the key\n%s" % r)
        self.assertEqual(len(self.srv.hits()), 1, "one download, then the cache")

    def test_embedded_table(self):
        got = self.check_resolution(extra=["--offline"])
        emb = load_json(EMBEDDED)[OPUS41]
        self.assertTrue(close(got.get("input", -1), emb["input_cost_per_token"] * 1e6), str(got))
        self.assertEqual(self.srv.hits(), [])


# --------------------------------------------------------------------------- runner


def main():
    if not os.access(CLI, os.X_OK):
        print("test_pricing.py: the claude-usage binary is missing: %s (set CLAUDE_USAGE)" % CLI, file=sys.stderr)
        print("0 passed, 1 failed")
        return 1
    if not os.path.isfile(MEASURED):
        print("test_pricing.py: %s does not exist (CU_SHARED=%s): the full-table test serves "
              "tests/data/pricing/fixture-prices.json instead" % (MEASURED, SHARED), file=sys.stderr)
    return run_tests()

if __name__ == "__main__":
    sys.exit(main())
