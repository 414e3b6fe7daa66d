#!/usr/bin/env bash
# The main job on a fresh Debian 12 machine with the .NET SDK, as root: installs what TunnelGuard needs at run time,
# builds it, runs it on the committed labelled captures (every SSH connection found, checked against the manifest),
# then watches a live lab: the monitor runs on the lab's SSH server with rules/ and --enforce while a reverse-shell
# tunnel (-R) and then an ordinary command are started from the lab's client; the tunnel is blocked in nftables and
# the next connection from that client is refused. Extra arguments go to `tunnelguard replay` instead (your own
# pcap files or folders; no lab).
set -euo pipefail
cd "$(dirname "$0")/.."

need_pkgs=(libpcap0.8 openssh-server openssh-client tcpdump nftables curl iproute2 util-linux putty-tools)
missing=()
for p in "${need_pkgs[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq && apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

dotnet build src/TunnelGuard.Cli -c Release -nologo -v q
tg=(dotnet src/TunnelGuard.Cli/bin/Release/net10.0/tunnelguard.dll)

if [ $# -gt 0 ]; then
  exec "${tg[@]}" replay --format table "$@"
fi

echo "== SSH connections in the committed captures (pcaps/), checked against pcaps/manifest.json"
"${tg[@]}" replay pcaps/ --format table --all-flows --expect pcaps/manifest.json

echo
echo "== Live: monitor with rules/ and --enforce on the lab's SSH server (namespaces tglab-*, 198.18.4.0/24)"
"${tg[@]}" lab up
monitor_pid=
# The demo's alerts and blocks go to a store of its own, so that they never land in (or come back from) the
# machine's real one in /var/lib/tunnelguard.
store_dir=$(mktemp -d /tmp/tunnelguard-demo.XXXXXX)
cleanup() {
  if [ -n "$monitor_pid" ]; then kill -TERM "$monitor_pid" 2>/dev/null || true; wait "$monitor_pid" 2>/dev/null || true; fi
  "${tg[@]}" lab down >/dev/null 2>&1 || true
  rm -rf "$store_dir"
}
trap cleanup EXIT
ip netns exec tglab-srv "${tg[@]}" monitor -i eth0 -i eth1 --rules rules --enforce --firewall nftables \
  --db "$store_dir/alerts.db" --format table --metrics 127.0.0.1:9464 &
monitor_pid=$!
# `lab run` ends stray processes in the lab's namespaces after each scenario; this one it must keep.
echo "$monitor_pid" >> /run/tunnelguard-lab/keep.pids
sleep 5
echo "-- an ordinary command from the lab client (expected: exec, allowed)"
"${tg[@]}" lab run exec --seed 1
echo "-- a reverse shell through ssh -R from the same client (expected: forward-remote, blocked while in use)"
"${tg[@]}" lab run remote-shell --seed 1 &
scenario_pid=$!
for _ in $(seq 1 60); do
  ip netns exec tglab-srv nft list set inet tunnelguard pair4 2>/dev/null | grep -q elements && break
  sleep 0.5
done
echo "-- the block in the lab server's nftables, and the monitor's metrics"
ip netns exec tglab-srv nft list set inet tunnelguard pair4 2>/dev/null | grep -A1 elements || echo "(no block was made)"
ip netns exec tglab-srv curl -s http://127.0.0.1:9464/metrics | grep '^tunnelguard_packets_total\|^tunnelguard_ssh_connections_total\|^tunnelguard_blocks_active\|^tunnelguard_alerts_total' || true
wait "$scenario_pid" || echo "(the reverse-shell scenario failed: its tunnel was cut by the block)"
echo "-- the block as the store keeps it, and the audit trail (tunnelguard blocks list / audit)"
"${tg[@]}" blocks list --db "$store_dir/alerts.db" --format table
"${tg[@]}" blocks audit --db "$store_dir/alerts.db" --format table
