#!/usr/bin/env bash
# Writes the seed corpus of every target into fuzz/corpus/TARGET from the committed capture files in pcaps/, and the
# rules target's from the rule files in rules/ and the yaml examples in docs/rules.md and README.md.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(dirname "$here")"
[ -x "$here/build/plain/TunnelGuard.Fuzz" ] || "$here/build.sh"
rm -rf "$here/corpus"
"$here/build/plain/TunnelGuard.Fuzz" seed "$root/pcaps" "$here/corpus" "$root/rules" "$root/docs/rules.md" "$root/README.md"
