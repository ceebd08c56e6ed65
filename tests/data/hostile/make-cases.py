#!/usr/bin/env python3
"""Write the line-level cases of the bad-input catalogue: one transcript per case in this
directory (<case>.jsonl) and expected.json, what the tool must report for each.

Every case mixes "good" usage lines, whose token counts are known (see good()), with the hostile
bytes. expected.json lists, per case, the good lines that must be counted, how many lines must be
skipped as malformed and as an incomplete last line, and a word of the reason given. The files are
committed; run this again only to change the catalogue (the output is deterministic).

    python3 tests/data/hostile/make-cases.py
"""
import json
import os

HERE = os.path.dirname(os.path.abspath(__file__))


def record(n, ts="2025-05-01T10:00:00.000Z"):
    return {"parentUuid": None, "isSidechain": False, "type": "assistant", "timestamp": ts,
            "sessionId": "hostile", "requestId": "req_%d" % n, "cwd": "/home/u/hostile",
            "message": {"id": "msg_%d" % n, "type": "message", "role": "assistant",
                        "model": "claude-sonnet-4-20250514",
                        "content": [{"type": "text", "text": "reply %d" % n}],
                        "usage": {"input_tokens": 1000 * n + 1, "output_tokens": 100 * n + 2,
                                  "cache_creation_input_tokens": 10 * n + 3,
                                  "cache_read_input_tokens": n + 4}}}


def dump(rec):
    return json.dumps(rec, separators=(",", ":")).encode()


def good(n, **kw):
    return dump(record(n, **kw))


def with_usage(n, key, raw):
    """Line n with usage[key] written as the raw bytes given."""
    line = good(n)
    old = b'"%s":%d' % (key.encode(), record(n)["message"]["usage"][key])
    assert old in line
    return line.replace(old, b'"%s":%s' % (key.encode(), raw))


def lines(*parts, end=b"\n"):
    return end.join(parts) + end


G1, G2, G3 = good(1), good(2), good(3)
CUT = good(5)

CASES = {}


def case(name, data, counted, malformed=0, torn=0, reason=None, note=""):
    CASES[name] = {"data": data, "expect": {"counted": counted, "malformed": malformed,
                                            "torn": torn, "reason": reason, "note": note}}


case("torn-last-line", lines(G1, G2) + CUT[:len(CUT) // 2], [1, 2], torn=1,
     reason="incomplete last line", note="the file is still being written")
case("cut-in-string", lines(G1, CUT[:CUT.index(b'"reply') + 4], G2), [1, 2], malformed=1,
     reason="not a JSON object")
case("cut-in-number", lines(G1, CUT[:CUT.index(b'"input_tokens":') + 17], G2), [1, 2], malformed=1,
     reason="line skipped")
case("cut-in-escape", lines(G1, good(5).replace(b'"reply 5"', b'"reply \\u00') , G2), [1, 2],
     malformed=1, reason="not a complete JSON object")
case("nul-bytes", lines(G1, b"\0\0\0\0", good(5).replace(b"reply 5", b"reply\0" + b"5").replace(
    b'"input_tokens"', b'\0"input_tokens"'), G2), [1, 2], malformed=2, reason="line skipped")
case("invalid-utf8", lines(G1, good(5).replace(b"reply 5", b"reply \xff\xfe\xc0\xaf 5"), G2),
     [1, 5, 2], note="bytes that are not UTF-8 inside text are not the tool's business: counted")
case("lone-surrogates", lines(G1, good(5).replace(b"reply 5", b"reply \\ud83d 5"),
                              good(6).replace(b'"req_6"', b'"req_6\\udc00"'), G2), [1, 5, 6, 2],
     note="JavaScript writes a string cut inside a surrogate pair this way; read as U+FFFD")
case("bom", b"\xef\xbb\xbf" + lines(G1, G2), [1, 2], note="a UTF-8 byte order mark is ignored")
case("crlf", lines(G1, G2, G3, end=b"\r\n"), [1, 2, 3])
case("blank-lines", b"\n\n" + G1 + b"\n   \n\t\r\n" + G2 + b"\n\n\n", [1, 2],
     note="blank lines are not malformed")
case("deep-nesting", lines(G1, good(5).replace(b'"content":', b'"deep":' + b"[" * 10000 + b"]" * 10000
                                               + b',"content":'),
                           b'{"type":"user","deep":' + b"[" * 10000 + b"]" * 10000 + b"}", G2),
     [1, 5, 2], note="nesting inside values the tool does not read costs nothing")
case("overflowing-count", lines(G1, with_usage(5, "input_tokens", b"99999999999999999999"), G2), [1, 2],
     malformed=1, reason="does not fit in 64 bits")
case("negative-count", lines(G1, with_usage(5, "output_tokens", b"-5"), G2), [1, 2], malformed=1,
     reason="not a non-negative integer")
case("fractional-count", lines(G1, with_usage(5, "output_tokens", b"502.5"), G2), [1, 2], malformed=1,
     reason="not a non-negative integer")
case("exponent-count", lines(G1, with_usage(5, "output_tokens", b"5.02e2"), G2), [1, 2], malformed=1,
     reason="not a non-negative integer")
case("string-count", lines(G1, with_usage(5, "output_tokens", b'"502"'), G2), [1, 2], malformed=1,
     reason="not a non-negative integer")
case("bool-count", lines(G1, with_usage(5, "output_tokens", b"true"), G2), [1, 2], malformed=1,
     reason="not a non-negative integer")
case("object-count", lines(G1, with_usage(5, "output_tokens", b"{}"), G2), [1, 2], malformed=1,
     reason="not a non-negative integer")
# null means "not given": the other counts of the line are kept (ccusage drops the whole line)
NULL_READ = with_usage(5, "cache_read_input_tokens", b"null")
case("null-count", lines(G1, NULL_READ, G2), [1, {"n": 5, "cache_read_input_tokens": 0}, 2],
     note="a null count is zero; the line's other counts are kept")
case("usage-null", lines(G1, good(5).replace(b'"usage":{', b'"usage":null,"was":{'), G2), [1, 2],
     note="a line whose usage is null carries no usage")
case("usage-wrong-type", lines(G1, good(5).replace(b'"usage":{', b'"usage":[],"was":{'), G2), [1, 2],
     note="a usage that is not an object carries none, like null")
case("duplicate-keys", lines(G1, with_usage(5, "input_tokens", b"7,\"input_tokens\":5001"),
                             with_usage(6, "input_tokens", b"6001,\"input_tokens\":9"), G2),
     [1, 5, {"n": 6, "input_tokens": 9}, 2], note="the last of duplicate keys wins, as in JavaScript")
case("timestamp-microseconds", lines(G1, good(5, ts="2025-05-01T10:00:00.123456Z"), G2), [1, 5, 2])
case("timestamp-offset", lines(G1, good(5, ts="2025-05-01T23:30:00-05:00"), G2), [1, 5, 2],
     note="-05:00 makes it 2025-05-02 in UTC")
case("timestamp-missing", lines(G1, good(5).replace(b'"timestamp":"2025-05-01T10:00:00.000Z",', b""), G2),
     [1, 2], malformed=1, reason="without timestamp")
case("timestamp-invalid", lines(G1, good(5, ts="2025-13-45T99:00:00Z"), good(6, ts="yesterday"),
                                good(7).replace(b'"2025-05-01T10:00:00.000Z"', b"1746093600000"), G2),
     [1, 2], malformed=3, reason="invalid timestamp")
case("empty-file", b"", [])
case("only-summaries", lines(*[json.dumps({"type": "summary", "summary": "s%d" % i,
                                            "leafUuid": "u%d" % i}).encode() for i in range(5)]), [])
case("not-json", lines(G1, b"<html>502 Bad Gateway</html>", b"[1,2,3]", b'"usage"', G2), [1, 2],
     malformed=3, reason="line skipped")


def main():
    expected = {}
    for name, c in CASES.items():
        with open(os.path.join(HERE, name + ".jsonl"), "wb") as f:
            f.write(c["data"])
        expected[name] = c["expect"]
    with open(os.path.join(HERE, "expected.json"), "w") as f:
        json.dump(expected, f, indent=1, sort_keys=True)
        f.write("\n")


if __name__ == "__main__":
    main()
