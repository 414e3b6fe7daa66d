#!/usr/bin/env bash
# Live capture throughput: the highest packet rate at which `tunnelguard monitor` (live capture + the full pipeline +
# the shipped classifier) analyses every packet sent to it, with no kernel or queue drops (issue 6: target >= 500 kpps).
#
# Two network namespaces joined by a veth pair (198.18.9.1/24 and .2, offloads off, MTU 1500). The monitor runs in the
# receiving namespace on its veth end, with --metrics on that namespace's loopback. For each rate, the sender (SENDER:
# netsniff-ng or tcpreplay) sends a realistic mix into the other end: the committed captures (benchmarks/make-big-pcap.py, COPIES copies), rewritten by
# benchmarks/make-live-pcap.py so that every address is in 198.19.0.0/16 and every frame goes from one veth MAC to the
# other. The receiving namespace has a blackhole route for 198.19.0.0/16 and IP forwarding off, so nothing is answered
# or forwarded: the frames only feed the capture. Nothing is sent outside 198.18.0.0/15.
#
# Each run starts a fresh monitor, warms it up (WARMUP packets of a second file with its own addresses, in
# 198.18.128.0/17, at 50 kpps, so the JIT has settled), reads its counters from /metrics, sends the measured file at
# RATE (or at top speed for "max"), waits until the analysed count stops moving, and reads the counters again. A
# run is drop-free when the monitor analysed exactly the frames that reached its interface (the sender's count minus the
# receiving veth's rx_dropped, frames the kernel dropped before any capture could see them; reported apart, and "all_ok"
# only when there were none) and neither libpcap nor the monitor's queue dropped any. The sender may send slower than
# asked on a busy machine: the table shows the rate it reached, the monitor's and the sender's CPU time per packet, and
# how busy each CPU was while it sent (from /proc/stat: all tasks, other sessions' too).
#
# Senders. netsniff-ng (default) replays the file through a PACKET_TX_RING: the ring is filled in user space and
# flushed with one sendto() every -k microseconds: less than half of tcpreplay's CPU per frame (one sendto() each).
# It has no packet-rate option: for RATE it gets a ring of RATE/1000 frames flushed every 1 ms (-k 1000), a ceiling
# rather than a pace (it reached a quarter to a half of it when measured); "max" is a 4 MiB ring. tcpreplay paces exactly
# (--pps) and sends the warm-up in either case.
# Pinning (PIN=1, the default on 2 or more cores): the sender runs on CPU 0 and the monitor on CPU 1 (taskset). On a
# veth the receiving side's kernel work (the veth's softirq, the capture's BPF filter and its copy into libpcap's
# ring) runs on the sending CPU, so CPU 0 carries the sender and the kernel, CPU 1 the monitor's threads.
# It steps through RATES, RUNS times each, then bisects BISECT times between the highest rate at which every run was
# drop-free and the lowest at which one was not. Run by hand as root, not in CI; see docs/benchmarks.md.
#
# Environment: RATES (packets/s, or "max" for top speed; default "100000 200000 300000 400000 500000 600000
# 800000 max"), RUNS (per rate, default 3), SENDER (netsniff-ng or tcpreplay, default netsniff-ng), PIN (1 or 0),
# NICE (nice level of the sender and the monitor, default 0; -20 takes the CPU from other work on a shared machine),
# INGRESS_DROP (1, the default: frames are dropped at the receiving veth's ingress hook after the capture saw them,
# see below; 0: they go up the IP stack to the blackhole route as before),
# BISECT (default 3), COPIES (default 120: 1,477,200 frames), WARMUP (default 100000), PORT (metrics, default 9464),
# ARTIFACTS (default artifacts), MONITOR_ARGS (extra arguments for the monitor), CLI (another build of tunnelguard.dll
# to measure, e.g. an older commit's; then nothing is built).
# Everything it creates (namespaces, veths, the monitor) is removed on exit; processes are ended by PID.
set -euo pipefail
cd "$(dirname "$0")/.."

rates=${RATES:-"100000 200000 300000 400000 500000 600000 800000 max"}
runs=${RUNS:-3}
bisect=${BISECT:-3}
copies=${COPIES:-120}
warmup=${WARMUP:-100000}
port=${PORT:-9464}
out=${ARTIFACTS:-artifacts}
cli=${CLI:-src/TunnelGuard.Cli/bin/Release/net10.0/tunnelguard.dll}
read -r -a monitor_args <<<"${MONITOR_ARGS:-}"
sender=${SENDER:-netsniff-ng}
pin=${PIN:-$([ "$(nproc)" -ge 2 ] && echo 1 || echo 0)}
nice=${NICE:-0}
case $sender in netsniff-ng | tcpreplay) ;; *)
  echo "live-capture.sh: SENDER must be netsniff-ng or tcpreplay, not '$sender'" >&2
  exit 2
  ;;
esac
case $pin in 0 | 1) ;; *)
  echo "live-capture.sh: PIN must be 0 or 1, not '$pin'" >&2
  exit 2
  ;;
esac
[[ $nice =~ ^-?[0-9]+$ ]] && [ "$nice" -ge -20 ] && [ "$nice" -le 19 ] || {
  echo "live-capture.sh: NICE must be a nice level from -20 to 19, not '$nice'" >&2
  exit 2
}
send_prefix=(nice -n "$nice") monitor_prefix=(nice -n "$nice")
if [ "$pin" = 1 ]; then
  send_prefix+=(taskset -c 0)
  monitor_prefix+=(taskset -c 1)
fi

tx=tgb-tx$$ rx=tgb-rx$$ s=tgb-s$$ r=tgb-r$$
smac=02:00:c6:12:09:01 rmac=02:00:c6:12:09:02
tmp=$(mktemp -d)
monitor_pid=
cleanup() {
  if [ -n "$monitor_pid" ]; then
    kill "$monitor_pid" 2>/dev/null || true
    wait "$monitor_pid" 2>/dev/null || true
  fi
  ip netns del "$tx" 2>/dev/null || true
  ip netns del "$rx" 2>/dev/null || true
  rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

if [ "$(id -u)" != 0 ]; then
  echo "live-capture.sh: needs root (network namespaces, capture)" >&2
  exit 1
fi
need=()
command -v tcpreplay >/dev/null || need+=(tcpreplay)
[ "$sender" != netsniff-ng ] || command -v netsniff-ng >/dev/null || need+=(netsniff-ng)
[ -x /usr/bin/time ] || need+=(time)
command -v ethtool >/dev/null || need+=(ethtool)
command -v curl >/dev/null || need+=(curl)
command -v capinfos >/dev/null || need+=(wireshark-common)
if [ ${#need[@]} -gt 0 ]; then
  echo "installing: ${need[*]}"
  echo "wireshark-common wireshark-common/install-setuid boolean false" | debconf-set-selections 2>/dev/null || true
  DEBIAN_FRONTEND=noninteractive apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi

# The captures: made once, reused while pcaps/ and the scripts are unchanged.
mkdir -p "$out"
big="$out/replay-throughput-$copies.pcap" live="$out/live-capture-$copies.pcap"
warm="$out/live-capture-warmup.pcap"
fresh() { # FILE INPUTS... -> true when FILE exists and is newer than all its inputs
  local file=$1
  shift
  [ -f "$file" ] && [ -z "$(find "$@" -newer "$file" -print -quit)" ]
}
if ! fresh "$live" pcaps benchmarks/make-big-pcap.py benchmarks/make-live-pcap.py; then
  fresh "$big" pcaps benchmarks/make-big-pcap.py || python3 benchmarks/make-big-pcap.py pcaps "$copies" "$big"
  python3 benchmarks/make-live-pcap.py "$big" "$live" "$smac" "$rmac"
fi
if ! fresh "$warm" pcaps benchmarks/make-big-pcap.py benchmarks/make-live-pcap.py; then
  python3 benchmarks/make-big-pcap.py pcaps 8 "$tmp/warm-big.pcap"
  python3 benchmarks/make-live-pcap.py "$tmp/warm-big.pcap" "$warm" "$smac" "$rmac" 198.18.128.0/17
fi
[ -n "${CLI:-}" ] || dotnet build src/TunnelGuard.Cli -c Release -nologo -v q >/dev/null

ip netns add "$tx"
ip netns add "$rx"
ip link add "$s" netns "$tx" address "$smac" type veth peer name "$r" netns "$rx" address "$rmac"
ip -n "$tx" addr add 198.18.9.1/24 dev "$s"
ip -n "$rx" addr add 198.18.9.2/24 dev "$r"
for ns_dev in "$tx:$s" "$rx:$r"; do
  ns=${ns_dev%%:*} dev=${ns_dev#*:}
  ip netns exec "$ns" ethtool -K "$dev" tso off gso off gro off tx off rx off >/dev/null 2>&1 || true
  ip -n "$ns" link set "$dev" mtu 1500 up
  ip -n "$ns" link set lo up
done
ip -n "$rx" route add blackhole 198.19.0.0/16
ip -n "$rx" route add blackhole 198.18.128.0/17
ip netns exec "$rx" sysctl -qw net.ipv4.ip_forward=0
# INGRESS_DROP (default 1; 0 = off): an nftables netdev ingress chain drops every frame on the receiving veth. Packet taps (the
# monitor's capture) see a frame before the ingress hook, so the capture is unchanged; the IP stack's work (ip_rcv,
# the route lookup that ends in the blackhole) is skipped, and that work runs in the receive softirq on the sending CPU.
if [ "${INGRESS_DROP:-1}" = 1 ]; then
  ip netns exec "$rx" nft -f - <<NFT
table netdev tgb_ingress {
  chain drop_all { type filter hook ingress device "$r" priority 0; policy drop; }
}
NFT
fi

metric() { # FILE NAME [LABEL] -> integer value
  awk -v name="$2" -v label="${3:-}" '
    $1 == name || (label != "" && $1 == name "{where=\"" label "\"}") { printf "%d\n", $2 + 0; found = 1 }
    END { if (!found) print 0 }' "$1"
}
scrape() { # -> "packets kernel queue"
  ip netns exec "$rx" curl -sf "http://127.0.0.1:$port/metrics" >"$tmp/metrics" || return 1
  echo "$(metric "$tmp/metrics" tunnelguard_packets_total) $(metric "$tmp/metrics" tunnelguard_capture_drops_total kernel)" \
    "$(metric "$tmp/metrics" tunnelguard_capture_drops_total queue)"
}
settle() { # waits until the analysed count has not moved for 1.5 s; prints the last scrape
  local last= now= same=0
  for _ in $(seq 1 240); do
    sleep 0.5
    now=$(scrape) || continue
    if [ "$now" = "$last" ]; then
      same=$((same + 1))
      [ $same -ge 3 ] && break
    else
      same=0
    fi
    last=$now
  done
  echo "$now"
}
rx_dropped() { ip -n "$rx" -s link show "$r" | awk '/RX:/ { getline; print $4 }'; }
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; } # user + system time of a process, in clock ticks
cpu_stat() { awk '$1 == "cpu0" || $1 == "cpu1" { printf "%s %s %s ", $2 + $3 + $4 + $6 + $7 + $8, $8, $2 + $3 + $4 + $5 + $6 + $7 + $8 }' /proc/stat; }
send() { # RATE|max FILE [LIMIT] -> "sent sent_pps failed sender_cpu_ns"; tcpreplay for the warm-up (LIMIT given)
  if [ "$sender" = tcpreplay ] || [ -n "${3:-}" ]; then
    local args=(--pps="$1")
    [ "$1" = max ] && args=(--topspeed)
    [ -n "${3:-}" ] && args+=(--limit="$3")
    ip netns exec "$tx" /usr/bin/time -f "cpu %U %S" "${send_prefix[@]}" tcpreplay -i "$s" "${args[@]}" "$2" >"$tmp/sender" 2>&1 || true
  else
    # -A: leave the host's socket memory sysctls alone; -m: mmap the file. See the header for the ring and -k.
    local ring=4MiB
    [ "$1" = max ] || ring=$((($1 / 1000 + 7) / 8 * 16))KiB # 8 frames of 2 KiB per 16 KiB block
    ip netns exec "$tx" /usr/bin/time -f "cpu %U %S" "${send_prefix[@]}" netsniff-ng --in "$2" --out "$s" --silent -A -m \
      -S "$ring" -k 1000 >"$tmp/sender" 2>&1 || true
  fi
  tr -d '\r' <"$tmp/sender" | awk '
    /Actual:/ { sent = $2 } /Rated:/ { for (i = 1; i <= NF; i++) if ($i ~ /^pps/) pps = $(i - 1) }
    /Failed packets:/ { failed = $3 }
    / packets outgoing/ { sent = $1 } / usec in total/ { secs = $1 + $3 / 1e6 }
    /^cpu / { cpu = $2 + $3 }
    END { if (secs > 0) pps = sent / secs; printf "%d %d %d %d\n", sent, pps, failed, cpu * 1e9 / (sent > 0 ? sent : 1) }'
}

results="$tmp/results"
: >"$results"
run_once() { # RATE -> appends one line of the table to $results
  local rate=$1
  : >"$tmp/monitor.err"
  ip netns exec "$rx" "${monitor_prefix[@]}" dotnet "$cli" monitor -i "$r" --metrics "127.0.0.1:$port" --format jsonl \
    --output "$tmp/reports.jsonl" "${monitor_args[@]}" 2>"$tmp/monitor.err" &
  monitor_pid=$!
  for _ in $(seq 1 100); do
    grep -q "listening on" "$tmp/monitor.err" && scrape >/dev/null && break
    sleep 0.2
  done
  send 50000 "$warm" "$warmup" >/dev/null
  read -r p0 k0 q0 <<<"$(settle)"
  local d0 d1 c0 c1 s0 s1
  d0=$(rx_dropped)
  c0=$(cpu_ticks "$monitor_pid")
  s0=$(cpu_stat)
  read -r sent rated failed send_ns <<<"$(send "$rate" "$live")"
  s1=$(cpu_stat)
  read -r p1 k1 q1 <<<"$(settle)"
  c1=$(cpu_ticks "$monitor_pid")
  d1=$(rx_dropped)
  # SIGTERM, not SIGINT: a background job of a non-interactive shell starts with SIGINT ignored.
  kill -TERM "$monitor_pid"
  wait "$monitor_pid" || true
  monitor_pid=
  local analysed=$((p1 - p0)) kernel=$((k1 - k0)) queue=$((q1 - q0)) backlog=$((d1 - d0))
  local monitor_ok=no all_ok=no
  [ "$sent" -gt 0 ] && [ "$analysed" -eq $((sent - backlog)) ] && [ "$kernel" -eq 0 ] && [ "$queue" -eq 0 ] && monitor_ok=yes
  [ "$monitor_ok" = yes ] && [ "$backlog" -eq 0 ] && all_ok=yes
  # The monitor's CPU time per analysed packet (user + system, including its idle wake-ups while the rate is low).
  local cpu_ns=$(((c1 - c0) * 1000000000 / $(getconf CLK_TCK) / (analysed > 0 ? analysed : 1)))
  # Busy share of each CPU while the sender ran (user, nice, system, irq, softirq of every task), and CPU 0's softirq.
  local busy
  busy=$(awk -v a="$s0" -v b="$s1" 'BEGIN { split(a, x, " "); split(b, y, " ")
    t0 = y[3] - x[3]; t1 = y[6] - x[6]; if (t0 < 1) t0 = 1; if (t1 < 1) t1 = 1
    printf "%d %d %d", 100 * (y[1] - x[1]) / t0, 100 * (y[2] - x[2]) / t0, 100 * (y[4] - x[4]) / t1 }')
  printf '%8s %9d %9d %9d %9d %8d %8d %7s %7s %8d %8d %4d %4d %4d %5s\n' "$rate" "$sent" "$rated" "$backlog" "$analysed" \
    "$kernel" "$queue" "$monitor_ok" "$all_ok" "$cpu_ns" "$send_ns" $busy "$(cut -d' ' -f1 /proc/loadavg)" | tee -a "$results"
}
all_ok() { # RATE -> true when every run at RATE was drop-free (column 8: the monitor lost nothing it was given)
  awk -v rate="$1" '$1 == rate { n++; if ($8 != "yes") bad = 1 } END { exit !(n > 0 && !bad) }' "$results"
}

echo "== machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), kernel $(uname -r)," \
  "$(dotnet --version) SDK, $(tcpreplay --version 2>&1 | head -1), $(netsniff-ng --version 2>/dev/null | head -1)"
echo "== load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "== $live: $(capinfos -c -M -T -r "$live" | cut -f2) frames; warm-up: $warmup frames of $warm at 50 kpps"
echo "== sender: $sender; pinned (sender CPU 0, monitor CPU 1): $([ "$pin" = 1 ] && echo yes || echo no); nice: $nice; ingress drop: ${INGRESS_DROP:-1}"
echo "== monitor: tunnelguard monitor -i $r --metrics 127.0.0.1:$port --format jsonl --output FILE ${MONITOR_ARGS:-}"
echo
echo "rate: asked of the sender; sent, sent_pps: what it sent; backlog: dropped by the kernel before any capture"
echo "(the receiving veth's rx_dropped); analysed: by the pipeline; kernel, queue: drops reported by libpcap and by"
echo "the monitor's queue; mon_ok: the monitor analysed every frame that reached the interface; all_ok: and none was lost;"
echo "cpu_ns: the monitor's CPU time (user + system) per analysed packet; snd_ns: the sender's (its own time, not the"
echo "softirq work that ksoftirqd does for it); cpu0, si0, cpu1: % busy of CPU 0, of it in softirq, of CPU 1 while it"
echo "sent, all tasks; load: 1-minute load average after the run"
printf '%8s %9s %9s %9s %9s %8s %8s %7s %7s %8s %8s %4s %4s %4s %5s\n' rate sent sent_pps backlog analysed kernel queue \
  mon_ok all_ok cpu_ns snd_ns cpu0 si0 cpu1 load
highest_ok=0 lowest_bad=0
for rate in $rates; do
  for _ in $(seq 1 "$runs"); do run_once "$rate"; done
  if [ "$rate" = max ]; then
    continue
  elif all_ok "$rate"; then
    [ "$rate" -gt "$highest_ok" ] && highest_ok=$rate
  elif [ "$lowest_bad" -eq 0 ] || [ "$rate" -lt "$lowest_bad" ]; then
    lowest_bad=$rate
  fi
done
if [ "$lowest_bad" -gt "$highest_ok" ]; then
  for _ in $(seq 1 "$bisect"); do
    mid=$(((highest_ok + lowest_bad) / 2 / 10000 * 10000))
    { [ "$mid" -le "$highest_ok" ] || [ "$mid" -ge "$lowest_bad" ]; } && break
    for _ in $(seq 1 "$runs"); do run_once "$mid"; done
    if all_ok "$mid"; then highest_ok=$mid; else lowest_bad=$mid; fi
  done
fi

echo
echo "== load average at end: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "== per rate, medians over the runs: sent packets/s, frames lost before capture, frames the monitor lost"
summary=$(sort -n -k1,1 "$results" | awk '
  function median(a, n,   i, j, t) { for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (a[j] < a[i]) { t = a[i]; a[i] = a[j]; a[j] = t }
    return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2 }
  function flush() { if (n) printf "%8s  sent %8.0f pps  before capture %7.0f  monitor lost %7.0f  drop-free %d/%d, nothing lost %d/%d  %5.0f ns CPU/packet\n",
    rate, median(pps, n), median(backlog, n), median(lost, n), good, n, clean, n, median(cpu, n) }
  $1 != rate { flush(); rate = $1; n = 0; good = 0; clean = 0 }
  { n++; pps[n] = $3; backlog[n] = $4; lost[n] = $2 - $4 - $5; cpu[n] = $10; if ($8 == "yes") good++; if ($9 == "yes") clean++ }
  END { flush() }')
echo "$summary"
# Over every run, paced or not: the fastest that lost nothing the monitor was given, and the slowest that lost some.
awk '$8 == "yes" && $3 > best { best = $3; rate = $1 } $8 != "yes" && (worst == 0 || $3 < worst) { worst = $3; wrate = $1 }
  END { printf "== fastest drop-free run: %d packets/s sent (rate %s)", best, rate
        if (worst) printf "; slowest run with a loss: %d packets/s sent (rate %s)", worst, wrate
        print "" }' "$results"
if [ "$highest_ok" -gt 0 ]; then
  echo "== highest drop-free rate asked: $highest_ok packets/s (in every run the monitor analysed every frame that reached it);" \
    "$sender sent $(awk -v rate="$highest_ok" '$1 == rate { print $3 }' <<<"$summary") packets/s (median)"
else
  echo "== no paced rate (other than max) was drop-free in every run"
fi
