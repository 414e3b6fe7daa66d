#!/usr/bin/env bash
# The main job on a fresh Debian 12 machine with the .NET SDK, as root: installs what TunnelGuard needs at run time,
# builds it, and runs it on the committed labelled captures (every SSH connection found, checked against the
# manifest). Extra arguments go to `tunnelguard replay` (e.g. your own pcap files or folders instead of pcaps/).
set -euo pipefail
cd "$(dirname "$0")/.."

need_pkgs=(libpcap0.8)
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
