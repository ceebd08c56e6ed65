#!/usr/bin/env bash
# Install what the build needs (Debian), build, and show the daily report:
# of your Claude Code history when there is one, else of the bundled example data.
# Extra arguments go to `claude-usage daily`.
set -euo pipefail
cd "$(dirname "$0")"

packages=(meson ninja-build pkg-config libjansson-dev libcurl4-openssl-dev check tzdata python3)
missing=()
for p in "${packages[@]}"; do
  dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
if ((${#missing[@]})); then
  sudo=()
  [[ $(id -u) -eq 0 ]] || sudo=(sudo)
  "${sudo[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq "${missing[@]}" >/dev/null
fi

[[ -f build/build.ninja ]] || meson setup build >/dev/null
meson compile -C build >/dev/null

# Is there any transcript where claude-usage looks by default?
roots=()
if [[ -n ${CLAUDE_CONFIG_DIR:-} ]]; then
  IFS=, read -r -a roots <<<"$CLAUDE_CONFIG_DIR"
else
  roots=("${XDG_CONFIG_HOME:-$HOME/.config}/claude" "$HOME/.claude")
fi
for r in "${roots[@]}"; do
  if [[ -d $r/projects ]] && [[ -n $(find "$r/projects" -name '*.jsonl' -print -quit 2>/dev/null) ]]; then
    exec build/cli/claude-usage daily "$@"
  fi
done
echo "No Claude Code history found; showing the bundled example data (examples/data)." >&2
exec build/cli/claude-usage daily --all --data-dir examples/data "$@"
