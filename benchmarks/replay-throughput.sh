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
set -euo pipefail
cd "$(dirname "$0")/.."

copies=${COPIES:-1200}
runs=${RUNS:-7}
out=${ARTIFACTS:-artifacts}
big="$out/replay-throughput-$copies.pcap"
double="$out/replay-throughput-$((copies * 2)).pcap"
cli=src/TunnelGuard.Cli/bin/Release/net10.0/tunnelguard.dll

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

# The 14 foundation captures (not the lab's *-s<seed>.pcap recordings, which are mostly bulk transfers and would make
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
  r=$(timed replay dotnet "$cli" replay "$big" --output /dev/null)
  echo "$t $r $(cut -d' ' -f1 /proc/loadavg)" | tee -a "$rounds"
done
startup=$(timed startup dotnet "$cli" replay pcaps/ssh-v1-banner.pcap --output /dev/null)
echo "== load average at end: $(cut -d' ' -f1-3 /proc/loadavg)"

peak_rss() { # command... -> max RSS in KiB
  /usr/bin/time -v "$@" 2>&1 >/dev/null | sed -n 's/.*Maximum resident set size (kbytes): //p'
}
rss_tcpdump=$(peak_rss tcpdump -r "$big" -w /dev/null)
rss_replay=$(peak_rss dotnet "$cli" replay "$big" --output /dev/null)
rss_replay_double=$(peak_rss dotnet "$cli" replay "$double" --output /dev/null)

python3 - "$rounds" "$packets" "$startup" "$rss_tcpdump" "$rss_replay" "$rss_replay_double" <<'PY'
import statistics, sys
rows = [line.split() for line in open(sys.argv[1])]
packets = int(sys.argv[2])
# row: tcpdump wall user sys replay wall user sys load
t_wall = [float(r[1]) for r in rows]; t_cpu = [float(r[2]) + float(r[3]) for r in rows]
r_wall = [float(r[5]) for r in rows]; r_cpu = [float(r[6]) + float(r[7]) for r in rows]
med = statistics.median
print()
print(f"{len(rows)} interleaved rounds; per round: tcpdump wall, replay wall, ratio")
for tw, rw, r in zip(t_wall, r_wall, rows):
    print(f"  {tw:6.2f} s  {rw:6.2f} s  {tw / rw:5.2f}x  (load {r[8]})")
print(f"tcpdump -r -w /dev/null : median {med(t_wall):.3f} s wall = {packets / med(t_wall) / 1e6:.2f} Mpkt/s; {med(t_cpu):.3f} s CPU = {packets / med(t_cpu) / 1e6:.2f} Mpkt/s")
print(f"tunnelguard replay      : median {med(r_wall):.3f} s wall = {packets / med(r_wall) / 1e6:.2f} Mpkt/s; {med(r_cpu):.3f} s CPU = {packets / med(r_cpu) / 1e6:.2f} Mpkt/s")
print(f"replay / tcpdump packets/s, median of per-round ratios: {med([t / r for t, r in zip(t_wall, r_wall)]):.2f}x on wall time, "
      f"{med([t / r for t, r in zip(t_cpu, r_cpu)]):.2f}x on CPU time (target >= 0.80x)")
s = sys.argv[3].split()
print(f"replay start-up (12-packet file): {float(s[1]):.3f} s wall, {float(s[2]) + float(s[3]):.3f} s CPU")
rss = [int(x) / 1024 for x in sys.argv[4:7]]
print(f"peak RSS: tcpdump {rss[0]:.1f} MiB, replay {rss[1]:.1f} MiB, replay of the file twice as long (same flow arrival rate) {rss[2]:.1f} MiB")
PY
