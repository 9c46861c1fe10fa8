#!/usr/bin/env bash
# Runs a command with throw-away S3-compatible servers on 127.0.0.1, then stops them.
#
# Usage: tests/servers/with-servers.sh [--rgw] [--moto] [--aws-like] [--proxy] -- CMD [ARGS...]
#   No server flag: both. The command sees
#     S3TAR_RGW_ENV   path of a shell-sourceable env file for the Ceph RGW server (if started)
#     S3TAR_MOTO_ENV  path of the same for the moto server (if started)
#   and a server it was not asked for has its variable unset. Exit status = CMD's exit status
#   (128+N if this script is stopped by signal N).
#   --aws-like  RGW's env file names its AWS-like endpoint: HTTPS with the test CA in
#               AWS_CA_BUNDLE, virtual-hosted addressing (rgw.sh, RGW_AWS_LIKE=1)
#   --proxy     also start an HTTPS CONNECT proxy (tests/servers/proxy.sh) and run CMD with
#               HTTPS_PROXY pointing at it (NO_PROXY cleared) and S3TAR_PROXY_ENV naming its env
#               file; when CMD succeeds, fails unless tunnels went through the proxy
#
# Environment:
#   S3TAR_SERVERS_DIR   base directory for the servers' work dirs (default: a new temp dir)
#   S3TAR_KEEP_SERVERS  1 = keep the work dir (logs) even when CMD succeeds; it is always
#                       kept when CMD or a server start fails
# plus the variables rgw.sh and moto.sh read (RGW_MEMSTORE_BYTES, RGW_MIN_PART_SIZE, ...).
set -euo pipefail

PROG="with-servers.sh"
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)

die() { echo "$PROG: error: $*" >&2; exit 2; }
usage() { echo "usage: $PROG [--rgw] [--moto] [--aws-like] [--proxy] -- CMD [ARGS...]" >&2; exit 2; }

want_rgw=0 want_moto=0 want_proxy=0 aws_like=0
while (($#)); do
  case "$1" in
    --rgw) want_rgw=1 ;;
    --moto) want_moto=1 ;;
    --aws-like) aws_like=1 ;;
    --proxy) want_proxy=1 ;;
    --) shift; break ;;
    -h | --help) usage ;;
    *) echo "$PROG: error: unknown option $1" >&2; usage ;;
  esac
  shift
done
(($#)) || usage
if ((want_rgw == 0 && want_moto == 0)); then
  want_rgw=1 want_moto=1
fi

if [[ -n "${S3TAR_SERVERS_DIR:-}" ]]; then
  mkdir -p "$S3TAR_SERVERS_DIR" || die "cannot create S3TAR_SERVERS_DIR=$S3TAR_SERVERS_DIR"
  WD=$(mktemp -d "$S3TAR_SERVERS_DIR/servers.XXXXXX") || die "cannot create a work dir"
else
  WD=$(mktemp -d -t s3tar-servers.XXXXXX) || die "cannot create a work dir"
fi

started=()       # servers whose start was attempted (stop is safe either way)
starting_pids=() # start jobs still running
cmd_pid=""
keep=${S3TAR_KEEP_SERVERS:-0}

# shellcheck disable=SC2317 # invoked by trap
cleanup() {
  local rc=$?
  trap - EXIT INT TERM HUP
  # A start job that is still running would spawn daemons after we stop: let it finish.
  local p
  for p in "${starting_pids[@]}"; do
    wait "$p" 2>/dev/null || true
  done
  local s
  for s in "${started[@]}"; do
    "$HERE/$s.sh" stop "$WD/$s" >/dev/null || echo "$PROG: warning: stopping $s failed" >&2
  done
  if ((rc == 0)) && [[ "$keep" != 1 ]]; then
    rm -rf "$WD"
  else
    echo "$PROG: server logs kept in $WD" >&2
  fi
  exit "$rc"
}

# shellcheck disable=SC2317 # invoked by trap
on_signal() {
  local sig=$1 num=$2
  trap - INT TERM HUP
  if [[ -n "$cmd_pid" ]] && kill -0 "$cmd_pid" 2>/dev/null; then
    # Background jobs ignore SIGINT in a non-interactive shell: forward TERM for any signal.
    kill -TERM "$cmd_pid" 2>/dev/null || true
    wait "$cmd_pid" 2>/dev/null || true
  fi
  echo "$PROG: stopped by SIG$sig" >&2
  exit $((128 + num))
}

trap cleanup EXIT
trap 'on_signal INT 2' INT
trap 'on_signal TERM 15' TERM
trap 'on_signal HUP 1' HUP

# Start the servers side by side; each start prints its endpoint, sent to stderr so that
# CMD's stdout stays its own.
declare -A start_pid=()
for s in rgw moto proxy; do
  var="want_$s"
  ((${!var})) || continue
  started+=("$s")
  RGW_AWS_LIKE=$aws_like "$HERE/$s.sh" start "$WD/$s" >&2 &
  start_pid[$s]=$!
  starting_pids+=("$!")
done
failed=0
for s in "${started[@]}"; do
  wait "${start_pid[$s]}" || failed=1
done
starting_pids=()
((failed == 0)) || { echo "$PROG: error: a server failed to start" >&2; exit 1; }

unset S3TAR_RGW_ENV S3TAR_MOTO_ENV S3TAR_PROXY_ENV
((want_rgw)) && export S3TAR_RGW_ENV="$WD/rgw/env"
((want_moto)) && export S3TAR_MOTO_ENV="$WD/moto/env"
if ((want_proxy)); then
  export S3TAR_PROXY_ENV="$WD/proxy/env"
  # Every HTTPS request of CMD goes through the proxy: no bypass list from the caller.
  unset https_proxy NO_PROXY no_proxy
  HTTPS_PROXY=$(sed -n 's/^export HTTPS_PROXY=//p' "$S3TAR_PROXY_ENV")
  export HTTPS_PROXY
fi

# CMD runs as a background job so that a signal to this script is handled at once (a trap
# waits for a foreground command to end); its stdin is passed through explicitly.
exec 3<&0
"$@" <&3 3<&- &
cmd_pid=$!
exec 3<&-
set +e
wait "$cmd_pid"
rc=$?
set -e
cmd_pid=""
if ((want_proxy && rc == 0)); then
  # A proxied pass that bypassed the proxy would prove nothing.
  log=$(sed -n 's/^export PROXY_LOG=//p' "$S3TAR_PROXY_ENV")
  tunnels=$(grep -c 'Request (file descriptor [0-9]*): CONNECT ' "$log" || true)
  vhosts=$(grep -c 'Request (file descriptor [0-9]*): CONNECT [^ ]*\.s3\.localhost:' "$log" || true)
  echo "$PROG: $tunnels CONNECT tunnels through the proxy, $vhosts to virtual-hosted bucket names" >&2
  if ((tunnels == 0)); then
    echo "$PROG: error: --proxy given but no request went through the proxy" >&2
    rc=1
  fi
fi
exit "$rc"
