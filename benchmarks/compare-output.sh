#!/usr/bin/env bash
# Output identity between two builds: runs the same replay commands with the build in OLD (a folder holding
# tunnelguard.dll, e.g. a copy of src/TunnelGuard.Cli/bin/Release/net10.0 made before a change) and with this tree's
# Release build, and compares stdout, stderr and the exit code of each (the timing in a --stats line is masked).
# Every speed change must keep the output byte for byte; this is the check used before each commit of one.
#
# Usage: OLD=DIR bash benchmarks/compare-output.sh [BIG.pcap]
# BIG defaults to artifacts/replay-throughput-600.pcap when it exists (benchmarks/replay-throughput.sh makes it).
# Prints one line per comparison and "N identical, N different"; exits 1 when any differ.
set -euo pipefail
cd "$(dirname "$0")/.."

old=${OLD:?set OLD to a folder with the old build}
[ -d "$old" ] && old="$old/tunnelguard.dll"
[ -f "$old" ] || { echo "OLD: no build at $old" >&2; exit 2; }
big=${1:-artifacts/replay-throughput-600.pcap}
new=src/TunnelGuard.Cli/bin/Release/net10.0/tunnelguard.dll
dotnet build src/TunnelGuard.Cli -c Release -nologo -v q >/dev/null

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# A cut-short copy of a committed capture and of the big file: the error path must report the same.
small=$(ls pcaps/*.pcap | head -1)
head -c $(( $(stat -c %s "$small") - 100 )) "$small" >"$work/cut-small.pcap"
if [ -f "$big" ]; then head -c 50000000 "$big" >"$work/cut-big.pcap"; fi

same=0 differ=0
run() { # name args...
  local name=$1; shift
  local code_old=0 code_new=0
  dotnet "$old" "$@" >"$work/old.out" 2>"$work/old.err" || code_old=$?
  dotnet "$new" "$@" >"$work/new.out" 2>"$work/new.err" || code_new=$?
  sed -i -E 's/packets in [0-9.]+ s = [0-9]+ packets\/s/packets in T/' "$work/old.err" "$work/new.err"
  if [ "$code_old" = "$code_new" ] && cmp -s "$work/old.out" "$work/new.out" && cmp -s "$work/old.err" "$work/new.err"; then
    same=$((same + 1)); echo "identical  $name ($(wc -c <"$work/new.out") bytes, exit $code_new)"
  else
    differ=$((differ + 1)); echo "DIFFERENT  $name (exit $code_old vs $code_new)"
    diff <(head -c 2000 "$work/old.out") <(head -c 2000 "$work/new.out") | head -5 || true
    diff "$work/old.err" "$work/new.err" | head -5 || true
  fi
}

for t in 1 2 3; do
  run "pcaps/ jsonl stats threads $t" replay pcaps/ --format jsonl --stats --threads "$t"
  run "pcaps/ all-flows rules threads $t" replay pcaps/ --format jsonl --all-flows --rules rules/ --threads "$t"
  run "pcaps/ table threads $t" replay pcaps/ --format table --all-flows --rules rules/ --threads "$t"
  run "cut-short small threads $t" replay "$work/cut-small.pcap" pcaps/ --format jsonl --threads "$t"
done
run "pcaps/ expect manifest" replay pcaps/ --expect pcaps/manifest.json --format jsonl
run "missing file among others" replay pcaps/ /nonexistent.pcap --format jsonl
run "pcaps/ heuristics" replay pcaps/ --format jsonl --heuristics
if [ -d training ]; then run "training/ threads 2" replay training/ --format jsonl --stats; fi
if [ -f "$big" ]; then
  for t in 1 2 3; do
    run "BIG jsonl stats threads $t" replay "$big" --format jsonl --stats --threads "$t"
    run "cut-short BIG threads $t" replay "$work/cut-big.pcap" --format jsonl --threads "$t"
  done
  run "BIG all-flows rules" replay "$big" --format jsonl --all-flows --rules rules/
  run "BIG table" replay "$big" --format table
fi
echo "$same identical, $differ different"
[ "$differ" = 0 ]
