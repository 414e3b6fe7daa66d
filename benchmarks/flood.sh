#!/usr/bin/env bash
# Flood run (issue 7, "Floods"; results in docs/hardening.md). Generates two captures with benchmarks/make-flood-pcap.py,
# each with every IPv4 connection of the committed corpus (pcaps/) mixed in:
#   flows: FLOWS short TCP connections (handshake, request, reply, FIN both ways), 8 packets each
#   syn:   FLOWS unanswered SYNs from distinct spoofed sources to the corpus's SSH server
# Then, for each capture and each flow-table bound in BOUNDS:
#   replay: `tunnelguard replay --max-flows N --stats --expect` under /usr/bin/time -v: packets/s, peak table size,
#           evictions, peak RSS, and benchmarks/flood-check.py: are the SSH connections found with the same HASSH and
#           verdict as when their captures are replayed alone, and as the manifest says?
# and, with LIVE=1 (root, tcpreplay): the capture sent with tcpreplay at its own timing over a veth pair between two
# network namespaces (198.18.250.0/30), `tunnelguard monitor` capturing on the far end, reporting the same numbers from
# its stop line and its metrics (monitor has no flow-table flag: it runs with the default bound).
#
# Environment: FLOWS (default 1000000), BOUNDS (default "4096 65536 262144"), KINDS (default "flows syn"), LIVE (default
# 0), FILTER (the monitor's kernel filter, default tcp), MONITOR_ARGS (more monitor flags, e.g. "--block-timeout 10"), ARTIFACTS (default artifacts, ignored by git). Exits 1 if any check fails. Run by hand, not in CI.
set -euo pipefail
cd "$(dirname "$0")/.."

flows=${FLOWS:-1000000}
bounds=${BOUNDS:-4096 65536 262144}
read -r -a monitor_args <<<"${MONITOR_ARGS:-}"
kinds=${KINDS:-flows syn}
out=${ARTIFACTS:-artifacts}
cli=src/TunnelGuard.Cli/bin/Release/net10.0/tunnelguard.dll
failed=0

mkdir -p "$out"
dotnet build src/TunnelGuard.Cli -c Release -nologo -v q >/dev/null
dotnet "$cli" replay pcaps -o "$out/flood-alone.jsonl"
echo "== machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), load $(cut -d' ' -f1-3 /proc/loadavg), $(dotnet --version) SDK"

for kind in $kinds; do
  pcap="$out/flood-$kind-$flows.pcap"
  if [ ! -f "$pcap" ] || [ -n "$(find pcaps benchmarks/make-flood-pcap.py -newer "$pcap" -print -quit)" ]; then
    python3 benchmarks/make-flood-pcap.py pcaps "$kind" "$flows" "$pcap"
  fi
  cat "$pcap" >/dev/null  # read from the page cache, not the disk
  echo "== $pcap: $(($(stat -c %s "$pcap") / 1048576)) MiB"
  for bound in $bounds; do
    log="$out/flood-$kind-$bound.log"
    /usr/bin/time -v dotnet "$cli" replay "$pcap" --max-flows "$bound" --stats --expect "$pcap.expect.json" \
      -o "$out/flood-$kind-$bound.jsonl" 2>"$log" || { echo "replay failed:"; cat "$log"; failed=1; }
    rss=$(sed -n 's/.*Maximum resident set size (kbytes): //p' "$log")
    echo "replay --max-flows $bound: $(grep '^stats:' "$log" | sed 's/^stats: //'); peak RSS $((rss / 1024)) MiB"
    grep -E '^(expect|mismatch):' "$log" || true
    python3 benchmarks/flood-check.py "$pcap.expect.json" "$out/flood-$kind-$bound.jsonl" "$out/flood-alone.jsonl" || failed=1
  done

  if [ "${LIVE:-0}" = 1 ]; then
    tx=tgflood-tx-$$ rx=tgflood-rx-$$ monitor=
    cleanup() {
      [ -n "$monitor" ] && kill "$monitor" 2>/dev/null || true
      ip netns del "$tx" 2>/dev/null || true
      ip netns del "$rx" 2>/dev/null || true
    }
    trap cleanup EXIT
    ip netns add "$tx" && ip netns add "$rx"
    ip link add tgf-tx netns "$tx" type veth peer name tgf-rx netns "$rx"
    ip -n "$tx" addr add 198.18.250.1/30 dev tgf-tx && ip -n "$rx" addr add 198.18.250.2/30 dev tgf-rx
    # The corpus holds GRO-merged frames of up to 64 KiB (ssh-gro-bulk.pcap): the veth must carry them.
    ip -n "$tx" link set tgf-tx mtu 65535 && ip -n "$rx" link set tgf-rx mtu 65535
    ip -n "$tx" link set tgf-tx up && ip -n "$rx" link set tgf-rx up && ip -n "$rx" link set lo up
    ip netns exec "$rx" ethtool -K tgf-rx gro off >/dev/null 2>&1 || true
    log="$out/flood-$kind-live.log"
    : >"$log"
    ip netns exec "$rx" /usr/bin/time -v dotnet "$cli" monitor -i tgf-rx --filter "${FILTER:-tcp}" --duration 3600 --format jsonl \
      -o "$out/flood-$kind-live.jsonl" "${monitor_args[@]}" 2>"$log" &
    monitor=$!  # ip netns exec becomes /usr/bin/time, whose child is the monitor
    until grep -q 'listening on' "$log"; do sleep 0.5; kill -0 "$monitor" || { cat "$log"; exit 1; }; done
    ip netns exec "$tx" tcpreplay -i tgf-tx "$pcap" >"$out/flood-$kind-tcpreplay.log" 2>&1 || true
    grep -E 'Actual|Rated|Failed' "$out/flood-$kind-tcpreplay.log" | sed 's/^ */tcpreplay: /'
    sleep 8  # the last connections' linger, so they are reported as closed
    ip netns exec "$rx" curl -s 127.0.0.1:9464/metrics | grep -E '^tunnelguard_(packets_total|flow_evictions_total|flows_active|capture_drops_total)' | sed 's/^/metrics: /' || true
    # SIGTERM, not SIGINT: a background job of a non-interactive shell starts with SIGINT ignored.
    kill -TERM $(cat "/proc/$monitor/task/$monitor/children")
    wait "$monitor" || failed=1
    monitor=
    rss=$(sed -n 's/.*Maximum resident set size (kbytes): //p' "$log")
    echo "monitor: $(grep 'stopped:' "$log" | sed 's/^tunnelguard: //'); peak RSS $((rss / 1024)) MiB"
    grep -E 'error|exception' "$log" || true
    python3 benchmarks/flood-check.py --live "$pcap.expect.json" "$out/flood-$kind-live.jsonl" "$out/flood-alone.jsonl" || failed=1
    cleanup
    trap - EXIT
  fi
done
exit $failed
