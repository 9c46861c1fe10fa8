#!/usr/bin/env bash
# Installs everything the build, the tests and the demo need on a fresh Debian 12 machine.
# Idempotent: when every package is already installed it does not touch apt at all.
#
# Usage: scripts/setup.sh        (as root, or as a user with sudo)
set -euo pipefail

die() { echo "setup.sh: error: $*" >&2; exit 1; }

PACKAGES=(
  # build
  cmake g++ make pkg-config git
  libcurl4-openssl-dev libssl-dev libarchive-dev libisal-dev libboost-date-time-dev
  libfmt-dev libcli11-dev nlohmann-json3-dev libpugixml-dev zlib1g-dev
  libgtest-dev libgmock-dev ccache
  # source checks and fuzzing (scripts/check-format.sh, scripts/fuzz.sh: libFuzzer comes with clang)
  clang-format clang-14 libclang-rt-14-dev
  # runtime, tests and demo
  tzdata tar libarchive-tools python3 curl ca-certificates time
  # deployment checks (scripts/check-deploy.sh; cfn-lint comes with the machine's python3)
  shellcheck systemd
  # S3-compatible test server (Ceph RADOS Gateway)
  radosgw ceph-mon ceph-osd ceph-common
  # the AWS-like test passes: the test CA (openssl), *.localhost bucket host names for glibc
  # (nss-myhostname resolves them to loopback; the package adds it to /etc/nsswitch.conf), and
  # an HTTPS CONNECT proxy
  openssl libnss-myhostname tinyproxy
)

command -v dpkg-query >/dev/null 2>&1 || die "dpkg-query not found: this script supports Debian 12 only"

missing=()
for pkg in "${PACKAGES[@]}"; do
  status=$(dpkg-query -W -f='${db:Status-Abbrev}' "$pkg" 2>/dev/null || true)
  [[ "$status" == ii* ]] || missing+=("$pkg")
done

if ((${#missing[@]} == 0)); then
  echo "setup.sh: all ${#PACKAGES[@]} apt packages already installed, skipping apt"
else
  echo "setup.sh: installing ${#missing[@]} missing package(s): ${missing[*]}"
  SUDO=()
  if [[ $(id -u) -ne 0 ]]; then
    command -v sudo >/dev/null 2>&1 || die "not root and sudo is not available"
    SUDO=(sudo)
  fi
  "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -q \
    || die "apt-get update failed"
  "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
    --no-install-recommends "${PACKAGES[@]}" \
    || die "apt-get install failed"
fi

# The second test server (moto) and the aws CLI come from the machine's python3; never
# installed from PyPI here.
if ! python3 -c 'import moto, boto3' >/dev/null 2>&1; then
  die "python3 ($(command -v python3 || echo 'not found')) cannot import moto and boto3; provide a python3 with moto 5.x and boto3 on PATH"
fi
echo "setup.sh: python3 has moto $(python3 -c 'import moto; print(moto.__version__)') and boto3"
echo "setup.sh: done"
