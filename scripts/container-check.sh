#!/usr/bin/env bash
# Builds the container image from docker/Dockerfile and smoke-tests it, on a fresh Debian 12
# machine, without any registry and without any engine configuration outside the project:
#   1. installs podman, runc and debootstrap with apt (skipped when already installed),
#   2. makes a minimal Debian 12 root with debootstrap from the mirror apt uses (cached in
#      .work/container, reused while complete) and imports it as localhost/debian:12 and
#      localhost/debian:12-slim (skipped when those already hold this root),
#   3. finds an OCI runtime and resource limits this host accepts (the engine's defaults first;
#      then runc where crun rejects the cgroup layout, and the caller's own limits where the
#      engine's defaults exceed them) and passes them explicitly to every build and run,
#   4. builds the image with docker/build.sh (a real multi-stage build; the RUN steps use the
#      host network to reach the mirror),
#   5. runs the image: --help, uid 10001, and -c / -t / verify against moto on 127.0.0.1
#      (host network), checking the archive's members byte for byte.
# Prints the time of each step; exits non-zero with a one-line reason on any failure. Removes
# the containers it started and stops moto; keeps the root, the base images and the image
# (s3tar:ci-check) so that a re-run is fast.
#
# Usage: scripts/container-check.sh            (as root: debootstrap and podman need it)
# Environment:
#   S3TAR_DEBIAN_MIRROR     Debian mirror for the root (default: the one apt uses, else
#                           http://deb.debian.org/debian)
#   S3TAR_CONTAINER_IMAGE   image to build and test (default s3tar:ci-check)
#   S3TAR_BUILD_TIMEOUT     seconds for the image build (default 1500)
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

readonly SUITE=bookworm
readonly BASE_IMAGE=localhost/debian:12
readonly SLIM_IMAGE=localhost/debian:12-slim
readonly ROOTFS_LABEL=org.s3tar.ci.rootfs
readonly PACKAGES=(podman runc debootstrap debian-archive-keyring curl tar python3)
image=${S3TAR_CONTAINER_IMAGE:-s3tar:ci-check}
build_timeout=${S3TAR_BUILD_TIMEOUT:-1500}
cache=$root/.work/container
moto_dir=$cache/moto

PROG=container-check
fail() { echo "$PROG: FAIL: $*" >&2; exit 1; }
note() { echo "$PROG: $*"; }

# --- step timing ----------------------------------------------------------------------------
timings=()
step_name=
step_t0=
step() {
  step_end
  step_name=$1
  step_t0=$EPOCHREALTIME
  echo "---- $PROG: $step_name"
}
step_end() {
  [[ -n "$step_name" ]] || return 0
  local dt
  dt=$(awk -v a="$step_t0" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }')
  timings+=("$(printf '%7ss  %s' "$dt" "$step_name")")
  note "$step_name: ${dt}s"
  step_name=
}
t_start=$EPOCHREALTIME

# --- cleanup: only what this run started ----------------------------------------------------
# Containers are named s3tar-ci-check-<this PID>-<n>; cleanup removes those left running.
cname_prefix=s3tar-ci-check-$$-
moto_started=0
cleanup() {
  local rc=$? c
  if command -v podman >/dev/null 2>&1; then
    for c in $(podman ps -a --format '{{.Names}}' 2>/dev/null | grep "^$cname_prefix" || true); do
      podman rm -f --ignore --time 0 "$c" >/dev/null 2>&1 || true
    done
  fi
  if ((moto_started)); then
    tests/servers/moto.sh stop "$moto_dir" --clean >/dev/null 2>&1 || true
  fi
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

[[ $(id -u) -eq 0 ]] || fail "must run as root (debootstrap and rootful podman need it); CI runs as root"
[[ -r /etc/debian_version ]] || fail "needs a Debian host (apt, dpkg-query, debootstrap)"
mkdir -p "$cache"

# --- 1. packages ----------------------------------------------------------------------------
step "packages (podman, runc, debootstrap)"
missing=()
for pkg in "${PACKAGES[@]}"; do
  status=$(dpkg-query -W -f='${db:Status-Abbrev}' "$pkg" 2>/dev/null || true)
  [[ "$status" == ii* ]] || missing+=("$pkg")
done
if ((${#missing[@]} == 0)); then
  note "all ${#PACKAGES[@]} packages installed, skipping apt"
else
  note "installing ${missing[*]}"
  DEBIAN_FRONTEND=noninteractive apt-get update -q || fail "apt-get update failed"
  # Rootful podman with host networking needs none of the rootless helpers (uidmap,
  # slirp4netns, fuse-overlayfs) nor a builder other than podman's own.
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}" \
    || fail "apt-get install ${missing[*]} failed"
fi
python3 -c 'import boto3, moto' 2>/dev/null \
  || fail "python3 cannot import boto3 and moto (needed for the smoke test); see scripts/setup.sh"
podman info >/dev/null 2>"$cache/podman-info.err" \
  || fail "podman does not work on this host: $(tail -n1 "$cache/podman-info.err")"
rm -f "$cache/podman-info.err"

# --- 2. Debian 12 root ----------------------------------------------------------------------
# The apt sources of this host for bookworm, bookworm-updates and bookworm-security (component
# main), one "SUITE URI" per line, from one-line .list files and deb822 .sources files.
apt_sources() {
  python3 - "$SUITE" /etc/apt/sources.list /etc/apt/sources.list.d/*.list \
    /etc/apt/sources.list.d/*.sources <<'EOF'
import os, sys
suite, files = sys.argv[1], sys.argv[2:]
wanted = [suite, suite + "-updates", suite + "-security"]
found = []
def add(types, uris, suites, comps):
    if "deb" not in types or "main" not in comps:
        return
    for u in uris:
        if not u.startswith(("http://", "https://")):
            continue
        for s in suites:
            if s in wanted and (s, u.rstrip("/")) not in found:
                found.append((s, u.rstrip("/")))
for path in files:
    if not os.path.isfile(path):
        continue
    text = open(path, errors="replace").read()
    if path.endswith(".sources"):
        for stanza in text.split("\n\n"):
            f = {}
            key = None
            for line in stanza.splitlines():
                if line.startswith("#") or not line.strip():
                    continue
                if line[0] in " \t" and key:
                    f[key] += " " + line.strip(); continue
                key, _, val = line.partition(":")
                key = key.strip().lower(); f[key] = val.strip()
            if f.get("enabled", "yes").lower() == "no":
                continue
            add(f.get("types", "").split(), f.get("uris", "").split(),
                f.get("suites", "").split(), f.get("components", "").split())
    else:
        for line in text.splitlines():
            line = line.split("#", 1)[0].split()
            if line and line[0] == "deb":
                line = line[1:]
                if line and line[0].startswith("["):
                    while line and not line[0].endswith("]"):
                        line = line[1:]
                    line = line[1:]
                if len(line) >= 3:
                    add(["deb"], [line[0]], [line[1]], line[2:])
for s, u in sorted(found, key=lambda x: wanted.index(x[0])):
    print(s, u)
EOF
}

step "Debian 12 root (debootstrap --variant=minbase, cached)"
sources=$(apt_sources) || fail "cannot read the apt sources of this host"
if [[ -n "${S3TAR_DEBIAN_MIRROR:-}" ]]; then
  mirror=${S3TAR_DEBIAN_MIRROR%/}
  sources="$SUITE $mirror"
else
  mirror=$(awk -v s="$SUITE" '$1 == s { print $2; exit }' <<<"$sources")
  if [[ -z "$mirror" ]]; then
    mirror=http://deb.debian.org/debian
    sources="$SUITE $mirror"
  fi
fi
# The root's own apt sources: the same mirrors (and updates/security when the host has them),
# so that the image build's apt-get reaches what this host reaches.
root_sources=$(awk '{ print "deb " $2 " " $1 " main" }' <<<"$sources")
key=$(printf 'variant=minbase suite=%s mirror=%s\n%s\n' "$SUITE" "$mirror" "$root_sources" | sha256sum | cut -c1-16)
tarball=$cache/rootfs-$SUITE.tar
marker=$cache/rootfs-$SUITE.ok
if [[ -s "$tarball" && -s "$marker" ]] && [[ "$(sed -n 's/^key=//p' "$marker")" == "$key" ]]; then
  note "reusing $tarball (from $mirror)"
else
  note "mirror: $mirror"
  curl -fsS --max-time 30 -o /dev/null "$mirror/dists/$SUITE/Release" \
    || fail "the Debian mirror $mirror does not answer ($mirror/dists/$SUITE/Release); set S3TAR_DEBIAN_MIRROR"
  rm -f "$marker" "$tarball"
  tmp=$cache/rootfs.tmp
  # A debootstrap killed half-way leaves its mounts (proc, sys) in the target.
  release_mounts() {
    local m
    while read -r m; do umount -l "$m" 2>/dev/null || true; done \
      < <(awk -v t="$tmp/" 'index($2, t) == 1 { print $2 }' /proc/mounts | sort -r)
  }
  release_mounts
  rm -rf --one-file-system "$tmp"
  if ! debootstrap --variant=minbase "$SUITE" "$tmp" "$mirror" >"$cache/debootstrap.log" 2>&1; then
    tail -n 20 "$cache/debootstrap.log" >&2
    release_mounts
    fail "debootstrap $SUITE from $mirror failed (log: $cache/debootstrap.log)"
  fi
  release_mounts
  printf '%s\n' "$root_sources" >"$tmp/etc/apt/sources.list"
  # No host files and no package caches in the image: podman provides resolv.conf and hostname.
  rm -f "$tmp/etc/resolv.conf" "$tmp/etc/hostname"
  rm -rf "$tmp"/var/cache/apt/archives/*.deb "$tmp"/var/lib/apt/lists/* "$tmp"/var/log/*.log
  tar --numeric-owner -C "$tmp" -cf "$tarball.tmp" . || fail "cannot write $tarball"
  mv "$tarball.tmp" "$tarball"
  rm -rf --one-file-system "$tmp"
  { echo "key=$key"; echo "mirror=$mirror"; echo "sha256=$(sha256sum "$tarball" | cut -d' ' -f1)"; } >"$marker.tmp"
  mv "$marker.tmp" "$marker"
  note "wrote $tarball ($(du -m "$tarball" | cut -f1) MiB)"
fi
rootfs_id=$(sed -n 's/^sha256=//p' "$marker" | cut -c1-32)

# Concurrent checks on one machine share the engine's images: one at a time from here on.
exec 8>"${TMPDIR:-/tmp}/s3tar-container-check.lock"
flock -w "$((build_timeout + 600))" 8 || fail "timed out waiting for another container check"

step "base images $BASE_IMAGE and $SLIM_IMAGE (podman import)"
label_of() {
  podman image inspect --format "{{index .Config.Labels \"$ROOTFS_LABEL\"}}" "$1" 2>/dev/null || true
}
if [[ "$(label_of "$BASE_IMAGE")" == "$rootfs_id" && "$(label_of "$SLIM_IMAGE")" == "$rootfs_id" ]]; then
  note "both already hold root $rootfs_id"
else
  podman import \
    --change "LABEL $ROOTFS_LABEL=$rootfs_id" \
    --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    --change 'CMD ["bash"]' \
    --message "debootstrap --variant=minbase $SUITE $mirror" \
    "$tarball" "$BASE_IMAGE" >/dev/null || fail "podman import of $tarball failed"
  podman tag "$BASE_IMAGE" "$SLIM_IMAGE" || fail "podman tag $SLIM_IMAGE failed"
  note "imported root $rootfs_id"
fi

# --- 3. runtime and limits ------------------------------------------------------------------
step "OCI runtime and ulimits this host accepts"
default_runtime=$(podman info --format '{{.Host.OCIRuntime.Name}}' 2>/dev/null || echo "")
runtimes=("")
for r in runc crun; do
  [[ "$r" != "$default_runtime" ]] && command -v "$r" >/dev/null 2>&1 && runtimes+=("$r")
done
hard_nofile=$(ulimit -Hn)
hard_nproc=$(ulimit -Hu)
[[ "$hard_nofile" == unlimited ]] && hard_nofile=1048576
[[ "$hard_nproc" == unlimited ]] && hard_nproc=32768
((hard_nproc <= 32768)) || hard_nproc=32768
limit_sets=(
  ""                                                            # the engine's defaults
  "nofile=$hard_nofile:$hard_nofile nproc=$hard_nproc:$hard_nproc" # this shell's hard limits
  "nofile=1024:1024 nproc=4096:4096"                            # conservative
)
runtime=
ulimits=()
first_error=
found=0
for limits in "${limit_sets[@]}"; do
  for r in "${runtimes[@]}"; do
    args=()
    [[ -z "$r" ]] || args=(--runtime "$r")
    u=()
    for l in $limits; do u+=(--ulimit "$l"); done
    if out=$(timeout 120 podman "${args[@]}" run --rm --network host "${u[@]}" "$BASE_IMAGE" true 2>&1); then
      runtime=$r
      ulimits=("${u[@]}")
      found=1
      break 2
    fi
    [[ -n "$first_error" ]] || first_error=$(tail -n1 <<<"$out")
    note "runtime ${r:-$default_runtime}, ulimits ${limits:-default}: $(tail -n1 <<<"$out")"
  done
done
((found)) || fail "no OCI runtime/ulimit combination starts a container here; first error: $first_error"
note "using runtime ${runtime:-$default_runtime (default)}, ulimits ${limits:-default}"
[[ -z "$first_error" ]] || note "(the engine's defaults failed with: $first_error)"
global=()
[[ -z "$runtime" ]] || global=(--runtime "$runtime")

# --- 4. build -------------------------------------------------------------------------------
step "image build (docker/build.sh, multi-stage, compiles s3tar)"
build_opts=(-t "$image" --base-image "$BASE_IMAGE" --runtime-image "$SLIM_IMAGE" --network host)
[[ -z "$runtime" ]] || build_opts+=(--oci-runtime "$runtime")
for ((i = 1; i < ${#ulimits[@]}; i += 2)); do build_opts+=(--ulimit "${ulimits[i]}"); done
old_id=$(podman image inspect --format '{{.Id}}' "$image" 2>/dev/null || true)
ENGINE=podman timeout "$build_timeout" bash docker/build.sh "${build_opts[@]}" -- --pull=never 8>&- \
  || fail "docker/build.sh failed or took over ${build_timeout}s (output above)"
new_id=$(podman image inspect --format '{{.Id}}' "$image") || fail "the build did not tag $image"
# The image this build replaced (untagged now) would pile up over CI runs; its build cache stays.
if [[ -n "$old_id" && "$old_id" != "$new_id" ]]; then
  podman rmi "$old_id" >/dev/null 2>&1 || true
fi

# --- 5. run ---------------------------------------------------------------------------------
# in_container NAME ARGS...: runs the image with the found runtime and limits on the host
# network, as container $cname_prefix$NAME (not holding the check's lock).
in_container() {
  local name=$cname_prefix$1
  shift
  timeout 300 podman "${global[@]}" run --rm --name "$name" --network host "${ulimits[@]}" "$@" 8>&-
}

step "image: --help and uid 10001"
in_container help "$image" --help >/dev/null || fail "'$image --help' did not exit 0"
uid=$(in_container id --entrypoint /usr/bin/id "$image" -u) || fail "cannot run id in $image"
[[ "$uid" == 10001 ]] || fail "the image runs as uid $uid, expected 10001"
user=$(podman image inspect --format '{{.Config.User}}' "$image")
[[ "$user" == 10001:10001 ]] || fail "the image's USER is '$user', expected 10001:10001"
note "--help exits 0, runs as uid 10001 (USER $user)"

step "smoke test: moto on 127.0.0.1 and test objects"
tests/servers/moto.sh stop "$moto_dir" --clean >/dev/null 2>&1 || true
moto_started=1
tests/servers/moto.sh start "$moto_dir" >/dev/null 8>&- || fail "moto did not start (tests/servers/moto.sh)"
# shellcheck disable=SC1091
source "$moto_dir/env"
python3 - "$S3_ENDPOINT" <<'EOF' || fail "could not create the test bucket and objects in moto"
import hashlib, sys, boto3
s3 = boto3.client("s3", endpoint_url=sys.argv[1])
for b in ("ci-src", "ci-dst"):
    s3.create_bucket(Bucket=b)
objects = {
    "logs/a.txt": b"hello from s3tar\n",
    "logs/b.json": b'{"k": "v"}\n' * 100,
    "logs/dir/c.bin": hashlib.sha256(b"c").digest() * 40000,  # 1.25 MiB
    "big/d.bin": bytes(range(256)) * (24 * 4096),             # 24 MiB: copied server-side
}
for k, v in objects.items():
    s3.put_object(Bucket="ci-src", Key=k, Body=v)
EOF
s3env=(-e "AWS_ENDPOINT_URL=$S3_ENDPOINT" -e "AWS_ACCESS_KEY_ID=$AWS_ACCESS_KEY_ID"
       -e "AWS_SECRET_ACCESS_KEY=$AWS_SECRET_ACCESS_KEY" -e "AWS_REGION=$AWS_REGION"
       -e S3TAR_LOG_FORMAT=text)

step "smoke test: s3tar -cvf s3://ci-dst/x.tar s3://ci-src/ (in the container)"
in_container create "${s3env[@]}" "$image" -cvf s3://ci-dst/x.tar s3://ci-src/ \
  || fail "s3tar -cvf in the container exited non-zero"

step "smoke test: s3tar -tf and verify --content (in the container)"
listing=$(in_container list "${s3env[@]}" "$image" -tf s3://ci-dst/x.tar) \
  || fail "s3tar -tf in the container exited non-zero"
for k in logs/a.txt logs/b.json logs/dir/c.bin big/d.bin; do
  grep -q -- "$k" <<<"$listing" || fail "s3tar -tf does not list $k: $listing"
done
in_container verify "${s3env[@]}" "$image" verify -f s3://ci-dst/x.tar --content \
  || fail "s3tar verify --content in the container exited non-zero"
python3 - "$S3_ENDPOINT" <<'EOF' || fail "the archive's members differ from the source objects"
import io, sys, tarfile, boto3
s3 = boto3.client("s3", endpoint_url=sys.argv[1])
data = s3.get_object(Bucket="ci-dst", Key="x.tar")["Body"].read()
with tarfile.open(fileobj=io.BytesIO(data)) as tar:
    members = {m.name: tar.extractfile(m).read() for m in tar.getmembers() if m.isfile()}
for obj in s3.list_objects_v2(Bucket="ci-src")["Contents"]:
    src = s3.get_object(Bucket="ci-src", Key=obj["Key"])["Body"].read()
    if members.get(obj["Key"]) != src:
        sys.exit(f"member {obj['Key']} missing or different")
print(f"archive: {len(data)} bytes, {len(members)} members, all equal to their sources")
EOF
tests/servers/moto.sh stop "$moto_dir" --clean >/dev/null || fail "moto did not stop"
moto_started=0
step_end

total=$(awk -v a="$t_start" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }')
echo "$PROG: timings"
printf '%s\n' "${timings[@]}"
printf '%7ss  total\n' "$total"
note "ok: $image built (runtime ${runtime:-default}, ulimits ${limits:-default}), starts as uid 10001, creates, lists and verifies an archive against moto"
