#!/usr/bin/env bash
# Writes the seed corpus of every target into fuzz/corpus/TARGET from the committed capture files in pcaps/.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(dirname "$here")"
[ -x "$here/build/plain/TunnelGuard.Fuzz" ] || "$here/build.sh"
rm -rf "$here/corpus"
"$here/build/plain/TunnelGuard.Fuzz" seed "$root/pcaps" "$here/corpus"
