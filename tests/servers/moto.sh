#!/usr/bin/env bash
# Starts/stops moto's S3 server on 127.0.0.1: a second, independent S3 implementation for
# tests. Runs from the machine's python3 (moto 5.x); nothing is installed here. The PID is
# recorded under WORKDIR and `stop` signals only that PID.
#
# Usage:
#   tests/servers/moto.sh start WORKDIR [PORT]   # PORT default 5000, or a free one if taken
#   tests/servers/moto.sh stop  WORKDIR [--clean] # --clean also removes WORKDIR's server files
#   tests/servers/moto.sh status WORKDIR
#
# `start` writes WORKDIR/env (source it): S3_ENDPOINT, AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY,
# AWS_REGION, AWS_DEFAULT_REGION, S3_SERVER=moto.
#
# Environment:
#   MOTO_MIN_PART_SIZE  smallest non-last multipart part (default 5242880, the S3 rule)
#   MOTO_START_TIMEOUT  seconds to wait for the server to answer (default 60)
set -euo pipefail

# moto does not check signatures; any keys work.
readonly ACCESS_KEY="s3tar-moto-access-key"
readonly SECRET_KEY="s3tar-moto-secret-key"

PROG="moto.sh"
# shellcheck source=tests/servers/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

usage() {
  echo "usage: $PROG start WORKDIR [PORT] | stop WORKDIR [--clean] | status WORKDIR" >&2
  exit 2
}

# True if the recorded PID is alive and is still our moto server (guards PID reuse).
server_alive() {
  local pid port
  [[ -s "$W/moto.pid" && -s "$W/port" ]] || return 1
  pid=$(<"$W/moto.pid")
  port=$(<"$W/port")
  [[ "$pid" =~ ^[0-9]+$ ]] || return 1
  [[ -r "/proc/$pid/cmdline" ]] || return 1
  tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -qF -- "moto.server -H 127.0.0.1 -p $port" \
    || return 1
  [[ "$(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null)" != Z ]]
}

stop_server() {
  local pid i
  server_alive || { rm -f "$W/moto.pid"; return 0; }
  pid=$(<"$W/moto.pid")
  kill -TERM "$pid" 2>/dev/null || true
  for ((i = 0; i < 100; i++)); do
    server_alive || break
    sleep 0.1
  done
  if server_alive; then
    note "moto (pid $pid) did not exit after SIGTERM, sending SIGKILL"
    kill -KILL "$pid" 2>/dev/null || true
    for ((i = 0; i < 50; i++)); do
      server_alive || break
      sleep 0.1
    done
    server_alive && die "moto (pid $pid) survived SIGKILL"
  fi
  rm -f "$W/moto.pid"
}

fail() {
  echo "$PROG: error: $*" >&2
  if [[ -s "$W/moto.log" ]]; then
    echo "---- last lines of $W/moto.log" >&2
    tail -n 20 "$W/moto.log" >&2
  fi
  stop_server || true
  exit 1
}


cmd_status() {
  if server_alive; then
    echo "moto: running (pid $(<"$W/moto.pid"), http://127.0.0.1:$(<"$W/port"))"
  else
    echo "moto: stopped"
    return 1
  fi
}

cmd_stop() {
  stop_server
  if [[ "${1:-}" == "--clean" ]]; then
    rm -f "$W/moto.pid" "$W/port" "$W/moto.log" "$W/env"
    rmdir "$W" 2>/dev/null || true
  fi
  echo "$PROG: stopped"
}

cmd_start() {
  if server_alive && [[ -s "$W/env" ]]; then
    echo "$PROG: already running: http://127.0.0.1:$(<"$W/port")"
    return 0
  fi
  "$PY" -c 'import moto.server' 2>/dev/null \
    || die "$PY cannot import moto.server; run scripts/setup.sh"

  local min_part=${MOTO_MIN_PART_SIZE:-5242880}
  [[ "$min_part" =~ ^[0-9]+$ ]] || die "MOTO_MIN_PART_SIZE must be a byte count"
  if [[ -n "$PORT" ]]; then
    [[ "$PORT" =~ ^[0-9]+$ ]] || die "PORT must be a number: $PORT"
    ((PORT < 6800 || PORT > 7300)) || die "port $PORT is in 6800-7300, which Ceph OSDs use"
  fi
  rm -f "$W/moto.pid" "$W/port" "$W/moto.log" "$W/env"

  local t0
  t0=$(date +%s%N)
  # Port choice and bind are serialised across concurrent starts (rgw.sh and moto.sh), so
  # two instances never pick the same free port and answer each other's readiness probe.
  exec 9>"${TMPDIR:-/tmp}/s3tar-test-servers.lock"
  flock -w "$TIMEOUT" 9 || fail "timed out waiting for the port lock"
  if [[ -n "$PORT" ]]; then
    port_free "$PORT" || fail "port $PORT on 127.0.0.1 is already in use"
  elif port_free 5000; then
    PORT=5000
  else
    PORT=$(free_port)
  fi
  echo "$PORT" >"$W/port"
  S3_UPLOAD_PART_MIN_SIZE=$min_part setsid "$PY" -m moto.server -H 127.0.0.1 -p "$PORT" \
    </dev/null >>"$W/moto.log" 2>&1 9>&- &
  echo $! >"$W/moto.pid"
  disown $! # no job-status noise when fail() kills it

  local deadline=$((SECONDS + TIMEOUT))
  until http_up; do
    server_alive || fail "moto exited during start"
    ((SECONDS < deadline)) || fail "timed out after ${TIMEOUT}s waiting for moto on 127.0.0.1:$PORT"
    sleep 0.1
  done
  server_alive || fail "moto exited right after start (port $PORT taken?)"
  flock -u 9
  exec 9>&-

  write_env moto
  note "up in $(elapsed_since "$t0") (env in $W/env)"
  echo "http://127.0.0.1:$PORT"
}

parse_workdir_args "$@"
TIMEOUT=${MOTO_START_TIMEOUT:-60}

# The interpreter itself, not a version-manager shim, so the recorded PID is the server's.
PY=$(python3 -c 'import sys; print(sys.executable)' 2>/dev/null) \
  || die "python3 not found; run scripts/setup.sh"

case "$CMD" in
  start) (($# <= 3)) || usage; cmd_start ;;
  stop) (($# <= 3)) || usage; cmd_stop "${3:-}" ;;
  status) cmd_status ;;
  *) usage ;;
esac
