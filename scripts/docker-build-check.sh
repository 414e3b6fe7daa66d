#!/usr/bin/env bash
# Builds the Dockerfile and checks the image on a machine with no Docker engine and no access to Microsoft's
# container registry (as root, Debian 12 with the .NET 10 SDK). By hand, not in CI: ~15 minutes, ~20 GB in /tmp.
#
#   bash scripts/docker-build-check.sh          # build, check, delete everything it made
#   bash scripts/docker-build-check.sh --keep   # leave the images and the work folder for a look
#
# How (docs/container.md, "How the image was verified"):
#  - podman (its build is buildah's) from Debian's packages, storage driver vfs (no overlay mounts), builds with chroot
#    isolation, containers run by runc with cgroupfs; everything lives under $TG_DOCKER_WORK (default
#    /tmp/tunnelguard-docker-check) and is deleted at the end.
#  - The FROM images are STAND-INS, not Microsoft's: Debian 12 (mmdebstrap, minbase, the runtime-deps packages of
#    the official images and their user app, UID 1654) plus this machine's own .NET runtime (runtime stand-in) or
#    whole .NET SDK (SDK stand-in). The SDK stand-in also trusts what this machine trusts (its CA bundle), so that the
#    restore inside the build reaches the NuGet feed this machine uses. The Dockerfile's defaults stay the official
#    images; the stand-ins go in through --build-arg SDK_IMAGE/RUNTIME_IMAGE, with --pull=never.
#  - The checks run the image as `docker run` would: its entrypoint, its user, the capabilities given with --cap-add
#    (on podman's defaults plus NET_RAW, MKNOD and AUDIT_WRITE, which makes Docker's default set). Firewall checks run
#    in the container's own network namespace (--network none), never on the host's firewall.
# Ends with "N passed, N failed"; exit 0 when every check passed.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD
work=${TG_DOCKER_WORK:-/tmp/tunnelguard-docker-check}
keep=0
[ "${1:-}" = --keep ] && keep=1

[ "$(id -u)" = 0 ] || { echo "docker-build-check: run as root" >&2; exit 2; }
need=(podman runc mmdebstrap)
missing=()
for p in "${need[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing: ${missing[*]}"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

image=localhost/tunnelguard:check
sdk_standin=localhost/tunnelguard-standin/dotnet-sdk:10.0
runtime_standin=localhost/tunnelguard-standin/dotnet-runtime:10.0
pod=(podman --root "$work/storage" --runroot "$work/run" --tmpdir "$work/tmp" --storage-driver vfs --runtime runc --cgroup-manager cgroupfs)
# This machine's hard limits are below podman's defaults, which runc may not raise.
run=("${pod[@]}" run --ulimit nofile=4096:4096 --ulimit nproc=4096:4096)
docker_default_caps=(--cap-add NET_RAW --cap-add MKNOD --cap-add AUDIT_WRITE)
monitor_ctr=""
had_cgroups=0
compgen -G '/sys/fs/cgroup/*/libpod_parent' >/dev/null && had_cgroups=1
# Where podman keeps state whatever --root says (blob cache, network run files); removed at the end if made here.
made_dirs=()
for d in /var/lib/containers /run/containers /run/libpod; do [ -e "$d" ] || made_dirs+=("$d"); done

# Processes whose root is inside the work folder: started by a build step (chroot isolation) and still running.
leftovers() {
  local p r
  for p in /proc/[0-9]*; do
    r=$(readlink "$p/root" 2>/dev/null) || continue
    case "$r" in "$work"/*) echo "${p#/proc/}" ;; esac
  done
}

cleanup() {
  set +e
  for p in $(leftovers); do kill "$p"; done
  [ -n "$monitor_ctr" ] && "${pod[@]}" rm -f -t 0 "$monitor_ctr" >/dev/null 2>&1
  if [ "$keep" = 1 ]; then
    echo "kept: $work (podman ${pod[*]:1} images)"
    return
  fi
  "${pod[@]}" rm -af >/dev/null 2>&1
  "${pod[@]}" rmi -af >/dev/null 2>&1
  rm -rf "$work"
  for d in "${made_dirs[@]}"; do rm -rf "$d"; done
  # runc with cgroupfs leaves its empty parent cgroups behind; removed unless they were there before.
  [ "$had_cgroups" = 1 ] || for d in /sys/fs/cgroup/*/libpod_parent; do [ -d "$d" ] && find "$d" -depth -type d -exec rmdir {} \; 2>/dev/null; done
}
trap cleanup EXIT
rm -rf "$work"
mkdir -p "$work"

passed=0
failed=0
pass() { echo "PASS: $*"; passed=$((passed + 1)); }
fail() { echo "FAIL: $*"; failed=$((failed + 1)); }

echo "== stand-in base images (Debian 12 + this machine's .NET)"
runtime_version=$(dotnet --list-runtimes | awk '$1 == "Microsoft.NETCore.App" { v = $2 } END { print v }')
sdk_version=$(cd / && dotnet --version)
echo "runtime $runtime_version, SDK $sdk_version"
mmdebstrap --quiet --variant=minbase \
  --include=ca-certificates,libc6,libgcc-s1,libicu72,libssl3,libstdc++6,tzdata,zlib1g \
  --customize-hook='chroot "$1" groupadd --gid=1654 app' \
  --customize-hook='chroot "$1" useradd --no-log-init --uid=1654 --gid=1654 --create-home app' \
  --customize-hook='ln -s /usr/share/dotnet/dotnet "$1/usr/bin/dotnet"' \
  bookworm "$work/rootfs" \
  "deb http://deb.debian.org/debian bookworm main" \
  "deb http://deb.debian.org/debian bookworm-updates main" \
  "deb http://deb.debian.org/debian-security bookworm-security main"
mkdir -p "$work/runtime-ctx" "$work/sdk-ctx"
tar -C "$work/rootfs" -cf "$work/runtime-ctx/rootfs.tar" . -C / usr/share/dotnet/dotnet usr/share/dotnet/host \
  "usr/share/dotnet/shared/Microsoft.NETCore.App/$runtime_version" usr/share/dotnet/LICENSE.txt usr/share/dotnet/ThirdPartyNotices.txt
tar -C "$work/rootfs" -cf "$work/sdk-ctx/rootfs.tar" . -C / usr/share/dotnet
rm -rf "$work/rootfs"
cp /etc/ssl/certs/ca-certificates.crt "$work/sdk-ctx/ca-certificates.crt"
common_env="PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin APP_UID=1654 DOTNET_RUNNING_IN_CONTAINER=true DOTNET_VERSION=$runtime_version"
printf 'FROM scratch\nADD rootfs.tar /\nENV %s\n' "$common_env" > "$work/runtime-ctx/Containerfile"
printf 'FROM scratch\nADD rootfs.tar /\nCOPY ca-certificates.crt /etc/ssl/certs/ca-certificates.crt\nENV %s %s\n' "$common_env" \
  "DOTNET_SDK_VERSION=$sdk_version DOTNET_NOLOGO=true DOTNET_CLI_TELEMETRY_OPTOUT=1 NUGET_XMLDOC_MODE=skip" > "$work/sdk-ctx/Containerfile"
"${pod[@]}" build --quiet --isolation chroot -t "$runtime_standin" "$work/runtime-ctx" >/dev/null
"${pod[@]}" build --quiet --isolation chroot -t "$sdk_standin" "$work/sdk-ctx" >/dev/null
rm -rf "$work/runtime-ctx" "$work/sdk-ctx"

echo "== docker build (podman build, chroot isolation, host network for apt and NuGet)"
start=$(date +%s)
if "${pod[@]}" build --isolation chroot --network host --pull=never \
     --build-arg SDK_IMAGE="$sdk_standin" --build-arg RUNTIME_IMAGE="$runtime_standin" \
     --build-arg TARGETARCH="$(dpkg --print-architecture)" --build-arg SOURCE_REVISION="$(git rev-parse HEAD)" \
     -t "$image" -f Dockerfile "$repo" > "$work/build.log" 2>&1; then
  pass "image built in $(($(date +%s) - start)) s ($("${pod[@]}" image inspect --format '{{.Size}}' "$image" | awk '{ printf "%.0f MB", $1 / 1e6 }'))"
else
  tail -40 "$work/build.log"
  fail "image build (log above)"
  echo "$passed passed, $failed failed"
  exit 1
fi

left=$(leftovers)
[ -z "$left" ] && pass "no build process left running" \
  || fail "build processes still running: $(for p in $left; do tr '\0' ' ' < "/proc/$p/cmdline" | cut -c1-80; echo; done)"

echo "== reference: the same source published and run on this machine"
dotnet publish src/TunnelGuard.Cli -c Release --nologo -v q -o "$work/host-app" >/dev/null
host_cli=(dotnet "$work/host-app/tunnelguard.dll")

echo "== checks"
in_image() { "${run[@]}" --rm --network none "$@"; }

out=$(in_image "$image" --version 2>&1) && [ "$out" = "$("${host_cli[@]}" --version)" ] \
  && pass "tunnelguard --version: $out, as on the host" || fail "tunnelguard --version: $out (host: $("${host_cli[@]}" --version))"

out=$(in_image --entrypoint sh "$image" -c \
  'dpkg-query -W -f "\${Package} \${Version}\n" "libpcap0.8*" nftables iptables ipset libgomp1 | grep -v "^libpcap0.8-dev"
   nft --version; ldconfig -p | grep -E "libpcap\.so|libgomp\.so"' 2>&1) || true
echo "$out" | sed 's/^/  /'
if grep -q '^libpcap0\.8' <<<"$out" && grep -q '^nftables ' <<<"$out" && grep -q '^nftables v' <<<"$out" \
   && grep -q 'libpcap\.so' <<<"$out" && grep -q 'libgomp\.so' <<<"$out"; then
  pass "libpcap, nftables (nft), iptables, ipset, libgomp in the runtime image"
else
  fail "runtime packages"
fi

in_image -v "$repo/pcaps:/pcaps:ro" "$image" replay /pcaps --format jsonl > "$work/replay-image.jsonl" 2> "$work/replay-image.err" || true
"${host_cli[@]}" replay pcaps --format jsonl > "$work/replay-host.jsonl" 2> /dev/null || true
lines=$(wc -l < "$work/replay-image.jsonl")
if [ "$lines" -gt 0 ] && cmp -s "$work/replay-image.jsonl" "$work/replay-host.jsonl"; then
  pass "replay /pcaps --format jsonl: $lines lines, identical to the host's replay (sha256 $(sha256sum < "$work/replay-host.jsonl" | cut -c1-16))"
else
  diff <(head -c 3000 "$work/replay-host.jsonl") <(head -c 3000 "$work/replay-image.jsonl") | head -20
  head -5 "$work/replay-image.err"
  fail "replay in the image differs from the host's ($lines lines)"
fi

out=$(in_image -v "$repo/pcaps:/pcaps:ro" "$image" train --corpus /pcaps --out /tmp/model.zip 2>&1) \
  && pass "train (LightGBM, libgomp) as user app: ${out##*$'\n'}" || fail "train: $out"

# The documented run: host network, NET_RAW and NET_ADMIN. Capture on the host's loopback for 3 s; no --enforce here,
# so the host's firewall is not touched.
out=$("${run[@]}" --rm --net=host "${docker_default_caps[@]}" --cap-add NET_ADMIN "$image" \
  monitor -i lo --duration 3 --metrics off --format jsonl 2>&1) \
  && grep -q "stopped:" <<<"$out" && pass "docker run --net=host --cap-add NET_RAW --cap-add NET_ADMIN ... monitor -i lo: $(grep -o 'stopped:.*' <<<"$out" | head -1)" \
  || fail "monitor -i lo with --net=host: $out"

# Enforcing monitor in its own network namespace, as `docker run` with the two capabilities starts it.
monitor_ctr=$("${run[@]}" -d --network none "${docker_default_caps[@]}" --cap-add NET_ADMIN "$image" \
  monitor -i lo --rules /etc/tunnelguard/rules --enforce --format jsonl)
for _ in $(seq 1 60); do
  "${pod[@]}" logs "$monitor_ctr" 2>&1 | grep -q "listening on" && break
  sleep 1
done
pid=$("${pod[@]}" inspect --format '{{.State.Pid}}' "$monitor_ctr")
status=$(cat "/proc/$pid/status" 2>/dev/null || true)
uid=$(awk '/^Uid:/ { print $2 }' <<<"$status")
eff=$(awk '/^CapEff:/ { print $2 }' <<<"$status")
amb=$(awk '/^CapAmb:/ { print $2 }' <<<"$status")
bnd=$(awk '/^CapBnd:/ { print $2 }' <<<"$status")
# CAP_NET_ADMIN is bit 12, CAP_NET_RAW bit 13: 0x3000.
if [ "$uid" = 1654 ] && [ "$eff" = 0000000000003000 ] && [ "$amb" = 0000000000003000 ] && [ "$bnd" = 0000000000003000 ]; then
  pass "monitor runs as app (uid 1654) with only CAP_NET_RAW and CAP_NET_ADMIN (CapEff=CapAmb=CapBnd=$eff)"
else
  "${pod[@]}" logs "$monitor_ctr" 2>&1 | tail -5
  fail "monitor process: uid '$uid' CapEff '$eff' CapAmb '$amb' CapBnd '$bnd'"
fi
metrics=$(nsenter --net="/proc/$pid/ns/net" curl -s -m 5 http://127.0.0.1:9464/metrics || true)
grep -q '^tunnelguard_' <<<"$metrics" && pass "metrics served on 127.0.0.1:9464 inside the container" || fail "metrics"
out=$("${pod[@]}" exec "$monitor_ctr" /usr/local/bin/tunnelguard-entrypoint blocks add 198.18.0.99 --duration 5m --reason docker-check --format jsonl 2>&1) || true
set_out=$(nsenter --net="/proc/$pid/ns/net" nft list set inet tunnelguard addr4 2>&1 || true)
owner=$("${pod[@]}" exec "$monitor_ctr" stat -c %U /var/lib/tunnelguard/alerts.db 2>&1 || true)
if grep -q '198\.18\.0\.99' <<<"$set_out" && [ "$owner" = app ]; then
  pass "blocks add as app: 198.18.0.99 in nft set inet tunnelguard addr4 of the container's namespace; alerts.db owned by $owner"
else
  echo "$out" | tail -3; echo "$set_out" | tail -5
  fail "blocks add / nft set (owner '$owner')"
fi
"${pod[@]}" stop -t 30 "$monitor_ctr" >/dev/null
code=$("${pod[@]}" inspect --format '{{.State.ExitCode}}' "$monitor_ctr")
logs=$("${pod[@]}" logs "$monitor_ctr" 2>&1)
[ "$code" = 0 ] && grep -q "stopped:" <<<"$logs" \
  && pass "monitor stopped on SIGTERM with exit 0: $(grep -o 'stopped:.*' <<<"$logs" | head -1)" || fail "monitor stop: exit $code"
"${pod[@]}" rm -f "$monitor_ctr" >/dev/null
monitor_ctr=""

# Docker's default capabilities (no --cap-add NET_ADMIN): enforcement is refused at start, with the reason.
code=0
out=$(in_image "${docker_default_caps[@]}" "$image" monitor -i lo --rules /etc/tunnelguard/rules --enforce --metrics off 2>&1) || code=$?
grep -q "CAP_NET_ADMIN" <<<"$out" && [ "$code" != 0 ] \
  && pass "without --cap-add NET_ADMIN: --enforce refused (exit $code): $(grep -o 'tunnelguard: .*' <<<"$out" | head -1 | cut -c1-140)" \
  || fail "without NET_ADMIN (exit $code): $out"

# --cap-drop ALL: the entrypoint cannot switch users and runs tunnelguard as root with no capability (replay), or with
# only the ones added (blocks add in the container's own namespace; the store is writable by root's group).
in_image --cap-drop ALL -v "$repo/pcaps:/pcaps:ro" "$image" replay /pcaps --format jsonl > "$work/replay-capdrop.jsonl" 2>/dev/null || true
cmp -s "$work/replay-capdrop.jsonl" "$work/replay-host.jsonl" \
  && pass "--cap-drop ALL: replay identical to the host's" || fail "--cap-drop ALL: replay differs"
out=$(in_image --cap-drop ALL --cap-add NET_RAW --cap-add NET_ADMIN "$image" blocks add 198.18.0.98 --duration 5m --format jsonl 2>&1) \
  && grep -q '198\.18\.0\.98' <<<"$out" \
  && pass "--cap-drop ALL --cap-add NET_RAW --cap-add NET_ADMIN: blocks add works ($(head -c 120 <<<"$out"))" \
  || fail "--cap-drop ALL with the two capabilities: blocks add: $out"

echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
