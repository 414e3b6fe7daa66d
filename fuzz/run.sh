#!/usr/bin/env bash
# Usage: fuzz/run.sh TARGET SECONDS
# Runs one harness under afl-fuzz for SECONDS, then prints one summary line:
#   TARGET: execs=N seconds=S execs_per_sec=R crashes=C hangs=H peak_rss_mib=M out=DIR
# Exits 1 when the run found a crash or a hang. Targets: decoder reassembly pipeline ssh reader rules.
# Needs: afl++ (Debian package), the .NET SDK. Builds and seeds on first use (REBUILD=1 forces a rebuild).
# AFL_TIMEOUT (ms, default 2000) is the per-input hang limit.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
target="${1:?usage: run.sh TARGET SECONDS}"
seconds="${2:?usage: run.sh TARGET SECONDS}"
case "$target" in decoder|reassembly|pipeline|ssh|reader|rules) ;; *) echo "unknown target $target" >&2; exit 2 ;; esac
command -v afl-fuzz >/dev/null || { echo "afl-fuzz not found: apt-get install afl++" >&2; exit 2; }

if [ "${REBUILD:-0}" = 1 ] || [ ! -x "$here/build/bin/TunnelGuard.Fuzz" ]; then "$here/build.sh"; fi
[ -d "$here/corpus/$target" ] || "$here/seed.sh"

out="$here/findings/$target/$(date -u +%Y%m%dT%H%M%SZ)"
mkdir -p "$out"
export AFL_SKIP_BIN_CHECK=1 AFL_SKIP_CPUFREQ=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 AFL_NO_UI=1
# Two fuzzers may share this machine's cores; let the kernel place them.
export AFL_NO_AFFINITY=1
# The .NET runtime takes longer than AFL's default to hand over the fork server.
export AFL_FORKSRV_INIT_TMOUT="${AFL_FORKSRV_INIT_TMOUT:-60000}"

# A target's dictionary (its format's keywords), when it has one, helps AFL++ past the words a parser insists on.
dict=()
[ -f "$here/dict/$target.dict" ] && dict=(-x "$here/dict/$target.dict")
afl-fuzz -i "$here/corpus/$target" -o "$out" -t "${AFL_TIMEOUT:-2000}" -m none -V "$seconds" "${dict[@]}" \
  -- "$here/build/bin/TunnelGuard.Fuzz" afl "$target" >"$out/afl.log" 2>&1 &
afl=$!

# Peak resident memory of the harness processes (VmHWM), sampled each second while afl-fuzz runs.
peak=0
while kill -0 "$afl" 2>/dev/null; do
  for pid in $(pgrep -P "$afl" 2>/dev/null) $(for p in $(pgrep -P "$afl" 2>/dev/null); do pgrep -P "$p"; done); do
    hwm=$(awk '/VmHWM/ {print $2}' "/proc/$pid/status" 2>/dev/null || true)
    [ -n "$hwm" ] && [ "$hwm" -gt "$peak" ] && peak=$hwm
  done
  sleep 1
done
wait "$afl" || { echo "afl-fuzz failed; see $out/afl.log" >&2; tail -20 "$out/afl.log" >&2; exit 2; }

stats="$out/default/fuzzer_stats"
get() { awk -F' *: *' -v k="$1" '$1 == k {print $2}' "$stats"; }
execs=$(get execs_done); runtime=$(get run_time); rate=$(get execs_per_sec)
crashes=$(find "$out/default/crashes" -type f -name 'id:*' | wc -l)
hangs=$(find "$out/default/hangs" -type f -name 'id:*' | wc -l)
echo "$target: execs=$execs seconds=$runtime execs_per_sec=$rate crashes=$crashes hangs=$hangs peak_rss_mib=$((peak / 1024)) out=$out"
[ "$crashes" -eq 0 ] && [ "$hangs" -eq 0 ]
