#!/usr/bin/env bash
# Usage: fuzz/replay.sh TARGET PATH...   runs saved inputs (files or folders) once each on the uninstrumented build
# and prints any exception; e.g. fuzz/replay.sh ssh fuzz/findings/ssh/*/default/crashes
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
[ -x "$here/build/plain/TunnelGuard.Fuzz" ] || "$here/build.sh"
exec "$here/build/plain/TunnelGuard.Fuzz" replay "$@"
