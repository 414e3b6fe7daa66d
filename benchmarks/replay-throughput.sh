#!/usr/bin/env bash
# Whole-process throughput: `tunnelguard replay BIG.pcap --output /dev/null` against `tcpdump -r BIG.pcap -w /dev/null`
# on a large multi-flow capture made from the committed real captures (benchmarks/make-big-pcap.py). Prints packets/s
# of both, their ratio (the issue's target: replay >= 0.8x tcpdump) and peak RSS. Run by hand, not in CI; see
# docs/benchmarks.md. The generated captures go to artifacts/ (ignored by git) and are reused while pcaps/ is unchanged.
#
# Environment: COPIES (copies of the corpus in BIG, default 1200: ~1.5 M packets, 19,200 TCP flows, at most ~12,800 open at
# once), RUNS (timed runs per command, default 5), ARTIFACTS (output folder, default artifacts).
#
# Also timed: replay with DOTNET_TieredCompilation=0 (the cheapest fix found, see docs/benchmarks.md), replay of a
# 12-packet file (process start-up), and the peak RSS of replaying a file twice as long whose flows arrive at the same
# rate (memory should follow the flows open at once, not the file's length).
set -euo pipefail
cd "$(dirname "$0")/.."

copies=${COPIES:-1200}
runs=${RUNS:-5}
out=${ARTIFACTS:-artifacts}
big="$out/replay-throughput-$copies.pcap"
double="$out/replay-throughput-$((copies * 2)).pcap"
cli=src/TunnelGuard.Cli/bin/Release/net10.0/tunnelguard.dll

need=()
command -v tcpdump >/dev/null || need+=(tcpdump)
command -v capinfos >/dev/null || need+=(wireshark-common)
command -v hyperfine >/dev/null || need+=(hyperfine)
[ -x /usr/bin/time ] || need+=(time)
if [ ${#need[@]} -gt 0 ]; then
  echo "installing: ${need[*]}"
  export DEBIAN_FRONTEND=noninteractive
  echo "wireshark-common wireshark-common/install-setuid boolean false" | debconf-set-selections 2>/dev/null || true
  apt-get update -qq && apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi

mkdir -p "$out"
for spec in "$copies:$big" "$((copies * 2)):$double"; do
  n=${spec%%:*} file=${spec#*:}
  if [ ! -f "$file" ] || [ -n "$(find pcaps benchmarks/make-big-pcap.py -newer "$file" -print -quit)" ]; then
    python3 benchmarks/make-big-pcap.py pcaps "$n" "$file"
  fi
done

dotnet build src/TunnelGuard.Cli -c Release -nologo -v q >/dev/null

packets=$(capinfos -c -M -T -r "$big" | cut -f2)
bytes=$(stat -c %s "$big")
cat "$big" "$double" >/dev/null  # both tools then read from the page cache

echo "== machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(dotnet --version) SDK"
echo "== $big: $packets packets, $((bytes / 1048576)) MiB, $(tcpdump -r "$big" -nn 'tcp[tcpflags] & tcp-syn != 0 and tcp[tcpflags] & tcp-ack == 0' 2>/dev/null | wc -l) SYNs"

hyperfine --warmup 1 --runs "$runs" --export-json "$out/replay-throughput.json" \
  -n tcpdump "tcpdump -r $big -w /dev/null" \
  -n replay "dotnet $cli replay $big --output /dev/null" \
  -n replay-tc0 "env DOTNET_TieredCompilation=0 dotnet $cli replay $big --output /dev/null" \
  -n replay-startup "dotnet $cli replay pcaps/ssh-v1-banner.pcap --output /dev/null"

peak_rss() { # command... -> max RSS in KiB
  /usr/bin/time -v "$@" 2>&1 >/dev/null | sed -n 's/.*Maximum resident set size (kbytes): //p'
}
rss_tcpdump=$(peak_rss tcpdump -r "$big" -w /dev/null)
rss_replay=$(peak_rss dotnet "$cli" replay "$big" --output /dev/null)
rss_replay_double=$(peak_rss dotnet "$cli" replay "$double" --output /dev/null)
rss_replay_startup=$(peak_rss dotnet "$cli" replay pcaps/ssh-v1-banner.pcap --output /dev/null)

python3 - "$out/replay-throughput.json" "$packets" "$rss_tcpdump" "$rss_replay" "$rss_replay_double" "$rss_replay_startup" "$double" <<'EOF'
import json, sys
results = {r["command"]: r for r in json.load(open(sys.argv[1]))["results"]}
packets = int(sys.argv[2])
rss = [int(x) / 1024 for x in sys.argv[3:7]]
def rate(name):
    r = results[name]
    return packets / r["mean"], packets / r["min"], r["mean"], r["stddev"] or 0.0
t_mean, t_best, t_s, t_sd = rate("tcpdump")
r_mean, r_best, r_s, r_sd = rate("replay")
c_mean, c_best, c_s, c_sd = rate("replay-tc0")
startup = results["replay-startup"]["mean"]
def cpu(name):
    r = results[name]
    return r["user"] + r["system"]
print()
print(f"tcpdump -r -w /dev/null : {t_s:6.3f} s ± {t_sd:.3f}  {t_mean / 1e6:5.2f} Mpkt/s (best {t_best / 1e6:.2f})  peak RSS {rss[0]:7.1f} MiB")
print(f"tunnelguard replay      : {r_s:6.3f} s ± {r_sd:.3f}  {r_mean / 1e6:5.2f} Mpkt/s (best {r_best / 1e6:.2f})  peak RSS {rss[1]:7.1f} MiB")
print(f"replay, TieredComp. off : {c_s:6.3f} s ± {c_sd:.3f}  {c_mean / 1e6:5.2f} Mpkt/s (best {c_best / 1e6:.2f})")
print(f"replay / tcpdump        : {r_mean / t_mean:.2f}x packets/s on means, {r_best / t_best:.2f}x on best runs (target >= 0.80x);"
      f" with tiered compilation off {c_mean / t_mean:.2f}x / {c_best / t_best:.2f}x")
print(f"on CPU time (user+sys, robust when other work shares the 2 cores): tcpdump {packets / cpu('tcpdump') / 1e6:.2f}, "
      f"replay {packets / cpu('replay') / 1e6:.2f}, tiered compilation off {packets / cpu('replay-tc0') / 1e6:.2f} Mpkt/s; "
      f"ratio {cpu('tcpdump') / cpu('replay'):.2f}x / {cpu('tcpdump') / cpu('replay-tc0'):.2f}x")
print(f"replay startup (12-packet file): {startup:.3f} s, peak RSS {rss[3]:.1f} MiB; "
      f"without it replay runs at {packets / max(r_s - startup, 1e-9) / 1e6:.2f} Mpkt/s")
print(f"replay of a file twice as long, same arrival rate of flows ({sys.argv[7]}): peak RSS {rss[2]:.1f} MiB")
EOF
