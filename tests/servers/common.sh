# shellcheck shell=bash
# Shared by rgw.sh and moto.sh (sourced, not run): messages, loopback ports, the readiness
# probe, the env file and the WORKDIR argument. Expects PROG, and usage() defined by the caller.

die() { echo "$PROG: error: $*" >&2; exit 1; }
note() { echo "$PROG: $*" >&2; }

# Prints a port that 127.0.0.1 can bind now (kernel's choice, never in the Ceph OSD range).
free_port() {
  "${PY:-python3}" - <<'PY'
import socket
for _ in range(50):
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    p = s.getsockname()[1]
    s.close()
    if not 6800 <= p <= 7300:
        print(p)
        break
else:
    raise SystemExit("no free port")
PY
}

# Succeeds if 127.0.0.1:$1 can be bound now.
port_free() {
  "${PY:-python3}" - "$1" <<'PY'
import socket, sys
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
try:
    s.bind(("127.0.0.1", int(sys.argv[1])))
except OSError:
    sys.exit(1)
PY
}

http_up() { curl -s -o /dev/null --max-time 2 "http://127.0.0.1:$PORT/"; }

# Writes $W/env atomically for server $1 (rgw | moto) on $PORT with ACCESS_KEY / SECRET_KEY.
# S3_ENDPOINT defaults to plain HTTP on 127.0.0.1 (path-style); a caller may set ENDPOINT and
# ADDRESSING, and EXTRA_ENV (more `export NAME=value` lines).
write_env() {
  cat >"$W/env.tmp" <<ENV
export S3_ENDPOINT=${ENDPOINT:-http://127.0.0.1:$PORT}
export S3_ADDRESSING=${ADDRESSING:-path}
export AWS_ACCESS_KEY_ID=$ACCESS_KEY
export AWS_SECRET_ACCESS_KEY=$SECRET_KEY
export AWS_REGION=us-east-1
export AWS_DEFAULT_REGION=us-east-1
export S3_SERVER=$1
${EXTRA_ENV:-}
ENV
  mv "$W/env.tmp" "$W/env"
}

# The time since $1 (a `date +%s%N` reading), as seconds with 3 decimals.
elapsed_since() {
  local ms=$((($(date +%s%N) - $1) / 1000000))
  echo "$((ms / 1000)).$(printf %03d $((ms % 1000)))s"
}

# Checks `CMD WORKDIR [PORT]`, creates WORKDIR for start, and sets CMD, W (absolute) and PORT.
# Exits 0 for stop/status on a WORKDIR that does not exist.
parse_workdir_args() {
  (($# >= 2)) || usage
  CMD=$1
  case "$CMD" in start | stop | status) ;; *) usage ;; esac
  [[ -n "$2" ]] || usage
  [[ "$2" != / ]] || die "refusing to use / as WORKDIR"
  if [[ "$CMD" == start ]]; then
    mkdir -p "$2" || die "cannot create WORKDIR $2"
  elif [[ ! -d "$2" ]]; then
    echo "$PROG: $2 does not exist, nothing to do"
    exit 0
  fi
  W=$(cd "$2" && pwd -P)
  PORT=${3:-}
}
