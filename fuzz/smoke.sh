#!/usr/bin/env bash
# Short fuzzing run of every harness, for CI: builds and instruments once, seeds from pcaps/, runs each target for
# SMOKE_SECONDS (default 25) one after another, and fails if any run found a crash or a hang.
# Ends with a plain "N passed, N failed" line (one per target). Needs: afl++ (Debian), the .NET SDK.
set -uo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
seconds="${SMOKE_SECONDS:-25}"
command -v afl-fuzz >/dev/null || { echo "afl-fuzz not found: apt-get install afl++"; echo "0 passed, 1 failed"; exit 1; }
"$here/build.sh" >/dev/null || { echo "fuzz build failed"; echo "0 passed, 1 failed"; exit 1; }
"$here/seed.sh" >/dev/null || { echo "seeding failed"; echo "0 passed, 1 failed"; exit 1; }

passed=0; failed=0
for target in decoder reassembly pipeline ssh reader rules; do
  if "$here/run.sh" "$target" "$seconds"; then
    passed=$((passed + 1))
  else
    failed=$((failed + 1))
    echo "FAILED: $target (reproduce with fuzz/replay.sh $target <crash file>)"
  fi
done
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
