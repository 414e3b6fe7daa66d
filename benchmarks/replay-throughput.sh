#!/usr/bin/env bash
# Whole-process throughput: `tunnelguard replay BIG.pcap --output /dev/null` against `tcpdump -r BIG.pcap -w /dev/null`
# on a large multi-flow capture made from the committed foundation captures (benchmarks/make-big-pcap.py). The issue's
# target: replay >= 0.8x tcpdump's packets/s. Run by hand, not in CI; see docs/benchmarks.md.
#
# The two commands run interleaved, RUNS rounds of tcpdump then replay, so that load from other work on a shared machine
# hits both alike; the script prints every round and the medians of the per-round ratios, on wall time and on CPU time
# (user + sys), with the load average. Then peak RSS, and replay of a 12-packet file (process start-up).
#
# Environment: COPIES (copies of the corpus in BIG, default 1200: 1,519,200 packets, 19,200 TCP flows, at most ~12,800
# open at once), RUNS (rounds, default 7), ARTIFACTS (output folder, default artifacts; ignored by git). The big files are
# reused while their inputs are unchanged.
# OLD=DIR (or OLD=DIR/tunnelguard.dll) compares two builds: each round then runs tcpdump, the build in DIR (e.g. a copy
# of bin/Release/net10.0 made at an older commit) and this build, in that order, and the summary adds the old build's
# medians and the per-round ratios new/old. The start-up and RSS figures are for both builds too.
set -euo pipefail
cd "$(dirname "$0")/.."

copies=${COPIES:-1200}
runs=${RUNS:-7}
out=${ARTIFACTS:-artifacts}
big="$out/replay-throughput-$copies.pcap"
double="$out/replay-throughput-$((copies * 2)).pcap"
cli=src/TunnelGuard.Cli/bin/Release/net10.0/tunnelguard.dll
old=${OLD:-}
if [ -n "$old" ] && [ -d "$old" ]; then old="$old/tunnelguard.dll"; fi
if [ -n "$old" ] && [ ! -f "$old" ]; then echo "OLD: no build at $old" >&2; exit 2; fi

need=()
command -v tcpdump >/dev/null || need+=(tcpdump)
command -v capinfos >/dev/null || need+=(wireshark-common)
[ -x /usr/bin/time ] || need+=(time)
if [ ${#need[@]} -gt 0 ]; then
  echo "installing: ${need[*]}"
  export DEBIAN_FRONTEND=noninteractive
  echo "wireshark-common wireshark-common/install-setuid boolean false" | debconf-set-selections 2>/dev/null || true
  apt-get update -qq && apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi

# The foundation captures (16 files) (not the lab's *-s<seed>.pcap recordings, which are mostly bulk transfers and would make
# the file ten times larger): the same mix the earlier measurements used.
mkdir -p "$out/foundation-pcaps"
for f in pcaps/*.pcap pcaps/*.pcapng; do
  case "$f" in *-s[0-9]*.pcap) ;; *) cp -p "$f" "$out/foundation-pcaps/" ;; esac
done
for spec in "$copies:$big" "$((copies * 2)):$double"; do
  n=${spec%%:*} file=${spec#*:}
  if [ ! -f "$file" ] || [ -n "$(find "$out/foundation-pcaps" benchmarks/make-big-pcap.py -newer "$file" -print -quit)" ]; then
    python3 benchmarks/make-big-pcap.py "$out/foundation-pcaps" "$n" "$file"
  fi
done

dotnet build src/TunnelGuard.Cli -c Release -nologo -v q >/dev/null

packets=$(capinfos -c -M -T -r "$big" | cut -f2)
bytes=$(stat -c %s "$big")
cat "$big" "$double" >/dev/null  # both tools then read from the page cache

echo "== machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(dotnet --version) SDK"
echo "== $big: $packets packets, $((bytes / 1048576)) MiB"
echo "== load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"

timed() { # label command... -> "label wall user sys"
  local label=$1; shift
  /usr/bin/time -o "$out/.time" -f "%e %U %S" "$@" >/dev/null 2>&1
  echo "$label $(cat "$out/.time")"
}
rounds="$out/replay-throughput-rounds.txt"
: >"$rounds"
for i in $(seq "$runs"); do
  t=$(timed tcpdump tcpdump -r "$big" -w /dev/null)
  o=""
  if [ -n "$old" ]; then o=" $(timed old dotnet "$old" replay "$big" --output /dev/null)"; fi
  r=$(timed replay dotnet "$cli" replay "$big" --output /dev/null)
  echo "$t $r $(cut -d' ' -f1 /proc/loadavg)$o" | tee -a "$rounds"
done
# Start-up: 9 alternating runs of each build on a 12-packet file; the summary gives the medians.
startups="$out/replay-throughput-startup.txt"
: >"$startups"
for i in $(seq 9); do
  timed startup dotnet "$cli" replay pcaps/ssh-v1-banner.pcap --output /dev/null >>"$startups"
  if [ -n "$old" ]; then timed startup_old dotnet "$old" replay pcaps/ssh-v1-banner.pcap --output /dev/null >>"$startups"; fi
done
echo "== load average at end: $(cut -d' ' -f1-3 /proc/loadavg)"

peak_rss() { # command... -> max RSS in KiB
  /usr/bin/time -v "$@" 2>&1 >/dev/null | sed -n 's/.*Maximum resident set size (kbytes): //p'
}
rss_tcpdump=$(peak_rss tcpdump -r "$big" -w /dev/null)
rss_replay=$(peak_rss dotnet "$cli" replay "$big" --output /dev/null)
rss_replay_double=$(peak_rss dotnet "$cli" replay "$double" --output /dev/null)
rss_old=""
if [ -n "$old" ]; then rss_old=$(peak_rss dotnet "$old" replay "$big" --output /dev/null); fi

python3 - "$rounds" "$packets" "$startups" "$rss_tcpdump" "$rss_replay" "$rss_replay_double" "$rss_old" <<'PY'
import statistics, sys
rows = [line.split() for line in open(sys.argv[1])]
packets = int(sys.argv[2])
# row: tcpdump wall user sys replay wall user sys load [old wall user sys]
t_wall = [float(r[1]) for r in rows]; t_cpu = [float(r[2]) + float(r[3]) for r in rows]
r_wall = [float(r[5]) for r in rows]; r_cpu = [float(r[6]) + float(r[7]) for r in rows]
has_old = len(rows[0]) > 9
if has_old:
    o_wall = [float(r[10]) for r in rows]; o_cpu = [float(r[11]) + float(r[12]) for r in rows]
med = statistics.median
print()
print(f"{len(rows)} interleaved rounds; per round: tcpdump wall, replay wall, ratio" + (", old build wall, ratio" if has_old else ""))
for i, (tw, rw, r) in enumerate(zip(t_wall, r_wall, rows)):
    extra = f"  {o_wall[i]:6.2f} s  {tw / o_wall[i]:5.2f}x" if has_old else ""
    print(f"  {tw:6.2f} s  {rw:6.2f} s  {tw / rw:5.2f}x{extra}  (load {r[8]})")
print(f"tcpdump -r -w /dev/null : median {med(t_wall):.3f} s wall = {packets / med(t_wall) / 1e6:.2f} Mpkt/s; {med(t_cpu):.3f} s CPU = {packets / med(t_cpu) / 1e6:.2f} Mpkt/s")
if has_old:
    print(f"old build replay        : median {med(o_wall):.3f} s wall = {packets / med(o_wall) / 1e6:.2f} Mpkt/s; {med(o_cpu):.3f} s CPU = {packets / med(o_cpu) / 1e6:.2f} Mpkt/s")
print(f"tunnelguard replay      : median {med(r_wall):.3f} s wall = {packets / med(r_wall) / 1e6:.2f} Mpkt/s; {med(r_cpu):.3f} s CPU = {packets / med(r_cpu) / 1e6:.2f} Mpkt/s")
if has_old:
    print(f"old build / tcpdump packets/s, median of per-round ratios: {med([t / o for t, o in zip(t_wall, o_wall)]):.2f}x on wall time, "
          f"{med([t / o for t, o in zip(t_cpu, o_cpu)]):.2f}x on CPU time")
print(f"replay / tcpdump packets/s, median of per-round ratios: {med([t / r for t, r in zip(t_wall, r_wall)]):.2f}x on wall time, "
      f"{med([t / r for t, r in zip(t_cpu, r_cpu)]):.2f}x on CPU time (target >= 0.80x)")
if has_old:
    print(f"this build / old build, median of per-round ratios: {med([r / o for r, o in zip(r_wall, o_wall)]):.3f} of the wall time, "
          f"{med([r / o for r, o in zip(r_cpu, o_cpu)]):.3f} of the CPU time")
starts = [line.split() for line in open(sys.argv[3])]
for label, name in (("startup", "replay"), ("startup_old", "old build")):
    runs = [s for s in starts if s[0] == label]
    if runs:
        print(f"{name} start-up (12-packet file, median of {len(runs)}): {med([float(s[1]) for s in runs]):.3f} s wall, "
              f"{med([float(s[2]) + float(s[3]) for s in runs]):.3f} s CPU")
rss = [int(x) / 1024 for x in sys.argv[4:7]]
print(f"peak RSS: tcpdump {rss[0]:.1f} MiB, replay {rss[1]:.1f} MiB, replay of the file twice as long (same flow arrival rate) {rss[2]:.1f} MiB"
      + (f"; old build {int(sys.argv[7]) / 1024:.1f} MiB" if sys.argv[7] else ""))
PY
