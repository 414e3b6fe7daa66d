#!/usr/bin/env bash
# Runs every TunnelGuard test on a fresh Debian 12 machine with the .NET SDK, as root.
# Installs what the tests need (libpcap, tshark as the independent oracle, OpenSSH, tcpdump, nftables, afl++),
# builds warning-free, runs all test projects, then a short fuzzing run of every fuzz target (fuzz/smoke.sh,
# FUZZ_SMOKE_SECONDS each, default 10; FUZZ_SMOKE=0 skips it; each target counts as one test), and ends with a plain
# line "N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")/.."

need_pkgs=(libpcap0.8 tshark tcpdump openssh-server openssh-client nftables iptables ipset socat iproute2 ethtool procps curl prometheus dropbear-bin putty-tools util-linux rsync afl++)
missing=()
for p in "${need_pkgs[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  echo "wireshark-common wireshark-common/install-setuid boolean false" | debconf-set-selections 2>/dev/null || true
  apt-get update -qq && apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null \
    || { echo "apt-get install failed"; echo "0 passed, 1 failed"; exit 1; }
fi

results=$(mktemp -d)
trap 'rm -rf "$results"' EXIT

if ! dotnet build TunnelGuard.sln -c Release -warnaserror -nologo -v q; then
  echo "build failed"
  echo "0 passed, 1 failed"
  exit 1
fi

# Tests stop the monitor, lab and tunnel processes they start with SIGINT, as a user's Ctrl-C would. A shell started
# as a background job without job control (`bash .ci/run &` from a script) ignores SIGINT, every child inherits that,
# and .NET then never sees the signal, so those tests would wait out their timeouts and fail. perl (always present:
# perl-base is essential) resets SIGINT and SIGQUIT to their defaults before it starts the test run.
perl -e '$SIG{INT} = "DEFAULT"; $SIG{QUIT} = "DEFAULT"; exec { $ARGV[0] } @ARGV or die "exec $ARGV[0]: $!\n"' \
  dotnet test TunnelGuard.sln -c Release --no-build --nologo \
  --logger "trx;LogFilePrefix=tg" --results-directory "$results" "$@"
rc=$?

passed=0; failed=0
for trx in "$results"/*.trx; do
  [ -f "$trx" ] || continue
  counters=$(grep -o '<Counters [^>]*>' "$trx" | head -1)
  p=$(sed -n 's/.* passed="\([0-9]*\)".*/\1/p' <<<"$counters"); f=$(sed -n 's/.* failed="\([0-9]*\)".*/\1/p' <<<"$counters")
  passed=$((passed + ${p:-0})); failed=$((failed + ${f:-0}))
done
if [ "$rc" -ne 0 ] && [ "$failed" -eq 0 ]; then failed=1; fi

# Fuzz smoke run (docs/fuzzing.md): not with a test filter (arguments), which asks for a part of the tests only.
if [ $# -eq 0 ] && [ "${FUZZ_SMOKE:-1}" != 0 ]; then
  echo "fuzz smoke run: every target for ${FUZZ_SMOKE_SECONDS:-10} s (fuzz/smoke.sh)"
  SMOKE_SECONDS="${FUZZ_SMOKE_SECONDS:-10}" bash fuzz/smoke.sh >"$results/fuzz.log" 2>&1
  sed -e '$d' -e 's/^/  fuzz: /' "$results/fuzz.log"
  smoke=$(tail -1 "$results/fuzz.log")
  p=$(sed -n 's/^\([0-9]*\) passed, \([0-9]*\) failed$/\1/p' <<<"$smoke"); f=$(sed -n 's/^\([0-9]*\) passed, \([0-9]*\) failed$/\2/p' <<<"$smoke")
  [ -n "$p" ] || { echo "  fuzz: the smoke run ended without its count: $smoke"; f=1; p=0; }
  echo "  fuzz: $p passed, $f failed"
  passed=$((passed + p)); failed=$((failed + f))
fi
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
