#!/usr/bin/env bash
# Fails when a C++ source of the project is not formatted as .clang-format says, naming the files.
#
# Usage: scripts/check-format.sh          check every C++ file, list the unformatted ones
#        scripts/check-format.sh --fix    reformat them in place (clang-format -i), then check
set -euo pipefail
cd "$(dirname "$0")/.."

fix=0
case "${1:-}" in
  --fix) fix=1 ;;
  "") ;;
  *) echo "usage: $0 [--fix]" >&2; exit 2 ;;
esac

# Every C++ file of the project: the tracked ones and new ones not yet committed (not build trees).
if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
  mapfile -t files < <(git ls-files --cached --others --exclude-standard -- '*.cpp' '*.h' '*.hpp' '*.cc' |
    while read -r f; do [[ -f "$f" ]] && echo "$f"; done)
else
  mapfile -t files < <(find . -path './build*' -prune -o -type f \( -name '*.cpp' -o -name '*.h' -o -name '*.hpp' -o -name '*.cc' \) -print)
fi
((${#files[@]})) || { echo "check-format.sh: no C++ files found" >&2; exit 1; }

if ((fix)); then
  clang-format -i "${files[@]}"
fi
if ! out=$(clang-format --dry-run --Werror "${files[@]}" 2>&1); then
  echo "check-format.sh: not formatted as .clang-format says (fix all: scripts/check-format.sh --fix):" >&2
  grep -o '^[^:]*:[0-9]*:[0-9]*: error' <<<"$out" | cut -d: -f1 | sort -u | sed 's/^/  /' >&2
  exit 1
fi
echo "check-format.sh: ${#files[@]} C++ files formatted ($(clang-format --version | grep -o 'version [0-9.]*'))"
