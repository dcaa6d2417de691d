#!/usr/bin/env bash
# Regenerates docs/commands (Markdown reference) and docs/man (man pages)
# from the command tree. With --check, fails when the committed files are
# not what the current code generates.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "${1:-}" = "--check" ]; then
	tmp="$(mktemp -d)"
	trap 'rm -rf "$tmp"' EXIT
	go run ./internal/tools/gendocs "$tmp"
	if ! diff -r -q "$tmp/commands" docs/commands >/dev/null || ! diff -r -q "$tmp/man" docs/man >/dev/null; then
		diff -r "$tmp/commands" docs/commands | head -20 || true
		echo "docs/ is out of date: run scripts/docs.sh" >&2
		exit 1
	fi
	echo "docs are up to date"
	exit 0
fi
rm -rf docs/commands docs/man
go run ./internal/tools/gendocs docs
