#!/usr/bin/env bash
# Benchmark claude-usage (and ccusage when found). Options: see bench/README.md
# or run with --help. The work is done by bench.py (Python 3 standard library).
exec python3 "$(dirname "$0")/bench.py" "$@"
