#!/usr/bin/env bash
# Starts/stops a throw-away Ceph RADOS Gateway (S3 API) on 127.0.0.1 for tests and the demo:
# one ceph-mon, one memstore OSD (data in RAM) and radosgw (beast), all state under WORKDIR,
# no systemd. Daemons run as background processes; their PIDs are recorded under WORKDIR and
# `stop` signals only those PIDs.
#
# Usage:
#   tests/servers/rgw.sh start WORKDIR [PORT]   # PORT default 7480, or a free one if taken
#   tests/servers/rgw.sh stop  WORKDIR [--clean] # --clean also removes WORKDIR's server state
#   tests/servers/rgw.sh status WORKDIR
#
# radosgw listens twice: plain HTTP on PORT and HTTPS on a free port (beast ssl_endpoint) with a
# certificate from a throw-away test CA (tests/servers/pki.sh, under WORKDIR/tls) for
# s3.localhost, *.s3.localhost and 127.0.0.1. rgw_dns_name = s3.localhost makes
# https://BUCKET.s3.localhost:TLSPORT/KEY virtual-hosted; path-style works on both ports.
# *.localhost names resolve to 127.0.0.1 in libcurl itself, and for glibc (Python, tinyproxy)
# through nss-myhostname (libnss-myhostname, installed by scripts/setup.sh).
#
# `start` writes WORKDIR/env (source it): S3_ENDPOINT, S3_ADDRESSING (path | virtual),
# AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_REGION, AWS_DEFAULT_REGION, S3_SERVER=rgw, and
# for TLS: S3_TLS_ENDPOINT (https://s3.localhost:TLSPORT), S3_TLS_CA (the test CA), S3_TLS_DIR
# (the PKI: expired.pem, other-ca.pem, ...), S3_HTTP_ENDPOINT (http://127.0.0.1:PORT).
# In the AWS-like mode (RGW_AWS_LIKE=1) S3_ENDPOINT is the TLS endpoint, S3_ADDRESSING is
# virtual and AWS_CA_BUNDLE names the test CA.
#
# Environment:
#   RGW_MEMSTORE_BYTES  RAM the OSD may hold (default 4 GiB)
#   RGW_MIN_PART_SIZE   rgw_multipart_min_part_size (default 5242880, the S3 rule; lower it
#                       only for a test that says so)
#   RGW_MON_PORT        monitor port (default: a free port chosen by the kernel)
#   RGW_START_TIMEOUT   seconds to wait for each bring-up step (default 60)
#   RGW_AWS_LIKE        1 = the env file describes the AWS-like endpoint (HTTPS, virtual-hosted)
set -euo pipefail

readonly ACCESS_KEY="S3TARTESTACCESSKEY01"
readonly SECRET_KEY="s3tarTestSecretKey0123456789abcdefghijkl"
readonly STORAGE_CLASSES=(GLACIER DEEP_ARCHIVE GLACIER_IR STANDARD_IA)
readonly DAEMONS=(rgw osd mon) # stop order

PROG="rgw.sh"
# shellcheck source=tests/servers/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

usage() {
  echo "usage: $PROG start WORKDIR [PORT] | stop WORKDIR [--clean] | status WORKDIR" >&2
  exit 2
}

# ---- helpers ---------------------------------------------------------------------------

# True if the PID recorded for daemon $1 is alive and is still our daemon (guards PID reuse).
daemon_alive() {
  local pidfile="$W/pids/$1.pid" pid
  [[ -s "$pidfile" ]] || return 1
  pid=$(<"$pidfile")
  [[ "$pid" =~ ^[0-9]+$ ]] || return 1
  [[ -r "/proc/$pid/cmdline" ]] || return 1
  # Our daemons are started with "-c WORKDIR/ceph.conf".
  tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -qF -- "$W/ceph.conf" || return 1
  # A zombie is not running.
  [[ "$(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null)" != Z ]]
}

# Starts "$@" in its own session, stdio to log/$1.out, records the PID as pids/$name.pid.
spawn() {
  local name=$1; shift
  setsid "$@" </dev/null >>"$W/log/$name.out" 2>&1 9>&- &
  echo $! >"$W/pids/$name.pid"
  disown $! # no job-status noise when fail() kills it
}

# Sends $2 to daemon $1, waits up to $3 s for it to exit, then SIGKILLs it.
stop_daemon() {
  local name=$1 sig=$2 wait_s=$3 pid i
  daemon_alive "$name" || { rm -f "$W/pids/$name.pid"; return 0; }
  pid=$(<"$W/pids/$name.pid")
  kill "-$sig" "$pid" 2>/dev/null || true
  for ((i = 0; i < wait_s * 10; i++)); do
    daemon_alive "$name" || break
    sleep 0.1
  done
  if daemon_alive "$name"; then
    note "$name (pid $pid) did not exit after SIG$sig, sending SIGKILL"
    kill -KILL "$pid" 2>/dev/null || true
    for ((i = 0; i < 50; i++)); do
      daemon_alive "$name" || break
      sleep 0.1
    done
    daemon_alive "$name" && die "$name (pid $pid) survived SIGKILL"
  fi
  rm -f "$W/pids/$name.pid"
}

stop_all() {
  # Nothing is kept, so a clean shutdown buys nothing where it is slow: radosgw takes 5-10 s
  # after SIGTERM, and a memstore OSD would first write all of its RAM to disk. The mon
  # exits at once on SIGTERM.
  stop_daemon rgw KILL 5
  stop_daemon osd KILL 5
  stop_daemon mon TERM 10
}

log_tail() {
  local f
  for f in "$W"/log/*; do
    [[ -s "$f" ]] || continue
    echo "---- last lines of $f" >&2
    tail -n 15 "$f" >&2
  done
}

# Waits until "$@" succeeds; $1 = what, $2 = daemon that must stay alive, rest = command.
wait_for() {
  local what=$1 daemon=$2; shift 2
  local deadline=$((SECONDS + TIMEOUT))
  until "$@" >/dev/null 2>&1; do
    daemon_alive "$daemon" || fail "$daemon exited while waiting for $what"
    ((SECONDS < deadline)) || fail "timed out after ${TIMEOUT}s waiting for $what"
    sleep 0.1
  done
}

fail() {
  echo "$PROG: error: $*" >&2
  log_tail
  stop_all || true
  exit 1
}

ceph_cli() { ceph -c "$W/ceph.conf" --connect-timeout 10 "$@"; }
rgw_admin() { radosgw-admin -c "$W/ceph.conf" "$@"; }

osd0_up() { ceph_cli osd dump 2>/dev/null | grep -q '^osd\.0 up'; }

# ---- commands --------------------------------------------------------------------------

cmd_status() {
  local d n=0
  for d in "${DAEMONS[@]}"; do
    if daemon_alive "$d"; then
      echo "$d: running (pid $(<"$W/pids/$d.pid"))"
      n=$((n + 1))
    else
      echo "$d: stopped"
    fi
  done
  ((n == ${#DAEMONS[@]}))
}

cmd_stop() {
  stop_all
  if [[ "${1:-}" == "--clean" ]]; then
    rm -rf "$W/mon" "$W/osd" "$W/rgw" "$W/run" "$W/crash" "$W/log" "$W/pids" \
      "$W/monmap" "$W/ceph.conf" "$W/keyring" "$W/env" "$W/tls"
    rmdir "$W" 2>/dev/null || true
  fi
  echo "$PROG: stopped"
}

cmd_start() {
  local d alive=0
  if [[ -d "$W/pids" ]]; then
    for d in "${DAEMONS[@]}"; do
      daemon_alive "$d" && alive=$((alive + 1))
    done
  fi
  if ((alive == ${#DAEMONS[@]})) && [[ -s "$W/env" ]]; then
    echo "$PROG: already running: $(sed -n 's/^export S3_ENDPOINT=//p' "$W/env")"
    return 0
  fi
  if ((alive > 0)); then
    note "found a partly running instance in $W, stopping it first"
    stop_all
  fi

  command -v ceph-mon >/dev/null 2>&1 || die "ceph-mon not found; run scripts/setup.sh"
  command -v radosgw >/dev/null 2>&1 || die "radosgw not found; run scripts/setup.sh"
  case "${RGW_AWS_LIKE:-0}" in 0 | 1) ;; *) die "RGW_AWS_LIKE must be 0 or 1" ;; esac
  # Python helpers and proxies resolve bucket host names through glibc.
  getent hosts probe.s3.localhost >/dev/null 2>&1 \
    || die "probe.s3.localhost does not resolve: install libnss-myhostname (scripts/setup.sh)"

  local memstore_bytes=${RGW_MEMSTORE_BYTES:-4294967296}
  local min_part=${RGW_MIN_PART_SIZE:-5242880}
  [[ "$memstore_bytes" =~ ^[0-9]+$ ]] || die "RGW_MEMSTORE_BYTES must be a byte count"
  [[ "$min_part" =~ ^[0-9]+$ ]] || die "RGW_MIN_PART_SIZE must be a byte count"

  if [[ -n "$PORT" ]]; then
    [[ "$PORT" =~ ^[0-9]+$ ]] || die "PORT must be a number: $PORT"
    ((PORT < 6800 || PORT > 7300)) || die "port $PORT is in 6800-7300, which the OSD uses"
    port_free "$PORT" || die "port $PORT on 127.0.0.1 is already in use"
  fi
  local mon_port=${RGW_MON_PORT:-}
  if [[ -z "$mon_port" ]]; then
    mon_port=$(free_port)
  else
    port_free "$mon_port" || die "mon port $mon_port on 127.0.0.1 is already in use"
  fi

  # Fresh state every time: memstore keeps nothing across restarts.
  rm -rf "$W/mon" "$W/osd" "$W/rgw" "$W/run" "$W/crash" "$W/log" "$W/pids" "$W/monmap" "$W/env" "$W/tls"
  mkdir -p "$W/mon" "$W/osd/ceph-0" "$W/rgw" "$W/run" "$W/crash" "$W/log" "$W/pids"
  "$(dirname "${BASH_SOURCE[0]}")/pki.sh" "$W/tls" >/dev/null || die "making the test PKI failed"

  local fsid osd_uuid
  fsid=$(</proc/sys/kernel/random/uuid)
  osd_uuid=$(</proc/sys/kernel/random/uuid)

  cat >"$W/ceph.conf" <<EOF
# Generated by $PROG: a single-host, throw-away test cluster. Do not use for real data.
[global]
fsid = $fsid
mon_host = [v2:127.0.0.1:$mon_port]
public_addr = 127.0.0.1
ms_bind_ipv6 = false
ms_bind_msgr1 = false
auth_cluster_required = none
auth_service_required = none
auth_client_required = none
# Without this radosgw never comes up with auth none (get_initial_auth_request returned -13).
ms_mon_client_mode = crc secure
osd_pool_default_size = 1
osd_pool_default_min_size = 1
mon_allow_pool_size_one = true
mon_warn_on_pool_no_redundancy = false
osd_pool_default_pg_num = 8
osd_pool_default_pgp_num = 8
osd_pool_default_pg_autoscale_mode = off
osd_crush_chooseleaf_type = 0
mon_max_pg_per_osd = 1000
mon_data_avail_crit = 0
mon_data_avail_warn = 0
run_dir = $W/run
admin_socket = $W/run/\$cluster-\$name.asok
pid_file = $W/run/\$name.pid
log_file = $W/log/\$name.log
crash_dir = $W/crash
mon_data = $W/mon/\$cluster-\$id
osd_data = $W/osd/\$cluster-\$id
rgw_data = $W/rgw/\$cluster-\$id
keyring = $W/keyring

[mon]
paxos_propose_interval = 0.1
paxos_min_wait = 0.01

[osd]
osd_objectstore = memstore
memstore_device_bytes = $memstore_bytes

[client]
rgw_multipart_min_part_size = $min_part
rgw_gc_obj_min_wait = 60
rgw_gc_processor_period = 60
rgw_thread_pool_size = 64
# Virtual-hosted-style requests: https://BUCKET.s3.localhost:TLSPORT/KEY.
rgw_dns_name = s3.localhost
EOF
  : >"$W/keyring"

  local t0 setup_log="$W/log/setup.log"
  t0=$(date +%s%N)
  {
    monmaptool --create --clobber --fsid "$fsid" --addv a "[v2:127.0.0.1:$mon_port]" "$W/monmap" \
      && ceph-mon -c "$W/ceph.conf" -i a --mkfs --monmap "$W/monmap"
  } >>"$setup_log" 2>&1 || fail "monitor mkfs failed"
  spawn mon ceph-mon -c "$W/ceph.conf" -i a -f

  local osd_id
  osd_id=$(ceph_cli osd new "$osd_uuid" 2>>"$setup_log") || fail "'ceph osd new' failed"
  [[ "$osd_id" == 0 ]] || fail "expected osd id 0, got '$osd_id'"
  ceph-osd -c "$W/ceph.conf" -i 0 --mkfs --osd-uuid "$osd_uuid" >>"$setup_log" 2>&1 \
    || fail "OSD mkfs failed"
  spawn osd ceph-osd -c "$W/ceph.conf" -i 0 -f
  wait_for "osd.0 up" osd osd0_up

  # Creates the default zone/zonegroup and the pools on the way.
  rgw_admin user create --uid=s3tar-test --display-name="s3tar test user" \
    --access-key="$ACCESS_KEY" --secret-key="$SECRET_KEY" >>"$setup_log" 2>&1 \
    || fail "radosgw-admin user create failed"
  # Only STANDARD is accepted out of the box; a running radosgw would not see these.
  local sc
  for sc in "${STORAGE_CLASSES[@]}"; do
    rgw_admin zonegroup placement add --rgw-zonegroup default \
      --placement-id default-placement --storage-class "$sc" >>"$setup_log" 2>&1 \
      || fail "adding storage class $sc to the zonegroup failed"
    rgw_admin zone placement add --rgw-zone default --placement-id default-placement \
      --storage-class "$sc" --data-pool default.rgw.buckets.data >>"$setup_log" 2>&1 \
      || fail "adding storage class $sc to the zone failed"
  done

  # Port choice and bind are serialised across concurrent starts (rgw.sh and moto.sh), so
  # two instances never pick the same free port and answer each other's readiness probe.
  exec 9>"${TMPDIR:-/tmp}/s3tar-test-servers.lock"
  flock -w "$TIMEOUT" 9 || fail "timed out waiting for the port lock"
  if [[ -n "$PORT" ]]; then
    port_free "$PORT" || fail "port $PORT on 127.0.0.1 is already in use"
  elif port_free 7480; then
    PORT=7480
  else
    PORT=$(free_port)
  fi
  [[ "$PORT" != "$mon_port" ]] || fail "mon port and RGW port are both $PORT"
  local tls_port
  tls_port=$(free_port)
  while [[ "$tls_port" == "$PORT" || "$tls_port" == "$mon_port" ]]; do tls_port=$(free_port); done
  # [client] is the last section of ceph.conf.
  echo "rgw_frontends = beast endpoint=127.0.0.1:$PORT ssl_endpoint=127.0.0.1:$tls_port" \
    "ssl_certificate=$W/tls/server.pem ssl_private_key=$W/tls/server.key" >>"$W/ceph.conf"
  spawn rgw radosgw -c "$W/ceph.conf" -n client.rgw.a -f
  wait_for "radosgw to answer GET / on 127.0.0.1:$PORT" rgw http_up
  wait_for "radosgw to answer GET / on https://s3.localhost:$tls_port" rgw \
    curl -s -o /dev/null --max-time 2 --cacert "$W/tls/ca.pem" "https://s3.localhost:$tls_port/"
  daemon_alive rgw || fail "radosgw exited right after start (port $PORT taken?)"
  flock -u 9
  exec 9>&-

  local tls_endpoint="https://s3.localhost:$tls_port"
  EXTRA_ENV="export S3_TLS_ENDPOINT=$tls_endpoint
export S3_TLS_CA=$W/tls/ca.pem
export S3_TLS_DIR=$W/tls
export S3_HTTP_ENDPOINT=http://127.0.0.1:$PORT"
  ENDPOINT="" ADDRESSING=""
  if [[ "${RGW_AWS_LIKE:-0}" == 1 ]]; then
    ENDPOINT=$tls_endpoint ADDRESSING=virtual
    EXTRA_ENV+=$'\n'"export AWS_CA_BUNDLE=$W/tls/ca.pem"
  fi
  write_env rgw
  note "up in $(elapsed_since "$t0") (mon port $mon_port, TLS on $tls_endpoint, env in $W/env)"
  sed -n 's/^export S3_ENDPOINT=//p' "$W/env"
}

# ---- main ------------------------------------------------------------------------------

parse_workdir_args "$@"
TIMEOUT=${RGW_START_TIMEOUT:-60}

case "$CMD" in
  start) (($# <= 3)) || usage; cmd_start ;;
  stop) (($# <= 3)) || usage; cmd_stop "${3:-}" ;;
  status) cmd_status ;;
  *) usage ;;
esac
