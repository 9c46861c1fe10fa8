#!/usr/bin/env bash
# Builds the s3tar container image from docker/Dockerfile with podman, buildah or docker,
# whichever is found first (override with ENGINE=podman|buildah|docker), then checks that the
# image starts: `s3tar --help` inside it must exit 0.
#
# Usage: docker/build.sh [-t IMAGE[:TAG]] [--base-image REF] [--runtime-image REF]
#                        [--oci-runtime NAME] [--ulimit TYPE=SOFT:HARD]... [--network MODE]
#                        [--no-check] [-- extra build arguments]
#   -t                 image name (default s3tar:<version> and s3tar:latest)
#   --base-image       build stage base (default debian:12)
#   --runtime-image    runtime stage base (default debian:12-slim)
#   --oci-runtime      OCI runtime (runc, crun, a path) for the RUN steps and the check (podman,
#                      buildah; docker: the check only), e.g. runc where crun rejects the cgroups
#   --ulimit           resource limit for the RUN steps and the check (repeatable), e.g.
#                      nofile=1024:1024 where the engine's defaults exceed the caller's limits
#   --network          network of the RUN steps (e.g. host where no container network is set up)
#   --no-check         skip running `s3tar --help` in the built image
# Anything after `--` goes to the build command unchanged (e.g. --pull=never, --platform ...).
set -euo pipefail

die() { echo "build.sh: error: $*" >&2; exit 1; }

root=$(cd "$(dirname "$0")/.." && pwd)
version=$(sed -n 's/^project(s3tar VERSION \([0-9.]*\).*/\1/p' "$root/CMakeLists.txt")
[[ -n "$version" ]] || die "cannot read the project version from CMakeLists.txt"
revision=$(git -C "$root" rev-parse --short=12 HEAD 2>/dev/null || echo unknown)

tags=()
build_args=()
check=1
extra=()
oci_runtime=
ulimits=()
limits=()
network=()
while (($#)); do
  case "$1" in
    -t|--tag) [[ $# -ge 2 ]] || die "$1 needs a value"; tags+=("$2"); shift 2 ;;
    --base-image) [[ $# -ge 2 ]] || die "$1 needs a value"; build_args+=(--build-arg "BASE_IMAGE=$2"); shift 2 ;;
    --runtime-image) [[ $# -ge 2 ]] || die "$1 needs a value"; build_args+=(--build-arg "RUNTIME_IMAGE=$2"); shift 2 ;;
    --oci-runtime) [[ $# -ge 2 ]] || die "$1 needs a value"; oci_runtime=$2; shift 2 ;;
    --ulimit) [[ $# -ge 2 ]] || die "$1 needs a value"; ulimits+=(--ulimit "$2"); limits+=("$2"); shift 2 ;;
    --network) [[ $# -ge 2 ]] || die "$1 needs a value"; network=(--network "$2"); shift 2 ;;
    --no-check) check=0; shift ;;
    -h|--help) sed -n '2,18p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    --) shift; extra=("$@"); break ;;
    *) die "unknown argument: $1 (see --help)" ;;
  esac
done
((${#tags[@]})) || tags=("s3tar:$version" "s3tar:latest")

engine=${ENGINE:-}
if [[ -z "$engine" ]]; then
  for e in podman buildah docker; do
    if command -v "$e" >/dev/null 2>&1; then engine=$e; break; fi
  done
fi
[[ -n "$engine" ]] || die "no container build tool found: install podman, buildah or docker"
command -v "$engine" >/dev/null 2>&1 || die "$engine not found"

tag_args=()
for t in "${tags[@]}"; do tag_args+=(-t "$t"); done
common=(-f "$root/docker/Dockerfile" "${tag_args[@]}"
        --build-arg "VERSION=$version" --build-arg "REVISION=$revision"
        "${build_args[@]}" "${ulimits[@]}" "${network[@]}" "${extra[@]}")

# podman takes the OCI runtime as a global option, buildah as a build option, docker only
# when running a container (its builder has no such setting).
podman_global=()
[[ -z "$oci_runtime" ]] || podman_global=(--runtime "$oci_runtime")

echo "build.sh: building ${tags[*]} with $engine (version $version, revision $revision)"
if [[ -n "$oci_runtime${network[*]}${ulimits[*]}" ]]; then
  echo "build.sh: runtime ${oci_runtime:-default}, ulimits ${limits[*]:-default}, network ${network[1]:-default}"
fi
case "$engine" in
  buildah)
    buildah build --layers ${oci_runtime:+--runtime "$oci_runtime"} "${common[@]}" "$root" ;;
  podman) podman "${podman_global[@]}" build "${common[@]}" "$root" ;;
  docker)
    [[ -z "$oci_runtime" ]] || die "docker build has no --oci-runtime; configure the daemon's default runtime"
    docker build "${common[@]}" "$root" ;;
  *) die "unsupported ENGINE=$engine (podman, buildah or docker)" ;;
esac

if ((check)); then
  runner=$engine
  if [[ "$engine" == buildah ]]; then
    # buildah builds but does not run images; use podman when it is there.
    if command -v podman >/dev/null 2>&1; then runner=podman; else runner=; fi
  fi
  if [[ -n "$runner" ]]; then
    echo "build.sh: checking the image: s3tar --help"
    run_opts=(--rm --network=none "${ulimits[@]}")
    runner_global=()
    if [[ -n "$oci_runtime" ]]; then
      if [[ "$runner" == docker ]]; then run_opts+=(--runtime "$oci_runtime")
      else runner_global=(--runtime "$oci_runtime"); fi
    fi
    "$runner" "${runner_global[@]}" run "${run_opts[@]}" "${tags[0]}" --help >/dev/null \
      || die "the image does not start: '$runner ${runner_global[*]} run ${run_opts[*]} ${tags[0]} --help' failed"
    user=$("$runner" image inspect --format '{{.Config.User}}' "${tags[0]}")
    [[ "$user" == 10001:10001 ]] || die "the image runs as '$user', expected 10001:10001"
    echo "build.sh: ok: ${tags[0]} starts and runs as uid 10001"
  else
    echo "build.sh: note: no podman/docker to run the image; skipped the start check"
  fi
fi
