#!/usr/bin/env bash
# Checks the warning policy of the build: -Werror in developer and CI builds, never in a
# packager's plain Release build (a newer compiler's new or false warning must not break it).
# Configures only (seconds); builds nothing.
set -euo pipefail
cd "$(dirname "$0")/.."
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

flags_of() {  # build type -> the compile flags CMake generates for one source file
  cmake -S . -B "$tmp/$1" -DCMAKE_BUILD_TYPE="$1" -DS3TAR_TESTS=OFF >/dev/null
  python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))[0]["command"])' "$tmp/$1/compile_commands.json"
}

fail=0
if flags_of Release | grep -qw -- -Werror; then
  echo "check-build-flags: a plain Release build compiles with -Werror" >&2
  fail=1
fi
for type in Debug RelWithDebInfo; do
  if ! flags_of "$type" | grep -qw -- -Werror; then
    echo "check-build-flags: a $type (developer) build compiles without -Werror" >&2
    fail=1
  fi
done
((fail == 0)) && echo "check-build-flags: Release without -Werror, developer builds with it"
exit "$fail"
