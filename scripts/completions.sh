#!/usr/bin/env bash
# Regenerates completions/ from the command tree. With --check, fails when
# the committed files are not what the current code generates.
set -euo pipefail
cd "$(dirname "$0")/.."
dir=completions
check=false
if [ "${1:-}" = "--check" ]; then
	check=true
	dir="$(mktemp -d)"
	trap 'rm -rf "$dir"' EXIT
fi
bin="$(mktemp -d)/yafdp"
go build -o "$bin" ./cmd/yafdp
"$bin" completion bash > "$dir/yafdp.bash"
"$bin" completion zsh > "$dir/_yafdp"
"$bin" completion fish > "$dir/yafdp.fish"
"$bin" completion powershell > "$dir/yafdp.ps1"
rm -f "$bin"
if $check; then
	for f in yafdp.bash _yafdp yafdp.fish yafdp.ps1; do
		if ! cmp -s "$dir/$f" "completions/$f"; then
			echo "completions/$f is out of date: run scripts/completions.sh" >&2
			exit 1
		fi
	done
	echo "completions are up to date"
fi
