#!/usr/bin/env bash
# Checks the deployment files: docker/, config/ (IAM policies, CloudFormation, systemd, cron)
# and tests/deploy/. Exits non-zero when any check fails. Called from CI.
#
# Usage: scripts/check-deploy.sh [--binary PATH] [--image]
#   --binary PATH  also check that the Dockerfile's runtime packages provide every shared
#                  library PATH (a built s3tar) needs (default: build/bin/s3tar when present)
#   --image        also build the container image with docker/build.sh and run it
#
# Needs python3 with PyYAML and cfn-lint. Uses shellcheck and systemd-analyze when present
# (reported as skipped otherwise).
set -uo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root" || exit 2

binary=
image=0
while (($#)); do
  case "$1" in
    --binary) binary=${2:?--binary needs a path}; shift 2 ;;
    --image) image=1; shift ;;
    -h|--help) sed -n '2,11p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "check-deploy.sh: unknown argument $1" >&2; exit 2 ;;
  esac
done
if [[ -z "$binary" && -x build/bin/s3tar ]]; then binary=build/bin/s3tar; fi

failures=0
passed=0
skipped=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

ok() { echo "ok    $*"; passed=$((passed + 1)); }
fail() { echo "FAIL  $*"; failures=$((failures + 1)); }
skip() { echo "skip  $*"; skipped=$((skipped + 1)); }
# run NAME CMD...: the command's output is shown only when it fails.
run() {
  local name=$1; shift
  if "$@" >"$tmp/out" 2>&1; then ok "$name"; else fail "$name"; sed 's/^/      /' "$tmp/out"; fi
}

dockerfile=docker/Dockerfile

# --- Dockerfile ---------------------------------------------------------------------------------
check_dockerfile() {
  python3 - "$dockerfile" scripts/setup.sh <<'EOF'
import re, sys
text = open(sys.argv[1]).read()
setup = open(sys.argv[2]).read()
# Join continuation lines, drop comments.
lines = [l for l in re.sub(r"\\\n", " ", text).splitlines() if l.strip() and not l.lstrip().startswith("#")]
errors = []
def need(cond, msg):
    if not cond: errors.append(msg)

args_before_from = []
stages = []  # (name, base, [instructions])
for l in lines:
    word, _, rest = l.strip().partition(" ")
    word = word.upper()
    if word == "FROM":
        m = re.match(r"(\S+)(?:\s+AS\s+(\S+))?$", rest.strip(), re.I)
        need(m is not None, f"bad FROM: {l}")
        stages.append((m.group(2) if m else None, m.group(1) if m else rest, []))
    elif not stages:
        need(word == "ARG", f"only ARG may come before the first FROM: {l}")
        args_before_from.append(rest.split("=")[0].strip())
    else:
        stages[-1][2].append((word, rest.strip()))

need({"BASE_IMAGE", "RUNTIME_IMAGE"} <= set(args_before_from), "ARG BASE_IMAGE and ARG RUNTIME_IMAGE before FROM")
need(len(stages) >= 2, "a multi-stage build (build + runtime)")
if len(stages) >= 2:
    need(stages[0][1] == "${BASE_IMAGE}", "the build stage is FROM ${BASE_IMAGE}")
    name, base, final = stages[-1]
    need(base == "${RUNTIME_IMAGE}", "the runtime stage is FROM ${RUNTIME_IMAGE}")
    words = [w for w, _ in final]
    users = [r for w, r in final if w == "USER"]
    need(users and re.fullmatch(r"[1-9][0-9]*(:[0-9]+)?", users[-1]) and not users[-1].startswith("0"),
         "the runtime stage ends as a numeric non-root USER")
    need(users and users[-1].split(":")[0] == "10001", "USER is uid 10001")
    eps = [r for w, r in final if w == "ENTRYPOINT"]
    need(eps and eps[-1].startswith('["/usr/local/bin/s3tar"'), "ENTRYPOINT is the binary, exec form")
    need("LABEL" in words, "the runtime stage has labels")
    need(any(w == "COPY" and "--from=build" in r for w, r in final), "the binary is copied from the build stage")
    runtime_runs = " ".join(r for w, r in final if w == "RUN")
    for bad in ("g++", "gcc", "clang", "cmake", "make ", "-dev", "build-essential", "git"):
        need(bad not in runtime_runs, f"the runtime stage installs no build tool or -dev package ({bad.strip()})")
    for w, r in [x for s in stages for x in s[2]]:
        if w == "RUN" and "apt-get install" in r:
            need("--no-install-recommends" in r, f"apt-get install --no-install-recommends: {r[:60]}")
            need("rm -rf /var/lib/apt/lists" in r, f"apt lists removed in the same layer: {r[:60]}")
            need("apt-get update" in r, f"apt-get update in the same layer: {r[:60]}")
    # The build stage installs only packages scripts/setup.sh knows (its build list).
    build_runs = " ".join(r for w, r in stages[0][2] if w == "RUN")
    m = re.search(r"--no-install-recommends(.*?)&&", build_runs)
    pkgs = m.group(1).split() if m else []
    need(pkgs, "the build stage installs packages")
    setup_pkgs = set(re.findall(r"[a-z0-9][a-z0-9.+-]+", setup.split("PACKAGES=(")[1].split(")")[0]))
    for p in pkgs:
        need(p in setup_pkgs, f"build package {p} is not in scripts/setup.sh")
    need("-DS3TAR_TESTS=OFF" in build_runs and "Release" in build_runs and "--target s3tar" in build_runs,
         "the build stage builds the s3tar target only, Release, without tests")
if errors:
    print("\n".join(errors)); sys.exit(1)
EOF
}
run "Dockerfile: stages, ARGs, non-root USER, ENTRYPOINT, no compilers at runtime" check_dockerfile

check_dockerignore() {
  local d
  grep -qx '\*' .dockerignore || { echo ".dockerignore must start from '*'"; return 1; }
  while read -r d; do
    grep -qx "!$d/" .dockerignore || { echo ".dockerignore leaves out $d/"; return 1; }
  done < <(sed -n 's#^COPY \([a-z]*\)/ .*#\1#p' "$dockerfile")
}
run ".dockerignore admits exactly what the Dockerfile copies" check_dockerignore

# The image builds without the tests: every other directory CMake adds must be copied in.
check_sources_copied() {
  local d
  while read -r d; do
    grep -q "^COPY $d/ $d/" "$dockerfile" || { echo "CMakeLists.txt adds $d/ but the Dockerfile does not copy it"; return 1; }
  done < <(sed -n 's/^add_subdirectory(\([A-Za-z0-9_-]*\))$/\1/p' CMakeLists.txt | grep -vx -e tests -e bench)
}
run "Dockerfile copies every source directory CMakeLists.txt builds" check_sources_copied

# Runtime packages from the Dockerfile's second apt-get install.
runtime_packages() {
  python3 - "$dockerfile" <<'EOF'
import re, sys
text = re.sub(r"\\\n", " ", open(sys.argv[1]).read())
runtime = text.split("AS runtime", 1)[1]
m = re.search(r"--no-install-recommends(.*?)&&", runtime)
print("\n".join(m.group(1).split()))
EOF
}

check_packages_exist() {
  local p missing=0
  command -v apt-cache >/dev/null || { echo "no apt-cache"; return 1; }
  for p in $(runtime_packages); do
    apt-cache show "$p" >/dev/null 2>&1 || { echo "no Debian package $p (run apt-get update?)"; missing=1; }
  done
  return $missing
}
if command -v apt-cache >/dev/null 2>&1 && apt-cache show libc6 >/dev/null 2>&1; then
  run "Dockerfile: every runtime package exists in the Debian archive" check_packages_exist
else
  skip "runtime package names (no apt-cache data; run apt-get update)"
fi

# Every shared library the binary loads must come from a runtime package, a dependency of one,
# or a package every Debian image has (Priority required).
check_ldd() {
  local libs closure lib pkg missing=0
  local -a runtime
  mapfile -t runtime < <(runtime_packages)
  libs=$(ldd "$binary" | awk '/=>/ && $3 ~ /^\// {print $3}') || return 1
  [[ -n "$libs" ]] || { echo "ldd found no libraries"; return 1; }
  closure=$(
    { runtime_packages
      apt-cache depends --recurse --no-recommends --no-suggests --no-conflicts --no-breaks \
        --no-replaces --no-enhances "${runtime[@]}" 2>/dev/null | grep -v '^ ' | grep -v '^<'
      dpkg-query -W -f='${Package} ${Priority}\n' | awk '$2 == "required" {print $1}'
    } | sed 's/:.*//' | sort -u)
  for lib in $libs; do
    pkg=$(dpkg -S "$(readlink -f "$lib")" 2>/dev/null | head -1 | cut -d: -f1)
    [[ -n "$pkg" ]] || pkg=$(dpkg -S "$lib" 2>/dev/null | head -1 | cut -d: -f1)
    if [[ -z "$pkg" ]]; then echo "$lib: no package owns it"; missing=1; continue; fi
    grep -qx "$pkg" <<<"$closure" || { echo "$lib ($pkg) is not installed by the runtime stage"; missing=1; }
  done
  return $missing
}
if [[ -n "$binary" ]]; then
  if command -v dpkg >/dev/null 2>&1 && command -v ldd >/dev/null 2>&1; then
    run "runtime packages provide every library of $(basename "$binary") (ldd)" check_ldd
  else
    skip "ldd check (no dpkg/ldd)"
  fi
else
  skip "ldd check (no built binary; pass --binary PATH)"
fi

# --- Shell scripts ------------------------------------------------------------------------------
if command -v shellcheck >/dev/null 2>&1; then
  run "shellcheck docker/build.sh scripts/check-deploy.sh" shellcheck docker/build.sh scripts/check-deploy.sh
else
  skip "shellcheck (not installed)"
fi
run "docker/build.sh --help" bash docker/build.sh --help

# --- IAM policies -------------------------------------------------------------------------------
check_policies() {
  python3 - config/iam-policy.json config/iam-policy-kms.json config/iam-policy-tag-sources.json \
    config/iam-policy-restore.json <<'EOF'
import json, sys
errors = []
for path in sys.argv[1:]:
    try:
        doc = json.load(open(path))
    except ValueError as e:
        errors.append(f"{path}: not JSON: {e}"); continue
    if doc.get("Version") != "2012-10-17":
        errors.append(f"{path}: Version must be 2012-10-17")
    sids = set()
    for st in doc.get("Statement", []):
        sid = st.get("Sid", "?")
        if sid in sids: errors.append(f"{path}: duplicate Sid {sid}")
        sids.add(sid)
        actions = st["Action"] if isinstance(st["Action"], list) else [st["Action"]]
        resources = st["Resource"] if isinstance(st["Resource"], list) else [st["Resource"]]
        if st["Effect"] == "Allow":
            for a in actions:
                if "*" in a or "Delete" in a:
                    errors.append(f"{path}: {sid}: Allow {a}")
            if "*" in resources:
                errors.append(f"{path}: {sid}: Allow on Resource *")
            if path.endswith("iam-policy.json") and any("Tagging" in a for a in actions) \
                    and any("SOURCE_BUCKET" in r for r in resources):
                errors.append(f"{path}: {sid}: source tagging belongs in iam-policy-tag-sources.json")
            if not path.endswith("iam-policy-restore.json") and "s3:RestoreObject" in actions:
                errors.append(f"{path}: {sid}: s3:RestoreObject belongs in iam-policy-restore.json")
            if path.endswith("iam-policy-restore.json") and "s3:RestoreObject" in actions \
                    and resources != ["arn:aws:s3:::DEST_BUCKET/DEST_PREFIX/*"]:
                errors.append(f"{path}: {sid}: s3:RestoreObject only on the archives (DEST_PREFIX)")
            if path.endswith("iam-policy-restore.json") and "s3:PutObject" in actions \
                    and any(r.startswith("arn:aws:s3:::DEST_BUCKET/") and not r.endswith("*.restore.json")
                            for r in resources):
                errors.append(f"{path}: {sid}: restore may write only *.restore.json next to the archives")
print("\n".join(errors)); sys.exit(1 if errors else 0)
EOF
}
run "IAM policies: valid JSON, no wildcard actions, no deletes, no Resource * allows" check_policies
for f in config/iam-policy*.json; do
  run "json.tool $f" python3 -m json.tool "$f"
done

# --- CloudFormation -----------------------------------------------------------------------------
if command -v cfn-lint >/dev/null 2>&1; then
  run "cfn-lint config/cloudformation/*.yaml" cfn-lint config/cloudformation/*.yaml
else
  fail "cfn-lint is not installed (python3 -m pip install cfn-lint, or the distribution's package)"
fi
run "state machines: only exit 5 retried, 4 waits, 6 notifies (tests/deploy)" \
  python3 tests/deploy/test_state_machines.py

# --- Athena catalog table -----------------------------------------------------------------------
run "Athena DDL: the writer's columns, projection on dt, documented queries answer (SQLite)" \
  python3 tests/deploy/test_athena_catalog.py

# --- systemd ------------------------------------------------------------------------------------
check_units() {
  local s=config/systemd/s3tar-daily.service t=config/systemd/s3tar-daily.timer
  local want
  grep -q '^OnCalendar=.* [A-Za-z_/]*$' "$t" || { echo "$t: OnCalendar without a time zone"; return 1; }
  grep -qx 'Persistent=true' "$t" || { echo "$t: Persistent=true missing"; return 1; }
  for want in 'RestartForceExitStatus=4 5' 'SuccessExitStatus=6' 'Restart=no' 'DynamicUser=yes' \
              'ProtectSystem=strict' 'KillSignal=SIGTERM' 'NoNewPrivileges=yes'; do
    grep -qx "$want" "$s" || { echo "$s: $want missing"; return 1; }
  done
  local cal
  cal=$(sed -n 's/^OnCalendar=//p' "$t")
  if command -v systemd-analyze >/dev/null 2>&1; then
    systemd-analyze calendar "$cal" >/dev/null || return 1
    # verify wants ExecStart's binary to exist: check a copy that runs /bin/true.
    mkdir -p "$tmp/units"
    sed 's#^ExecStart=/usr/local/bin/s3tar#ExecStart=/bin/true#' "$s" >"$tmp/units/s3tar-daily.service"
    cp "$t" "$tmp/units/"
    systemd-analyze verify --man=no "$tmp/units/s3tar-daily.service" "$tmp/units/s3tar-daily.timer"
  fi
}
if command -v systemd-analyze >/dev/null 2>&1; then
  run "systemd units: systemd-analyze verify, calendar, retry and sandbox settings" check_units
else
  run "systemd units: retry and sandbox settings (no systemd-analyze)" check_units
fi

# --- cron ---------------------------------------------------------------------------------------
# Runs the crontab's command with a stand-in s3tar that exits with scripted codes.
check_cron() {
  local line cmd
  line=$(grep -E '^[0-9*]' config/cron/s3tar.crontab)
  [[ $(wc -l <<<"$line") -eq 1 ]] || { echo "expected one job line"; return 1; }
  [[ "$line" != *%* ]] || { echo "a % in a crontab line is a newline to cron"; return 1; }
  [[ $(awk '{print $6}' <<<"$line") == s3tar ]] || { echo "the job must run as user s3tar"; return 1; }
  cmd=$(cut -d' ' -f7- <<<"$line")
  [[ "$cmd" == flock\ -n\ * ]] || { echo "the job must run under flock -n"; return 1; }
  cmd=${cmd//sleep 1200/sleep 0}
  cmd=${cmd//\/var\/log\/s3tar/$tmp/cronlog}
  mkdir -p "$tmp/cronbin" "$tmp/cronlog"
  printf '%s\n' "$cmd" >"$tmp/cronjob.sh"
  cat >"$tmp/cronbin/s3tar" <<EOF
#!/bin/sh
echo "\$*" >>"$tmp/cronlog/calls"
code=\$(head -n1 "$tmp/cronlog/codes"); sed -i 1d "$tmp/cronlog/codes"
exit "\$code"
EOF
  chmod +x "$tmp/cronbin/s3tar"
  local codes want_calls want_rc got_calls rc
  while read -r codes want_calls want_rc; do
    tr ',' '\n' <<<"$codes" >"$tmp/cronlog/codes"; : >"$tmp/cronlog/calls"
    PATH="$tmp/cronbin:/usr/bin:/bin" sh "$tmp/cronjob.sh"; rc=$?
    got_calls=$(wc -l <"$tmp/cronlog/calls")
    if [[ $got_calls -ne $want_calls || $rc -ne $want_rc ]]; then
      echo "exit codes $codes: $got_calls runs, exit $rc; expected $want_calls runs, exit $want_rc"; return 1
    fi
  done <<'EOF'
0 1 0
5,4,0 3 0
6 1 6
2,0 1 2
3 1 3
1 1 1
5,5,5,5,5,5,5,5,5,5 8 5
EOF
  grep -q -- 'run --config /etc/s3tar/job.json' "$tmp/cronlog/calls" || { echo "wrong command"; return 1; }
  # A second start while the first holds the lock does nothing.
  printf '0\n' >"$tmp/cronlog/codes"; : >"$tmp/cronlog/calls"
  flock "$tmp/cronlog/daily.lock" env PATH="$tmp/cronbin:/usr/bin:/bin" sh "$tmp/cronjob.sh"
  rc=$?
  [[ $rc -ne 0 && ! -s "$tmp/cronlog/calls" ]] || { echo "flock did not stop an overlapping run"; return 1; }
}
run "crontab: flock, logging, re-runs only on exit 4/5 (simulated)" check_cron

# --- Image (optional) ---------------------------------------------------------------------------
if ((image)); then
  run "docker/build.sh (build the image and run s3tar --help in it)" bash docker/build.sh
fi

echo "check-deploy: $passed passed, $failures failed, $skipped skipped"
((failures == 0))
